/* Runs one graph node with the reference ops: unpacks the tensors' shapes into the
 * explicit arguments of each vigil_ref_<op>_forward. */
#include "ref/ref_ops.h"

#define NODE_ERROR(err, status, g, node, fmt, ...)                                                 \
    vigil_error_set(err, status, "ref backend: node '%s' (%s): " fmt, (g)->nodes[node].name,       \
                    vigil_op_type_name((g)->nodes[node].op), __VA_ARGS__)

vigil_status vigil_ref_node_check(const vigil_graph *g, int node, vigil_error *err) {
    const vigil_node *n = &g->nodes[node];
    if ((int)n->op <= VIGIL_OP_CONST || (int)n->op >= VIGIL_OP_COUNT)
        return NODE_ERROR(err, VIGIL_STATUS_UNSUPPORTED, g, node, "op %d cannot be run",
                          (int)n->op);
    for (int i = 0; i < n->n_inputs; i++) {
        const vigil_node *in = &g->nodes[n->inputs[i]];
        if (in->out_dtype != VIGIL_DTYPE_F32)
            return NODE_ERROR(err, VIGIL_STATUS_UNSUPPORTED, g, node,
                              "input %d '%s' is %s; the reference runs F32 only", i, in->name,
                              vigil_dtype_name(in->out_dtype));
    }
    if (n->op == VIGIL_OP_UNARY && (int)n->params.unary.activation >= VIGIL_ACTIVATION_COUNT)
        return NODE_ERROR(err, VIGIL_STATUS_UNSUPPORTED, g, node, "unknown activation %d",
                          (int)n->params.unary.activation);
    if (n->op == VIGIL_OP_BINARY && (int)n->params.binary.op >= VIGIL_BINARY_COUNT)
        return NODE_ERROR(err, VIGIL_STATUS_UNSUPPORTED, g, node, "unknown binary op %d",
                          (int)n->params.binary.op);
    return VIGIL_STATUS_OK;
}

static void run_concat(vigil_tensor *out, const vigil_tensor *const *inputs, int n_inputs,
                       int axis) {
    int64_t outer = vigil_shape_numel(axis, out->shape);
    int64_t inner = vigil_shape_numel(out->ndim - axis - 1, out->shape + axis + 1);
    int64_t offset = 0;
    for (int i = 0; i < n_inputs; i++) {
        int64_t size = inputs[i]->shape[axis];
        vigil_ref_concat_forward(out->data, inputs[i]->data, outer, out->shape[axis], offset, size,
                                 inner);
        offset += size;
    }
}

vigil_status vigil_ref_node_forward(const vigil_graph *g, int node, int threads, vigil_tensor *out,
                                    const vigil_tensor *const *inputs, vigil_error *err) {
    const vigil_node *n = &g->nodes[node];
    const vigil_op_params *p = &n->params;
    const vigil_tensor *x = n->n_inputs > 0 ? inputs[0] : NULL;
    float *o = out->data;
    switch (n->op) {
    case VIGIL_OP_CONV2D: {
        const vigil_tensor *w = inputs[1];
        const float *bias = n->n_inputs > 2 ? inputs[2]->data : NULL;
        vigil_ref_conv2d_forward(o, x->data, w->data, bias, x->shape[0], x->shape[1], x->shape[2],
                                 x->shape[3], out->shape[1], out->shape[2], out->shape[3],
                                 w->shape[0], w->shape[1], &p->conv2d, threads);
        return VIGIL_STATUS_OK;
    }
    case VIGIL_OP_UNARY:
        vigil_ref_activation_forward(o, x->data, vigil_tensor_numel(out), p->unary.activation,
                                     p->unary.alpha, threads);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_BINARY:
        vigil_ref_binary_forward(o, x->data, inputs[1]->data, out->ndim, out->shape, x->ndim,
                                 x->shape, inputs[1]->ndim, inputs[1]->shape, &p->binary, threads);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_REDUCE:
        vigil_ref_reduce_forward(o, x->data, x->ndim, x->shape, &p->reduce, threads);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_POOL2D:
        vigil_ref_pool2d_forward(o, x->data, x->shape[0], x->shape[1], x->shape[2], x->shape[3],
                                 out->shape[1], out->shape[2], &p->pool2d, threads);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_RESIZE:
        vigil_ref_resize_forward(o, x->data, x->shape[0], x->shape[1], x->shape[2], x->shape[3],
                                 out->shape[1], out->shape[2], &p->resize, threads);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_CONCAT:
        run_concat(out, inputs, n->n_inputs, p->concat.axis);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_SLICE:
        vigil_ref_slice_forward(o, x->data, x->ndim, x->shape, out->shape, &p->slice);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_PAD:
        vigil_ref_pad_forward(o, x->data, x->ndim, x->shape, &p->pad);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_TRANSPOSE:
        vigil_ref_transpose_forward(o, x->data, x->ndim, x->shape, p->transpose.perm);
        return VIGIL_STATUS_OK;
    case VIGIL_OP_RESHAPE:
        vigil_ref_reshape_forward(o, x->data, vigil_tensor_numel(out));
        return VIGIL_STATUS_OK;
    case VIGIL_OP_INPUT:
    case VIGIL_OP_CONST:
    case VIGIL_OP_COUNT:
        break;
    }
    return NODE_ERROR(err, VIGIL_STATUS_UNSUPPORTED, g, node, "op %d cannot be run", (int)n->op);
}
