/* Memory descriptors for vigil tensors: NHWC activations and row-major tensors. */
#include "cpu/cpu_internal.h"

dnnl_status_t cpu_md_nhwc(dnnl_memory_desc_t *md, const int64_t *nhwc, dnnl_data_type_t dt) {
    dnnl_dims_t dims = {nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
    return dnnl_memory_desc_init_by_tag(md, 4, dims, dt, dnnl_nhwc);
}

dnnl_status_t cpu_md_plain(dnnl_memory_desc_t *md, int ndim, const int64_t *shape,
                           dnnl_data_type_t dt) {
    if (ndim == 0) {
        dnnl_dims_t one = {1};
        return dnnl_memory_desc_init_by_tag(md, 1, one, dt, dnnl_a);
    }
    dnnl_dims_t dims, strides;
    int64_t stride = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        dims[i] = shape[i];
        strides[i] = stride;
        stride *= shape[i] > 0 ? shape[i] : 1;
    }
    return dnnl_memory_desc_init_by_strides(md, ndim, dims, dt, strides);
}

dnnl_status_t cpu_md_elementwise(dnnl_memory_desc_t *md, int ndim, const int64_t *shape,
                                 dnnl_data_type_t dt) {
    if (ndim == 4)
        return cpu_md_nhwc(md, shape, dt);
    return cpu_md_plain(md, ndim, shape, dt);
}

int cpu_md_axis(int ndim, int axis) {
    static const int nhwc_to_nchw[4] = {0, 2, 3, 1};
    return ndim == 4 ? nhwc_to_nchw[axis] : axis;
}
