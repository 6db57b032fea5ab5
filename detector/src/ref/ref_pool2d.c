/* TF MaxPool and AvgPool over H and W of NHWC. Padding never takes part: max pooling
 * ignores padded positions (as if they held -inf) and average pooling divides by the
 * number of real input positions in the window, both as TensorFlow does. */
#include "ref/ref_ops.h"

void vigil_ref_pool2d_forward(float *out, const float *x, int64_t batch, int64_t in_h, int64_t in_w,
                              int64_t channels, int64_t out_h, int64_t out_w,
                              const vigil_pool2d_params *p, int threads) {
    int nt = vigil_ref_threads(threads);
    bool is_max = p->type == VIGIL_POOL_MAX;
#pragma omp parallel for num_threads(nt) collapse(2) schedule(static)
    for (int64_t n = 0; n < batch; n++) {
        for (int64_t oy = 0; oy < out_h; oy++) {
            int64_t y0 = oy * p->stride[0] - p->pads[0];
            int64_t y_begin = y0 > 0 ? y0 : 0;
            int64_t y_end = y0 + p->kernel[0] < in_h ? y0 + p->kernel[0] : in_h;
            for (int64_t ox = 0; ox < out_w; ox++) {
                int64_t x0 = ox * p->stride[1] - p->pads[2];
                int64_t x_begin = x0 > 0 ? x0 : 0;
                int64_t x_end = x0 + p->kernel[1] < in_w ? x0 + p->kernel[1] : in_w;
                float *o = out + ((n * out_h + oy) * out_w + ox) * channels;
                for (int64_t c = 0; c < channels; c++)
                    o[c] = is_max ? -INFINITY : 0.0f;
                for (int64_t iy = y_begin; iy < y_end; iy++) {
                    for (int64_t ix = x_begin; ix < x_end; ix++) {
                        const float *v = x + ((n * in_h + iy) * in_w + ix) * channels;
                        if (is_max) {
#pragma omp simd
                            for (int64_t c = 0; c < channels; c++)
                                o[c] = v[c] > o[c] ? v[c] : o[c];
                        } else {
#pragma omp simd
                            for (int64_t c = 0; c < channels; c++)
                                o[c] += v[c];
                        }
                    }
                }
                int64_t count = (y_end - y_begin) * (x_end - x_begin);
                if (!is_max && count > 0)
                    for (int64_t c = 0; c < channels; c++)
                        o[c] /= (float)count;
            }
        }
    }
}
