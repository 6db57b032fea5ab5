/* Lowering of TF convolutions, pools and batch norms onto vigil's NHWC ops.
 *
 * Depthwise filters [kh, kw, C, mult] are already, in memory, the HWIO weights
 * [kh, kw, 1, C * mult] of a grouped convolution with C groups: output channel
 * c * mult + m reads input channel c. Batch norms folded by the converter into
 * _FusedConv2D (fused_ops FusedBatchNorm) are folded into the weights here. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "import/tfjs_lower.h"

static vigil_status check_nhwc(vigil_lower *lw, const vigil_tfjs_node *n) {
    char buf[16];
    const char *format = vigil_tfjs_attr_string(n, "data_format", "NHWC", buf, sizeof buf);
    if (strcmp(format, "NHWC") != 0)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED,
                                "data_format other than NHWC is not supported");
    return VIGIL_STATUS_OK;
}

/* Reads a 4-entry NHWC attribute (strides, ksize, dilations) into h, w. */
static vigil_status hw_attr(vigil_lower *lw, const vigil_tfjs_node *n, const char *key, int def,
                            int out[2]) {
    int64_t v[8];
    int count = vigil_tfjs_attr_ints(n, key, v, 8);
    out[0] = out[1] = def;
    if (count < 0)
        return VIGIL_STATUS_OK;
    if (count != 4 || v[0] != 1 || v[3] != 1 || v[1] < 1 || v[2] < 1 || v[1] > 1 << 16 ||
        v[2] > 1 << 16) {
        char what[96];
        snprintf(what, sizeof what, "attribute %s must be [1, h, w, 1] with h, w >= 1", key);
        return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED, what);
    }
    out[0] = (int)v[1];
    out[1] = (int)v[2];
    return VIGIL_STATUS_OK;
}

static vigil_status window_padding(vigil_lower *lw, const vigil_tfjs_node *n,
                                   vigil_padding *padding, int pads[4]) {
    char buf[16];
    const char *mode = vigil_tfjs_attr_string(n, "padding", "VALID", buf, sizeof buf);
    memset(pads, 0, 4 * sizeof *pads);
    *padding = VIGIL_PADDING_EXPLICIT;
    if (strcmp(mode, "SAME") == 0) {
        *padding = VIGIL_PADDING_SAME;
        return VIGIL_STATUS_OK;
    }
    if (strcmp(mode, "VALID") == 0)
        return VIGIL_STATUS_OK;
    if (strcmp(mode, "EXPLICIT") != 0)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED, "unknown padding mode");
    int64_t e[8];
    if (vigil_tfjs_attr_ints(n, "explicit_paddings", e, 8) != 8 || e[0] || e[1] || e[6] || e[7])
        return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED,
                                "explicit_paddings must give 8 values, padding only H and W");
    for (int i = 0; i < 4; i++) {
        if (e[2 + i] < 0 || e[2 + i] > 1 << 16)
            return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "explicit_paddings out of range");
        pads[i] = (int)e[2 + i];
    }
    return VIGIL_STATUS_OK;
}

static vigil_status activation_of(vigil_lower *lw, const vigil_tfjs_node *n, const char *name,
                                  vigil_activation *a, float *alpha) {
    *alpha = 0.0f;
    if (strcmp(name, "Relu") == 0)
        *a = VIGIL_ACTIVATION_RELU;
    else if (strcmp(name, "Relu6") == 0)
        *a = VIGIL_ACTIVATION_RELU6;
    else if (strcmp(name, "Sigmoid") == 0)
        *a = VIGIL_ACTIVATION_SIGMOID;
    else if (strcmp(name, "Tanh") == 0)
        *a = VIGIL_ACTIVATION_TANH;
    else if (strcmp(name, "LeakyRelu") == 0) {
        *a = VIGIL_ACTIVATION_LEAKY_RELU;
        *alpha = vigil_tfjs_attr_float(n, "leakyrelu_alpha", 0.2f);
    } else {
        char what[192];
        snprintf(what, sizeof what, "unsupported fused activation '%.120s'", name);
        return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED, what);
    }
    return VIGIL_STATUS_OK;
}

/* Copies the filter (reshaped to HWIO for a depthwise one) as a new IR constant. */
static int filter_const(vigil_lower *lw, const vigil_tfjs_node *n, const vigil_tensor *w,
                        bool depthwise, const float *scale) {
    int64_t shape[4] = {w->shape[0], w->shape[1], w->shape[2], w->shape[3]};
    if (depthwise) {
        shape[2] = 1;
        shape[3] = w->shape[2] * w->shape[3];
    }
    vigil_tensor copy;
    if (vigil_tensor_alloc(&copy, VIGIL_DTYPE_F32, 4, shape, lw->err) < 0)
        return lw->err ? lw->err->status : VIGIL_STATUS_NO_MEMORY;
    int64_t count = vigil_tensor_numel(w), cout = shape[3];
    float *dst = copy.data;
    for (int64_t i = 0; i < count; i++) {
        float v = w->dtype == VIGIL_DTYPE_F32 ? ((const float *)w->data)[i]
                                              : (float)((const int32_t *)w->data)[i];
        dst[i] = scale ? v * scale[i % cout] : v;
    }
    return vigil_lower_add_const(lw, n, "/weights", &copy);
}

/* Batch norm as a per-channel scale and shift: y = x * s + t. */
static vigil_status batch_norm_factors(vigil_lower *lw, const vigil_tfjs_node *n, int first,
                                       int64_t channels, float epsilon, vigil_tensor *s,
                                       vigil_tensor *t) {
    const char *names[4] = {"scale", "offset", "mean", "variance"};
    const vigil_tensor *v[4];
    for (int i = 0; i < 4; i++) {
        v[i] = vigil_lower_require_const(lw, n, first + i, names[i]);
        if (!v[i])
            return lw->err ? lw->err->status : VIGIL_STATUS_FORMAT;
        if (vigil_tensor_numel(v[i]) != channels || v[i]->dtype != VIGIL_DTYPE_F32)
            return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT,
                                    "batch norm vectors must hold one float per channel");
    }
    vigil_status status = vigil_tensor_alloc(s, VIGIL_DTYPE_F32, 1, &channels, lw->err);
    if (status >= 0)
        status = vigil_tensor_alloc(t, VIGIL_DTYPE_F32, 1, &channels, lw->err);
    if (status < 0) {
        vigil_tensor_free(s);
        return status;
    }
    for (int64_t c = 0; c < channels; c++) {
        double scale =
            ((const float *)v[0]->data)[c] / sqrt((double)((const float *)v[3]->data)[c] + epsilon);
        ((float *)s->data)[c] = (float)scale;
        ((float *)t->data)[c] =
            (float)(((const float *)v[1]->data)[c] - ((const float *)v[2]->data)[c] * scale);
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_lower_conv(vigil_lower *lw, vigil_tfjs_node *n) {
    bool depthwise = strstr(n->op, "Depthwise") != NULL;
    bool fused = strncmp(n->op, "Fused", 5) == 0 || strncmp(n->op, "_Fused", 6) == 0;
    vigil_op_params p = {0};
    vigil_conv2d_params *c = &p.conv2d;
    vigil_status status;
    if ((status = check_nhwc(lw, n)) < 0 ||
        (status = hw_attr(lw, n, "strides", 1, c->stride)) < 0 ||
        (status = hw_attr(lw, n, "dilations", 1, c->dilation)) < 0 ||
        (status = window_padding(lw, n, &c->padding, c->pads)) < 0)
        return status;
    if (n->n_inputs < 2)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "needs an input and a filter");
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    const vigil_tensor *w = vigil_lower_require_const(lw, n, 1, "filter");
    if (!w)
        return lw->err ? lw->err->status : VIGIL_STATUS_FORMAT;
    const vigil_ir_node *xn = &lw->ir->nodes[x];
    if (w->ndim != 4 || xn->ndim != 4)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "input and filter must be 4-D");
    int64_t channels = xn->shape[3];
    int64_t cout = depthwise ? w->shape[2] * w->shape[3] : w->shape[3];
    if (depthwise ? w->shape[2] != channels : (w->shape[2] < 1 || channels % w->shape[2] != 0))
        return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT,
                                "filter input channels do not divide the input's channels");
    c->groups = (int)(depthwise ? channels : channels / w->shape[2]);

    char ops[4][32];
    int n_ops = fused ? vigil_tfjs_attr_strings(n, "fused_ops", ops, 4) : 0;
    int k = 0, bias = -1;
    vigil_tensor bn_scale = {0}, bn_shift = {0};
    if (n_ops > 0 && strcmp(ops[0], "BiasAdd") == 0) {
        if (n->n_inputs < 3)
            return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "BiasAdd without a bias input");
        if ((bias = vigil_lower_input(lw, n, 2)) < 0)
            return bias;
        k = 1;
    } else if (n_ops > 0 && strcmp(ops[0], "FusedBatchNorm") == 0) {
        float epsilon = vigil_tfjs_attr_float(n, "epsilon", 0.001f);
        if (n->n_inputs < 6)
            return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "FusedBatchNorm needs 4 arguments");
        if ((status = batch_norm_factors(lw, n, 2, cout, epsilon, &bn_scale, &bn_shift)) < 0)
            return status;
        k = 1;
    }
    if (n_ops < 0)
        status = vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT, "unreadable fused_ops");
    else if (k < n_ops)
        status = activation_of(lw, n, ops[k++], &c->activation, &c->alpha);
    if (status >= 0 && k < n_ops)
        status = vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED, "more than two fused ops");
    int weights = status < 0 ? status : filter_const(lw, n, w, depthwise, bn_scale.data);
    if (weights >= 0 && bn_shift.data)
        bias = vigil_lower_add_const(lw, n, "/bias", &bn_shift);
    bool folded_bn = bn_scale.data != NULL;
    vigil_tensor_free(&bn_scale);
    vigil_tensor_free(&bn_shift);
    if (weights < 0)
        return weights;
    if (folded_bn && bias < 0)
        return bias;
    int inputs[3] = {x, weights, bias};
    int index = vigil_lower_add(lw, n, "", VIGIL_OP_CONV2D, inputs, bias >= 0 ? 3 : 2, &p);
    if (index < 0)
        return index;
    n->ir[0] = index;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_lower_pool(vigil_lower *lw, vigil_tfjs_node *n) {
    vigil_op_params p = {0};
    vigil_pool2d_params *pool = &p.pool2d;
    pool->type = strcmp(n->op, "MaxPool") == 0 ? VIGIL_POOL_MAX : VIGIL_POOL_AVG;
    vigil_status status;
    if ((status = check_nhwc(lw, n)) < 0 ||
        (status = hw_attr(lw, n, "ksize", 1, pool->kernel)) < 0 ||
        (status = hw_attr(lw, n, "strides", 1, pool->stride)) < 0 ||
        (status = window_padding(lw, n, &pool->padding, pool->pads)) < 0)
        return status;
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    int index = vigil_lower_add(lw, n, "", VIGIL_OP_POOL2D, &x, 1, &p);
    if (index < 0)
        return index;
    n->ir[0] = index;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_lower_batch_norm(vigil_lower *lw, vigil_tfjs_node *n) {
    vigil_status status = check_nhwc(lw, n);
    if (status < 0)
        return status;
    if (vigil_tfjs_attr_bool(n, "is_training", false))
        return vigil_lower_fail(lw, n, VIGIL_STATUS_UNSUPPORTED, "training-mode batch norm");
    if (n->n_inputs < 5)
        return vigil_lower_fail(lw, n, VIGIL_STATUS_FORMAT,
                                "needs x, scale, offset, mean, variance");
    int x = vigil_lower_input(lw, n, 0);
    if (x < 0)
        return x;
    const vigil_ir_node *xn = &lw->ir->nodes[x];
    int64_t channels = xn->ndim > 0 ? xn->shape[xn->ndim - 1] : 0;
    vigil_tensor s, t;
    status =
        batch_norm_factors(lw, n, 1, channels, vigil_tfjs_attr_float(n, "epsilon", 0.001f), &s, &t);
    if (status < 0)
        return status;
    int sc = vigil_lower_add_const(lw, n, "/scale", &s);
    int sh = sc >= 0 ? vigil_lower_add_const(lw, n, "/shift", &t) : sc;
    vigil_tensor_free(&s);
    vigil_tensor_free(&t);
    if (sh < 0)
        return sh;
    vigil_op_params p = {.binary = {.op = VIGIL_BINARY_MUL}};
    int mul = vigil_lower_add(lw, n, "/mul", VIGIL_OP_BINARY, (int[]){x, sc}, 2, &p);
    if (mul < 0)
        return mul;
    p.binary.op = VIGIL_BINARY_ADD;
    int add = vigil_lower_add(lw, n, "", VIGIL_OP_BINARY, (int[]){mul, sh}, 2, &p);
    if (add < 0)
        return add;
    n->ir[0] = add;
    return VIGIL_STATUS_OK;
}
