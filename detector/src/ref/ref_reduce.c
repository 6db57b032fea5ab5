/* TF Mean, Max and Sum over a set of axes. The input is walked once in memory order;
 * each element lands on the output element its kept indices name. */
#include "ref/ref_ops.h"

void vigil_ref_reduce_forward(float *out, const float *x, int ndim, const int64_t *shape,
                              const vigil_reduce_params *p, int threads) {
    bool reduced[VIGIL_MAX_DIMS] = {false};
    for (int i = 0; i < p->naxes; i++)
        reduced[p->axes[i]] = true;
    /* Shapes padded in front to VIGIL_MAX_DIMS so that one fixed loop nest covers all. */
    int64_t size[VIGIL_MAX_DIMS], out_stride[VIGIL_MAX_DIMS];
    int pad = VIGIL_MAX_DIMS - ndim;
    int64_t stride = 1, count = 1, out_numel = 1;
    for (int d = VIGIL_MAX_DIMS - 1; d >= 0; d--) {
        int k = d - pad;
        size[d] = k >= 0 ? shape[k] : 1;
        if (k >= 0 && reduced[k]) {
            out_stride[d] = 0;
            count *= size[d];
        } else {
            out_stride[d] = stride;
            stride *= size[d];
            out_numel *= size[d];
        }
    }
    float init = p->op == VIGIL_REDUCE_MAX ? -INFINITY : 0.0f;
    for (int64_t i = 0; i < out_numel; i++)
        out[i] = init;

    const float *v = x;
    for (int64_t i0 = 0; i0 < size[0]; i0++)
        for (int64_t i1 = 0; i1 < size[1]; i1++)
            for (int64_t i2 = 0; i2 < size[2]; i2++)
                for (int64_t i3 = 0; i3 < size[3]; i3++)
                    for (int64_t i4 = 0; i4 < size[4]; i4++) {
                        float *o = out + i0 * out_stride[0] + i1 * out_stride[1] +
                                   i2 * out_stride[2] + i3 * out_stride[3] + i4 * out_stride[4];
                        int64_t s5 = out_stride[5];
                        if (p->op == VIGIL_REDUCE_MAX) {
                            for (int64_t i5 = 0; i5 < size[5]; i5++, v++)
                                o[i5 * s5] = *v > o[i5 * s5] ? *v : o[i5 * s5];
                        } else {
                            for (int64_t i5 = 0; i5 < size[5]; i5++, v++)
                                o[i5 * s5] += *v;
                        }
                    }
    if (p->op == VIGIL_REDUCE_MEAN && count > 0)
        for (int64_t i = 0; i < out_numel; i++)
            out[i] /= (float)count;
    (void)threads; /* reductions in these models are small (global pooling) */
}
