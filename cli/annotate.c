#include "annotate.h"

#include <math.h>
#include <stdlib.h>
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

annotate_color annotate_palette(int index) {
    /* Well-separated hues that stay readable on daylight footage. */
    static const annotate_color colors[] = {
        {230, 25, 75},  {60, 180, 75},   {255, 225, 25}, {0, 130, 200},
        {245, 130, 48}, {145, 30, 180},  {70, 240, 240}, {240, 50, 230},
        {210, 245, 60}, {250, 190, 212}, {0, 128, 128},  {220, 190, 255},
        {170, 110, 40}, {255, 250, 200}, {128, 0, 0},    {170, 255, 195},
    };
    int n = (int)(sizeof colors / sizeof colors[0]);
    return colors[((index % n) + n) % n];
}

static void put_pixel(annotate_canvas *c, int x, int y, annotate_color color) {
    if (x < 0 || y < 0 || x >= c->width || y >= c->height)
        return;
    uint8_t *p = c->rgb + ((size_t)y * c->width + x) * 3;
    p[0] = color.r;
    p[1] = color.g;
    p[2] = color.b;
}

void annotate_fill(annotate_canvas *c, int x, int y, int w, int h, annotate_color color) {
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + w > c->width ? c->width : x + w;
    int y1 = y + h > c->height ? c->height : y + h;
    for (int yy = y0; yy < y1; yy++)
        for (int xx = x0; xx < x1; xx++)
            put_pixel(c, xx, yy, color);
}

void annotate_rect(annotate_canvas *c, float x, float y, float w, float h, int thickness,
                   annotate_color color) {
    int x0 = (int)lroundf(x), y0 = (int)lroundf(y);
    int x1 = (int)lroundf(x + w), y1 = (int)lroundf(y + h);
    annotate_fill(c, x0, y0, x1 - x0, thickness, color);
    annotate_fill(c, x0, y1 - thickness, x1 - x0, thickness, color);
    annotate_fill(c, x0, y0, thickness, y1 - y0, color);
    annotate_fill(c, x1 - thickness, y0, thickness, y1 - y0, color);
}

void annotate_line(annotate_canvas *c, float x0, float y0, float x1, float y1, int thickness,
                   annotate_color color) {
    float dx = x1 - x0, dy = y1 - y0;
    int steps = (int)ceilf(fmaxf(fabsf(dx), fabsf(dy)));
    if (steps < 1)
        steps = 1;
    int half = thickness / 2;
    for (int i = 0; i <= steps; i++) {
        int px = (int)lroundf(x0 + dx * i / steps), py = (int)lroundf(y0 + dy * i / steps);
        annotate_fill(c, px - half, py - half, thickness, thickness, color);
    }
}

int annotate_text_width(const char *text, int scale) {
    return (int)strlen(text) * CELL_W * scale;
}

void annotate_text(annotate_canvas *c, int x, int y, int scale, const char *text,
                   annotate_color color) {
    for (int i = 0; text[i]; i++) {
        const uint8_t *rows = glyph_rows(text[i]);
        if (!rows)
            continue;
        int gx = x + i * CELL_W * scale;
        for (int r = 0; r < GLYPH_H; r++)
            for (int col = 0; col < GLYPH_W; col++)
                if (rows[r] & (0x10 >> col))
                    annotate_fill(c, gx + col * scale, y + r * scale, scale, scale, color);
    }
}

void annotate_labeled_box(annotate_canvas *c, const float box[4], const char *label,
                          annotate_color color) {
    annotate_rect(c, box[0], box[1], box[2], box[3], 2, color);
    int tab_w = annotate_text_width(label, 1) + 4, tab_h = CELL_H + 2;
    int tx = (int)lroundf(box[0]);
    int ty = (int)lroundf(box[1]) - tab_h;
    if (ty < 0)
        ty = (int)lroundf(box[1]);
    annotate_fill(c, tx, ty, tab_w, tab_h, color);
    /* Black or white text, whichever reads better on the tab. */
    int luma = (299 * color.r + 587 * color.g + 114 * color.b) / 1000;
    annotate_color ink = luma > 128 ? (annotate_color){0, 0, 0} : (annotate_color){255, 255, 255};
    annotate_text(c, tx + 2, ty + 2, 1, label, ink);
}
