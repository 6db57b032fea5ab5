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
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;
    /* oneDNN's eltwise reads and writes one data type: the plan ties them. */
    dnnl_data_type_t dt = cpu_plan_dt(n->plan, nd->inputs[0]);
    if (dt != cpu_plan_dt(n->plan, node))
        return VIGIL_STATUS_UNSUPPORTED;
    dnnl_status_t s = dnnl_memory_desc_init_by_tag(&md, 1, dims, dt, dnnl_a);
    if (s == dnnl_success)
        s = dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_inference, alg, &md, a, b);
    if (s == dnnl_success)
        s = cpu_attr_create(&attr, VIGIL_ACTIVATION_NONE, 0.f);
    if (s == dnnl_success)
        s = dnnl_primitive_desc_create(&pd, &desc, attr, ctx->engine, NULL);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    if (cpu_declined(s))
        return VIGIL_STATUS_UNSUPPORTED;
    if (s != dnnl_success)
        return cpu_check(s, g, node, "creating the eltwise", err);

    dnnl_memory_t src = cpu_node_bind(n, ctx, &md, 0, 0, &s), dst = NULL;
    if (src)
        dst = cpu_node_bind(n, ctx, &md, CPU_SOURCE_OUT, 0, &s);
    if (dst) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
        s = cpu_node_add_step(n, ctx, pd, 2, args);
    }
    dnnl_primitive_desc_destroy(pd);
    return cpu_check(s, g, node, "preparing the eltwise", err);
}
