/* Lowering: walks the TF nodes the chosen outputs need, in topological order, folding
 * the ones whose inputs are all constant and mapping the others onto IR nodes.
 *
 * Outputs: the caller's list, else the signature's outputs minus post-processing ones
 * (computed through TopKV2 or a NonMaxSuppression: vigil decodes heads itself; this
 * drops CenterNet's built-in top-100 decode), else the nodes nothing consumes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/tfjs_lower.h"

/* ---- helpers shared with tfjs_lower_conv.c ---- */

vigil_status vigil_lower_fail(vigil_lower *lw, const vigil_tfjs_node *n, vigil_status status,
                              const char *what) {
    return vigil_error_set(lw->err, status, "node '%s' (%s): %s", n->name, n->op, what);
}

const vigil_tensor *vigil_lower_const(const vigil_lower *lw, const vigil_tfjs_node *n, int k) {
    if (k >= n->n_inputs || n->in_slot[k] != 0)
        return NULL;
    const vigil_tfjs_node *in = &lw->g->nodes[n->in_node[k]];
    return in->has_value ? &in->value : NULL;
}

const vigil_tensor *vigil_lower_require_const(vigil_lower *lw, const vigil_tfjs_node *n, int k,
                                              const char *what) {
    const vigil_tensor *t = vigil_lower_const(lw, n, k);
    if (!t) {
        char msg[256];
        snprintf(msg, sizeof msg, "input %d (%s, '%s') must be a constant", k, what,
                 k < n->n_inputs ? n->inputs[k] : "missing");
        vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED, msg);
    }
    return t;
}

int vigil_lower_const_ints(vigil_lower *lw, const vigil_tfjs_node *n, int k, const char *what,
                           int64_t *out, int max) {
    const vigil_tensor *t = vigil_lower_require_const(lw, n, k, what);
    if (!t)
        return -1;
    int64_t count = vigil_tensor_numel(t);
    if (count > max) {
        vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "constant input has too many values");
        return -1;
    }
    for (int64_t i = 0; i < count; i++) {
        float f = t->dtype == VIGIL_DTYPE_F32 ? ((const float *)t->data)[i] : 0.0f;
        if (t->dtype == VIGIL_DTYPE_F32 && !(fabsf(f) < 1e15f)) {
            vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "constant input is not a finite integer");
            return -1;
        }
        out[i] = t->dtype == VIGIL_DTYPE_F32 ? (int64_t)f : ((const int32_t *)t->data)[i];
    }
    return (int)count;
}

int vigil_lower_add(vigil_lower *lw, const vigil_tfjs_node *n, const char *suffix, vigil_op_type op,
                    const int *inputs, int n_inputs, const vigil_op_params *params) {
    char *name = vigil_ir_unique_name(lw->ir, n->name, suffix);
    if (!name)
        return vigil_error_set(lw->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    int index = vigil_ir_add(lw->ir, op, name, inputs, n_inputs, params, lw->err);
    free(name);
    return index;
}

int vigil_lower_add_const(vigil_lower *lw, const vigil_tfjs_node *n, const char *suffix,
                          vigil_tensor *value) {
    char *name = vigil_ir_unique_name(lw->ir, n->name, suffix);
    if (!name)
        return vigil_error_set(lw->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    int index = vigil_ir_add_const(lw->ir, name, value, lw->err);
    free(name);
    return index;
}

int vigil_lower_input(vigil_lower *lw, const vigil_tfjs_node *n, int k) {
    if (k >= n->n_inputs)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "missing input");
    vigil_tfjs_node *in = &lw->g->nodes[n->in_node[k]];
    int slot = n->in_slot[k];
    if (slot >= VIGIL_TFJS_MAX_SLOTS)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED, "input slot out of range");
    if (in->ir[slot] >= 0 && !lw->ir->nodes[in->ir[slot]].dead)
        return in->ir[slot];
    if (in->has_value && slot == 0) {
        vigil_tensor copy;
        vigil_status status =
            vigil_tensor_alloc(&copy, in->value.dtype, in->value.ndim, in->value.shape, lw->err);
        if (status < 0)
            return status;
        memcpy(copy.data, in->value.data, vigil_tensor_nbytes(&in->value));
        char *name = vigil_ir_unique_name(lw->ir, in->name, "");
        int index = name ? vigil_ir_add_const(lw->ir, name, &copy, lw->err)
                         : vigil_error_set(lw->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
        free(name);
        vigil_tensor_free(&copy);
        if (index >= 0)
            in->ir[0] = index;
        return index;
    }
    char msg[256];
    snprintf(msg, sizeof msg, "input '%s' has no value (output %d of a %s node)", n->inputs[k],
             slot, in->op);
    return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED, msg);
}

/* ---- single ops ---- */

static int normalize_axis(int64_t axis, int rank) {
    return (int)(axis < 0 ? axis + rank : axis);
}

static vigil_status done(vigil_tfjs_node *n, int index) {
    if (index < 0)
        return index;
    n->ir[0] = index;
    return VIGIL_STATUS_OK;
}

static vigil_status lower_placeholder(vigil_lower *lw, vigil_tfjs_node *n) {
    int64_t shape[VIGIL_MAX_DIMS];
    int ndim = vigil_tfjs_attr_shape(n, "shape", shape, VIGIL_MAX_DIMS);
    if (ndim < 1)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED, "input without a static shape");
    if (shape[0] < 0)
        shape[0] = 1; /* the batch: set again when the engine is built */
    for (int i = 1; i < ndim; i++)
        if (shape[i] < 1)
            return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED,
                                    "input size unknown beyond the batch dimension");
    return done(n, vigil_ir_add_input(lw->ir, n->name, ndim, shape, lw->err));
}

static vigil_status lower_unary(vigil_lower *lw, vigil_tfjs_node *n, vigil_activation a) {
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    vigil_op_params p = {.unary = {.activation = a}};
    if (a == VIGIL_ACTIVATION_LEAKY_RELU)
        p.unary.alpha = vigil_tfjs_attr_float(n, "alpha", 0.2f);
    return done(n, vigil_lower_add(lw, n, "", VIGIL_OP_UNARY, &x, 1, &p));
}

static vigil_status lower_binary(vigil_lower *lw, vigil_tfjs_node *n, vigil_binary_op op) {
    if (n->n_inputs != 2)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "needs two inputs");
    if (strcmp(n->op, "BiasAdd") == 0) {
        char buf[16];
        if (strcmp(vigil_tfjs_attr_string(n, "data_format", "NHWC", buf, sizeof buf), "NHWC"))
            return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED, "NCHW BiasAdd");
    }
    int a = vigil_lower_input(lw, n, 0);
    int b = a < 0 ? a : vigil_lower_input(lw, n, 1);
    if (b < 0)
        return b;
    vigil_op_params p = {.binary = {.op = op}};
    return done(n, vigil_lower_add(lw, n, "", VIGIL_OP_BINARY, (int[]){a, b}, 2, &p));
}

static vigil_status lower_add_n(vigil_lower *lw, vigil_tfjs_node *n) {
    int acc = vigil_lower_input(lw, n, 0);
    vigil_op_params p = {.binary = {.op = VIGIL_BINARY_ADD}};
    for (int k = 1; k < n->n_inputs && acc >= 0; k++) {
        int b = vigil_lower_input(lw, n, k);
        char suffix[32];
        snprintf(suffix, sizeof suffix, k + 1 < n->n_inputs ? "/add_%d" : "", k);
        acc = b < 0 ? b : vigil_lower_add(lw, n, suffix, VIGIL_OP_BINARY, (int[]){acc, b}, 2, &p);
    }
    return done(n, acc);
}

static vigil_status lower_square(vigil_lower *lw, vigil_tfjs_node *n) {
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    vigil_op_params p = {.binary = {.op = VIGIL_BINARY_MUL}};
    return done(n, vigil_lower_add(lw, n, "", VIGIL_OP_BINARY, (int[]){x, x}, 2, &p));
}

static vigil_status lower_reduce(vigil_lower *lw, vigil_tfjs_node *n, vigil_reduce_op op) {
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    int rank = lw->ir->nodes[x].ndim;
    int64_t axes[VIGIL_MAX_DIMS];
    int count = vigil_lower_const_ints(lw, n, 1, "reduction axes", axes, VIGIL_MAX_DIMS);
    if (count < 0)
        return lw->err ? lw->err->status : VIGIL_STATUS_FORMAT;
    vigil_op_params p = {.reduce = {.op = op, .naxes = count}};
    p.reduce.keep_dims = vigil_tfjs_attr_bool(n, "keep_dims", false);
    for (int i = 0; i < count; i++)
        p.reduce.axes[i] = normalize_axis(axes[i], rank);
    if (count == 0)
        return done(n, x); /* reducing over no axes is the identity */
    return done(n, vigil_lower_add(lw, n, "", VIGIL_OP_REDUCE, &x, 1, &p));
}

static vigil_status lower_resize(vigil_lower *lw, vigil_tfjs_node *n, vigil_resize_mode mode) {
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    int64_t size[2];
    if (vigil_lower_const_ints(lw, n, 1, "size", size, 2) != 2 || size[0] < 1 || size[1] < 1)
        return lw->err && lw->err->status < 0
                   ? lw->err->status
                   : vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "size must be 2 positive values");
    vigil_op_params p = {.resize = {.mode = mode, .size = {(int)size[0], (int)size[1]}}};
    p.resize.align_corners = vigil_tfjs_attr_bool(n, "align_corners", false);
    p.resize.half_pixel_centers = vigil_tfjs_attr_bool(n, "half_pixel_centers", false);
    return done(n, vigil_lower_add(lw, n, "", VIGIL_OP_RESIZE, &x, 1, &p));
}

static vigil_status lower_concat(vigil_lower *lw, vigil_tfjs_node *n) {
    int count = n->n_inputs - 1;
    if (count < 1)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "needs inputs and an axis");
    int64_t axis;
    if (vigil_lower_const_ints(lw, n, count, "axis", &axis, 1) != 1)
        return lw->err ? lw->err->status : VIGIL_STATUS_FORMAT;
    int *inputs = malloc((size_t)count * sizeof *inputs);
    if (!inputs)
        return vigil_error_set(lw->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    int status = VIGIL_STATUS_OK;
    for (int k = 0; k < count && status >= 0; k++)
        status = inputs[k] = vigil_lower_input(lw, n, k);
    if (status >= 0) {
        vigil_op_params p = {
            .concat = {.axis = normalize_axis(axis, lw->ir->nodes[inputs[0]].ndim)}};
        status =
            count == 1 ? inputs[0] : vigil_lower_add(lw, n, "", VIGIL_OP_CONCAT, inputs, count, &p);
    }
    free(inputs);
    return done(n, status);
}

/* A SLICE of x taking [begin, begin + size) along axis, as output slot `slot` of n. */
static int slice_along(vigil_lower *lw, vigil_tfjs_node *n, int x, int axis, int64_t begin,
                       int64_t size, int slot) {
    const vigil_ir_node *xn = &lw->ir->nodes[x];
    vigil_op_params p = {0};
    for (int i = 0; i < xn->ndim; i++) {
        p.slice.begin[i] = i == axis ? begin : 0;
        p.slice.end[i] = i == axis ? begin + size : xn->shape[i];
        p.slice.step[i] = 1;
    }
    char suffix[16] = "";
    if (slot > 0)
        snprintf(suffix, sizeof suffix, ":%d", slot);
    return vigil_lower_add(lw, n, suffix, VIGIL_OP_SLICE, &x, 1, &p);
}

static vigil_status lower_split(vigil_lower *lw, vigil_tfjs_node *n) {
    bool is_v = strcmp(n->op, "SplitV") == 0;
    int x = vigil_lower_input(lw, n, is_v ? 0 : 1);
    if (x < 0)
        return x;
    int64_t axis, sizes[VIGIL_TFJS_MAX_SLOTS];
    if (vigil_lower_const_ints(lw, n, is_v ? 2 : 0, "split axis", &axis, 1) != 1)
        return lw->err ? lw->err->status : VIGIL_STATUS_FORMAT;
    int rank = lw->ir->nodes[x].ndim;
    axis = normalize_axis(axis, rank);
    if (axis < 0 || axis >= rank)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "split axis out of range");
    int64_t dim = lw->ir->nodes[x].shape[axis];
    int count = (int)vigil_tfjs_attr_int(n, "num_split", 0);
    if (count < 1 || count > VIGIL_TFJS_MAX_SLOTS)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED, "num_split out of range");
    if (is_v) {
        if (vigil_lower_const_ints(lw, n, 1, "size_splits", sizes, VIGIL_TFJS_MAX_SLOTS) != count)
            return lw->err && lw->err->status < 0
                       ? lw->err->status
                       : vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "size_splits count differs");
        int64_t known = 0;
        int unknown = -1;
        for (int k = 0; k < count; k++) {
            if (sizes[k] < 0)
                unknown = k;
            else
                known += sizes[k];
        }
        if (unknown >= 0)
            sizes[unknown] = dim - known;
    } else {
        for (int k = 0; k < count; k++)
            sizes[k] = dim / count;
    }
    int64_t offset = 0;
    for (int k = 0; k < count; k++) {
        if (sizes[k] < 0 || offset + sizes[k] > dim)
            return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "split sizes exceed the dimension");
        int index = slice_along(lw, n, x, (int)axis, offset, sizes[k], k);
        if (index < 0)
            return index;
        n->ir[k] = index;
        offset += sizes[k];
    }
    return VIGIL_STATUS_OK;
}

static vigil_status lower_reshape_to(vigil_lower *lw, vigil_tfjs_node *n, int x, int ndim,
                                     const int64_t *shape, const char *suffix) {
    vigil_op_params p = {.reshape = {.ndim = ndim}};
    for (int i = 0; i < ndim; i++)
        p.reshape.shape[i] = shape[i];
    return done(n, vigil_lower_add(lw, n, suffix, VIGIL_OP_RESHAPE, &x, 1, &p));
}

static vigil_status lower_reshape(vigil_lower *lw, vigil_tfjs_node *n) {
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    int64_t shape[VIGIL_MAX_DIMS];
    int ndim = vigil_lower_const_ints(lw, n, 1, "shape", shape, VIGIL_MAX_DIMS);
    if (ndim < 0)
        return lw->err ? lw->err->status : VIGIL_STATUS_FORMAT;
    return lower_reshape_to(lw, n, x, ndim, shape, "");
}

static vigil_status lower_squeeze(vigil_lower *lw, vigil_tfjs_node *n, bool expand) {
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    const vigil_ir_node *xn = &lw->ir->nodes[x];
    int64_t shape[VIGIL_MAX_DIMS], dims[VIGIL_MAX_DIMS];
    int ndim = 0;
    if (expand) {
        int64_t axis;
        if (vigil_lower_const_ints(lw, n, 1, "axis", &axis, 1) != 1)
            return lw->err ? lw->err->status : VIGIL_STATUS_FORMAT;
        axis = axis < 0 ? axis + xn->ndim + 1 : axis;
        if (axis < 0 || axis > xn->ndim || xn->ndim >= VIGIL_MAX_DIMS)
            return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "axis out of range");
        for (int i = 0, k = 0; i <= xn->ndim; i++)
            shape[ndim++] = i == axis ? 1 : xn->shape[k++];
    } else {
        int count = vigil_tfjs_attr_ints(n, "squeeze_dims", dims, VIGIL_MAX_DIMS);
        bool drop[VIGIL_MAX_DIMS] = {false};
        for (int i = 0; i < count; i++)
            drop[normalize_axis(dims[i], xn->ndim) % VIGIL_MAX_DIMS] = true;
        for (int i = 0; i < xn->ndim; i++)
            if (!(count > 0 ? drop[i] : xn->shape[i] == 1))
                shape[ndim++] = xn->shape[i];
    }
    return lower_reshape_to(lw, n, x, ndim, shape, "");
}

static vigil_status lower_transpose(vigil_lower *lw, vigil_tfjs_node *n) {
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    int64_t perm[VIGIL_MAX_DIMS];
    int count = vigil_lower_const_ints(lw, n, 1, "perm", perm, VIGIL_MAX_DIMS);
    if (count < 0)
        return lw->err ? lw->err->status : VIGIL_STATUS_FORMAT;
    if (count != lw->ir->nodes[x].ndim)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "perm does not match the rank");
    vigil_op_params p = {0};
    for (int i = 0; i < count; i++)
        p.transpose.perm[i] = (int)perm[i];
    return done(n, vigil_lower_add(lw, n, "", VIGIL_OP_TRANSPOSE, &x, 1, &p));
}

static vigil_status lower_pad(vigil_lower *lw, vigil_tfjs_node *n) {
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    int rank = lw->ir->nodes[x].ndim;
    int64_t pads[2 * VIGIL_MAX_DIMS];
    if (vigil_lower_const_ints(lw, n, 1, "paddings", pads, 2 * VIGIL_MAX_DIMS) != 2 * rank)
        return lw->err && lw->err->status < 0
                   ? lw->err->status
                   : vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "paddings must be [rank, 2]");
    vigil_op_params p = {0};
    for (int i = 0; i < rank; i++) {
        p.pad.before[i] = pads[2 * i];
        p.pad.after[i] = pads[2 * i + 1];
    }
    if (strcmp(n->op, "PadV2") == 0) {
        const vigil_tensor *value = vigil_lower_require_const(lw, n, 2, "constant_values");
        if (!value)
            return lw->err ? lw->err->status : VIGIL_STATUS_FORMAT;
        p.pad.value = value->dtype == VIGIL_DTYPE_F32 ? ((const float *)value->data)[0]
                                                      : (float)((const int32_t *)value->data)[0];
    }
    return done(n, vigil_lower_add(lw, n, "", VIGIL_OP_PAD, &x, 1, &p));
}

/* StridedSlice with positive strides; shrunk axes are dropped by a reshape after. */
static vigil_status lower_strided_slice(vigil_lower *lw, vigil_tfjs_node *n) {
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    if (vigil_tfjs_attr_int(n, "ellipsis_mask", 0) || vigil_tfjs_attr_int(n, "new_axis_mask", 0))
        return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED, "ellipsis or new-axis masks");
    const vigil_ir_node *xn = &lw->ir->nodes[x];
    int rank = xn->ndim;
    int64_t b[VIGIL_MAX_DIMS], e[VIGIL_MAX_DIMS], s[VIGIL_MAX_DIMS];
    int nb = vigil_lower_const_ints(lw, n, 1, "begin", b, VIGIL_MAX_DIMS);
    int ne = nb < 0 ? -1 : vigil_lower_const_ints(lw, n, 2, "end", e, VIGIL_MAX_DIMS);
    int ns = ne < 0 ? -1 : vigil_lower_const_ints(lw, n, 3, "strides", s, VIGIL_MAX_DIMS);
    if (ns < 0)
        return lw->err ? lw->err->status : VIGIL_STATUS_FORMAT;
    if (nb != ne || nb != ns || nb > rank)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "begin, end, strides differ in length");
    int64_t begin_mask = vigil_tfjs_attr_int(n, "begin_mask", 0);
    int64_t end_mask = vigil_tfjs_attr_int(n, "end_mask", 0);
    int64_t shrink = vigil_tfjs_attr_int(n, "shrink_axis_mask", 0);
    vigil_op_params p = {0};
    int64_t shape[VIGIL_MAX_DIMS];
    int ndim = 0;
    for (int i = 0; i < rank; i++) {
        int64_t dim = xn->shape[i];
        int64_t lo = 0, hi = dim, step = 1;
        if (i < nb) {
            step = s[i];
            if (step < 1)
                return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED,
                                        "non-positive strides on a computed tensor");
            lo = begin_mask >> i & 1 ? 0 : b[i] < 0 ? b[i] + dim : b[i];
            hi = end_mask >> i & 1 ? dim : e[i] < 0 ? e[i] + dim : e[i];
            if (shrink >> i & 1)
                hi = lo + 1;
        }
        lo = lo < 0 ? 0 : lo > dim ? dim : lo;
        hi = hi < lo ? lo : hi > dim ? dim : hi;
        p.slice.begin[i] = lo;
        p.slice.end[i] = hi;
        p.slice.step[i] = step;
        if (!(i < nb && (shrink >> i & 1)))
            shape[ndim++] = (hi - lo + step - 1) / step;
    }
    int index = vigil_lower_add(lw, n, shrink ? "/slice" : "", VIGIL_OP_SLICE, &x, 1, &p);
    if (index < 0 || !shrink)
        return done(n, index);
    return lower_reshape_to(lw, n, index, ndim, shape, "");
}

static vigil_status lower_slice(vigil_lower *lw, vigil_tfjs_node *n) {
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    const vigil_ir_node *xn = &lw->ir->nodes[x];
    int64_t begin[VIGIL_MAX_DIMS], size[VIGIL_MAX_DIMS];
    if (vigil_lower_const_ints(lw, n, 1, "begin", begin, VIGIL_MAX_DIMS) != xn->ndim ||
        vigil_lower_const_ints(lw, n, 2, "size", size, VIGIL_MAX_DIMS) != xn->ndim)
        return lw->err && lw->err->status < 0
                   ? lw->err->status
                   : vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT,
                                      "begin and size must match the rank");
    vigil_op_params p = {0};
    for (int i = 0; i < xn->ndim; i++) {
        p.slice.begin[i] = begin[i];
        p.slice.end[i] = size[i] < 0 ? xn->shape[i] : begin[i] + size[i];
        p.slice.step[i] = 1;
    }
    return done(n, vigil_lower_add(lw, n, "", VIGIL_OP_SLICE, &x, 1, &p));
}

static vigil_status lower_cast(vigil_lower *lw, vigil_tfjs_node *n) {
    const cJSON *dst =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(n->attr, "DstT"), "type");
    if (!cJSON_IsString(dst) || strcmp(dst->valuestring, "DT_FLOAT") != 0)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED,
                                "casts of computed tensors to non-float types");
    return done(n, vigil_lower_input(lw, n, 0));
}

static vigil_status lower_shape(vigil_lower *lw, vigil_tfjs_node *n) {
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    const vigil_ir_node *xn = &lw->ir->nodes[x];
    int64_t ndim = xn->ndim;
    vigil_status status = vigil_tensor_alloc(&n->value, VIGIL_DTYPE_I32, 1, &ndim, lw->err);
    if (status < 0)
        return status;
    for (int i = 0; i < xn->ndim; i++)
        ((int32_t *)n->value.data)[i] = (int32_t)xn->shape[i];
    n->has_value = true;
    return VIGIL_STATUS_OK;
}

static vigil_status lower_identity_n(vigil_lower *lw, vigil_tfjs_node *n) {
    for (int k = 0; k < n->n_inputs && k < VIGIL_TFJS_MAX_SLOTS; k++) {
        int x = vigil_lower_input(lw, n, k);
        if (x < 0)
            return x;
        n->ir[k] = x;
    }
    return VIGIL_STATUS_OK;
}

typedef struct op_map {
    const char *op;
    enum { UNARY, BINARY } kind;
    int code;
} op_map;

static const op_map simple_ops[] = {
    {"Relu", UNARY, VIGIL_ACTIVATION_RELU},
    {"Relu6", UNARY, VIGIL_ACTIVATION_RELU6},
    {"LeakyRelu", UNARY, VIGIL_ACTIVATION_LEAKY_RELU},
    {"Sigmoid", UNARY, VIGIL_ACTIVATION_SIGMOID},
    {"Tanh", UNARY, VIGIL_ACTIVATION_TANH},
    {"Exp", UNARY, VIGIL_ACTIVATION_EXP},
    {"Neg", UNARY, VIGIL_ACTIVATION_NEG},
    {"Add", BINARY, VIGIL_BINARY_ADD},
    {"AddV2", BINARY, VIGIL_BINARY_ADD},
    {"BiasAdd", BINARY, VIGIL_BINARY_ADD},
    {"Sub", BINARY, VIGIL_BINARY_SUB},
    {"Mul", BINARY, VIGIL_BINARY_MUL},
    {"RealDiv", BINARY, VIGIL_BINARY_DIV},
    {"Div", BINARY, VIGIL_BINARY_DIV},
    {"Maximum", BINARY, VIGIL_BINARY_MAX},
    {"Minimum", BINARY, VIGIL_BINARY_MIN},
};

static vigil_status lower_node(vigil_lower *lw, vigil_tfjs_node *n) {
    const char *op = n->op;
    for (size_t i = 0; i < sizeof simple_ops / sizeof simple_ops[0]; i++)
        if (strcmp(op, simple_ops[i].op) == 0)
            return simple_ops[i].kind == UNARY
                       ? lower_unary(lw, n, (vigil_activation)simple_ops[i].code)
                       : lower_binary(lw, n, (vigil_binary_op)simple_ops[i].code);
    if (!strcmp(op, "Placeholder"))
        return lower_placeholder(lw, n);
    if (!strcmp(op, "Conv2D") || !strcmp(op, "_FusedConv2D") ||
        !strcmp(op, "DepthwiseConv2dNative") || !strcmp(op, "FusedDepthwiseConv2dNative"))
        return vigil_lower_conv(lw, n);
    if (!strcmp(op, "MaxPool") || !strcmp(op, "AvgPool"))
        return vigil_lower_pool(lw, n);
    if (!strcmp(op, "FusedBatchNorm") || !strcmp(op, "FusedBatchNormV2") ||
        !strcmp(op, "FusedBatchNormV3"))
        return vigil_lower_batch_norm(lw, n);
    if (!strcmp(op, "Mean"))
        return lower_reduce(lw, n, VIGIL_REDUCE_MEAN);
    if (!strcmp(op, "Max"))
        return lower_reduce(lw, n, VIGIL_REDUCE_MAX);
    if (!strcmp(op, "Sum"))
        return lower_reduce(lw, n, VIGIL_REDUCE_SUM);
    if (!strcmp(op, "ResizeBilinear"))
        return lower_resize(lw, n, VIGIL_RESIZE_BILINEAR);
    if (!strcmp(op, "ResizeNearestNeighbor"))
        return lower_resize(lw, n, VIGIL_RESIZE_NEAREST);
    if (!strcmp(op, "ConcatV2"))
        return lower_concat(lw, n);
    if (!strcmp(op, "Split") || !strcmp(op, "SplitV"))
        return lower_split(lw, n);
    if (!strcmp(op, "Reshape"))
        return lower_reshape(lw, n);
    if (!strcmp(op, "Squeeze"))
        return lower_squeeze(lw, n, false);
    if (!strcmp(op, "ExpandDims"))
        return lower_squeeze(lw, n, true);
    if (!strcmp(op, "Transpose"))
        return lower_transpose(lw, n);
    if (!strcmp(op, "Pad") || !strcmp(op, "PadV2"))
        return lower_pad(lw, n);
    if (!strcmp(op, "StridedSlice"))
        return lower_strided_slice(lw, n);
    if (!strcmp(op, "Slice"))
        return lower_slice(lw, n);
    if (!strcmp(op, "AddN"))
        return lower_add_n(lw, n);
    if (!strcmp(op, "Square"))
        return lower_square(lw, n);
    if (!strcmp(op, "Cast"))
        return lower_cast(lw, n);
    if (!strcmp(op, "Shape"))
        return lower_shape(lw, n);
    if (!strcmp(op, "Identity") || !strcmp(op, "StopGradient") || !strcmp(op, "Snapshot") ||
        !strcmp(op, "IdentityN"))
        return lower_identity_n(lw, n);
    return vigil_error_set(lw->err, VIGIL_STATUS_UNSUPPORTED,
                           "unsupported TF.js op '%s' at node '%s'", op, n->name);
}

/* Folds n if all its inputs are constant and its op is one the folder knows. */
static vigil_status try_fold(vigil_lower *lw, vigil_tfjs_node *n, bool *folded) {
    *folded = false;
    if (n->n_inputs == 0 || n->n_inputs > 16)
        return VIGIL_STATUS_OK;
    const vigil_tensor *inputs[16];
    for (int k = 0; k < n->n_inputs; k++)
        if (!(inputs[k] = vigil_lower_const(lw, n, k)))
            return VIGIL_STATUS_OK;
    vigil_tensor out;
    vigil_status status = vigil_tfjs_fold(lw->g, n, inputs, &out, lw->err);
    if (status == VIGIL_STATUS_UNSUPPORTED)
        return VIGIL_STATUS_OK;
    if (status < 0)
        return status;
    n->value = out;
    n->has_value = true;
    *folded = true;
    return VIGIL_STATUS_OK;
}

/* ---- traversal ---- */

static const char *const postprocessing_ops[] = {
    "TopKV2",
    "NonMaxSuppressionV2",
    "NonMaxSuppressionV3",
    "NonMaxSuppressionV4",
    "NonMaxSuppressionV5",
    "CombinedNonMaxSuppression",
};

static bool needs_postprocessing(vigil_tfjs_graph *g, int node) {
    vigil_tfjs_node *n = &g->nodes[node];
    if (n->mark)
        return false;
    n->mark = 1;
    for (size_t i = 0; i < sizeof postprocessing_ops / sizeof postprocessing_ops[0]; i++)
        if (strcmp(n->op, postprocessing_ops[i]) == 0)
            return true;
    for (int k = 0; k < n->n_inputs; k++)
        if (needs_postprocessing(g, n->in_node[k]))
            return true;
    return false;
}

static void clear_marks(vigil_tfjs_graph *g) {
    for (int i = 0; i < g->n_nodes; i++)
        g->nodes[i].mark = 0;
}

/* The output references to keep (pointers into options or g). */
static vigil_status choose_outputs(vigil_tfjs_graph *g, const vigil_tfjs_options *options,
                                   const char ***refs, int *count, vigil_error *err) {
    *count = 0;
    *refs =
        calloc((size_t)g->n_nodes + (options ? (size_t)options->n_outputs : 0) + 1, sizeof **refs);
    if (!*refs)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    if (options && options->n_outputs > 0) {
        for (int i = 0; i < options->n_outputs; i++)
            (*refs)[(*count)++] = options->outputs[i];
        return VIGIL_STATUS_OK;
    }
    for (int i = 0; i < g->n_signature_outputs; i++) {
        int node, slot;
        if (!vigil_tfjs_graph_resolve(g, g->signature_outputs[i], &node, &slot))
            return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                   "signature output '%s' is not a node of the graph",
                                   g->signature_outputs[i]);
        clear_marks(g);
        if (!needs_postprocessing(g, node))
            (*refs)[(*count)++] = g->signature_outputs[i];
    }
    clear_marks(g);
    if (*count > 0)
        return VIGIL_STATUS_OK;
    /* No signature (or only post-processing outputs): take what nothing consumes. */
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            g->nodes[g->nodes[i].in_node[k]].mark = 1;
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i].mark && strcmp(g->nodes[i].op, "Const") != 0 &&
            strcmp(g->nodes[i].op, "NoOp") != 0)
            (*refs)[(*count)++] = g->nodes[i].name;
    clear_marks(g);
    if (*count == 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "the graph has no outputs");
    return VIGIL_STATUS_OK;
}

/* Post-order DFS over data inputs (mark 1 = on the stack, 2 = done). */
static vigil_status visit(vigil_tfjs_graph *g, int node, int *order, int *n, vigil_error *err) {
    vigil_tfjs_node *t = &g->nodes[node];
    if (t->mark == 2)
        return VIGIL_STATUS_OK;
    if (t->mark == 1)
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                               "node '%s' is part of a cycle (control flow is not supported)",
                               t->name);
    t->mark = 1;
    for (int k = 0; k < t->n_inputs; k++) {
        vigil_status status = visit(g, t->in_node[k], order, n, err);
        if (status < 0)
            return status;
    }
    t->mark = 2;
    order[(*n)++] = node;
    return VIGIL_STATUS_OK;
}

/* "name:0" and "name" are the same tensor; graph outputs are named without ":0". */
static void output_name(const char *ref, char *buf, size_t size) {
    snprintf(buf, size, "%s", ref);
    size_t length = strlen(buf);
    if (length > 2 && strcmp(buf + length - 2, ":0") == 0)
        buf[length - 2] = '\0';
}

static vigil_status add_outputs(vigil_lower *lw, const char **refs, int count) {
    for (int i = 0; i < count; i++) {
        int node, slot;
        vigil_tfjs_graph_resolve(lw->g, refs[i], &node, &slot);
        vigil_tfjs_node *n = &lw->g->nodes[node];
        int ir = slot < VIGIL_TFJS_MAX_SLOTS ? n->ir[slot] : -1;
        if (ir < 0 && n->has_value && slot == 0)
            return vigil_error_set(lw->err, VIGIL_STATUS_UNSUPPORTED, "output '%s' is a constant",
                                   refs[i]);
        if (ir < 0)
            return vigil_error_set(lw->err, VIGIL_STATUS_FORMAT, "output '%s' has no value",
                                   refs[i]);
        char name[512];
        output_name(refs[i], name, sizeof name);
        vigil_status status = vigil_ir_add_output(lw->ir, ir, name, lw->err);
        if (status < 0)
            return status;
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_tfjs_lower(vigil_tfjs_graph *g, const vigil_tfjs_options *options, vigil_ir *ir,
                              vigil_error *err) {
    vigil_lower lw = {g, ir, err};
    const char **refs = NULL;
    int n_refs = 0, n_order = 0;
    int *order = malloc((size_t)(g->n_nodes > 0 ? g->n_nodes : 1) * sizeof *order);
    vigil_status status = order ? choose_outputs(g, options, &refs, &n_refs, err)
                                : vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (int i = 0; i < n_refs && status >= 0; i++) {
        int node, slot;
        if (!vigil_tfjs_graph_resolve(g, refs[i], &node, &slot))
            status = vigil_error_set(err, VIGIL_STATUS_NOT_FOUND,
                                     "output '%s' is not a node of the graph", refs[i]);
        else
            status = visit(g, node, order, &n_order, err);
    }
    clear_marks(g);
    for (int i = 0; i < n_order && status >= 0; i++) {
        vigil_tfjs_node *n = &g->nodes[order[i]];
        if (strcmp(n->op, "Const") == 0) {
            if (!n->has_value)
                status =
                    vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                    "Const node '%s' has no entry in weightsManifest", n->name);
            continue;
        }
        bool folded = false;
        status = try_fold(&lw, n, &folded);
        if (status >= 0 && !folded)
            status = lower_node(&lw, n);
    }
    if (status >= 0)
        status = add_outputs(&lw, refs, n_refs);
    free(order);
    free(refs);
    return status;
}
