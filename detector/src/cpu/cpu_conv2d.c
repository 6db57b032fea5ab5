/*
 * conv2d on oneDNN: NHWC activations, HWIO weights reordered once into the layout the
 * primitive prefers, fused bias and activation. In bf16 mode the input is converted to
 * bfloat16 into the scratch arena before each convolution (accumulation and output stay
 * f32), and weights are stored as bfloat16; grouped and depthwise convs stay f32.
 */
#include "cpu/cpu_internal.h"

typedef struct cpu_conv2d_shape {
    int64_t groups, kh, kw, cin_per_group, cout;
} cpu_conv2d_shape;

/* The weights' logical dims: {O, I, KH, KW}, or {G, O/G, I/G, KH, KW} when grouped. */
static dnnl_status_t cpu_conv2d_weights_md(dnnl_memory_desc_t *md, const cpu_conv2d_shape *s,
                                           dnnl_data_type_t dt, dnnl_format_tag_t tag) {
    if (s->groups == 1) {
        dnnl_dims_t dims = {s->cout, s->cin_per_group, s->kh, s->kw};
        return dnnl_memory_desc_init_by_tag(md, 4, dims, dt, tag);
    }
    dnnl_dims_t dims = {s->groups, s->cout / s->groups, s->cin_per_group, s->kh, s->kw};
    return dnnl_memory_desc_init_by_tag(md, 5, dims, dt, tag);
}

static dnnl_status_t cpu_conv2d_pd(cpu_context *ctx, const vigil_graph *g, int node,
                                   const cpu_conv2d_shape *cs, dnnl_data_type_t dt,
                                   dnnl_primitive_desc_t *pd) {
    const vigil_node *nd = &g->nodes[node];
    const vigil_conv2d_params *p = &nd->params.conv2d;
    const vigil_node *x = &g->nodes[nd->inputs[0]];
    dnnl_memory_desc_t src, weights, bias, dst;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_convolution_desc_t desc;
    dnnl_dims_t bias_dims = {cs->cout};
    /* oneDNN counts dilation from 0 (no gap), TF from 1. */
    dnnl_dims_t strides = {p->stride[0], p->stride[1]};
    dnnl_dims_t dilates = {p->dilation[0] > 1 ? p->dilation[0] - 1 : 0,
                           p->dilation[1] > 1 ? p->dilation[1] - 1 : 0};
    dnnl_dims_t pad_l = {p->pads[0], p->pads[2]}, pad_r = {p->pads[1], p->pads[3]};

    dnnl_status_t s = cpu_md_nhwc(&src, x->out_shape, dt);
    if (s == dnnl_success)
        s = cpu_md_nhwc(&dst, nd->out_shape, dnnl_f32);
    if (s == dnnl_success)
        s = cpu_conv2d_weights_md(&weights, cs, dt, dnnl_format_tag_any);
    if (s == dnnl_success)
        s = dnnl_memory_desc_init_by_tag(&bias, 1, bias_dims, dnnl_f32, dnnl_a);
    if (s == dnnl_success)
        s = dnnl_dilated_convolution_forward_desc_init(
            &desc, dnnl_forward_inference, dnnl_convolution_direct, &src, &weights,
            nd->n_inputs == 3 ? &bias : NULL, &dst, strides, dilates, pad_l, pad_r);
    if (s == dnnl_success)
        s = cpu_attr_create(&attr, p->activation, p->alpha);
    if (s == dnnl_success)
        s = dnnl_primitive_desc_create(pd, &desc, attr, ctx->engine, NULL);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    return s;
}

/* The bf16 copy of the input, made in the arena by a reorder step before the conv. */
static dnnl_status_t cpu_conv2d_bf16_src(cpu_node *n, cpu_context *ctx,
                                         const dnnl_memory_desc_t *conv_src, dnnl_memory_t *src) {
    dnnl_memory_desc_t user_md = *conv_src;
    user_md.data_type = dnnl_f32;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s;
    size_t offset = cpu_node_reserve(n, dnnl_memory_desc_get_size(conv_src));
    dnnl_memory_t user = cpu_node_bind(n, ctx, &user_md, 0, 0, &s);
    if (user)
        *src = cpu_node_bind(n, ctx, conv_src, CPU_SOURCE_SCRATCH, offset, &s);
    if (s == dnnl_success)
        s = dnnl_reorder_primitive_desc_create(&pd, &user_md, ctx->engine, conv_src, ctx->engine,
                                               NULL);
    if (s == dnnl_success) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, *src}};
        s = cpu_node_add_step(n, ctx, pd, 2, args);
    }
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    return s;
}

static dnnl_status_t cpu_conv2d_build(cpu_node *n, cpu_context *ctx, const vigil_graph *g, int node,
                                      const cpu_conv2d_shape *cs, const_dnnl_primitive_desc_t pd) {
    const vigil_node *nd = &g->nodes[node];
    const dnnl_memory_desc_t *src_md = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *w_md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *b_md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 1);
    const dnnl_memory_desc_t *dst_md = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    dnnl_memory_t src = NULL, weights = NULL, bias = NULL, dst = NULL;
    dnnl_memory_desc_t user_md;
    dnnl_status_t s;

    if (src_md->data_type == dnnl_bf16)
        s = cpu_conv2d_bf16_src(n, ctx, src_md, &src);
    else
        src = cpu_node_bind(n, ctx, src_md, 0, 0, &s);
    if (s == dnnl_success)
        s = cpu_conv2d_weights_md(&user_md, cs, dnnl_f32, cs->groups == 1 ? dnnl_hwio : dnnl_hwigo);
    if (s == dnnl_success)
        weights = cpu_node_constant(n, ctx, &user_md, g->nodes[nd->inputs[1]].value.data, w_md, &s);
    if (s == dnnl_success && nd->n_inputs == 3) {
        dnnl_dims_t dims = {cs->cout};
        s = dnnl_memory_desc_init_by_tag(&user_md, 1, dims, dnnl_f32, dnnl_a);
        if (s == dnnl_success)
            bias =
                cpu_node_constant(n, ctx, &user_md, g->nodes[nd->inputs[2]].value.data, b_md, &s);
    }
    if (s == dnnl_success)
        dst = cpu_node_bind(n, ctx, dst_md, CPU_SOURCE_OUT, 0, &s);
    if (s != dnnl_success)
        return s;
    dnnl_exec_arg_t args[4] = {
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
    int nargs = 3;
    if (bias)
        args[nargs++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, bias};
    return cpu_node_add_step(n, ctx, pd, nargs, args);
}

/* What the backend runs on oneDNN: f32 NHWC input, constant f32 HWIO weights and bias. */
static bool cpu_conv2d_shape_of(const vigil_graph *g, int node, cpu_conv2d_shape *cs) {
    const vigil_node *nd = &g->nodes[node];
    if (nd->n_inputs < 2 || nd->n_inputs > 3 || !cpu_node_all_f32(g, node) || nd->out_ndim != 4)
        return false;
    const vigil_node *x = &g->nodes[nd->inputs[0]];
    const vigil_tensor *w = &g->nodes[nd->inputs[1]].value;
    if (x->out_ndim != 4 || g->nodes[nd->inputs[1]].op != VIGIL_OP_CONST || !w->data ||
        w->dtype != VIGIL_DTYPE_F32 || w->ndim != 4)
        return false;
    cs->groups = nd->params.conv2d.groups > 0 ? nd->params.conv2d.groups : 1;
    cs->kh = w->shape[0];
    cs->kw = w->shape[1];
    cs->cin_per_group = w->shape[2];
    cs->cout = w->shape[3];
    if (cs->cin_per_group * cs->groups != x->out_shape[3] || cs->cout % cs->groups != 0 ||
        cs->cout != nd->out_shape[3])
        return false;
    if (nd->n_inputs == 3) {
        const vigil_tensor *b = &g->nodes[nd->inputs[2]].value;
        if (g->nodes[nd->inputs[2]].op != VIGIL_OP_CONST || !b->data ||
            b->dtype != VIGIL_DTYPE_F32 || vigil_tensor_numel(b) != cs->cout)
            return false;
    }
    const int *pads = nd->params.conv2d.pads;
    return pads[0] >= 0 && pads[1] >= 0 && pads[2] >= 0 && pads[3] >= 0;
}

vigil_status cpu_conv2d_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                vigil_error *err) {
    cpu_conv2d_shape cs;
    dnnl_primitive_desc_t pd = NULL;
    if (!cpu_conv2d_shape_of(g, node, &cs))
        return VIGIL_STATUS_UNSUPPORTED;
    dnnl_status_t s = dnnl_unimplemented;
    /* Grouped and depthwise convs are memory-bound: converting their input to bf16 costs
     * more than the faster arithmetic saves (measured in docs/cpu-backend.md). */
    if (ctx->bf16 && cs.groups == 1)
        s = cpu_conv2d_pd(ctx, g, node, &cs, dnnl_bf16, &pd);
    if (cpu_declined(s)) /* no bf16 kernel for this shape: stay in f32 */
        s = cpu_conv2d_pd(ctx, g, node, &cs, dnnl_f32, &pd);
    if (cpu_declined(s))
        return VIGIL_STATUS_UNSUPPORTED;
    if (s != dnnl_success)
        return cpu_check(s, g, node, "creating the convolution", err);
    s = cpu_conv2d_build(n, ctx, g, node, &cs, pd);
    dnnl_primitive_desc_destroy(pd);
    return cpu_check(s, g, node, "preparing the convolution", err);
}
