/* unary activations on oneDNN's eltwise primitive, over the tensor as one flat vector. */
#include "cpu/cpu_internal.h"

bool cpu_unary_supported(const vigil_graph *g, int node) {
    const vigil_node *nd = &g->nodes[node];
    dnnl_alg_kind_t alg;
    float a, b;
    return nd->n_inputs == 1 && cpu_node_all_f32(g, node) &&
           vigil_shape_numel(nd->out_ndim, nd->out_shape) ==
               vigil_shape_numel(g->nodes[nd->inputs[0]].out_ndim,
                                 g->nodes[nd->inputs[0]].out_shape) &&
           cpu_activation_eltwise(nd->params.unary.activation, nd->params.unary.alpha, &alg, &a,
                                  &b);
}

vigil_status cpu_unary_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                               vigil_error *err) {
    const vigil_node *nd = &g->nodes[node];
    dnnl_alg_kind_t alg;
    float a, b;
    if (!cpu_unary_supported(g, node))
        return VIGIL_STATUS_UNSUPPORTED;
    cpu_activation_eltwise(nd->params.unary.activation, nd->params.unary.alpha, &alg, &a, &b);
    dnnl_dims_t dims = {vigil_shape_numel(nd->out_ndim, nd->out_shape)};
    dnnl_memory_desc_t md;
    dnnl_eltwise_desc_t desc;
    /* oneDNN's eltwise reads and writes one data type: the plan ties them. */
    dnnl_data_type_t dt = cpu_plan_dt(n->plan, nd->inputs[0]);
    if (dt != cpu_plan_dt(n->plan, node))
        return VIGIL_STATUS_UNSUPPORTED;
    dnnl_status_t s = dnnl_memory_desc_init_by_tag(&md, 1, dims, dt, dnnl_a);
    if (s == dnnl_success)
        s = dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_inference, alg, &md, a, b);
    return cpu_node_add_src_dst(ctx, g, node, n, s, &desc, &md, &md, "eltwise", err);
}
