/* TF Pad / PadV2 with a constant: fill the output with the value, then copy the input
 * rows into their place. */
#include "ref/ref_ops.h"

#include <string.h>

void vigil_ref_pad_forward(float *out, const float *x, int ndim, const int64_t *in_shape,
                           const vigil_pad_params *p) {
    int64_t size[VIGIL_MAX_DIMS], out_stride[VIGIL_MAX_DIMS];
    int pad = VIGIL_MAX_DIMS - ndim;
    int64_t stride = 1, out_numel = 1, offset = 0;
    for (int d = VIGIL_MAX_DIMS - 1; d >= 0; d--) {
        int k = d - pad;
        size[d] = k >= 0 ? in_shape[k] : 1;
        int64_t out_dim = k >= 0 ? in_shape[k] + p->before[k] + p->after[k] : 1;
        out_stride[d] = stride;
        if (k >= 0)
            offset += p->before[k] * stride;
        stride *= out_dim;
        out_numel *= out_dim;
    }
    for (int64_t i = 0; i < out_numel; i++)
        out[i] = p->value;
    const float *src = x;
    float *base = out + offset;
    for (int64_t i0 = 0; i0 < size[0]; i0++)
        for (int64_t i1 = 0; i1 < size[1]; i1++)
            for (int64_t i2 = 0; i2 < size[2]; i2++)
                for (int64_t i3 = 0; i3 < size[3]; i3++)
                    for (int64_t i4 = 0; i4 < size[4]; i4++) {
                        float *dst = base + i0 * out_stride[0] + i1 * out_stride[1] +
                                     i2 * out_stride[2] + i3 * out_stride[3] + i4 * out_stride[4];
                        memcpy(dst, src, (size_t)size[5] * sizeof *dst);
                        src += size[5];
                    }
}
