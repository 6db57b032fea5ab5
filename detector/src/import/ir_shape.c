/* Shape inference of IR nodes, with the semantics of vigil's ops (vigil/graph.h): the
 * rewrites need shapes as they go, before there is a vigil_graph to infer. Errors name
 * the node and the shapes. */
#include <stdio.h>
#include <string.h>

#include "import/tfjs_internal.h"

static vigil_status fail(vigil_error *err, const vigil_ir_node *n, const char *what) {
    return vigil_error_set(err, VIGIL_STATUS_FORMAT, "node '%s' (%s): %s", n->name,
                           vigil_op_type_name(n->op), what);
}

static void set_shape(vigil_ir_node *n, int ndim, const int64_t *shape) {
    n->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        n->shape[i] = shape[i];
}

/* TF SAME: out = ceil(in / stride), the padding split with the extra row after. */
static int64_t same_out(int64_t in, int stride, int64_t window, int *before, int *after) {
    int64_t out = (in + stride - 1) / stride;
    int64_t total = (out - 1) * stride + window - in;
    if (total < 0)
        total = 0;
    *before = (int)(total / 2);
    *after = (int)(total - total / 2);
    return out;
}

static vigil_status window_out(vigil_ir_node *n, const vigil_ir_node *x, const int stride[2],
                               const int64_t window[2], vigil_padding padding, int pads[4],
                               int64_t channels, vigil_error *err) {
    int64_t out[4] = {x->shape[0], 0, 0, channels};
    for (int d = 0; d < 2; d++) {
        if (padding == VIGIL_PADDING_SAME)
            out[1 + d] =
                same_out(x->shape[1 + d], stride[d], window[d], &pads[2 * d], &pads[2 * d + 1]);
        else
            out[1 + d] =
                (x->shape[1 + d] + pads[2 * d] + pads[2 * d + 1] - window[d]) / stride[d] + 1;
        if (out[1 + d] < 1)
            return fail(err, n, "window larger than the padded input");
    }
    set_shape(n, 4, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_conv(vigil_ir *ir, vigil_ir_node *n, vigil_error *err) {
    const vigil_ir_node *x = &ir->nodes[n->inputs[0]];
    const vigil_ir_node *w = &ir->nodes[n->inputs[1]];
    vigil_conv2d_params *p = &n->params.conv2d;
    char xs[96], ws[96], msg[256];
    if (x->ndim != 4 || w->ndim != 4) {
        snprintf(msg, sizeof msg, "input %s and weights %s must be 4-D (NHWC, HWIO)",
                 vigil_shape_format(x->ndim, x->shape, xs, sizeof xs),
                 vigil_shape_format(w->ndim, w->shape, ws, sizeof ws));
        return fail(err, n, msg);
    }
    int groups = p->groups > 0 ? p->groups : 1;
    if (x->shape[3] != w->shape[2] * groups || w->shape[3] % groups != 0) {
        snprintf(msg, sizeof msg, "input %s does not fit weights %s with %d groups",
                 vigil_shape_format(x->ndim, x->shape, xs, sizeof xs),
                 vigil_shape_format(w->ndim, w->shape, ws, sizeof ws), groups);
        return fail(err, n, msg);
    }
    if (n->n_inputs == 3 && vigil_shape_numel(ir->nodes[n->inputs[2]].ndim,
                                              ir->nodes[n->inputs[2]].shape) != w->shape[3])
        return fail(err, n, "bias length differs from the output channels");
    if (p->stride[0] < 1 || p->stride[1] < 1)
        return fail(err, n, "stride below 1");
    int64_t window[2];
    for (int d = 0; d < 2; d++)
        window[d] = (w->shape[d] - 1) * (p->dilation[d] > 0 ? p->dilation[d] : 1) + 1;
    return window_out(n, x, p->stride, window, p->padding, p->pads, w->shape[3], err);
}

static vigil_status infer_pool(vigil_ir *ir, vigil_ir_node *n, vigil_error *err) {
    const vigil_ir_node *x = &ir->nodes[n->inputs[0]];
    vigil_pool2d_params *p = &n->params.pool2d;
    if (x->ndim != 4)
        return fail(err, n, "input must be 4-D NHWC");
    if (p->stride[0] < 1 || p->stride[1] < 1 || p->kernel[0] < 1 || p->kernel[1] < 1)
        return fail(err, n, "kernel or stride below 1");
    int64_t window[2] = {p->kernel[0], p->kernel[1]};
    return window_out(n, x, p->stride, window, p->padding, p->pads, x->shape[3], err);
}

static vigil_status infer_binary(vigil_ir *ir, vigil_ir_node *n, vigil_error *err) {
    const vigil_ir_node *a = &ir->nodes[n->inputs[0]];
    const vigil_ir_node *b = &ir->nodes[n->inputs[1]];
    int ndim = a->ndim > b->ndim ? a->ndim : b->ndim;
    int64_t out[VIGIL_MAX_DIMS];
    for (int i = 0; i < ndim; i++) {
        int ia = i - (ndim - a->ndim), ib = i - (ndim - b->ndim);
        int64_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
        if (da != db && da != 1 && db != 1) {
            char as[96], bs[96], msg[256];
            snprintf(msg, sizeof msg, "shapes %s and %s do not broadcast",
                     vigil_shape_format(a->ndim, a->shape, as, sizeof as),
                     vigil_shape_format(b->ndim, b->shape, bs, sizeof bs));
            return fail(err, n, msg);
        }
        out[i] = da == 1 ? db : da;
    }
    set_shape(n, ndim, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_reduce(vigil_ir *ir, vigil_ir_node *n, vigil_error *err) {
    const vigil_ir_node *x = &ir->nodes[n->inputs[0]];
    const vigil_reduce_params *p = &n->params.reduce;
    bool reduced[VIGIL_MAX_DIMS] = {false};
    for (int i = 0; i < p->naxes; i++) {
        if (p->axes[i] < 0 || p->axes[i] >= x->ndim)
            return fail(err, n, "axis out of range");
        reduced[p->axes[i]] = true;
    }
    int64_t out[VIGIL_MAX_DIMS];
    int ndim = 0;
    for (int i = 0; i < x->ndim; i++)
        if (!reduced[i])
            out[ndim++] = x->shape[i];
        else if (p->keep_dims)
            out[ndim++] = 1;
    set_shape(n, ndim, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_concat(vigil_ir *ir, vigil_ir_node *n, vigil_error *err) {
    const vigil_ir_node *first = &ir->nodes[n->inputs[0]];
    int axis = n->params.concat.axis;
    if (axis < 0 || axis >= first->ndim)
        return fail(err, n, "axis out of range");
    int64_t out[VIGIL_MAX_DIMS];
    set_shape(n, first->ndim, first->shape);
    memcpy(out, first->shape, sizeof out);
    for (int k = 1; k < n->n_inputs; k++) {
        const vigil_ir_node *x = &ir->nodes[n->inputs[k]];
        bool ok = x->ndim == first->ndim;
        for (int i = 0; ok && i < x->ndim; i++)
            ok = i == axis || x->shape[i] == first->shape[i];
        if (!ok)
            return fail(err, n, "inputs differ outside the concatenation axis");
        out[axis] += x->shape[axis];
    }
    set_shape(n, first->ndim, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_slice(vigil_ir *ir, vigil_ir_node *n, vigil_error *err) {
    const vigil_ir_node *x = &ir->nodes[n->inputs[0]];
    vigil_slice_params *p = &n->params.slice;
    int64_t out[VIGIL_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) {
        if (p->step[i] < 1)
            return fail(err, n, "step below 1");
        if (p->begin[i] < 0)
            p->begin[i] = 0;
        if (p->begin[i] > x->shape[i])
            p->begin[i] = x->shape[i];
        if (p->end[i] > x->shape[i])
            p->end[i] = x->shape[i];
        if (p->end[i] < p->begin[i])
            p->end[i] = p->begin[i];
        out[i] = (p->end[i] - p->begin[i] + p->step[i] - 1) / p->step[i];
    }
    if (p->keep_batch && x->ndim > 0)
        out[0] = x->shape[0];
    set_shape(n, x->ndim, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_reshape(vigil_ir *ir, vigil_ir_node *n, vigil_error *err) {
    const vigil_ir_node *x = &ir->nodes[n->inputs[0]];
    const vigil_reshape_params *p = &n->params.reshape;
    int64_t out[VIGIL_MAX_DIMS];
    int64_t known = 1;
    int unknown = -1;
    for (int i = 0; i < p->ndim; i++) {
        out[i] = i == 0 && p->keep_batch && x->ndim > 0 ? x->shape[0] : p->shape[i];
        if (out[i] == -1) {
            if (unknown >= 0)
                return fail(err, n, "more than one -1 in the shape");
            unknown = i;
        } else if (out[i] < 0) {
            return fail(err, n, "negative dimension in the shape");
        } else {
            known *= out[i];
        }
    }
    int64_t numel = vigil_shape_numel(x->ndim, x->shape);
    if (unknown >= 0 && known > 0 && numel % known == 0)
        out[unknown] = numel / known;
    if (vigil_shape_numel(p->ndim, out) != numel || (unknown >= 0 && known == 0)) {
        char xs[96], ps[96], msg[256];
        snprintf(msg, sizeof msg, "cannot reshape %s into %s",
                 vigil_shape_format(x->ndim, x->shape, xs, sizeof xs),
                 vigil_shape_format(p->ndim, p->shape, ps, sizeof ps));
        return fail(err, n, msg);
    }
    set_shape(n, p->ndim, out);
    return VIGIL_STATUS_OK;
}

vigil_status vigil_ir_infer(vigil_ir *ir, int index, vigil_error *err) {
    vigil_ir_node *n = &ir->nodes[index];
    const vigil_ir_node *x = n->n_inputs > 0 ? &ir->nodes[n->inputs[0]] : NULL;
    int64_t out[VIGIL_MAX_DIMS];
    switch (n->op) {
    case VIGIL_OP_INPUT:
    case VIGIL_OP_CONST:
        set_shape(n, n->value.ndim, n->value.shape);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_CONV2D:
        return infer_conv(ir, n, err);
    case VIGIL_OP_UNARY:
        set_shape(n, x->ndim, x->shape);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_BINARY:
        return infer_binary(ir, n, err);
    case VIGIL_OP_REDUCE:
        return infer_reduce(ir, n, err);
    case VIGIL_OP_POOL2D:
        return infer_pool(ir, n, err);
    case VIGIL_OP_RESIZE:
        if (x->ndim != 4)
            return fail(err, n, "input must be 4-D NHWC");
        out[0] = x->shape[0];
        out[1] = n->params.resize.size[0];
        out[2] = n->params.resize.size[1];
        out[3] = x->shape[3];
        set_shape(n, 4, out);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_CONCAT:
        return infer_concat(ir, n, err);
    case VIGIL_OP_SLICE:
        return infer_slice(ir, n, err);
    case VIGIL_OP_PAD:
        for (int i = 0; i < x->ndim; i++) {
            if (n->params.pad.before[i] < 0 || n->params.pad.after[i] < 0)
                return fail(err, n, "negative padding");
            out[i] = x->shape[i] + n->params.pad.before[i] + n->params.pad.after[i];
        }
        set_shape(n, x->ndim, out);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_TRANSPOSE: {
        bool seen[VIGIL_MAX_DIMS] = {false};
        for (int i = 0; i < x->ndim; i++) {
            int p = n->params.transpose.perm[i];
            if (p < 0 || p >= x->ndim || seen[p])
                return fail(err, n, "perm is not a permutation of the input's dimensions");
            seen[p] = true;
            out[i] = x->shape[p];
        }
        set_shape(n, x->ndim, out);
        return VIGIL_STATUS_OK;
    }
    case VIGIL_OP_RESHAPE:
        return infer_reshape(ir, n, err);
    default:
        return fail(err, n, "unknown op");
    }
}
