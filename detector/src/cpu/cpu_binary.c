/*
 * binary on oneDNN with a fused activation. oneDNN 2.6 broadcasts only its second
 * source, so a commutative op whose first input is the broadcast one swaps its inputs;
 * sub and div with a broadcast first input stay on the ref backend.
 */
#include <string.h>

#include "cpu/cpu_internal.h"

typedef struct cpu_binary_plan {
    int ndim;
    int64_t src0[VIGIL_MAX_DIMS], src1[VIGIL_MAX_DIMS];
    int input0, input1; /* which node inputs feed oneDNN's SRC_0 and SRC_1 */
    bool flat;          /* no broadcast: one flat vector */
} cpu_binary_plan;

/* Right-aligns a shape to ndim dims, filling with 1 (NumPy broadcasting). */
static void cpu_binary_align(const vigil_node *x, int ndim, int64_t *shape) {
    int lead = ndim - x->out_ndim;
    for (int i = 0; i < ndim; i++)
        shape[i] = i < lead ? 1 : x->out_shape[i - lead];
}

static bool cpu_binary_activation_ok(vigil_activation act, float alpha) {
    dnnl_alg_kind_t alg;
    float a, b;
    return act == VIGIL_ACTIVATION_NONE || act == VIGIL_ACTIVATION_HARD_SIGMOID ||
           cpu_activation_eltwise(act, alpha, &alg, &a, &b);
}

static bool cpu_binary_plan_of(const vigil_graph *g, int node, cpu_binary_plan *p) {
    const vigil_node *nd = &g->nodes[node];
    const vigil_binary_params *bp = &nd->params.binary;
    if (nd->n_inputs != 2 || !cpu_node_all_f32(g, node) || bp->op >= VIGIL_BINARY_COUNT ||
        !cpu_binary_activation_ok(bp->activation, bp->alpha))
        return false;
    const vigil_node *a = &g->nodes[nd->inputs[0]], *b = &g->nodes[nd->inputs[1]];
    int ndim = nd->out_ndim;
    if (a->out_ndim > ndim || b->out_ndim > ndim)
        return false;
    int64_t sa[VIGIL_MAX_DIMS], sb[VIGIL_MAX_DIMS];
    cpu_binary_align(a, ndim, sa);
    cpu_binary_align(b, ndim, sb);
    bool a_full = vigil_shape_equal(ndim, sa, ndim, nd->out_shape);
    bool b_full = vigil_shape_equal(ndim, sb, ndim, nd->out_shape);
    bool commutative = bp->op == VIGIL_BINARY_ADD || bp->op == VIGIL_BINARY_MUL ||
                       bp->op == VIGIL_BINARY_MAX || bp->op == VIGIL_BINARY_MIN;
    p->ndim = ndim;
    p->flat = a_full && b_full;
    if (a_full) {
        p->input0 = 0;
        memcpy(p->src0, sa, sizeof sa);
        memcpy(p->src1, sb, sizeof sb);
    } else if (b_full && commutative) {
        p->input0 = 1;
        memcpy(p->src0, sb, sizeof sb);
        memcpy(p->src1, sa, sizeof sa);
    } else {
        return false;
    }
    p->input1 = 1 - p->input0;
    for (int i = 0; i < ndim; i++)
        if (p->src1[i] != 1 && p->src1[i] != p->src0[i])
            return false;
    return vigil_shape_numel(ndim, nd->out_shape) > 0;
}

bool cpu_binary_supported(const vigil_graph *g, int node, bool *in_place) {
    cpu_binary_plan p;
    bool ok = cpu_binary_plan_of(g, node, &p);
    *in_place = ok && p.input0 == 0;
    return ok;
}

/* dts: the stored types of SRC_0, SRC_1 and DST. */
static dnnl_status_t cpu_binary_mds(const cpu_binary_plan *p, const dnnl_data_type_t dts[3],
                                    dnnl_memory_desc_t *md0, dnnl_memory_desc_t *md1,
                                    dnnl_memory_desc_t *dst) {
    dnnl_status_t s;
    if (p->flat) {
        dnnl_dims_t dims = {vigil_shape_numel(p->ndim, p->src0)};
        s = dnnl_memory_desc_init_by_tag(md0, 1, dims, dts[0], dnnl_a);
        if (s == dnnl_success)
            s = dnnl_memory_desc_init_by_tag(md1, 1, dims, dts[1], dnnl_a);
        if (s == dnnl_success)
            s = dnnl_memory_desc_init_by_tag(dst, 1, dims, dts[2], dnnl_a);
        return s;
    }
    s = cpu_md_elementwise(md0, p->ndim, p->src0, dts[0]);
    if (s == dnnl_success)
        s = cpu_md_elementwise(md1, p->ndim, p->src1, dts[1]);
    if (s == dnnl_success)
        s = cpu_md_elementwise(dst, p->ndim, p->src0, dts[2]);
    return s;
}

vigil_status cpu_binary_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                vigil_error *err) {
    static const dnnl_alg_kind_t algs[VIGIL_BINARY_COUNT] = {
        [VIGIL_BINARY_ADD] = dnnl_binary_add, [VIGIL_BINARY_SUB] = dnnl_binary_sub,
        [VIGIL_BINARY_MUL] = dnnl_binary_mul, [VIGIL_BINARY_DIV] = dnnl_binary_div,
        [VIGIL_BINARY_MAX] = dnnl_binary_max, [VIGIL_BINARY_MIN] = dnnl_binary_min};
    const vigil_binary_params *bp = &g->nodes[node].params.binary;
    cpu_binary_plan p;
    if (!cpu_binary_plan_of(g, node, &p))
        return VIGIL_STATUS_UNSUPPORTED;
    const vigil_node *nd = &g->nodes[node];
    dnnl_data_type_t dts[3] = {cpu_plan_dt(n->plan, nd->inputs[p.input0]),
                               cpu_plan_dt(n->plan, nd->inputs[p.input1]),
                               cpu_plan_dt(n->plan, node)};
    /* oneDNN 2.6 has fast kernels only where SRC_0 and DST share a type: the plan ties
     * them (a bf16 SRC_0 with an f32 DST would be its reference code). */
    if (dts[0] != dts[2])
        return VIGIL_STATUS_UNSUPPORTED;
    dnnl_memory_desc_t md0, md1, dst_md;
    dnnl_binary_desc_t desc;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s = cpu_binary_mds(&p, dts, &md0, &md1, &dst_md);
    if (s == dnnl_success)
        s = dnnl_binary_desc_init(&desc, algs[bp->op], &md0, &md1, &dst_md);
    if (s == dnnl_success)
        s = cpu_attr_create(&attr, bp->activation, bp->alpha);
    if (s == dnnl_success)
        s = dnnl_primitive_desc_create(&pd, &desc, attr, ctx->engine, NULL);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    if (cpu_declined(s))
        return VIGIL_STATUS_UNSUPPORTED;
    if (s != dnnl_success)
        return cpu_check(s, g, node, "creating the binary", err);

    dnnl_memory_t src0 = cpu_node_bind(n, ctx, &md0, p.input0, 0, &s), src1 = NULL, dst = NULL;
    if (src0)
        src1 = cpu_node_bind(n, ctx, &md1, p.input1, 0, &s);
    if (src1)
        dst = cpu_node_bind(n, ctx, &dst_md, CPU_SOURCE_OUT, 0, &s);
    if (dst) {
        dnnl_exec_arg_t args[3] = {
            {DNNL_ARG_SRC_0, src0}, {DNNL_ARG_SRC_1, src1}, {DNNL_ARG_DST, dst}};
        s = cpu_node_add_step(n, ctx, pd, 3, args);
    }
    dnnl_primitive_desc_destroy(pd);
    return cpu_check(s, g, node, "preparing the binary", err);
}
