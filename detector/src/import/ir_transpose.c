/* Transpose cancellation.
 *
 * Graphs converted from ONNX wrap every NHWC convolution in transposes to and from
 * NCHW. Rather than match those pairs, transposes are sunk: an op that does not care
 * about layout (elementwise, concat, pad, slice, reduce with kept dims) and whose
 * inputs are all transposed the same way runs on the untransposed tensors instead,
 * with its axes remapped, and one transpose follows it. Sunk far enough, a transpose
 * meets its inverse and both go. What is left at the outputs is usually
 * transpose -> reshape -> transpose that keeps element order: a reshape.
 *
 * Dimension 0 is the batch: it is never treated as a unit dimension, so every rewrite
 * stays right when the engine later runs a larger batch. */
#include <stdlib.h>
#include <string.h>

#include "import/tfjs_internal.h"

/* Rewrites that loop could in principle keep finding; a bound keeps a bug finite. */
#define MAX_ROUNDS 64

static bool identity_perm(const int *perm, int n) {
    for (int i = 0; i < n; i++)
        if (perm[i] != i)
            return false;
    return true;
}

static void invert_perm(const int *perm, int n, int *inverse) {
    for (int i = 0; i < n; i++)
        inverse[perm[i]] = i;
}

/* TF transpose of row-major data: out.shape[j] = in.shape[perm[j]]. Works on 4-byte
 * elements (floats or indices). */
static void transpose_data(const void *in, void *out, int ndim, const int64_t *shape,
                           const int *perm) {
    int64_t strides[VIGIL_MAX_DIMS], out_shape[VIGIL_MAX_DIMS], idx[VIGIL_MAX_DIMS] = {0};
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        strides[i] = s;
        s *= shape[i];
    }
    for (int j = 0; j < ndim; j++)
        out_shape[j] = shape[perm[j]];
    const uint32_t *src = in;
    uint32_t *dst = out;
    for (int64_t o = 0; o < s; o++) {
        int64_t from = 0;
        for (int j = 0; j < ndim; j++)
            from += idx[j] * strides[perm[j]];
        dst[o] = src[from];
        for (int j = ndim - 1; j >= 0 && ++idx[j] == out_shape[j]; j--)
            idx[j] = 0;
    }
}

/* Gives node `to` the name of the dead node `from`, so rewritten ops keep their names. */
static void take_name(vigil_ir *ir, int to, int from) {
    if (!ir->nodes[from].dead)
        return;
    free(ir->nodes[to].name);
    ir->nodes[to].name = ir->nodes[from].name;
    ir->nodes[from].name = NULL;
}

static int add_named(vigil_ir *ir, vigil_op_type op, const char *base, const char *suffix,
                     const int *inputs, int n, const vigil_op_params *p, vigil_error *err) {
    char *name = vigil_ir_unique_name(ir, base, suffix);
    if (!name)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    int index = vigil_ir_add(ir, op, name, inputs, n, p, err);
    free(name);
    return index;
}

/* A constant in a transposed op's frame moved to the untransposed frame: padded with
 * leading 1s to rank `rank`, then transposed by the inverse permutation. */
static int permuted_const(vigil_ir *ir, int node, int rank, const int *perm, vigil_error *err) {
    const vigil_ir_node *c = &ir->nodes[node];
    int64_t shape[VIGIL_MAX_DIMS];
    for (int i = 0; i < rank; i++)
        shape[i] = i < rank - c->ndim ? 1 : c->shape[i - (rank - c->ndim)];
    int inverse[VIGIL_MAX_DIMS], out_shape[VIGIL_MAX_DIMS];
    invert_perm(perm, rank, inverse);
    int64_t dims[VIGIL_MAX_DIMS];
    for (int j = 0; j < rank; j++) {
        out_shape[j] = (int)shape[inverse[j]];
        dims[j] = out_shape[j];
    }
    vigil_tensor t;
    vigil_status status = vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, rank, dims, err);
    if (status < 0)
        return status;
    transpose_data(c->value.data, t.data, rank, shape, inverse);
    char *name = vigil_ir_unique_name(ir, c->name, "/nhwc");
    int index = name ? vigil_ir_add_const(ir, name, &t, err)
                     : vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    free(name);
    vigil_tensor_free(&t);
    return index;
}

static bool sinkable(const vigil_ir_node *n) {
    switch (n->op) {
    case VIGIL_OP_UNARY:
    case VIGIL_OP_BINARY:
    case VIGIL_OP_CONCAT:
    case VIGIL_OP_PAD:
    case VIGIL_OP_SLICE:
        return true;
    case VIGIL_OP_REDUCE:
        return n->params.reduce.keep_dims;
    default:
        return false;
    }
}

/* Remaps the axes of node's parameters from the transposed frame (t-dim i is x-dim
 * perm[i]) to the untransposed one. */
static vigil_op_params remap_params(const vigil_ir_node *n, const int *perm, int rank) {
    vigil_op_params p = n->params;
    switch (n->op) {
    case VIGIL_OP_CONCAT:
        p.concat.axis = perm[n->params.concat.axis];
        break;
    case VIGIL_OP_PAD:
        for (int i = 0; i < rank; i++) {
            p.pad.before[perm[i]] = n->params.pad.before[i];
            p.pad.after[perm[i]] = n->params.pad.after[i];
        }
        break;
    case VIGIL_OP_SLICE:
        for (int i = 0; i < rank; i++) {
            p.slice.begin[perm[i]] = n->params.slice.begin[i];
            p.slice.end[perm[i]] = n->params.slice.end[i];
            p.slice.step[perm[i]] = n->params.slice.step[i];
        }
        break;
    case VIGIL_OP_REDUCE:
        for (int i = 0; i < n->params.reduce.naxes; i++)
            p.reduce.axes[i] = perm[n->params.reduce.axes[i]];
        break;
    default:
        break;
    }
    return p;
}

/* Moves the transposes feeding `node` below it; returns 1 if it did. */
static int sink(vigil_ir *ir, int node, vigil_error *err) {
    const vigil_ir_node *n = &ir->nodes[node];
    if (!sinkable(n))
        return 0;
    int perm[VIGIL_MAX_DIMS], rank = -1;
    for (int k = 0; k < n->n_inputs; k++) {
        const vigil_ir_node *in = &ir->nodes[n->inputs[k]];
        if (in->op == VIGIL_OP_TRANSPOSE) {
            if (rank < 0) {
                rank = in->ndim;
                memcpy(perm, in->params.transpose.perm, sizeof perm);
            } else if (in->ndim != rank ||
                       memcmp(perm, in->params.transpose.perm, (size_t)rank * sizeof *perm) != 0) {
                return 0;
            }
        } else if (!(in->op == VIGIL_OP_CONST && n->op == VIGIL_OP_BINARY)) {
            return 0;
        }
    }
    if (rank < 0 || n->ndim != rank)
        return 0;
    int inputs[64];
    if (n->n_inputs > (int)(sizeof inputs / sizeof inputs[0]))
        return 0;
    for (int k = 0; k < n->n_inputs; k++) {
        int in = ir->nodes[node].inputs[k];
        if (ir->nodes[in].op == VIGIL_OP_TRANSPOSE) {
            inputs[k] = ir->nodes[in].inputs[0];
        } else {
            if (ir->nodes[in].ndim > rank)
                return 0;
            inputs[k] = permuted_const(ir, in, rank, perm, err);
            if (inputs[k] < 0)
                return inputs[k];
        }
    }
    n = &ir->nodes[node];
    vigil_op_params p = remap_params(n, perm, rank);
    int moved = add_named(ir, n->op, n->name, "/untransposed", inputs, n->n_inputs, &p, err);
    if (moved < 0)
        return moved;
    vigil_op_params tp = {0};
    memcpy(tp.transpose.perm, perm, sizeof perm);
    int after =
        add_named(ir, VIGIL_OP_TRANSPOSE, ir->nodes[node].name, "/transpose", &moved, 1, &tp, err);
    if (after < 0)
        return after;
    vigil_ir_replace_uses(ir, node, after);
    take_name(ir, moved, node);
    return 1;
}

/* Index simulation: does transpose(p1) -> reshape -> transpose(p2) of a tensor of
 * `shape` keep every element at its flat position? */
static int keeps_order(int ndim, const int64_t *shape, const int *p1, int mid_ndim,
                       const int64_t *mid_shape, const int *p2, vigil_error *err) {
    int64_t count = vigil_shape_numel(ndim, shape);
    if (count > ((int64_t)1 << 26))
        return 0;
    uint32_t *a = malloc((size_t)(count > 0 ? count : 1) * sizeof *a);
    uint32_t *b = malloc((size_t)(count > 0 ? count : 1) * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    for (int64_t i = 0; i < count; i++)
        a[i] = (uint32_t)i;
    transpose_data(a, b, ndim, shape, p1);
    transpose_data(b, a, mid_ndim, mid_shape, p2);
    int same = 1;
    for (int64_t i = 0; i < count && same; i++)
        same = a[i] == (uint32_t)i;
    free(a);
    free(b);
    return same;
}

static int add_reshape(vigil_ir *ir, int x, const vigil_ir_node *like, const char *base,
                       vigil_error *err) {
    vigil_op_params p = {.reshape = {.ndim = like->ndim}};
    memcpy(p.reshape.shape, like->shape, sizeof p.reshape.shape);
    return add_named(ir, VIGIL_OP_RESHAPE, base, "/reshape", &x, 1, &p, err);
}

static int rewrite_transpose(vigil_ir *ir, int node, vigil_error *err) {
    vigil_ir_node *t = &ir->nodes[node];
    int x = t->inputs[0];
    const vigil_ir_node *xn = &ir->nodes[x];
    int rank = t->ndim;
    if (identity_perm(t->params.transpose.perm, rank)) {
        vigil_ir_replace_uses(ir, node, x);
        return 1;
    }
    if (xn->op == VIGIL_OP_TRANSPOSE) {
        /* t(x(y)): out[j] = y-dim inner[outer[j]]. */
        int composed[VIGIL_MAX_DIMS];
        for (int j = 0; j < rank; j++)
            composed[j] = xn->params.transpose.perm[t->params.transpose.perm[j]];
        int y = xn->inputs[0];
        if (identity_perm(composed, rank)) {
            vigil_ir_replace_uses(ir, node, y);
            return 1;
        }
        vigil_op_params p = {0};
        memcpy(p.transpose.perm, composed, sizeof composed);
        int merged = add_named(ir, VIGIL_OP_TRANSPOSE, t->name, "/merged", &y, 1, &p, err);
        if (merged < 0)
            return merged;
        vigil_ir_replace_uses(ir, node, merged);
        take_name(ir, merged, node);
        return 1;
    }
    if (xn->op == VIGIL_OP_CONST) {
        vigil_tensor out;
        int64_t dims[VIGIL_MAX_DIMS];
        for (int j = 0; j < rank; j++)
            dims[j] = xn->shape[t->params.transpose.perm[j]];
        vigil_status status = vigil_tensor_alloc(&out, VIGIL_DTYPE_F32, rank, dims, err);
        if (status < 0)
            return status;
        transpose_data(xn->value.data, out.data, rank, xn->shape, t->params.transpose.perm);
        char *name = vigil_ir_unique_name(ir, t->name, "/folded");
        int c = name ? vigil_ir_add_const(ir, name, &out, err)
                     : vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
        free(name);
        vigil_tensor_free(&out);
        if (c < 0)
            return c;
        vigil_ir_replace_uses(ir, node, c);
        return 1;
    }
    /* A transpose that keeps the batch first and otherwise only moves unit dimensions
     * leaves every element where it was: a reshape. */
    if (t->params.transpose.perm[0] == 0) {
        int last = 0;
        bool in_order = true;
        for (int j = 1; j < rank && in_order; j++) {
            int d = t->params.transpose.perm[j];
            if (xn->shape[d] == 1)
                continue;
            in_order = d > last;
            last = d;
        }
        if (in_order) {
            int r = add_reshape(ir, x, t, t->name, err);
            if (r < 0)
                return r;
            vigil_ir_replace_uses(ir, node, r);
            take_name(ir, r, node);
            return 1;
        }
    }
    return 0;
}

static int rewrite_reshape(vigil_ir *ir, int node, vigil_error *err) {
    vigil_ir_node *r = &ir->nodes[node];
    int x = r->inputs[0];
    const vigil_ir_node *xn = &ir->nodes[x];
    if (vigil_shape_equal(r->ndim, r->shape, xn->ndim, xn->shape)) {
        vigil_ir_replace_uses(ir, node, x);
        return 1;
    }
    if (xn->op == VIGIL_OP_RESHAPE) {
        int merged = add_reshape(ir, xn->inputs[0], r, r->name, err);
        if (merged < 0)
            return merged;
        vigil_ir_replace_uses(ir, node, merged);
        take_name(ir, merged, node);
        return 1;
    }
    /* transpose -> reshape -> transpose that keeps element order is one reshape; all
     * three must leave the batch first. */
    if (xn->op != VIGIL_OP_TRANSPOSE || xn->params.transpose.perm[0] != 0 ||
        r->shape[0] != xn->shape[0] || vigil_ir_use_count(ir, node) != 1 ||
        vigil_ir_is_output(ir, node))
        return 0;
    int after = -1;
    for (int i = 0; i < ir->n_nodes && after < 0; i++)
        for (int k = 0; k < ir->nodes[i].n_inputs; k++)
            if (ir->nodes[i].inputs[k] == node)
                after = i;
    if (after < 0 || ir->nodes[after].op != VIGIL_OP_TRANSPOSE ||
        ir->nodes[after].params.transpose.perm[0] != 0)
        return 0;
    const vigil_ir_node *y = &ir->nodes[xn->inputs[0]];
    int order = keeps_order(y->ndim, y->shape, xn->params.transpose.perm, r->ndim, r->shape,
                            ir->nodes[after].params.transpose.perm, err);
    if (order <= 0)
        return order;
    int merged = add_reshape(ir, xn->inputs[0], &ir->nodes[after], r->name, err);
    if (merged < 0)
        return merged;
    vigil_ir_replace_uses(ir, after, merged);
    take_name(ir, merged, node);
    return 1;
}

vigil_status vigil_ir_cancel_transposes(vigil_ir *ir, vigil_error *err) {
    for (int round = 0; round < MAX_ROUNDS; round++) {
        int *order, n;
        vigil_status status = vigil_ir_order(ir, &order, &n, err);
        if (status < 0)
            return status;
        int changed = 0;
        for (int i = 0; i < n; i++) {
            int node = order[i];
            if (ir->nodes[node].dead)
                continue;
            int result;
            if (ir->nodes[node].op == VIGIL_OP_TRANSPOSE)
                result = rewrite_transpose(ir, node, err);
            else if (ir->nodes[node].op == VIGIL_OP_RESHAPE)
                result = rewrite_reshape(ir, node, err);
            else
                result = sink(ir, node, err);
            if (result < 0) {
                free(order);
                return result;
            }
            changed += result;
        }
        free(order);
        if (!changed)
            return VIGIL_STATUS_OK;
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_ir_input_to_nhwc(vigil_ir *ir, bool *rewritten, vigil_error *err) {
    *rewritten = false;
    int input = -1;
    for (int i = 0; i < ir->n_nodes; i++)
        if (!ir->nodes[i].dead && ir->nodes[i].op == VIGIL_OP_INPUT) {
            if (input >= 0)
                return VIGIL_STATUS_OK; /* several inputs: leave their layouts alone */
            input = i;
        }
    if (input < 0)
        return VIGIL_STATUS_OK;
    vigil_ir_node *in = &ir->nodes[input];
    int64_t c = in->value.shape[1];
    if (in->value.ndim != 4 || !(c == 1 || c == 3 || c == 4) || in->value.shape[3] <= 4)
        return VIGIL_STATUS_OK;
    int64_t nhwc[4] = {in->value.shape[0], in->value.shape[2], in->value.shape[3], c};
    vigil_tensor_view(&in->value, VIGIL_DTYPE_F32, 4, nhwc, NULL);
    vigil_status status = vigil_ir_infer(ir, input, err);
    if (status < 0)
        return status;
    vigil_op_params p = {.transpose = {.perm = {0, 3, 1, 2}}};
    int t = add_named(ir, VIGIL_OP_TRANSPOSE, ir->nodes[input].name, "/nchw", &input, 1, &p, err);
    if (t < 0)
        return t;
    vigil_ir_replace_uses(ir, input, t);
    *rewritten = true;
    return VIGIL_STATUS_OK;
}
