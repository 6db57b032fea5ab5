/*
 * pool2d on oneDNN: max pooling ignores padded positions (TF pads with -inf) and average
 * pooling excludes them from the count, as TF does. Also used for mean/max over H and W
 * (global pooling), which oneDNN's pooling kernels run faster than its reduction.
 */
#include "cpu/cpu_internal.h"

vigil_status cpu_pool2d_build(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                              dnnl_alg_kind_t alg, const int64_t *kernel, const int64_t *stride,
                              const int *pads, const int64_t *out_nhwc, vigil_error *err) {
    const vigil_node *x = &g->nodes[g->nodes[node].inputs[0]];
    dnnl_memory_desc_t src_md, dst_md;
    dnnl_pooling_v2_desc_t desc;
    dnnl_dims_t strides = {stride[0], stride[1]}, kernels = {kernel[0], kernel[1]};
    dnnl_dims_t dilation = {0, 0}, pad_l = {pads[0], pads[2]}, pad_r = {pads[1], pads[3]};

    dnnl_status_t s =
        cpu_md_nhwc(&src_md, x->out_shape, cpu_plan_dt(n->plan, g->nodes[node].inputs[0]));
    if (s == dnnl_success)
        s = cpu_md_nhwc(&dst_md, out_nhwc, cpu_plan_dt(n->plan, node));
    if (s == dnnl_success)
        s = dnnl_pooling_v2_forward_desc_init(&desc, dnnl_forward_inference, alg, &src_md, &dst_md,
                                              strides, kernels, dilation, pad_l, pad_r);
    return cpu_node_add_src_dst(ctx, g, node, n, s, &desc, &src_md, &dst_md, "pooling", err);
}

bool cpu_pool2d_supported(const vigil_graph *g, int node) {
    const vigil_node *nd = &g->nodes[node];
    const vigil_pool2d_params *p = &nd->params.pool2d;
    if (nd->n_inputs != 1 || !cpu_node_all_f32(g, node) || nd->out_ndim != 4 ||
        g->nodes[nd->inputs[0]].out_ndim != 4)
        return false;
    for (int i = 0; i < 4; i++)
        if (p->pads[i] < 0 || (i < 2 && (p->kernel[i] < 1 || p->stride[i] < 1)))
            return false;
    return true;
}

vigil_status cpu_pool2d_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                vigil_error *err) {
    const vigil_node *nd = &g->nodes[node];
    const vigil_pool2d_params *p = &nd->params.pool2d;
    if (!cpu_pool2d_supported(g, node))
        return VIGIL_STATUS_UNSUPPORTED;
    int64_t kernel[2] = {p->kernel[0], p->kernel[1]}, stride[2] = {p->stride[0], p->stride[1]};
    dnnl_alg_kind_t alg =
        p->type == VIGIL_POOL_MAX ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding;
    return cpu_pool2d_build(ctx, g, node, n, alg, kernel, stride, p->pads, nd->out_shape, err);
}
