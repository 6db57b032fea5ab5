/* TF Transpose: out.shape[i] = in.shape[perm[i]]; the output is written in order and
 * each output dim walks the input with the stride of the input dim it came from. */
#include "ref/ref_ops.h"

void vigil_ref_transpose_forward(float *out, const float *x, int ndim, const int64_t *in_shape,
                                 const int *perm) {
    int64_t in_stride[VIGIL_MAX_DIMS];
    int64_t stride = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        in_stride[d] = stride;
        stride *= in_shape[d];
    }
    int64_t size[VIGIL_MAX_DIMS], step[VIGIL_MAX_DIMS];
    int pad = VIGIL_MAX_DIMS - ndim;
    for (int d = 0; d < VIGIL_MAX_DIMS; d++) {
        int k = d - pad;
        size[d] = k >= 0 ? in_shape[perm[k]] : 1;
        step[d] = k >= 0 ? in_stride[perm[k]] : 0;
    }
    float *o = out;
    for (int64_t i0 = 0; i0 < size[0]; i0++)
        for (int64_t i1 = 0; i1 < size[1]; i1++)
            for (int64_t i2 = 0; i2 < size[2]; i2++)
                for (int64_t i3 = 0; i3 < size[3]; i3++)
                    for (int64_t i4 = 0; i4 < size[4]; i4++) {
                        const float *src = x + i0 * step[0] + i1 * step[1] + i2 * step[2] +
                                           i3 * step[3] + i4 * step[4];
                        for (int64_t i5 = 0; i5 < size[5]; i5++)
                            *o++ = src[i5 * step[5]];
                    }
}
