/*
 * reduce on oneDNN: mean or max over H and W of an NHWC tensor is global pooling (fast
 * jit kernels); any other axes go to the reduction primitive. keep_dims only changes
 * the shape, not the memory, so the output is described with the kept dims.
 */
#include "cpu/cpu_internal.h"

static bool cpu_reduce_axes(const vigil_node *nd, int ndim, bool reduced[VIGIL_MAX_DIMS]) {
    const vigil_reduce_params *p = &nd->params.reduce;
    for (int i = 0; i < ndim; i++)
        reduced[i] = false;
    if (p->naxes < 1 || p->naxes > ndim)
        return false;
    for (int i = 0; i < p->naxes; i++) {
        int axis = p->axes[i] < 0 ? p->axes[i] + ndim : p->axes[i];
        if (axis < 0 || axis >= ndim)
            return false;
        reduced[axis] = true;
    }
    return true;
}

static vigil_status cpu_reduce_primitive(cpu_context *ctx, const vigil_graph *g, int node,
                                         cpu_node *n, const int64_t *kept, vigil_error *err) {
    const vigil_node *nd = &g->nodes[node];
    const vigil_node *x = &g->nodes[nd->inputs[0]];
    static const dnnl_alg_kind_t algs[] = {[VIGIL_REDUCE_MEAN] = dnnl_reduction_mean,
                                           [VIGIL_REDUCE_MAX] = dnnl_reduction_max,
                                           [VIGIL_REDUCE_SUM] = dnnl_reduction_sum};
    dnnl_memory_desc_t src_md, dst_md;
    dnnl_reduction_desc_t desc;
    dnnl_status_t s =
        cpu_md_elementwise(&src_md, x->out_ndim, x->out_shape, cpu_plan_dt(n->plan, nd->inputs[0]));
    if (s == dnnl_success)
        s = cpu_md_elementwise(&dst_md, x->out_ndim, kept, cpu_plan_dt(n->plan, node));
    if (s == dnnl_success)
        s = dnnl_reduction_desc_init(&desc, algs[nd->params.reduce.op], &src_md, &dst_md, 0.f, 0.f);
    return cpu_node_add_src_dst(ctx, g, node, n, s, &desc, &src_md, &dst_md, "reduction", err);
}

/* Which axes the node reduces and the kept shape; false when oneDNN does not run it. */
static bool cpu_reduce_shape(const vigil_graph *g, int node, bool reduced[VIGIL_MAX_DIMS],
                             int64_t kept[VIGIL_MAX_DIMS], bool *pooling) {
    const vigil_node *nd = &g->nodes[node];
    const vigil_reduce_params *p = &nd->params.reduce;
    if (nd->n_inputs != 1 || !cpu_node_all_f32(g, node))
        return false;
    if (p->op != VIGIL_REDUCE_MEAN && p->op != VIGIL_REDUCE_MAX && p->op != VIGIL_REDUCE_SUM)
        return false;
    const vigil_node *x = &g->nodes[nd->inputs[0]];
    int ndim = x->out_ndim;
    if (ndim < 1 || !cpu_reduce_axes(nd, ndim, reduced))
        return false;
    for (int i = 0; i < ndim; i++)
        kept[i] = reduced[i] ? 1 : x->out_shape[i];
    if (vigil_shape_numel(ndim, kept) != vigil_shape_numel(nd->out_ndim, nd->out_shape))
        return false;
    bool spatial = ndim == 4 && !reduced[0] && reduced[1] && reduced[2] && !reduced[3];
    *pooling = spatial && p->op != VIGIL_REDUCE_SUM;
    return true;
}

bool cpu_reduce_supported(const vigil_graph *g, int node, bool *pooling) {
    bool reduced[VIGIL_MAX_DIMS];
    int64_t kept[VIGIL_MAX_DIMS];
    return cpu_reduce_shape(g, node, reduced, kept, pooling);
}

vigil_status cpu_reduce_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                vigil_error *err) {
    const vigil_node *nd = &g->nodes[node];
    const vigil_reduce_params *p = &nd->params.reduce;
    const vigil_node *x = &g->nodes[nd->inputs[0]];
    bool reduced[VIGIL_MAX_DIMS], pooling;
    int64_t kept[VIGIL_MAX_DIMS];
    if (!cpu_reduce_shape(g, node, reduced, kept, &pooling))
        return VIGIL_STATUS_UNSUPPORTED;
    if (pooling) {
        int64_t kernel[2] = {x->out_shape[1], x->out_shape[2]};
        static const int no_pads[4] = {0, 0, 0, 0};
        dnnl_alg_kind_t alg =
            p->op == VIGIL_REDUCE_MAX ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding;
        return cpu_pool2d_build(ctx, g, node, n, alg, kernel, kernel, no_pads, kept, err);
    }
    return cpu_reduce_primitive(ctx, g, node, n, kept, err);
}
