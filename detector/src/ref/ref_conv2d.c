/* TF Conv2D / DepthwiseConv2dNative: NHWC input, HWIO weights, groups, stride, dilation,
 * explicit pads, optional bias and a fused activation.
 *
 * For each output pixel the out_c accumulators live in the output row itself; the
 * innermost loop runs over output channels, which are contiguous in both the weights
 * and the output, so it vectorizes and streams the weights in order. */
#include "ref/ref_ops.h"

#include <string.h>

/* acc[co] += x_value * w_row[co] for a run of output channels. */
static inline void axpy(float *restrict acc, float x_value, const float *restrict w_row,
                        int64_t n) {
#pragma omp simd
    for (int64_t co = 0; co < n; co++)
        acc[co] += x_value * w_row[co];
}

/* Adds one kernel tap: x_pixel holds in_c values, w_tap is [in_c/groups, out_c]. */
static void accumulate_tap(float *restrict acc, const float *restrict x_pixel,
                           const float *restrict w_tap, int64_t in_c, int64_t out_c,
                           int64_t groups) {
    int64_t cin_g = in_c / groups, cout_g = out_c / groups;
    if (groups == 1) {
        for (int64_t ci = 0; ci < in_c; ci++)
            axpy(acc, x_pixel[ci], w_tap + ci * out_c, out_c);
    } else if (cin_g == 1 && cout_g == 1) {
        /* Depthwise with multiplier 1: channel c meets weight c. */
#pragma omp simd
        for (int64_t c = 0; c < out_c; c++)
            acc[c] += x_pixel[c] * w_tap[c];
    } else {
        for (int64_t g = 0; g < groups; g++)
            for (int64_t ci = 0; ci < cin_g; ci++)
                axpy(acc + g * cout_g, x_pixel[g * cin_g + ci], w_tap + ci * out_c + g * cout_g,
                     cout_g);
    }
}

void vigil_ref_conv2d_forward(float *out, const float *x, const float *w, const float *bias,
                              int64_t batch, int64_t in_h, int64_t in_w, int64_t in_c,
                              int64_t out_h, int64_t out_w, int64_t out_c, int64_t kernel_h,
                              int64_t kernel_w, const vigil_conv2d_params *p, int threads) {
    int64_t groups = p->groups > 0 ? p->groups : 1;
    int64_t dil_h = p->dilation[0] > 0 ? p->dilation[0] : 1;
    int64_t dil_w = p->dilation[1] > 0 ? p->dilation[1] : 1;
    int64_t stride_h = p->stride[0], stride_w = p->stride[1];
    int64_t pad_top = p->pads[0], pad_left = p->pads[2];
    int64_t tap_size = (in_c / groups) * out_c; /* floats of weights per kernel position */
    int nt = vigil_ref_threads(threads);

#pragma omp parallel for num_threads(nt) collapse(2) schedule(static)
    for (int64_t n = 0; n < batch; n++) {
        for (int64_t oy = 0; oy < out_h; oy++) {
            for (int64_t ox = 0; ox < out_w; ox++) {
                float *acc = out + ((n * out_h + oy) * out_w + ox) * out_c;
                if (bias)
                    memcpy(acc, bias, (size_t)out_c * sizeof *acc);
                else
                    memset(acc, 0, (size_t)out_c * sizeof *acc);
                for (int64_t ky = 0; ky < kernel_h; ky++) {
                    int64_t iy = oy * stride_h - pad_top + ky * dil_h;
                    if (iy < 0 || iy >= in_h)
                        continue; /* a padded row contributes zeros */
                    for (int64_t kx = 0; kx < kernel_w; kx++) {
                        int64_t ix = ox * stride_w - pad_left + kx * dil_w;
                        if (ix < 0 || ix >= in_w)
                            continue;
                        const float *x_pixel = x + ((n * in_h + iy) * in_w + ix) * in_c;
                        const float *w_tap = w + (ky * kernel_w + kx) * tap_size;
                        accumulate_tap(acc, x_pixel, w_tap, in_c, out_c, groups);
                    }
                }
                if (p->activation != VIGIL_ACTIVATION_NONE)
                    for (int64_t co = 0; co < out_c; co++)
                        acc[co] = vigil_ref_activate(acc[co], p->activation, p->alpha);
            }
        }
    }
}
