/* concat on oneDNN; NHWC tensors are described as nhwc so that a channel concat is one. */
#include <stdlib.h>

#include "cpu/cpu_internal.h"

static bool cpu_concat_axis(const vigil_graph *g, int node, int *axis) {
    const vigil_node *nd = &g->nodes[node];
    int ndim = nd->out_ndim;
    if (nd->n_inputs < 1 || ndim < 1 || !cpu_node_all_f32(g, node))
        return false;
    *axis = nd->params.concat.axis < 0 ? nd->params.concat.axis + ndim : nd->params.concat.axis;
    if (*axis < 0 || *axis >= ndim)
        return false;
    for (int i = 0; i < nd->n_inputs; i++) {
        const vigil_node *x = &g->nodes[nd->inputs[i]];
        /* oneDNN rejects empty sources; the ref backend copes with them */
        if (x->out_ndim != ndim || vigil_shape_numel(ndim, x->out_shape) == 0)
            return false;
    }
    return true;
}

bool cpu_concat_supported(const vigil_graph *g, int node) {
    int axis;
    return cpu_concat_axis(g, node, &axis);
}

static vigil_status cpu_concat_build(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                     int axis, dnnl_memory_desc_t *mds, dnnl_exec_arg_t *args,
                                     vigil_error *err) {
    const vigil_node *nd = &g->nodes[node];
    int ndim = nd->out_ndim, count = nd->n_inputs;
    dnnl_memory_desc_t dst_md;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s = cpu_md_elementwise(&dst_md, ndim, nd->out_shape, cpu_plan_dt(n->plan, node));
    for (int i = 0; i < count && s == dnnl_success; i++) {
        const vigil_node *x = &g->nodes[nd->inputs[i]];
        s = cpu_md_elementwise(&mds[i], ndim, x->out_shape, cpu_plan_dt(n->plan, nd->inputs[i]));
    }
    if (s == dnnl_success)
        s = cpu_attr_create(&attr, VIGIL_ACTIVATION_NONE, 0.f);
    if (s == dnnl_success)
        s = dnnl_concat_primitive_desc_create(&pd, &dst_md, count, cpu_md_axis(ndim, axis), mds,
                                              attr, ctx->engine);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    if (cpu_declined(s))
        return VIGIL_STATUS_UNSUPPORTED;
    if (s != dnnl_success)
        return cpu_check(s, g, node, "creating the concat", err);

    for (int i = 0; i < count && s == dnnl_success; i++) {
        dnnl_memory_t m = cpu_node_bind(n, ctx, &mds[i], i, 0, &s);
        args[i] = (dnnl_exec_arg_t){DNNL_ARG_MULTIPLE_SRC + i, m};
    }
    if (s == dnnl_success) {
        dnnl_memory_t dst = cpu_node_bind(n, ctx, &dst_md, CPU_SOURCE_OUT, 0, &s);
        args[count] = (dnnl_exec_arg_t){DNNL_ARG_DST, dst};
    }
    if (s == dnnl_success)
        s = cpu_node_add_step(n, ctx, pd, count + 1, args);
    dnnl_primitive_desc_destroy(pd);
    return cpu_check(s, g, node, "preparing the concat", err);
}

vigil_status cpu_concat_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                vigil_error *err) {
    int axis;
    if (!cpu_concat_axis(g, node, &axis))
        return VIGIL_STATUS_UNSUPPORTED;
    int count = g->nodes[node].n_inputs;
    dnnl_memory_desc_t *mds = malloc((size_t)count * sizeof *mds);
    dnnl_exec_arg_t *args = malloc((size_t)(count + 1) * sizeof *args);
    vigil_status status =
        mds && args ? cpu_concat_build(ctx, g, node, n, axis, mds, args, err)
                    : vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "cpu backend: out of memory");
    free(mds);
    free(args);
    return status;
}
