#include "frame_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Samples about this many columns: enough for sharpness, cheap at any resolution. */
enum { TARGET_WIDTH = 320 };

static double luma(const uint8_t *px) {
    return 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2];
}

void vigil_frame_stats_compute(const vigil_alert_image *image, vigil_frame_stats *s) {
    memset(s, 0, sizeof *s);
    int step = image->width / TARGET_WIDTH;
    if (step < 1)
        step = 1;
    int w = image->width / step, h = image->height / step;
    if (w < 3 || h < 3)
        return;
    float *g = malloc((size_t)w * h * sizeof *g);
    if (!g)
        return;
    double sum = 0, sum2 = 0;
    for (int y = 0; y < h; y++) {
        const uint8_t *row = image->rgb + (size_t)(y * step) * image->stride;
        for (int x = 0; x < w; x++) {
            double v = luma(row + (size_t)x * step * 3);
            g[y * w + x] = (float)v;
            sum += v;
            sum2 += v * v;
        }
    }
    double n = (double)w * h;
    s->mean = sum / n;
    s->stddev = sqrt(fmax(0, sum2 / n - s->mean * s->mean));
    double lap = 0;
    for (int y = 1; y < h - 1; y++)
        for (int x = 1; x < w - 1; x++) {
            const float *c = g + y * w + x;
            lap += fabs(4.0 * c[0] - c[-1] - c[1] - c[-w] - c[w]);
        }
    s->sharpness = lap / ((double)(w - 2) * (h - 2));
    double counts[FRAME_THUMB] = {0};
    for (int y = 0; y < h; y++) {
        int ty = y * FRAME_THUMB_H / h;
        for (int x = 0; x < w; x++) {
            int i = ty * FRAME_THUMB_W + x * FRAME_THUMB_W / w;
            s->thumb[i] += g[y * w + x];
            counts[i]++;
        }
    }
    for (int i = 0; i < FRAME_THUMB; i++)
        s->thumb[i] = counts[i] > 0 ? (float)(s->thumb[i] / counts[i]) : 0;
    free(g);
}

double vigil_frame_stats_scene_distance(const float *a, const float *b) {
    double ma = 0, mb = 0;
    for (int i = 0; i < FRAME_THUMB; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= FRAME_THUMB;
    mb /= FRAME_THUMB;
    double sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < FRAME_THUMB; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    /* A flat thumbnail has no layout to compare: call it unrelated. */
    if (saa < 1e-6 || sbb < 1e-6)
        return 1.0;
    return 1.0 - sab / sqrt(saa * sbb);
}
