/* TF ResizeBilinear and ResizeNearestNeighbor of NHWC, with the align_corners and
 * half_pixel_centers flags meaning exactly what they mean there:
 *
 *   scale  = align_corners && out > 1 ? (in - 1) / (out - 1) : in / out   (float)
 *   legacy:      src = dst * scale
 *   half-pixel:  src = (dst + 0.5) * scale - 0.5        (bilinear)
 *                src = (dst + 0.5) * scale              (nearest, then floor)
 *
 * Bilinear reads rows floor(src) clamped up to 0 and ceil(src) clamped down to in - 1
 * with weight src - floor(src); nearest takes floor (round with align_corners) clamped
 * to in - 1 and, for half-pixel centers, up to 0. */
#include "ref/ref_ops.h"

#include <string.h>

static float resize_scale(int64_t in, int64_t out, bool align_corners) {
    return align_corners && out > 1 ? (float)(in - 1) / (float)(out - 1) : (float)in / (float)out;
}

typedef struct lerp_index {
    int64_t lower, upper;
    float weight; /* of upper */
} lerp_index;

static lerp_index bilinear_index(int64_t dst, float scale, int64_t in, bool half_pixel) {
    float src = half_pixel ? ((float)dst + 0.5f) * scale - 0.5f : (float)dst * scale;
    float src_floor = floorf(src);
    lerp_index l;
    l.lower = (int64_t)src_floor > 0 ? (int64_t)src_floor : 0;
    l.upper = (int64_t)ceilf(src) < in - 1 ? (int64_t)ceilf(src) : in - 1;
    l.weight = src - src_floor;
    return l;
}

static int64_t nearest_index(int64_t dst, float scale, int64_t in, const vigil_resize_params *p) {
    float src = p->half_pixel_centers ? ((float)dst + 0.5f) * scale : (float)dst * scale;
    int64_t i = p->align_corners ? (int64_t)roundf(src) : (int64_t)floorf(src);
    if (i > in - 1)
        i = in - 1;
    if (p->half_pixel_centers && i < 0)
        i = 0;
    return i;
}

/* One output pixel's channels: restrict lets the compiler vectorize over channels. */
static void lerp_pixel(float *restrict o, const float *restrict tl, const float *restrict tr,
                       const float *restrict bl, const float *restrict br, int64_t channels,
                       float wx, float wy) {
#pragma omp simd
    for (int64_t c = 0; c < channels; c++) {
        float top = tl[c] + (tr[c] - tl[c]) * wx;
        float bottom = bl[c] + (br[c] - bl[c]) * wx;
        o[c] = top + (bottom - top) * wy;
    }
}

void vigil_ref_resize_forward(float *out, const float *x, int64_t batch, int64_t in_h, int64_t in_w,
                              int64_t channels, int64_t out_h, int64_t out_w,
                              const vigil_resize_params *p, int threads) {
    float scale_h = resize_scale(in_h, out_h, p->align_corners);
    float scale_w = resize_scale(in_w, out_w, p->align_corners);
    int nt = vigil_ref_threads(threads);
#pragma omp parallel for num_threads(nt) collapse(2) schedule(static)
    for (int64_t n = 0; n < batch; n++) {
        for (int64_t oy = 0; oy < out_h; oy++) {
            const float *image = x + n * in_h * in_w * channels;
            float *row = out + (n * out_h + oy) * out_w * channels;
            if (p->mode == VIGIL_RESIZE_NEAREST) {
                int64_t iy = nearest_index(oy, scale_h, in_h, p);
                for (int64_t ox = 0; ox < out_w; ox++) {
                    int64_t ix = nearest_index(ox, scale_w, in_w, p);
                    memcpy(row + ox * channels, image + (iy * in_w + ix) * channels,
                           (size_t)channels * sizeof *row);
                }
                continue;
            }
            lerp_index ly = bilinear_index(oy, scale_h, in_h, p->half_pixel_centers);
            const float *top_row = image + ly.lower * in_w * channels;
            const float *bottom_row = image + ly.upper * in_w * channels;
            for (int64_t ox = 0; ox < out_w; ox++) {
                lerp_index lx = bilinear_index(ox, scale_w, in_w, p->half_pixel_centers);
                const float *tl = top_row + lx.lower * channels,
                            *tr = top_row + lx.upper * channels;
                const float *bl = bottom_row + lx.lower * channels;
                const float *br = bottom_row + lx.upper * channels;
                lerp_pixel(row + ox * channels, tl, tr, bl, br, channels, lx.weight, ly.weight);
            }
        }
    }
}
