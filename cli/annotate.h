/* Drawing on RGB24 frames for annotated output: boxes, labels, lines, polygons.
 * The overlay element and the demo share it; text uses a built-in 5x7 font. */
#ifndef VIGIL_CLI_ANNOTATE_H
#define VIGIL_CLI_ANNOTATE_H

#include <stdint.h>

typedef struct annotate_canvas {
    uint8_t *rgb; /* width * height * 3, rows packed */
    int width, height;
} annotate_canvas;

typedef struct annotate_color {
    uint8_t r, g, b;
} annotate_color;

/* A distinct, stable color for a class or track id. */
annotate_color annotate_palette(int index);

void annotate_rect(annotate_canvas *c, float x, float y, float w, float h, int thickness,
                   annotate_color color);
void annotate_fill(annotate_canvas *c, int x, int y, int w, int h, annotate_color color);
void annotate_line(annotate_canvas *c, float x0, float y0, float x1, float y1, int thickness,
                   annotate_color color);
/* Draws text with its top-left corner at (x, y); scale 1 = 5x7 glyphs in a 6x9 cell.
 * Characters outside the font are drawn as blanks; lowercase is drawn as uppercase. */
void annotate_text(annotate_canvas *c, int x, int y, int scale, const char *text,
                   annotate_color color);
/* Pixel width of text at scale. */
int annotate_text_width(const char *text, int scale);
/* A box with a filled label tab above it ("person 0.83"). */
void annotate_labeled_box(annotate_canvas *c, const float box[4], const char *label,
                          annotate_color color);

#endif
