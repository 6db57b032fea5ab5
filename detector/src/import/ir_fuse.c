/* Fusions: what the engine runs as one op is made one node.
 *
 *  - hard swish and hard sigmoid spelled out in elementwise ops become one activation;
 *  - an explicit zero Pad before a convolution (or a -inf Pad before a max pool) goes
 *    into the window's pads;
 *  - a constant per-channel (or scalar) add, subtract or multiply after a convolution
 *    without activation goes into its bias (and weights);
 *  - an activation after a convolution or binary op that nothing else reads goes into
 *    that op.
 * Modified weights are always fresh constants: the old ones may be shared. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import/tfjs_internal.h"

/* Converters write 1/6 as a constant that TF.js then stores as float16 (0.16662598):
 * a constant within this of 1/6 is taken for one. The difference is not dropped: the
 * fused activation is followed by a multiply by 6 * constant, which later moves into
 * the convolutions that read it when it can (see fold_scale_into_consumers). Rounding
 * it away would shift CenterNet's box sizes by several pixels. */
#define SIXTH_TOLERANCE 1e-3
/* Scales closer to 1 than this are exactly 1 in float. */
#define UNIT_SCALE_TOLERANCE 1e-7

static int input_of(const vigil_ir *ir, int node, int k) {
    return ir->nodes[node].inputs[k];
}

static bool is_op(const vigil_ir *ir, int node, vigil_op_type op) {
    return node >= 0 && !ir->nodes[node].dead && ir->nodes[node].op == op;
}

static bool is_binary(const vigil_ir *ir, int node, vigil_binary_op op) {
    return is_op(ir, node, VIGIL_OP_BINARY) && ir->nodes[node].params.binary.op == op &&
           ir->nodes[node].params.binary.activation == VIGIL_ACTIVATION_NONE;
}

/* A constant holding one value within tolerance of `value`; its value in *found. */
static bool is_scalar(const vigil_ir *ir, int node, double value, double tolerance, float *found) {
    if (!is_op(ir, node, VIGIL_OP_CONST) || vigil_tensor_numel(&ir->nodes[node].value) != 1 ||
        ir->nodes[node].ndim > 4)
        return false;
    float v = ((const float *)ir->nodes[node].value.data)[0];
    if (found)
        *found = v;
    return fabs(v - value) <= tolerance;
}

/* If node is binary `op` of (x, scalar ~value) in either order, returns x, else -1. */
static int other_than_scalar(const vigil_ir *ir, int node, vigil_binary_op op, double value,
                             float *found) {
    if (!is_binary(ir, node, op))
        return -1;
    int a = input_of(ir, node, 0), b = input_of(ir, node, 1);
    double tolerance = op == VIGIL_BINARY_MUL ? SIXTH_TOLERANCE : 1e-6;
    if (is_scalar(ir, b, value, tolerance, found))
        return a;
    if (is_scalar(ir, a, value, tolerance, found))
        return b;
    return -1;
}

/* relu6(x + 3): returns x, or -1. */
static int relu6_plus_3(const vigil_ir *ir, int node) {
    if (!is_op(ir, node, VIGIL_OP_UNARY) ||
        ir->nodes[node].params.unary.activation != VIGIL_ACTIVATION_RELU6)
        return -1;
    return other_than_scalar(ir, input_of(ir, node, 0), VIGIL_BINARY_ADD, 3.0, NULL);
}

/* relu6(x + 3) * sixth in either operand order: returns x, or -1. */
static int hard_sigmoid_of(const vigil_ir *ir, int node, float *sixth) {
    int r = other_than_scalar(ir, node, VIGIL_BINARY_MUL, 1.0 / 6.0, sixth);
    return r >= 0 ? relu6_plus_3(ir, r) : -1;
}

/* x * relu6(x + 3) * sixth in the groupings converters write: returns x, or -1. */
static int hard_swish_of(const vigil_ir *ir, int node, float *sixth) {
    if (!is_binary(ir, node, VIGIL_BINARY_MUL))
        return -1;
    for (int side = 0; side < 2; side++) {
        int a = input_of(ir, node, side), b = input_of(ir, node, 1 - side);
        int x = other_than_scalar(ir, a, VIGIL_BINARY_MUL, 1.0 / 6.0, sixth);
        if (x >= 0 && relu6_plus_3(ir, b) == x) /* (x * sixth) * relu6(x + 3) */
            return x;
        if (hard_sigmoid_of(ir, b, sixth) == a) /* x * (relu6(x + 3) * sixth) */
            return a;
    }
    /* (x * relu6(x + 3)) * sixth */
    int inner = other_than_scalar(ir, node, VIGIL_BINARY_MUL, 1.0 / 6.0, sixth);
    if (inner >= 0 && is_binary(ir, inner, VIGIL_BINARY_MUL))
        for (int side = 0; side < 2; side++)
            if (relu6_plus_3(ir, input_of(ir, inner, 1 - side)) == input_of(ir, inner, side))
                return input_of(ir, inner, side);
    return -1;
}

static int add_node(vigil_ir *ir, vigil_op_type op, const char *base, const char *suffix,
                    const int *inputs, int n, const vigil_op_params *p, vigil_error *err) {
    char *name = vigil_ir_unique_name(ir, base, suffix);
    int index = name ? vigil_ir_add(ir, op, name, inputs, n, p, err)
                     : vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    free(name);
    return index;
}

static int add_const_named(vigil_ir *ir, const char *base, const char *suffix, vigil_tensor *t,
                           vigil_error *err) {
    char *name = vigil_ir_unique_name(ir, base, suffix);
    int index = name ? vigil_ir_add_const(ir, name, t, err)
                     : vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    free(name);
    vigil_tensor_free(t);
    return index;
}

/* Replaces node by activation(x), times scale when scale is not 1. */
static int replace_with_activation(vigil_ir *ir, int node, int x, vigil_activation a, float scale,
                                   vigil_error *err) {
    vigil_op_params p = {.unary = {.activation = a}};
    const char *base = ir->nodes[node].name;
    int act = add_node(ir, VIGIL_OP_UNARY, base, "/fused", &x, 1, &p, err);
    if (act < 0)
        return act;
    int result = act;
    if (fabs(scale - 1.0) > UNIT_SCALE_TOLERANCE) {
        vigil_tensor t;
        vigil_status status = vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, 0, NULL, err);
        if (status < 0)
            return status;
        ((float *)t.data)[0] = scale;
        int k = add_const_named(ir, ir->nodes[node].name, "/scale", &t, err);
        if (k < 0)
            return k;
        vigil_op_params mul = {.binary = {.op = VIGIL_BINARY_MUL}};
        result = add_node(ir, VIGIL_OP_BINARY, ir->nodes[node].name, "/rescale", (int[]){act, k}, 2,
                          &mul, err);
        if (result < 0)
            return result;
    }
    vigil_ir_replace_uses(ir, node, result);
    free(ir->nodes[act].name);
    ir->nodes[act].name = ir->nodes[node].name;
    ir->nodes[node].name = NULL;
    return 1;
}

vigil_status vigil_ir_fuse_hard_swish(vigil_ir *ir, vigil_error *err) {
    for (int pass = 0; pass < 2; pass++) {
        int count = ir->n_nodes;
        for (int i = 0; i < count; i++) {
            if (!is_binary(ir, i, VIGIL_BINARY_MUL) || vigil_ir_use_count(ir, i) == 0)
                continue;
            float sixth = 0.0f;
            int x = pass == 0 ? hard_swish_of(ir, i, &sixth) : hard_sigmoid_of(ir, i, &sixth);
            if (x < 0)
                continue;
            int result = replace_with_activation(
                ir, i, x, pass == 0 ? VIGIL_ACTIVATION_HARD_SWISH : VIGIL_ACTIVATION_HARD_SIGMOID,
                (float)(6.0 * sixth), err);
            if (result < 0)
                return result;
        }
    }
    return VIGIL_STATUS_OK;
}

/* ---- pads ---- */

/* Pads only H and W of an NHWC tensor? */
static bool spatial_pad(const vigil_ir *ir, int pad) {
    const vigil_ir_node *p = &ir->nodes[pad];
    const vigil_ir_node *x = &ir->nodes[p->inputs[0]];
    if (x->ndim != 4)
        return false;
    for (int d = 0; d < 4; d += 3)
        if (p->params.pad.before[d] || p->params.pad.after[d])
            return false;
    return true;
}

static bool pad_foldable_into(const vigil_ir *ir, int pad, int consumer) {
    const vigil_ir_node *c = &ir->nodes[consumer];
    float value = ir->nodes[pad].params.pad.value;
    for (int k = 1; k < c->n_inputs; k++)
        if (c->inputs[k] == pad)
            return false;
    if (c->inputs[0] != pad)
        return false;
    if (c->op == VIGIL_OP_CONV2D)
        return value == 0.0f;
    if (c->op == VIGIL_OP_POOL2D && c->params.pool2d.type == VIGIL_POOL_MAX) {
        /* -inf pads never win a max; a very negative value does not either as long as
         * every window still holds a real element. */
        const vigil_ir_node *p = &ir->nodes[pad];
        for (int d = 0; d < 2; d++)
            if (p->params.pad.before[1 + d] >= c->params.pool2d.kernel[d] ||
                p->params.pad.after[1 + d] >= c->params.pool2d.kernel[d])
                return false;
        return value <= -1e30f;
    }
    return false;
}

vigil_status vigil_ir_fold_pads(vigil_ir *ir, vigil_error *err) {
    int count = ir->n_nodes;
    for (int pad = 0; pad < count; pad++) {
        if (!is_op(ir, pad, VIGIL_OP_PAD) || vigil_ir_is_output(ir, pad) || !spatial_pad(ir, pad) ||
            vigil_ir_use_count(ir, pad) == 0)
            continue;
        bool all = true;
        for (int c = 0; c < ir->n_nodes && all; c++)
            for (int k = 0; k < ir->nodes[c].n_inputs && all; k++)
                if (ir->nodes[c].inputs[k] == pad)
                    all = pad_foldable_into(ir, pad, c);
        if (!all)
            continue;
        const vigil_pad_params *pp = &ir->nodes[pad].params.pad;
        int x = ir->nodes[pad].inputs[0];
        for (int c = 0; c < ir->n_nodes; c++) {
            vigil_ir_node *n = &ir->nodes[c];
            if (n->n_inputs == 0 || n->inputs[0] != pad)
                continue;
            /* SAME pads were resolved against the padded size by shape inference. */
            vigil_padding *padding =
                n->op == VIGIL_OP_CONV2D ? &n->params.conv2d.padding : &n->params.pool2d.padding;
            int *pads = n->op == VIGIL_OP_CONV2D ? n->params.conv2d.pads : n->params.pool2d.pads;
            *padding = VIGIL_PADDING_EXPLICIT;
            pads[0] += (int)pp->before[1];
            pads[1] += (int)pp->after[1];
            pads[2] += (int)pp->before[2];
            pads[3] += (int)pp->after[2];
            n->inputs[0] = x;
            vigil_status status = vigil_ir_infer(ir, c, err);
            if (status < 0)
                return status;
        }
        vigil_ir_drop_if_unused(ir, pad);
    }
    return VIGIL_STATUS_OK;
}

/* ---- convolution bias, scale and activation ---- */

static bool fusable_activation(vigil_activation a) {
    return a == VIGIL_ACTIVATION_RELU || a == VIGIL_ACTIVATION_RELU6 ||
           a == VIGIL_ACTIVATION_LEAKY_RELU || a == VIGIL_ACTIVATION_SIGMOID ||
           a == VIGIL_ACTIVATION_TANH || a == VIGIL_ACTIVATION_HARD_SWISH ||
           a == VIGIL_ACTIVATION_HARD_SIGMOID;
}

/* A convolution whose output only `user` reads and which has no activation yet. */
static bool private_conv(const vigil_ir *ir, int conv) {
    return is_op(ir, conv, VIGIL_OP_CONV2D) &&
           ir->nodes[conv].params.conv2d.activation == VIGIL_ACTIVATION_NONE &&
           vigil_ir_use_count(ir, conv) == 1 && !vigil_ir_is_output(ir, conv);
}

/* A constant that broadcasts over the output channels only: [C], [1,..,1,C] or one value. */
static bool channel_vector(const vigil_ir *ir, int node, int64_t channels) {
    if (!is_op(ir, node, VIGIL_OP_CONST))
        return false;
    const vigil_ir_node *c = &ir->nodes[node];
    int64_t count = vigil_tensor_numel(&c->value);
    if (count == 1)
        return c->ndim <= 4;
    for (int i = 0; i + 1 < c->ndim; i++)
        if (c->shape[i] != 1)
            return false;
    return c->ndim >= 1 && c->ndim <= 4 && count == channels;
}

/* Folds binary node b = conv (op) constant into the convolution. Returns 1 if done. */
static int fold_into_conv(vigil_ir *ir, int b, vigil_error *err) {
    const vigil_ir_node *bn = &ir->nodes[b];
    vigil_binary_op op = bn->params.binary.op;
    if (bn->params.binary.activation != VIGIL_ACTIVATION_NONE ||
        !(op == VIGIL_BINARY_ADD || op == VIGIL_BINARY_SUB || op == VIGIL_BINARY_MUL))
        return 0;
    int conv = bn->inputs[0], k = bn->inputs[1];
    if (op != VIGIL_BINARY_SUB && !is_op(ir, conv, VIGIL_OP_CONV2D)) {
        conv = bn->inputs[1];
        k = bn->inputs[0];
    }
    if (!private_conv(ir, conv))
        return 0;
    const vigil_ir_node *cn = &ir->nodes[conv];
    const vigil_ir_node *w = &ir->nodes[cn->inputs[1]];
    int64_t cout = w->shape[3];
    if (!channel_vector(ir, k, cout) ||
        !vigil_shape_equal(bn->ndim, bn->shape, cn->ndim, cn->shape) || w->op != VIGIL_OP_CONST ||
        (cn->n_inputs == 3 && !is_op(ir, cn->inputs[2], VIGIL_OP_CONST)))
        return 0;
    const float *kv = ir->nodes[k].value.data;
    bool scalar = vigil_tensor_numel(&ir->nodes[k].value) == 1;
    const float *old_bias = cn->n_inputs == 3 ? ir->nodes[cn->inputs[2]].value.data : NULL;
    vigil_tensor bias, weights = {0};
    vigil_status status = vigil_tensor_alloc(&bias, VIGIL_DTYPE_F32, 1, &cout, err);
    if (status < 0)
        return status;
    for (int64_t c = 0; c < cout; c++) {
        float v = old_bias ? old_bias[c] : 0.0f, kc = kv[scalar ? 0 : c];
        ((float *)bias.data)[c] = op == VIGIL_BINARY_ADD   ? v + kc
                                  : op == VIGIL_BINARY_SUB ? v - kc
                                                           : v * kc;
    }
    if (op == VIGIL_BINARY_MUL) {
        status = vigil_tensor_alloc(&weights, VIGIL_DTYPE_F32, w->ndim, w->shape, err);
        if (status < 0) {
            vigil_tensor_free(&bias);
            return status;
        }
        int64_t count = vigil_tensor_numel(&w->value);
        for (int64_t i = 0; i < count; i++)
            ((float *)weights.data)[i] =
                ((const float *)w->value.data)[i] * kv[scalar ? 0 : i % cout];
    }
    char *base = strdup(cn->name);
    if (!base) {
        vigil_tensor_free(&bias);
        vigil_tensor_free(&weights);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    int wi = cn->inputs[1];
    if (weights.data)
        wi = add_const_named(ir, base, "/scaled_weights", &weights, err);
    int bi = wi < 0 ? wi : add_const_named(ir, base, "/folded_bias", &bias, err);
    vigil_tensor_free(&bias);
    free(base);
    if (bi < 0)
        return bi;
    vigil_ir_node *c = &ir->nodes[conv];
    int *inputs = realloc(c->inputs, 3 * sizeof *inputs);
    if (!inputs)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    c->inputs = inputs;
    int old_w = inputs[1], old_b = c->n_inputs == 3 ? inputs[2] : -1;
    inputs[1] = wi;
    inputs[2] = bi;
    c->n_inputs = 3;
    vigil_ir_drop_if_unused(ir, old_w);
    if (old_b >= 0)
        vigil_ir_drop_if_unused(ir, old_b);
    vigil_ir_replace_uses(ir, b, conv);
    return 1;
}

/* m = y * k, with k one value, read only as the input of convolutions (as after a
 * hard swish whose 1/6 was not quite 1/6): the convolutions' weights take the factor
 * (zero padding commutes with it) and read y. Returns 1 if done. */
static int fold_scale_into_consumers(vigil_ir *ir, int m, vigil_error *err) {
    if (!is_binary(ir, m, VIGIL_BINARY_MUL) || vigil_ir_is_output(ir, m))
        return 0;
    int y = input_of(ir, m, 0), k = input_of(ir, m, 1);
    float scale;
    if (!is_scalar(ir, k, 0.0, INFINITY, &scale)) {
        y = input_of(ir, m, 1);
        k = input_of(ir, m, 0);
        if (!is_scalar(ir, k, 0.0, INFINITY, &scale))
            return 0;
    }
    if (ir->nodes[y].op == VIGIL_OP_CONST ||
        !vigil_shape_equal(ir->nodes[y].ndim, ir->nodes[y].shape, ir->nodes[m].ndim,
                           ir->nodes[m].shape))
        return 0;
    int consumers = 0;
    for (int c = 0; c < ir->n_nodes; c++) {
        const vigil_ir_node *cn = &ir->nodes[c];
        for (int i = 0; i < cn->n_inputs; i++) {
            if (cn->inputs[i] != m)
                continue;
            if (cn->op != VIGIL_OP_CONV2D || i != 0 || !is_op(ir, cn->inputs[1], VIGIL_OP_CONST))
                return 0;
            consumers++;
        }
    }
    if (consumers == 0)
        return 0;
    for (int c = 0; c < ir->n_nodes; c++) {
        if (ir->nodes[c].dead || ir->nodes[c].n_inputs == 0 || ir->nodes[c].inputs[0] != m)
            continue;
        int old_w = ir->nodes[c].inputs[1];
        const vigil_tensor *w = &ir->nodes[old_w].value;
        vigil_tensor scaled;
        vigil_status status = vigil_tensor_alloc(&scaled, VIGIL_DTYPE_F32, w->ndim, w->shape, err);
        if (status < 0)
            return status;
        for (int64_t i = 0; i < vigil_tensor_numel(w); i++)
            ((float *)scaled.data)[i] = ((const float *)w->data)[i] * scale;
        int wi = add_const_named(ir, ir->nodes[c].name, "/scaled_weights", &scaled, err);
        if (wi < 0)
            return wi;
        ir->nodes[c].inputs[0] = y;
        ir->nodes[c].inputs[1] = wi;
        vigil_ir_drop_if_unused(ir, old_w);
    }
    vigil_ir_drop_if_unused(ir, m);
    return 1;
}

/* Moves activation node u into the conv or binary op feeding it. Returns 1 if done. */
static int fuse_activation(vigil_ir *ir, int u) {
    const vigil_ir_node *un = &ir->nodes[u];
    if (!fusable_activation(un->params.unary.activation))
        return 0;
    int x = un->inputs[0];
    vigil_ir_node *xn = &ir->nodes[x];
    if (vigil_ir_use_count(ir, x) != 1 || vigil_ir_is_output(ir, x))
        return 0;
    if (xn->op == VIGIL_OP_CONV2D && xn->params.conv2d.activation == VIGIL_ACTIVATION_NONE) {
        xn->params.conv2d.activation = un->params.unary.activation;
        xn->params.conv2d.alpha = un->params.unary.alpha;
    } else if (xn->op == VIGIL_OP_BINARY && xn->params.binary.activation == VIGIL_ACTIVATION_NONE) {
        xn->params.binary.activation = un->params.unary.activation;
        xn->params.binary.alpha = un->params.unary.alpha;
    } else {
        return 0;
    }
    vigil_ir_replace_uses(ir, u, x);
    return 1;
}

vigil_status vigil_ir_fuse_conv(vigil_ir *ir, vigil_error *err) {
    for (int changed = 1; changed;) {
        changed = 0;
        int count = ir->n_nodes;
        for (int i = 0; i < count; i++) {
            if (ir->nodes[i].dead || vigil_ir_use_count(ir, i) == 0)
                continue;
            int result = 0;
            if (ir->nodes[i].op == VIGIL_OP_BINARY)
                result = fold_into_conv(ir, i, err);
            if (result == 0 && ir->nodes[i].op == VIGIL_OP_BINARY)
                result = fold_scale_into_consumers(ir, i, err);
            else if (ir->nodes[i].op == VIGIL_OP_UNARY)
                result = fuse_activation(ir, i);
            if (result < 0)
                return result;
            changed += result;
        }
    }
    return VIGIL_STATUS_OK;
}

void vigil_ir_mark_keep_batch(vigil_ir *ir) {
    for (int i = 0; i < ir->n_nodes; i++) {
        vigil_ir_node *n = &ir->nodes[i];
        if (n->dead || n->n_inputs == 0 || ir->nodes[n->inputs[0]].ndim == 0)
            continue;
        const vigil_ir_node *x = &ir->nodes[n->inputs[0]];
        if (n->op == VIGIL_OP_RESHAPE)
            n->params.reshape.keep_batch =
                n->params.reshape.ndim > 0 && n->params.reshape.shape[0] == x->shape[0];
        else if (n->op == VIGIL_OP_SLICE)
            n->params.slice.keep_batch = n->params.slice.begin[0] == 0 &&
                                         n->params.slice.end[0] == x->shape[0] &&
                                         n->params.slice.step[0] == 1;
    }
}
