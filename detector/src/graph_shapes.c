/* Shape inference with TensorFlow's semantics, batch changes, and FLOP counts. */
#include "vigil/graph.h"

#include <stdio.h>
#include <string.h>

/* Room for a message listing a few shapes. */
typedef struct shape_text {
    char s[96];
} shape_text;

static shape_text shape_str(int ndim, const int64_t *shape) {
    shape_text t;
    vigil_shape_format(ndim, shape, t.s, sizeof t.s);
    return t;
}

static shape_text node_shape_str(const vigil_node *n) {
    return shape_str(n->out_ndim, n->out_shape);
}

#define SHAPE_ERROR(err, node, fmt, ...)                                                           \
    vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "node '%s' (%s): " fmt, (node)->name,      \
                    vigil_op_type_name((node)->op), __VA_ARGS__)

static void set_out(vigil_node *node, int ndim, const int64_t *shape) {
    node->out_ndim = ndim;
    memset(node->out_shape, 0, sizeof node->out_shape);
    memcpy(node->out_shape, shape, (size_t)ndim * sizeof *shape);
}

/* Output size and pads along one spatial dim, as TensorFlow computes them. For SAME the
 * output is ceil(in / stride) and the padding that needs goes mostly to the bottom/right. */
static bool window_dim(int64_t in, int kernel, int stride, int dilation, vigil_padding padding,
                       int *pad_before, int *pad_after, int64_t *out) {
    int64_t effective = (int64_t)(kernel - 1) * dilation + 1;
    if (padding == VIGIL_PADDING_SAME) {
        int64_t size = (in + stride - 1) / stride;
        int64_t total = (size - 1) * stride + effective - in;
        if (total < 0)
            total = 0;
        *pad_before = (int)(total / 2);
        *pad_after = (int)(total - total / 2);
        *out = size;
        return true;
    }
    int64_t padded = in + *pad_before + *pad_after;
    if (*pad_before < 0 || *pad_after < 0 || padded < effective)
        return false;
    *out = (padded - effective) / stride + 1;
    return true;
}

static vigil_status infer_conv2d(vigil_graph *g, vigil_node *node, vigil_error *err) {
    const vigil_node *x = &g->nodes[node->inputs[0]];
    const vigil_node *w = &g->nodes[node->inputs[1]];
    vigil_conv2d_params *p = &node->params.conv2d;
    if (x->out_ndim != 4 || w->out_ndim != 4)
        return SHAPE_ERROR(err, node, "input %s and weights %s must both be 4-D (NHWC, HWIO)",
                           node_shape_str(x).s, node_shape_str(w).s);
    int groups = p->groups > 0 ? p->groups : 1;
    int dil_h = p->dilation[0] > 0 ? p->dilation[0] : 1;
    int dil_w = p->dilation[1] > 0 ? p->dilation[1] : 1;
    int64_t cin = x->out_shape[3], cout = w->out_shape[3];
    if (cin % groups != 0 || cout % groups != 0 || w->out_shape[2] * groups != cin)
        return SHAPE_ERROR(err, node, "input %s, weights %s and %d groups do not agree on channels",
                           node_shape_str(x).s, node_shape_str(w).s, groups);
    if (p->stride[0] < 1 || p->stride[1] < 1)
        return SHAPE_ERROR(err, node, "stride %dx%d must be at least 1", p->stride[0],
                           p->stride[1]);
    if (node->n_inputs == 3) {
        const vigil_node *b = &g->nodes[node->inputs[2]];
        if (vigil_shape_numel(b->out_ndim, b->out_shape) != cout)
            return SHAPE_ERROR(err, node, "bias %s does not match %lld output channels",
                               node_shape_str(b).s, (long long)cout);
    }
    int64_t out[4] = {x->out_shape[0], 0, 0, cout};
    if (!window_dim(x->out_shape[1], (int)w->out_shape[0], p->stride[0], dil_h, p->padding,
                    &p->pads[0], &p->pads[1], &out[1]) ||
        !window_dim(x->out_shape[2], (int)w->out_shape[1], p->stride[1], dil_w, p->padding,
                    &p->pads[2], &p->pads[3], &out[2]))
        return SHAPE_ERROR(err, node, "weights %s with pads %d,%d,%d,%d do not fit input %s",
                           node_shape_str(w).s, p->pads[0], p->pads[1], p->pads[2], p->pads[3],
                           node_shape_str(x).s);
    set_out(node, 4, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_pool2d(vigil_graph *g, vigil_node *node, vigil_error *err) {
    const vigil_node *x = &g->nodes[node->inputs[0]];
    vigil_pool2d_params *p = &node->params.pool2d;
    if (x->out_ndim != 4)
        return SHAPE_ERROR(err, node, "input %s must be 4-D NHWC", node_shape_str(x).s);
    if (p->kernel[0] < 1 || p->kernel[1] < 1 || p->stride[0] < 1 || p->stride[1] < 1)
        return SHAPE_ERROR(err, node, "kernel %dx%d and stride %dx%d must be at least 1",
                           p->kernel[0], p->kernel[1], p->stride[0], p->stride[1]);
    int64_t out[4] = {x->out_shape[0], 0, 0, x->out_shape[3]};
    if (!window_dim(x->out_shape[1], p->kernel[0], p->stride[0], 1, p->padding, &p->pads[0],
                    &p->pads[1], &out[1]) ||
        !window_dim(x->out_shape[2], p->kernel[1], p->stride[1], 1, p->padding, &p->pads[2],
                    &p->pads[3], &out[2]))
        return SHAPE_ERROR(err, node, "kernel %dx%d with pads %d,%d,%d,%d does not fit input %s",
                           p->kernel[0], p->kernel[1], p->pads[0], p->pads[1], p->pads[2],
                           p->pads[3], node_shape_str(x).s);
    set_out(node, 4, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_binary(vigil_graph *g, vigil_node *node, vigil_error *err) {
    const vigil_node *a = &g->nodes[node->inputs[0]];
    const vigil_node *b = &g->nodes[node->inputs[1]];
    int ndim = a->out_ndim > b->out_ndim ? a->out_ndim : b->out_ndim;
    int64_t out[VIGIL_MAX_DIMS];
    /* NumPy broadcasting: align trailing dims; each pair is equal or has a 1. */
    for (int i = 0; i < ndim; i++) {
        int ia = i - (ndim - a->out_ndim), ib = i - (ndim - b->out_ndim);
        int64_t da = ia >= 0 ? a->out_shape[ia] : 1;
        int64_t db = ib >= 0 ? b->out_shape[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return SHAPE_ERROR(err, node, "shapes %s and %s do not broadcast", node_shape_str(a).s,
                               node_shape_str(b).s);
        out[i] = da == 1 ? db : da;
    }
    set_out(node, ndim, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_reduce(vigil_graph *g, vigil_node *node, vigil_error *err) {
    const vigil_node *x = &g->nodes[node->inputs[0]];
    vigil_reduce_params *p = &node->params.reduce;
    if (p->naxes < 0 || p->naxes > x->out_ndim)
        return SHAPE_ERROR(err, node, "%d axes for input %s", p->naxes, node_shape_str(x).s);
    bool reduced[VIGIL_MAX_DIMS] = {false};
    for (int i = 0; i < p->naxes; i++) {
        int axis = p->axes[i] < 0 ? p->axes[i] + x->out_ndim : p->axes[i];
        if (axis < 0 || axis >= x->out_ndim || reduced[axis])
            return SHAPE_ERROR(err, node, "axis %d is out of range or repeated for input %s",
                               p->axes[i], node_shape_str(x).s);
        reduced[axis] = true;
        p->axes[i] = axis; /* normalized once so that backends need not */
    }
    int64_t out[VIGIL_MAX_DIMS];
    int ndim = 0;
    for (int i = 0; i < x->out_ndim; i++) {
        if (!reduced[i])
            out[ndim++] = x->out_shape[i];
        else if (p->keep_dims)
            out[ndim++] = 1;
    }
    set_out(node, ndim, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_resize(vigil_graph *g, vigil_node *node, vigil_error *err) {
    const vigil_node *x = &g->nodes[node->inputs[0]];
    const vigil_resize_params *p = &node->params.resize;
    if (x->out_ndim != 4)
        return SHAPE_ERROR(err, node, "input %s must be 4-D NHWC", node_shape_str(x).s);
    if (p->size[0] < 1 || p->size[1] < 1)
        return SHAPE_ERROR(err, node, "output size %dx%d must be positive", p->size[0], p->size[1]);
    if (p->align_corners && p->half_pixel_centers)
        return SHAPE_ERROR(err, node, "%s",
                           "align_corners and half_pixel_centers exclude each other");
    int64_t out[4] = {x->out_shape[0], p->size[0], p->size[1], x->out_shape[3]};
    set_out(node, 4, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_concat(vigil_graph *g, vigil_node *node, vigil_error *err) {
    const vigil_node *first = &g->nodes[node->inputs[0]];
    vigil_concat_params *p = &node->params.concat;
    int ndim = first->out_ndim;
    int axis = p->axis < 0 ? p->axis + ndim : p->axis;
    if (axis < 0 || axis >= ndim)
        return SHAPE_ERROR(err, node, "axis %d out of range for input %s", p->axis,
                           node_shape_str(first).s);
    p->axis = axis;
    int64_t out[VIGIL_MAX_DIMS];
    memcpy(out, first->out_shape, sizeof out);
    for (int i = 1; i < node->n_inputs; i++) {
        const vigil_node *in = &g->nodes[node->inputs[i]];
        bool fits = in->out_ndim == ndim;
        for (int d = 0; fits && d < ndim; d++)
            fits = d == axis || in->out_shape[d] == first->out_shape[d];
        if (!fits)
            return SHAPE_ERROR(err, node, "input %d %s does not match input 0 %s off axis %d", i,
                               node_shape_str(in).s, node_shape_str(first).s, axis);
        out[axis] += in->out_shape[axis];
    }
    set_out(node, ndim, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_slice(vigil_graph *g, vigil_node *node, vigil_error *err) {
    const vigil_node *x = &g->nodes[node->inputs[0]];
    const vigil_slice_params *p = &node->params.slice;
    int64_t out[VIGIL_MAX_DIMS];
    for (int d = 0; d < x->out_ndim; d++) {
        if (d == 0 && p->keep_batch) { /* imported slices hard-code batch 1 in end[0] */
            if (p->begin[0] != 0 || p->step[0] != 1)
                return SHAPE_ERROR(err, node, "keep_batch slice must take dim %d whole", 0);
            out[0] = x->out_shape[0];
            continue;
        }
        int64_t begin = p->begin[d], end = p->end[d], step = p->step[d];
        if (step < 1 || begin < 0 || end > x->out_shape[d] || begin > end)
            return SHAPE_ERROR(
                err, node, "dim %d: begin %lld, end %lld, step %lld do not fit input %s", d,
                (long long)begin, (long long)end, (long long)step, node_shape_str(x).s);
        out[d] = (end - begin + step - 1) / step;
    }
    set_out(node, x->out_ndim, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_pad(vigil_graph *g, vigil_node *node, vigil_error *err) {
    const vigil_node *x = &g->nodes[node->inputs[0]];
    const vigil_pad_params *p = &node->params.pad;
    int64_t out[VIGIL_MAX_DIMS];
    for (int d = 0; d < x->out_ndim; d++) {
        if (p->before[d] < 0 || p->after[d] < 0)
            return SHAPE_ERROR(err, node, "dim %d: negative padding %lld, %lld for input %s", d,
                               (long long)p->before[d], (long long)p->after[d],
                               node_shape_str(x).s);
        out[d] = x->out_shape[d] + p->before[d] + p->after[d];
    }
    set_out(node, x->out_ndim, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_transpose(vigil_graph *g, vigil_node *node, vigil_error *err) {
    const vigil_node *x = &g->nodes[node->inputs[0]];
    const int *perm = node->params.transpose.perm;
    bool seen[VIGIL_MAX_DIMS] = {false};
    int64_t out[VIGIL_MAX_DIMS];
    for (int d = 0; d < x->out_ndim; d++) {
        if (perm[d] < 0 || perm[d] >= x->out_ndim || seen[perm[d]]) {
            char text[64];
            int used = 0;
            for (int i = 0; i < x->out_ndim && used < (int)sizeof text - 8; i++)
                used +=
                    snprintf(text + used, sizeof text - (size_t)used, i ? ",%d" : "%d", perm[i]);
            return SHAPE_ERROR(err, node, "perm [%s] is not a permutation of input %s's dims", text,
                               node_shape_str(x).s);
        }
        seen[perm[d]] = true;
        out[d] = x->out_shape[perm[d]];
    }
    set_out(node, x->out_ndim, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_reshape(vigil_graph *g, vigil_node *node, vigil_error *err) {
    const vigil_node *x = &g->nodes[node->inputs[0]];
    const vigil_reshape_params *p = &node->params.reshape;
    if (p->ndim < 0 || p->ndim > VIGIL_MAX_DIMS ||
        (p->keep_batch && (p->ndim < 1 || x->out_ndim < 1)))
        return SHAPE_ERROR(err, node, "target of %d dims for input %s", p->ndim,
                           node_shape_str(x).s);
    int64_t out[VIGIL_MAX_DIMS];
    memcpy(out, p->shape, sizeof out);
    if (p->keep_batch)
        out[0] = x->out_shape[0];
    int64_t numel = vigil_shape_numel(x->out_ndim, x->out_shape), known = 1;
    int inferred = -1;
    for (int d = 0; d < p->ndim; d++) {
        if (out[d] == -1 && inferred < 0) {
            inferred = d;
        } else if (out[d] < 0) {
            return SHAPE_ERROR(err, node, "target %s has more than one -1 or a negative dim",
                               shape_str(p->ndim, p->shape).s);
        } else {
            known *= out[d];
        }
    }
    if (inferred >= 0) {
        if (known == 0 || numel % known != 0)
            return SHAPE_ERROR(err, node, "cannot infer the -1 in %s from input %s",
                               shape_str(p->ndim, p->shape).s, node_shape_str(x).s);
        out[inferred] = numel / known;
    } else if (known != numel) {
        return SHAPE_ERROR(err, node, "target %s does not hold the %lld elements of input %s",
                           shape_str(p->ndim, out).s, (long long)numel, node_shape_str(x).s);
    }
    set_out(node, p->ndim, out);
    return VIGIL_STATUS_OK;
}

static vigil_status infer_node(vigil_graph *g, int index, vigil_error *err) {
    vigil_node *node = &g->nodes[index];
    for (int i = 0; i < node->n_inputs; i++)
        if (node->inputs[i] < 0 || node->inputs[i] >= index)
            return SHAPE_ERROR(err, node, "input %d refers to node %d, which does not precede it",
                               i, node->inputs[i]);
    /* Every computed tensor is float32; integer constants only feed shape subgraphs
     * that the importer folds away. */
    if (node->op != VIGIL_OP_INPUT && node->op != VIGIL_OP_CONST)
        node->out_dtype = VIGIL_DTYPE_F32;
    switch (node->op) {
    case VIGIL_OP_INPUT:
    case VIGIL_OP_CONST:
        set_out(node, node->value.ndim, node->value.shape);
        node->out_dtype = node->value.dtype;
        return VIGIL_STATUS_OK;
    case VIGIL_OP_CONV2D:
        return infer_conv2d(g, node, err);
    case VIGIL_OP_UNARY: {
        const vigil_node *x = &g->nodes[node->inputs[0]];
        set_out(node, x->out_ndim, x->out_shape);
        return VIGIL_STATUS_OK;
    }
    case VIGIL_OP_BINARY:
        return infer_binary(g, node, err);
    case VIGIL_OP_REDUCE:
        return infer_reduce(g, node, err);
    case VIGIL_OP_POOL2D:
        return infer_pool2d(g, node, err);
    case VIGIL_OP_RESIZE:
        return infer_resize(g, node, err);
    case VIGIL_OP_CONCAT:
        return infer_concat(g, node, err);
    case VIGIL_OP_SLICE:
        return infer_slice(g, node, err);
    case VIGIL_OP_PAD:
        return infer_pad(g, node, err);
    case VIGIL_OP_TRANSPOSE:
        return infer_transpose(g, node, err);
    case VIGIL_OP_RESHAPE:
        return infer_reshape(g, node, err);
    case VIGIL_OP_COUNT:
        break;
    }
    return SHAPE_ERROR(err, node, "unknown op %d", (int)node->op);
}

vigil_status vigil_graph_infer_shapes(vigil_graph *g, vigil_error *err) {
    if (!g)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "graph: NULL graph");
    for (int i = 0; i < g->n_nodes; i++) {
        vigil_status s = infer_node(g, i, err);
        if (s < 0)
            return s;
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_graph_set_batch(vigil_graph *g, int64_t batch, vigil_error *err) {
    if (!g || batch < 1)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "graph: batch %lld must be >= 1",
                               (long long)batch);
    for (int i = 0; i < g->n_nodes; i++) {
        vigil_node *node = &g->nodes[i];
        if (node->op != VIGIL_OP_INPUT)
            continue;
        if (node->value.ndim < 1)
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "node '%s' (input): a scalar input has no batch dim",
                                   node->name);
        node->value.shape[0] = batch;
    }
    return vigil_graph_infer_shapes(g, err);
}

double vigil_graph_flops(const vigil_graph *g) {
    double flops = 0;
    for (int i = 0; g && i < g->n_nodes; i++) {
        const vigil_node *node = &g->nodes[i];
        double out = (double)vigil_shape_numel(node->out_ndim, node->out_shape);
        if (node->op == VIGIL_OP_INPUT || node->op == VIGIL_OP_CONST)
            continue;
        if (node->op == VIGIL_OP_CONV2D) {
            const vigil_node *w = &g->nodes[node->inputs[1]];
            /* Each output element sums kh * kw * (cin / groups) products. */
            flops += 2.0 * out * (double)(w->out_shape[0] * w->out_shape[1] * w->out_shape[2]);
        } else {
            flops += out;
        }
    }
    return flops;
}
