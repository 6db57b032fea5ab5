/*
 * vigil/annotate.h — drawing boxes, labels, lines, polygons and text on video frames.
 *
 * `vigil detect --annotate` and the vigiloverlay element draw with it. A canvas
 * describes a frame in place, without copying it: packed RGB with 3 or 4 bytes per
 * pixel in any channel order (RGB, BGR, RGBx, BGRA, ...), planar I420 or semi-planar
 * NV12. On the YUV layouts colours are converted to BT.601 limited range and chroma is
 * drawn at half resolution, so a line one pixel wide tints the 2x2 block around it.
 * Text uses a built-in 5x7 font (upper case, digits and a little punctuation).
 *
 *     vigil_annotate_canvas c = vigil_annotate_canvas_rgb(pixels, width, height, width * 3);
 *     const float box[4] = {120, 80, 40, 90};            // x, y, w, h
 *     vigil_annotate_labeled_box(&c, box, "person 0.83", 2, 1, vigil_annotate_palette(0));
 *
 * Everything is clipped to the frame; nothing allocates and nothing fails.
 */
#ifndef VIGIL_ANNOTATE_H
#define VIGIL_ANNOTATE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vigil_annotate_layout {
    VIGIL_ANNOTATE_LAYOUT_PACKED = 0, /* planes[0]: pixel_bytes per pixel, RGB at offsets */
    VIGIL_ANNOTATE_LAYOUT_I420,       /* planes Y, U, V; chroma subsampled 2x2 */
    VIGIL_ANNOTATE_LAYOUT_NV12,       /* planes Y, interleaved UV; chroma subsampled 2x2 */
} vigil_annotate_layout;

typedef struct vigil_annotate_canvas {
    vigil_annotate_layout layout;
    uint8_t *planes[3];
    int strides[3]; /* bytes from one row to the next, per plane */
    int width, height;
    /* Packed layout only: bytes per pixel (3 or 4) and the byte offsets of red, green
     * and blue in a pixel; offset_a is the alpha byte, set opaque where drawing, or -1
     * (none, or a padding byte that is left as it is). */
    int pixel_bytes;
    int offset_r, offset_g, offset_b, offset_a;
} vigil_annotate_canvas;

typedef struct vigil_annotate_color {
    uint8_t r, g, b;
} vigil_annotate_color;

/* A canvas over packed RGB24 rows of stride bytes. */
vigil_annotate_canvas vigil_annotate_canvas_rgb(uint8_t *rgb, int width, int height, int stride);

/* A distinct, stable color for a class or track id (any integer). */
vigil_annotate_color vigil_annotate_palette(int index);

void vigil_annotate_fill(vigil_annotate_canvas *c, int x, int y, int w, int h,
                         vigil_annotate_color color);
/* The outline of a box (x, y, w, h), thickness pixels wide inside its edges. */
void vigil_annotate_rect(vigil_annotate_canvas *c, float x, float y, float w, float h,
                         int thickness, vigil_annotate_color color);
void vigil_annotate_line(vigil_annotate_canvas *c, float x0, float y0, float x1, float y1,
                         int thickness, vigil_annotate_color color);
/* A line from (x0, y0) with an arrow head at (x1, y1). */
void vigil_annotate_arrow(vigil_annotate_canvas *c, float x0, float y0, float x1, float y1,
                          int thickness, vigil_annotate_color color);
/* The closed outline through n points given as x, y pairs (xy has 2n values). */
void vigil_annotate_polygon(vigil_annotate_canvas *c, const float *xy, int n, int thickness,
                            vigil_annotate_color color);
/* Draws text with its top-left corner at (x, y); scale 1 = 5x7 glyphs in a 6x9 cell.
 * Characters outside the font are drawn as blanks; lowercase is drawn as uppercase. */
void vigil_annotate_text(vigil_annotate_canvas *c, int x, int y, int scale, const char *text,
                         vigil_annotate_color color);
/* Pixel width and height of text at scale. */
int vigil_annotate_text_width(const char *text, int scale);
int vigil_annotate_text_height(int scale);
/* Text on a filled tab of color, in black or white, whichever reads better; the tab's
 * top-left corner at (x, y). */
void vigil_annotate_label(vigil_annotate_canvas *c, int x, int y, int scale, const char *text,
                          vigil_annotate_color color);
/* A box with a label tab above it ("person 0.83"), or inside its top edge when there is
 * no room above. */
void vigil_annotate_labeled_box(vigil_annotate_canvas *c, const float box[4], const char *label,
                                int thickness, int scale, vigil_annotate_color color);

#ifdef __cplusplus
}
#endif
#endif
