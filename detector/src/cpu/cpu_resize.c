/*
 * resize on oneDNN's resampling, only where the semantics are TF's exactly: bilinear with
 * half_pixel_centers and without align_corners samples at (o + 0.5) * in / out - 0.5 and
 * clamps at the edges, as oneDNN's linear resampling does. TF's legacy mode (corner
 * aligned sampling at o * in / out), align_corners and nearest stay on the ref backend.
 */
#include "cpu/cpu_internal.h"

bool cpu_resize_supported(const vigil_graph *g, int node) {
    const vigil_node *nd = &g->nodes[node];
    const vigil_resize_params *p = &nd->params.resize;
    return nd->n_inputs == 1 && cpu_node_all_f32(g, node) && nd->out_ndim == 4 &&
           g->nodes[nd->inputs[0]].out_ndim == 4 && p->mode == VIGIL_RESIZE_BILINEAR &&
           !p->align_corners && p->half_pixel_centers;
}

vigil_status cpu_resize_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                vigil_error *err) {
    const vigil_node *nd = &g->nodes[node];
    if (!cpu_resize_supported(g, node))
        return VIGIL_STATUS_UNSUPPORTED;
    const vigil_node *x = &g->nodes[nd->inputs[0]];
    dnnl_memory_desc_t src_md, dst_md;
    dnnl_resampling_desc_t desc;
    dnnl_status_t s = cpu_md_nhwc(&src_md, x->out_shape, cpu_plan_dt(n->plan, nd->inputs[0]));
    if (s == dnnl_success)
        s = cpu_md_nhwc(&dst_md, nd->out_shape, cpu_plan_dt(n->plan, node));
    /* factors NULL: oneDNN derives the scale from the dims, in / out like TF */
    if (s == dnnl_success)
        s = dnnl_resampling_forward_desc_init(&desc, dnnl_forward_inference, dnnl_resampling_linear,
                                              NULL, &src_md, &dst_md);
    return cpu_node_add_src_dst(ctx, g, node, n, s, &desc, &src_md, &dst_md, "resampling", err);
}
