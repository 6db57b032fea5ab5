/* Op parameters as JSON and back, one small writer and reader per op type.
 *
 * Per-dimension parameters (slice, pad, transpose) are written for the rank of the
 * node's input; a reader fills the dimensions it was not given with neutral values.
 * Non-finite floats (a max-pool pad of -inf) are written as the strings "inf", "-inf"
 * and "nan" because JSON has no spelling for them. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/model_internal.h"

static const char *const reduce_names[] = {"mean", "max", "sum"};
static const char *const pool_names[] = {"max", "avg"};
static const char *const resize_names[] = {"bilinear", "nearest"};
static const char *const padding_names[] = {"explicit", "same"};

#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

/* ---- writing ---- */

static void add_ints(cJSON *obj, const char *key, const int *v, int n) {
    cJSON_AddItemToObject(obj, key, cJSON_CreateIntArray(v, n));
}

static void add_int64s(cJSON *obj, const char *key, const int64_t *v, int n) {
    cJSON *array = cJSON_AddArrayToObject(obj, key);
    for (int i = 0; array && i < n; i++)
        cJSON_AddItemToArray(array, cJSON_CreateNumber((double)v[i]));
}

static void add_float(cJSON *obj, const char *key, float v) {
    if (isfinite(v))
        cJSON_AddNumberToObject(obj, key, vigil_model_float_json(v));
    else
        cJSON_AddStringToObject(obj, key, isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
}

static void add_activation(cJSON *obj, vigil_activation a, float alpha) {
    if (a == VIGIL_ACTIVATION_NONE)
        return;
    cJSON_AddStringToObject(obj, "activation", vigil_activation_name(a));
    if (a == VIGIL_ACTIVATION_LEAKY_RELU)
        add_float(obj, "alpha", alpha);
}

cJSON *vigil_model_params_to_json(vigil_op_type op, const vigil_op_params *p, int ndim) {
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    int n = ndim > 0 && ndim <= VIGIL_MAX_DIMS ? ndim : VIGIL_MAX_DIMS;
    switch (op) {
    case VIGIL_OP_CONV2D:
        add_ints(obj, "stride", p->conv2d.stride, 2);
        add_ints(obj, "dilation", p->conv2d.dilation, 2);
        cJSON_AddNumberToObject(obj, "groups", p->conv2d.groups);
        cJSON_AddStringToObject(obj, "padding", padding_names[p->conv2d.padding & 1]);
        if (p->conv2d.padding == VIGIL_PADDING_EXPLICIT)
            add_ints(obj, "pads", p->conv2d.pads, 4);
        add_activation(obj, p->conv2d.activation, p->conv2d.alpha);
        break;
    case VIGIL_OP_UNARY:
        cJSON_AddStringToObject(obj, "activation", vigil_activation_name(p->unary.activation));
        if (p->unary.activation == VIGIL_ACTIVATION_LEAKY_RELU)
            add_float(obj, "alpha", p->unary.alpha);
        break;
    case VIGIL_OP_BINARY:
        cJSON_AddStringToObject(obj, "op", vigil_binary_op_name(p->binary.op));
        add_activation(obj, p->binary.activation, p->binary.alpha);
        break;
    case VIGIL_OP_REDUCE:
        cJSON_AddStringToObject(obj, "op", reduce_names[p->reduce.op % COUNT(reduce_names)]);
        add_ints(obj, "axes", p->reduce.axes, p->reduce.naxes);
        cJSON_AddBoolToObject(obj, "keep_dims", p->reduce.keep_dims);
        break;
    case VIGIL_OP_POOL2D:
        cJSON_AddStringToObject(obj, "type", pool_names[p->pool2d.type & 1]);
        add_ints(obj, "kernel", p->pool2d.kernel, 2);
        add_ints(obj, "stride", p->pool2d.stride, 2);
        cJSON_AddStringToObject(obj, "padding", padding_names[p->pool2d.padding & 1]);
        if (p->pool2d.padding == VIGIL_PADDING_EXPLICIT)
            add_ints(obj, "pads", p->pool2d.pads, 4);
        break;
    case VIGIL_OP_RESIZE:
        cJSON_AddStringToObject(obj, "mode", resize_names[p->resize.mode & 1]);
        add_ints(obj, "size", p->resize.size, 2);
        cJSON_AddBoolToObject(obj, "align_corners", p->resize.align_corners);
        cJSON_AddBoolToObject(obj, "half_pixel_centers", p->resize.half_pixel_centers);
        break;
    case VIGIL_OP_CONCAT:
        cJSON_AddNumberToObject(obj, "axis", p->concat.axis);
        break;
    case VIGIL_OP_SLICE:
        add_int64s(obj, "begin", p->slice.begin, n);
        add_int64s(obj, "end", p->slice.end, n);
        add_int64s(obj, "step", p->slice.step, n);
        if (p->slice.keep_batch)
            cJSON_AddBoolToObject(obj, "keep_batch", true);
        break;
    case VIGIL_OP_PAD:
        add_int64s(obj, "before", p->pad.before, n);
        add_int64s(obj, "after", p->pad.after, n);
        add_float(obj, "value", p->pad.value);
        break;
    case VIGIL_OP_TRANSPOSE:
        add_ints(obj, "perm", p->transpose.perm, n);
        break;
    case VIGIL_OP_RESHAPE:
        add_int64s(obj, "shape", p->reshape.shape, p->reshape.ndim);
        cJSON_AddBoolToObject(obj, "keep_batch", p->reshape.keep_batch);
        break;
    default:
        break;
    }
    return obj;
}

/* ---- reading ---- */

static const cJSON *member(const cJSON *obj, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static vigil_status bad(vigil_error *err, const char *key, const char *what) {
    return vigil_error_set(err, VIGIL_STATUS_FORMAT, "parameter \"%s\" %s", key, what);
}

static bool is_integer(const cJSON *item) {
    return cJSON_IsNumber(item) && item->valuedouble == floor(item->valuedouble) &&
           fabs(item->valuedouble) < 9.0e15;
}

/* Reads an integer array of 1..max entries (exactly `exact` when exact > 0), each >= min. */
static vigil_status get_int64s(const cJSON *obj, const char *key, int exact, int max, int64_t min,
                               int64_t *out, int *count, vigil_error *err) {
    const cJSON *array = member(obj, key);
    if (!cJSON_IsArray(array))
        return bad(err, key, "is missing or not an array");
    int n = cJSON_GetArraySize(array);
    if ((exact > 0 && n != exact) || n > max)
        return bad(err, key,
                   exact > 0 ? "has the wrong number of entries" : "has too many entries");
    for (int i = 0; i < n; i++) {
        const cJSON *item = cJSON_GetArrayItem(array, i);
        if (!is_integer(item) || item->valuedouble < (double)min)
            return bad(err, key, "holds a value that is not an integer in range");
        out[i] = (int64_t)item->valuedouble;
    }
    if (count)
        *count = n;
    return VIGIL_STATUS_OK;
}

static vigil_status get_ints(const cJSON *obj, const char *key, int exact, int max, int min,
                             int *out, int *count, vigil_error *err) {
    int64_t values[VIGIL_MAX_DIMS];
    int n = 0;
    if (max > VIGIL_MAX_DIMS)
        max = VIGIL_MAX_DIMS;
    vigil_status status = get_int64s(obj, key, exact, max, min, values, &n, err);
    if (status < 0)
        return status;
    for (int i = 0; i < n; i++) {
        if (values[i] > 1 << 30)
            return bad(err, key, "holds a value that is too large");
        out[i] = (int)values[i];
    }
    if (count)
        *count = n;
    return VIGIL_STATUS_OK;
}

static vigil_status get_int(const cJSON *obj, const char *key, int def, int min, int *out,
                            vigil_error *err) {
    const cJSON *item = member(obj, key);
    if (!item) {
        *out = def;
        return VIGIL_STATUS_OK;
    }
    if (!is_integer(item) || item->valuedouble < min || item->valuedouble > (1 << 30))
        return bad(err, key, "is not an integer in range");
    *out = (int)item->valuedouble;
    return VIGIL_STATUS_OK;
}

static vigil_status get_bool(const cJSON *obj, const char *key, bool *out, vigil_error *err) {
    const cJSON *item = member(obj, key);
    if (!item) {
        *out = false;
        return VIGIL_STATUS_OK;
    }
    if (!cJSON_IsBool(item))
        return bad(err, key, "is not true or false");
    *out = cJSON_IsTrue(item);
    return VIGIL_STATUS_OK;
}

static vigil_status get_float(const cJSON *obj, const char *key, float def, float *out,
                              vigil_error *err) {
    const cJSON *item = member(obj, key);
    if (!item)
        *out = def;
    else if (cJSON_IsNumber(item))
        *out = (float)item->valuedouble;
    else if (cJSON_IsString(item) && strcmp(item->valuestring, "-inf") == 0)
        *out = -INFINITY;
    else if (cJSON_IsString(item) && strcmp(item->valuestring, "inf") == 0)
        *out = INFINITY;
    else if (cJSON_IsString(item) && strcmp(item->valuestring, "nan") == 0)
        *out = NAN;
    else
        return bad(err, key, "is not a number");
    return VIGIL_STATUS_OK;
}

/* Looks a string parameter up in names[]; def when absent (def < 0: required). */
static vigil_status get_enum(const cJSON *obj, const char *key, const char *const *names, int n,
                             int def, int *out, vigil_error *err) {
    const cJSON *item = member(obj, key);
    if (!item && def >= 0) {
        *out = def;
        return VIGIL_STATUS_OK;
    }
    if (!cJSON_IsString(item))
        return bad(err, key, "is missing or not a string");
    for (int i = 0; i < n; i++)
        if (strcmp(item->valuestring, names[i]) == 0) {
            *out = i;
            return VIGIL_STATUS_OK;
        }
    return vigil_error_set(err, VIGIL_STATUS_FORMAT, "parameter \"%s\": unknown value '%s'", key,
                           item->valuestring);
}

static vigil_status get_activation(const cJSON *obj, bool required, vigil_activation *a,
                                   float *alpha, vigil_error *err) {
    const cJSON *item = member(obj, "activation");
    *a = VIGIL_ACTIVATION_NONE;
    if (!item && required)
        return bad(err, "activation", "is missing");
    if (item && (!cJSON_IsString(item) || !vigil_activation_from_name(item->valuestring, a)))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "parameter \"activation\": unknown value '%s'",
                               cJSON_IsString(item) ? item->valuestring : "?");
    vigil_status status = get_float(obj, "alpha", 0.0f, alpha, err);
    if (status >= 0 && !isfinite(*alpha))
        return bad(err, "alpha", "is not finite");
    return status;
}

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        vigil_status try_status_ = (expr);                                                         \
        if (try_status_ < 0)                                                                       \
            return try_status_;                                                                    \
    } while (0)

static vigil_status conv2d_from_json(const cJSON *obj, vigil_conv2d_params *c, vigil_error *err) {
    int padding = 0;
    TRY(get_ints(obj, "stride", 2, 2, 1, c->stride, NULL, err));
    TRY(get_ints(obj, "dilation", 2, 2, 0, c->dilation, NULL, err));
    TRY(get_int(obj, "groups", 1, 0, &c->groups, err));
    TRY(get_enum(obj, "padding", padding_names, COUNT(padding_names), -1, &padding, err));
    c->padding = (vigil_padding)padding;
    if (c->padding == VIGIL_PADDING_EXPLICIT)
        TRY(get_ints(obj, "pads", 4, 4, 0, c->pads, NULL, err));
    return get_activation(obj, false, &c->activation, &c->alpha, err);
}

static vigil_status pool2d_from_json(const cJSON *obj, vigil_pool2d_params *p, vigil_error *err) {
    int type = 0, padding = 0;
    TRY(get_enum(obj, "type", pool_names, COUNT(pool_names), -1, &type, err));
    p->type = (vigil_pool_type)type;
    TRY(get_ints(obj, "kernel", 2, 2, 1, p->kernel, NULL, err));
    TRY(get_ints(obj, "stride", 2, 2, 1, p->stride, NULL, err));
    TRY(get_enum(obj, "padding", padding_names, COUNT(padding_names), -1, &padding, err));
    p->padding = (vigil_padding)padding;
    if (p->padding == VIGIL_PADDING_EXPLICIT)
        TRY(get_ints(obj, "pads", 4, 4, 0, p->pads, NULL, err));
    return VIGIL_STATUS_OK;
}

static vigil_status reduce_from_json(const cJSON *obj, vigil_reduce_params *r, vigil_error *err) {
    int op = 0;
    TRY(get_enum(obj, "op", reduce_names, COUNT(reduce_names), -1, &op, err));
    r->op = (vigil_reduce_op)op;
    TRY(get_ints(obj, "axes", 0, VIGIL_MAX_DIMS, 0, r->axes, &r->naxes, err));
    if (r->naxes == 0)
        return bad(err, "axes", "is empty");
    for (int i = 0; i < r->naxes; i++)
        if (r->axes[i] >= VIGIL_MAX_DIMS)
            return bad(err, "axes", "holds an axis beyond the largest rank");
    return get_bool(obj, "keep_dims", &r->keep_dims, err);
}

static vigil_status resize_from_json(const cJSON *obj, vigil_resize_params *r, vigil_error *err) {
    int mode = 0;
    TRY(get_enum(obj, "mode", resize_names, COUNT(resize_names), -1, &mode, err));
    r->mode = (vigil_resize_mode)mode;
    TRY(get_ints(obj, "size", 2, 2, 1, r->size, NULL, err));
    TRY(get_bool(obj, "align_corners", &r->align_corners, err));
    return get_bool(obj, "half_pixel_centers", &r->half_pixel_centers, err);
}

static vigil_status slice_from_json(const cJSON *obj, vigil_slice_params *s, vigil_error *err) {
    int nb = 0, ne = 0, ns = 0;
    TRY(get_int64s(obj, "begin", 0, VIGIL_MAX_DIMS, 0, s->begin, &nb, err));
    TRY(get_int64s(obj, "end", 0, VIGIL_MAX_DIMS, 0, s->end, &ne, err));
    TRY(get_int64s(obj, "step", 0, VIGIL_MAX_DIMS, 1, s->step, &ns, err));
    if (nb != ne || nb != ns)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "parameters \"begin\", \"end\" and \"step\" differ in length");
    for (int i = nb; i < VIGIL_MAX_DIMS; i++)
        s->step[i] = 1;
    return get_bool(obj, "keep_batch", &s->keep_batch, err);
}

static vigil_status pad_from_json(const cJSON *obj, vigil_pad_params *p, vigil_error *err) {
    int nb = 0, na = 0;
    TRY(get_int64s(obj, "before", 0, VIGIL_MAX_DIMS, 0, p->before, &nb, err));
    TRY(get_int64s(obj, "after", 0, VIGIL_MAX_DIMS, 0, p->after, &na, err));
    if (nb != na)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "parameters \"before\" and \"after\" differ in length");
    return get_float(obj, "value", 0.0f, &p->value, err);
}

static vigil_status transpose_from_json(const cJSON *obj, vigil_transpose_params *t,
                                        vigil_error *err) {
    int n = 0;
    TRY(get_ints(obj, "perm", 0, VIGIL_MAX_DIMS, 0, t->perm, &n, err));
    bool seen[VIGIL_MAX_DIMS] = {false};
    for (int i = 0; i < n; i++) {
        if (t->perm[i] >= n || seen[t->perm[i]])
            return bad(err, "perm", "is not a permutation");
        seen[t->perm[i]] = true;
    }
    for (int i = n; i < VIGIL_MAX_DIMS; i++)
        t->perm[i] = i;
    return VIGIL_STATUS_OK;
}

static vigil_status reshape_from_json(const cJSON *obj, vigil_reshape_params *r, vigil_error *err) {
    TRY(get_int64s(obj, "shape", 0, VIGIL_MAX_DIMS, -1, r->shape, &r->ndim, err));
    int unknown = 0;
    for (int i = 0; i < r->ndim; i++)
        unknown += r->shape[i] == -1;
    if (unknown > 1)
        return bad(err, "shape", "has more than one -1");
    return get_bool(obj, "keep_batch", &r->keep_batch, err);
}

vigil_status vigil_model_params_from_json(vigil_op_type op, const cJSON *json, vigil_op_params *p,
                                          vigil_error *err) {
    memset(p, 0, sizeof *p);
    static const cJSON empty = {.type = cJSON_Object};
    const cJSON *obj = json ? json : &empty;
    if (!cJSON_IsObject(obj))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "\"params\" is not an object");
    switch (op) {
    case VIGIL_OP_CONV2D:
        return conv2d_from_json(obj, &p->conv2d, err);
    case VIGIL_OP_UNARY:
        return get_activation(obj, true, &p->unary.activation, &p->unary.alpha, err);
    case VIGIL_OP_BINARY: {
        const cJSON *name = member(obj, "op");
        if (!cJSON_IsString(name) || !vigil_binary_op_from_name(name->valuestring, &p->binary.op))
            return vigil_error_set(err, VIGIL_STATUS_FORMAT, "parameter \"op\": unknown value '%s'",
                                   cJSON_IsString(name) ? name->valuestring : "?");
        return get_activation(obj, false, &p->binary.activation, &p->binary.alpha, err);
    }
    case VIGIL_OP_REDUCE:
        return reduce_from_json(obj, &p->reduce, err);
    case VIGIL_OP_POOL2D:
        return pool2d_from_json(obj, &p->pool2d, err);
    case VIGIL_OP_RESIZE:
        return resize_from_json(obj, &p->resize, err);
    case VIGIL_OP_CONCAT:
        return get_int(obj, "axis", -1, 0, &p->concat.axis, err) < 0 || p->concat.axis < 0 ||
                       p->concat.axis >= VIGIL_MAX_DIMS
                   ? bad(err, "axis", "is missing or out of range")
                   : VIGIL_STATUS_OK;
    case VIGIL_OP_SLICE:
        return slice_from_json(obj, &p->slice, err);
    case VIGIL_OP_PAD:
        return pad_from_json(obj, &p->pad, err);
    case VIGIL_OP_TRANSPOSE:
        return transpose_from_json(obj, &p->transpose, err);
    case VIGIL_OP_RESHAPE:
        return reshape_from_json(obj, &p->reshape, err);
    default:
        return VIGIL_STATUS_OK;
    }
}
