/* TF StridedSlice with positive steps (begin/end already resolved and clamped). */
#include "ref/ref_ops.h"

#include <string.h>

void vigil_ref_slice_forward(float *out, const float *x, int ndim, const int64_t *in_shape,
                             const int64_t *out_shape, const vigil_slice_params *p) {
    /* Padded in front to VIGIL_MAX_DIMS; offsets and strides in input elements. */
    int64_t size[VIGIL_MAX_DIMS], stride[VIGIL_MAX_DIMS];
    const float *base = x;
    int pad = VIGIL_MAX_DIMS - ndim;
    int64_t in_stride = 1;
    for (int d = VIGIL_MAX_DIMS - 1; d >= 0; d--) {
        int k = d - pad;
        size[d] = k >= 0 ? out_shape[k] : 1;
        stride[d] = k >= 0 ? in_stride * p->step[k] : 0;
        if (k >= 0) {
            base += p->begin[k] * in_stride;
            in_stride *= in_shape[k];
        }
    }
    float *o = out;
    bool contiguous_rows = stride[5] == 1;
    for (int64_t i0 = 0; i0 < size[0]; i0++)
        for (int64_t i1 = 0; i1 < size[1]; i1++)
            for (int64_t i2 = 0; i2 < size[2]; i2++)
                for (int64_t i3 = 0; i3 < size[3]; i3++)
                    for (int64_t i4 = 0; i4 < size[4]; i4++) {
                        const float *src = base + i0 * stride[0] + i1 * stride[1] + i2 * stride[2] +
                                           i3 * stride[3] + i4 * stride[4];
                        if (contiguous_rows) {
                            memcpy(o, src, (size_t)size[5] * sizeof *o);
                            o += size[5];
                        } else {
                            for (int64_t i5 = 0; i5 < size[5]; i5++)
                                *o++ = src[i5 * stride[5]];
                        }
                    }
}
