/* Drawing on frames in place: every primitive ends in fill_rect, which knows the
 * canvas layouts. */
#include "vigil/annotate.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* 5x7 glyphs, one byte per row, bit 4 = leftmost column. Only what labels need. */
typedef struct glyph {
    char ch;
    uint8_t rows[7];
} glyph;

static const glyph font[] = {
    {'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}},
    {'D', {0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E}},
    {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}},
    {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
    {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}},
    {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}},
    {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}},
    {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}},
    {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
    {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
    {'Q', {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}},
    {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}},
    {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}},
    {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}},
    {'X', {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}},
    {'Y', {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}},
    {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {'#', {0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A}},
    {'/', {0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10}},
    {'_', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F}},
    {'%', {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}},
    {'=', {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00}},
    {'!', {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04}},
    {'+', {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}},
    {',', {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}},
    {'(', {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}},
    {')', {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}},
};

enum { GLYPH_W = 5, GLYPH_H = 7, CELL_W = 6, CELL_H = 9 };

static const uint8_t *glyph_rows(char ch) {
    if (ch >= 'a' && ch <= 'z')
        ch = (char)(ch - 'a' + 'A');
    for (size_t i = 0; i < sizeof font / sizeof font[0]; i++)
        if (font[i].ch == ch)
            return font[i].rows;
    return NULL;
}

vigil_annotate_canvas vigil_annotate_canvas_rgb(uint8_t *rgb, int width, int height, int stride) {
    return (vigil_annotate_canvas){.layout = VIGIL_ANNOTATE_LAYOUT_PACKED,
                                   .planes = {rgb},
                                   .strides = {stride},
                                   .width = width,
                                   .height = height,
                                   .pixel_bytes = 3,
                                   .offset_r = 0,
                                   .offset_g = 1,
                                   .offset_b = 2,
                                   .offset_a = -1};
}

vigil_annotate_color vigil_annotate_palette(int index) {
    /* Well-separated hues that stay readable on daylight footage. */
    static const vigil_annotate_color colors[] = {
        {230, 25, 75},  {60, 180, 75},   {255, 225, 25}, {0, 130, 200},
        {245, 130, 48}, {145, 30, 180},  {70, 240, 240}, {240, 50, 230},
        {210, 245, 60}, {250, 190, 212}, {0, 128, 128},  {220, 190, 255},
        {170, 110, 40}, {255, 250, 200}, {128, 0, 0},    {170, 255, 195},
    };
    int n = (int)(sizeof colors / sizeof colors[0]);
    return colors[((index % n) + n) % n];
}

static uint8_t clamp_byte(int v) {
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* Fills rows [y0, y1) x columns [x0, x1) of one plane, already clipped, with a pattern
 * of size bytes per pixel (1 for Y, U or V, 2 for NV12's UV pairs). */
static void fill_plane(uint8_t *plane, int stride, int x0, int y0, int x1, int y1,
                       const uint8_t *pattern, int size) {
    for (int y = y0; y < y1; y++) {
        uint8_t *p = plane + (ptrdiff_t)y * stride + (ptrdiff_t)x0 * size;
        for (int x = x0; x < x1; x++, p += size)
            memcpy(p, pattern, (size_t)size);
    }
}

static void fill_packed(vigil_annotate_canvas *c, int x0, int y0, int x1, int y1,
                        vigil_annotate_color color) {
    for (int y = y0; y < y1; y++) {
        uint8_t *p = c->planes[0] + (ptrdiff_t)y * c->strides[0] + (ptrdiff_t)x0 * c->pixel_bytes;
        for (int x = x0; x < x1; x++, p += c->pixel_bytes) {
            p[c->offset_r] = color.r;
            p[c->offset_g] = color.g;
            p[c->offset_b] = color.b;
            if (c->offset_a >= 0)
                p[c->offset_a] = 255;
        }
    }
}

/* BT.601 limited range, what SD and most camera streams are encoded with. */
static void fill_yuv(vigil_annotate_canvas *c, int x0, int y0, int x1, int y1,
                     vigil_annotate_color color) {
    int r = color.r, g = color.g, b = color.b;
    uint8_t yy = clamp_byte(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
    uint8_t u = clamp_byte(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
    uint8_t v = clamp_byte(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
    fill_plane(c->planes[0], c->strides[0], x0, y0, x1, y1, &yy, 1);
    /* every chroma sample the rectangle touches */
    int cx0 = x0 / 2, cy0 = y0 / 2, cx1 = (x1 + 1) / 2, cy1 = (y1 + 1) / 2;
    if (c->layout == VIGIL_ANNOTATE_LAYOUT_I420) {
        fill_plane(c->planes[1], c->strides[1], cx0, cy0, cx1, cy1, &u, 1);
        fill_plane(c->planes[2], c->strides[2], cx0, cy0, cx1, cy1, &v, 1);
    } else {
        const uint8_t uv[2] = {u, v};
        fill_plane(c->planes[1], c->strides[1], cx0, cy0, cx1, cy1, uv, 2);
    }
}

void vigil_annotate_fill(vigil_annotate_canvas *c, int x, int y, int w, int h,
                         vigil_annotate_color color) {
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = w > c->width - x ? c->width : x + w;
    int y1 = h > c->height - y ? c->height : y + h;
    if (x0 >= x1 || y0 >= y1)
        return;
    if (c->layout == VIGIL_ANNOTATE_LAYOUT_PACKED)
        fill_packed(c, x0, y0, x1, y1, color);
    else
        fill_yuv(c, x0, y0, x1, y1, color);
}

void vigil_annotate_rect(vigil_annotate_canvas *c, float x, float y, float w, float h,
                         int thickness, vigil_annotate_color color) {
    int x0 = (int)lroundf(x), y0 = (int)lroundf(y);
    int x1 = (int)lroundf(x + w), y1 = (int)lroundf(y + h);
    vigil_annotate_fill(c, x0, y0, x1 - x0, thickness, color);
    vigil_annotate_fill(c, x0, y1 - thickness, x1 - x0, thickness, color);
    vigil_annotate_fill(c, x0, y0, thickness, y1 - y0, color);
    vigil_annotate_fill(c, x1 - thickness, y0, thickness, y1 - y0, color);
}

/* Narrows [*t0, *t1] to the part of p + t q inside lo <= . <= hi (one axis of
 * Liang-Barsky clipping); false when nothing is left. */
static bool clip_axis(float p, float q, float lo, float hi, float *t0, float *t1) {
    if (q == 0.0f)
        return p >= lo && p <= hi;
    float a = (lo - p) / q, b = (hi - p) / q;
    if (a > b) {
        float swap = a;
        a = b;
        b = swap;
    }
    *t0 = fmaxf(*t0, a);
    *t1 = fminf(*t1, b);
    return *t0 <= *t1;
}

void vigil_annotate_line(vigil_annotate_canvas *c, float x0, float y0, float x1, float y1,
                         int thickness, vigil_annotate_color color) {
    if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1))
        return;
    float dx = x1 - x0, dy = y1 - y0;
    /* Only the part near the canvas is stamped, so that a far-away end point (a zone
     * drawn on a smaller stream) costs nothing. */
    float t0 = 0.0f, t1 = 1.0f, m = (float)thickness;
    if (!clip_axis(x0, dx, -m, (float)c->width + m, &t0, &t1) ||
        !clip_axis(y0, dy, -m, (float)c->height + m, &t0, &t1))
        return;
    float sx = x0 + t0 * dx, sy = y0 + t0 * dy;
    dx *= t1 - t0;
    dy *= t1 - t0;
    /* a square stamp per step: no gaps, whatever the slope */
    int steps = (int)ceilf(fmaxf(fabsf(dx), fabsf(dy)));
    if (steps < 1)
        steps = 1;
    int half = thickness / 2;
    for (int i = 0; i <= steps; i++) {
        int px = (int)lroundf(sx + dx * (float)i / (float)steps);
        int py = (int)lroundf(sy + dy * (float)i / (float)steps);
        vigil_annotate_fill(c, px - half, py - half, thickness, thickness, color);
    }
}

void vigil_annotate_arrow(vigil_annotate_canvas *c, float x0, float y0, float x1, float y1,
                          int thickness, vigil_annotate_color color) {
    vigil_annotate_line(c, x0, y0, x1, y1, thickness, color);
    float dx = x1 - x0, dy = y1 - y0, len = hypotf(dx, dy);
    if (len < 1e-3f)
        return;
    float head = 8.0f + 2.0f * (float)thickness;
    float ux = dx / len, uy = dy / len;
    /* two barbs at 25 degrees either side of the shaft */
    const float cs = 0.906f, sn = 0.423f;
    vigil_annotate_line(c, x1, y1, x1 - head * (ux * cs - uy * sn), y1 - head * (uy * cs + ux * sn),
                        thickness, color);
    vigil_annotate_line(c, x1, y1, x1 - head * (ux * cs + uy * sn), y1 - head * (uy * cs - ux * sn),
                        thickness, color);
}

void vigil_annotate_polygon(vigil_annotate_canvas *c, const float *xy, int n, int thickness,
                            vigil_annotate_color color) {
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        vigil_annotate_line(c, xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1], thickness,
                            color);
    }
}

int vigil_annotate_text_width(const char *text, int scale) {
    return (int)strlen(text) * CELL_W * scale;
}

int vigil_annotate_text_height(int scale) {
    return CELL_H * scale;
}

void vigil_annotate_text(vigil_annotate_canvas *c, int x, int y, int scale, const char *text,
                         vigil_annotate_color color) {
    for (int i = 0; text[i]; i++) {
        const uint8_t *rows = glyph_rows(text[i]);
        if (!rows)
            continue;
        int gx = x + i * CELL_W * scale;
        for (int r = 0; r < GLYPH_H; r++)
            for (int col = 0; col < GLYPH_W; col++)
                if (rows[r] & (0x10 >> col))
                    vigil_annotate_fill(c, gx + col * scale, y + r * scale, scale, scale, color);
    }
}

void vigil_annotate_label(vigil_annotate_canvas *c, int x, int y, int scale, const char *text,
                          vigil_annotate_color color) {
    int pad = scale + 1;
    /* the last cell's spacing column is not part of the text */
    vigil_annotate_fill(c, x, y, vigil_annotate_text_width(text, scale) - scale + 2 * pad,
                        vigil_annotate_text_height(scale) + 2 * pad, color);
    /* Black or white text, whichever reads better on the tab. */
    int luma = (299 * color.r + 587 * color.g + 114 * color.b) / 1000;
    vigil_annotate_color ink =
        luma > 128 ? (vigil_annotate_color){0, 0, 0} : (vigil_annotate_color){255, 255, 255};
    vigil_annotate_text(c, x + pad, y + pad + scale, scale, text, ink);
}

void vigil_annotate_labeled_box(vigil_annotate_canvas *c, const float box[4], const char *label,
                                int thickness, int scale, vigil_annotate_color color) {
    vigil_annotate_rect(c, box[0], box[1], box[2], box[3], thickness, color);
    int pad = scale + 1;
    int tab_w = vigil_annotate_text_width(label, scale) - scale + 2 * pad;
    int tab_h = vigil_annotate_text_height(scale) + 2 * pad;
    int tx = (int)lroundf(box[0]);
    int ty = (int)lroundf(box[1]) - tab_h;
    if (ty < 0)
        ty = (int)lroundf(box[1]);
    /* a box at the right edge keeps its whole label, shifted left */
    if (tx > c->width - tab_w)
        tx = c->width - tab_w;
    if (tx < 0)
        tx = 0;
    vigil_annotate_label(c, tx, ty, scale, label, color);
}
