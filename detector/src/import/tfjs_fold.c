/* Constant folding: evaluates TF ops whose inputs are all constant.
 *
 * Converted graphs carry shape arithmetic (SparseToDense, Where, GatherV2, Cast,
 * StridedSlice, Pack, ...) that depends only on constants; evaluating it at import
 * leaves plain constants behind for Reshape shapes, pads and axes. Values are F32 or
 * I32 (bool and int64 become I32), which is all TF.js weights hold. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import/tfjs_internal.h"

typedef const vigil_tensor *const *inputs_t;

static double at(const vigil_tensor *t, int64_t i) {
    return t->dtype == VIGIL_DTYPE_F32 ? ((const float *)t->data)[i]
                                       : ((const int32_t *)t->data)[i];
}

/* An element as an integer, saturated (and NaN as 0): casting them is undefined. */
static int64_t at_int(const vigil_tensor *t, int64_t i) {
    double v = at(t, i);
    return isnan(v)       ? 0
           : v >= 9.0e15  ? (int64_t)9.0e15
           : v <= -9.0e15 ? -(int64_t)9.0e15
                          : (int64_t)v;
}

static void put(vigil_tensor *t, int64_t i, double v) {
    if (t->dtype == VIGIL_DTYPE_F32)
        ((float *)t->data)[i] = (float)v;
    else /* saturating: converting an out-of-range double is undefined */
        ((int32_t *)t->data)[i] = isnan(v)             ? 0
                                  : v >= 2147483647.0  ? INT32_MAX
                                  : v <= -2147483648.0 ? INT32_MIN
                                                       : (int32_t)v;
}

static vigil_status fold_error(vigil_error *err, const vigil_tfjs_node *n, const char *what) {
    return vigil_error_set(err, VIGIL_STATUS_FORMAT, "node '%s' (%s): %s", n->name, n->op, what);
}

/* Reads a small integer vector (a shape, axes, a perm) from a constant. */
static int int_vector(const vigil_tensor *t, int64_t *out, int max) {
    int64_t n = vigil_tensor_numel(t);
    if (n > max)
        return -1;
    for (int64_t i = 0; i < n; i++)
        out[i] = at_int(t, i);
    return (int)n;
}

static vigil_status alloc_like(vigil_tensor *out, vigil_dtype dtype, int ndim, const int64_t *shape,
                               vigil_error *err) {
    return vigil_tensor_alloc(out, dtype, ndim, shape, err);
}

static vigil_status copy_reshaped(const vigil_tensor *x, int ndim, const int64_t *shape,
                                  vigil_tensor *out, vigil_error *err) {
    vigil_status status = alloc_like(out, x->dtype, ndim, shape, err);
    if (status >= 0)
        memcpy(out->data, x->data, vigil_tensor_nbytes(x));
    return status;
}

static vigil_dtype dst_type(const vigil_tfjs_node *n) {
    const cJSON *dst = cJSON_GetObjectItemCaseSensitive(n->attr, "DstT");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(dst, "type");
    return cJSON_IsString(type) && (strcmp(type->valuestring, "DT_FLOAT") == 0 ||
                                    strcmp(type->valuestring, "DT_HALF") == 0 ||
                                    strcmp(type->valuestring, "DT_DOUBLE") == 0)
               ? VIGIL_DTYPE_F32
               : VIGIL_DTYPE_I32;
}

static vigil_status fold_cast(const vigil_tfjs_node *n, const vigil_tensor *x, vigil_tensor *out,
                              vigil_error *err) {
    vigil_dtype dtype = dst_type(n);
    const cJSON *dst =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(n->attr, "DstT"), "type");
    bool to_bool = cJSON_IsString(dst) && strcmp(dst->valuestring, "DT_BOOL") == 0;
    vigil_status status = alloc_like(out, dtype, x->ndim, x->shape, err);
    for (int64_t i = 0; status >= 0 && i < vigil_tensor_numel(x); i++) {
        double v = at(x, i);
        put(out, i, to_bool ? v != 0 : dtype == VIGIL_DTYPE_I32 ? trunc(v) : v);
    }
    return status;
}

/* Resolves a TF shape with at most one -1 against numel. */
static vigil_status resolve_shape(const vigil_tfjs_node *n, int64_t numel, int ndim, int64_t *shape,
                                  vigil_error *err) {
    int64_t known = 1;
    int unknown = -1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == -1 && unknown < 0)
            unknown = i;
        else if (shape[i] < 0)
            return fold_error(err, n, "bad reshape target");
        else
            known *= shape[i];
    }
    if (unknown >= 0)
        shape[unknown] = known > 0 ? numel / known : 0;
    if (vigil_shape_numel(ndim, shape) != numel)
        return fold_error(err, n, "reshape target does not hold the same number of elements");
    return VIGIL_STATUS_OK;
}

static vigil_status fold_reshape(const vigil_tfjs_node *n, inputs_t in, vigil_tensor *out,
                                 vigil_error *err) {
    int64_t shape[VIGIL_MAX_DIMS];
    int ndim = int_vector(in[1], shape, VIGIL_MAX_DIMS);
    if (ndim < 0)
        return fold_error(err, n, "too many dimensions");
    vigil_status status = resolve_shape(n, vigil_tensor_numel(in[0]), ndim, shape, err);
    return status < 0 ? status : copy_reshaped(in[0], ndim, shape, out, err);
}

static vigil_status fold_squeeze(const vigil_tfjs_node *n, const vigil_tensor *x, vigil_tensor *out,
                                 vigil_error *err) {
    int64_t dims[VIGIL_MAX_DIMS];
    int count = vigil_tfjs_attr_ints(n, "squeeze_dims", dims, VIGIL_MAX_DIMS);
    if (count < 0)
        count = vigil_tfjs_attr_ints(n, "axis", dims, VIGIL_MAX_DIMS);
    bool drop[VIGIL_MAX_DIMS] = {false};
    for (int i = 0; i < count; i++)
        drop[dims[i] < 0 ? dims[i] + x->ndim : dims[i]] = true;
    int64_t shape[VIGIL_MAX_DIMS];
    int ndim = 0;
    for (int i = 0; i < x->ndim; i++)
        if (!(count > 0 ? drop[i] : x->shape[i] == 1))
            shape[ndim++] = x->shape[i];
    return copy_reshaped(x, ndim, shape, out, err);
}

static vigil_status fold_expand_dims(const vigil_tfjs_node *n, inputs_t in, vigil_tensor *out,
                                     vigil_error *err) {
    const vigil_tensor *x = in[0];
    int axis = (int)at_int(in[1], 0);
    if (axis < 0)
        axis += x->ndim + 1;
    if (axis < 0 || axis > x->ndim || x->ndim >= VIGIL_MAX_DIMS)
        return fold_error(err, n, "axis out of range");
    int64_t shape[VIGIL_MAX_DIMS];
    for (int i = 0, k = 0; i <= x->ndim; i++)
        shape[i] = i == axis ? 1 : x->shape[k++];
    return copy_reshaped(x, x->ndim + 1, shape, out, err);
}

/* Row-major strides of a shape. */
static void strides_of(int ndim, const int64_t *shape, int64_t *strides) {
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        strides[i] = s;
        s *= shape[i];
    }
}

static vigil_status fold_transpose(const vigil_tfjs_node *n, inputs_t in, vigil_tensor *out,
                                   vigil_error *err) {
    const vigil_tensor *x = in[0];
    int64_t perm[VIGIL_MAX_DIMS], shape[VIGIL_MAX_DIMS], xs[VIGIL_MAX_DIMS];
    if (int_vector(in[1], perm, VIGIL_MAX_DIMS) != x->ndim)
        return fold_error(err, n, "perm does not match the rank");
    for (int i = 0; i < x->ndim; i++)
        shape[i] = x->shape[perm[i]];
    vigil_status status = alloc_like(out, x->dtype, x->ndim, shape, err);
    if (status < 0)
        return status;
    strides_of(x->ndim, x->shape, xs);
    int64_t idx[VIGIL_MAX_DIMS] = {0};
    for (int64_t o = 0; o < vigil_tensor_numel(out); o++) {
        int64_t src = 0;
        for (int i = 0; i < x->ndim; i++)
            src += idx[i] * xs[perm[i]];
        put(out, o, at(x, src));
        for (int i = x->ndim - 1; i >= 0 && ++idx[i] == shape[i]; i--)
            idx[i] = 0;
    }
    return VIGIL_STATUS_OK;
}

/* Concatenates count tensors along axis (Pack inserts the axis first). */
static vigil_status concat(const vigil_tfjs_node *n, inputs_t in, int count, int axis, bool stack,
                           vigil_tensor *out, vigil_error *err) {
    const vigil_tensor *first = in[0];
    int ndim = first->ndim + (stack ? 1 : 0);
    if (axis < 0)
        axis += ndim;
    if (axis < 0 || axis >= ndim || ndim > VIGIL_MAX_DIMS)
        return fold_error(err, n, "axis out of range");
    int64_t shape[VIGIL_MAX_DIMS];
    vigil_dtype dtype = VIGIL_DTYPE_I32;
    for (int k = 0; k < count; k++) {
        if (in[k]->dtype == VIGIL_DTYPE_F32)
            dtype = VIGIL_DTYPE_F32;
        if (in[k]->ndim != first->ndim)
            return fold_error(err, n, "inputs differ in rank");
    }
    for (int i = 0, k = 0; i < ndim; i++)
        shape[i] = stack && i == axis ? count : first->shape[k++];
    if (!stack) {
        shape[axis] = 0;
        for (int k = 0; k < count; k++)
            shape[axis] += in[k]->shape[axis];
    }
    vigil_status status = alloc_like(out, dtype, ndim, shape, err);
    if (status < 0)
        return status;
    int64_t outer = vigil_shape_numel(axis, shape);
    int64_t o = 0;
    for (int64_t b = 0; b < outer; b++)
        for (int k = 0; k < count; k++) {
            int64_t chunk = vigil_tensor_numel(in[k]) / (outer > 0 ? outer : 1);
            for (int64_t i = 0; i < chunk; i++)
                put(out, o++, at(in[k], b * chunk + i));
        }
    return VIGIL_STATUS_OK;
}

/* Strided slice with begin/end/shrink masks (positive and negative strides). */
static vigil_status fold_strided_slice(const vigil_tfjs_node *n, inputs_t in, vigil_tensor *out,
                                       vigil_error *err) {
    const vigil_tensor *x = in[0];
    int64_t begin[VIGIL_MAX_DIMS], end[VIGIL_MAX_DIMS], step[VIGIL_MAX_DIMS];
    int nb = int_vector(in[1], begin, VIGIL_MAX_DIMS);
    int ne = int_vector(in[2], end, VIGIL_MAX_DIMS);
    int ns = int_vector(in[3], step, VIGIL_MAX_DIMS);
    if (nb != ne || nb != ns || nb > x->ndim || nb < 0)
        return fold_error(err, n, "begin, end and strides differ in length");
    int64_t begin_mask = vigil_tfjs_attr_int(n, "begin_mask", 0);
    int64_t end_mask = vigil_tfjs_attr_int(n, "end_mask", 0);
    int64_t shrink = vigil_tfjs_attr_int(n, "shrink_axis_mask", 0);
    if (vigil_tfjs_attr_int(n, "ellipsis_mask", 0) || vigil_tfjs_attr_int(n, "new_axis_mask", 0))
        return VIGIL_STATUS_UNSUPPORTED;
    int64_t b[VIGIL_MAX_DIMS], count[VIGIL_MAX_DIMS], s[VIGIL_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) {
        int64_t dim = x->shape[i];
        if (i >= nb) {
            b[i] = 0;
            s[i] = 1;
            count[i] = dim;
            continue;
        }
        s[i] = step[i];
        if (s[i] == 0)
            return fold_error(err, n, "stride 0");
        int64_t lo = begin[i] < 0 ? begin[i] + dim : begin[i];
        int64_t hi = end[i] < 0 ? end[i] + dim : end[i];
        if (shrink >> i & 1) {
            b[i] = lo;
            count[i] = 1;
            s[i] = 1;
            if (lo < 0 || lo >= dim)
                return fold_error(err, n, "index out of range");
            continue;
        }
        if (s[i] > 0) {
            lo = begin_mask >> i & 1 ? 0 : lo < 0 ? 0 : lo > dim ? dim : lo;
            hi = end_mask >> i & 1 ? dim : hi < 0 ? 0 : hi > dim ? dim : hi;
            count[i] = hi > lo ? (hi - lo + s[i] - 1) / s[i] : 0;
        } else {
            lo = begin_mask >> i & 1 ? dim - 1 : lo < -1 ? -1 : lo > dim - 1 ? dim - 1 : lo;
            hi = end_mask >> i & 1 ? -1 : hi < -1 ? -1 : hi > dim - 1 ? dim - 1 : hi;
            count[i] = lo > hi ? (lo - hi - s[i] - 1) / -s[i] : 0;
        }
        b[i] = lo;
    }
    int64_t shape[VIGIL_MAX_DIMS], xs[VIGIL_MAX_DIMS];
    int ndim = 0;
    for (int i = 0; i < x->ndim; i++)
        if (!(i < nb && (shrink >> i & 1)))
            shape[ndim++] = count[i];
    vigil_status status = alloc_like(out, x->dtype, ndim, shape, err);
    if (status < 0)
        return status;
    strides_of(x->ndim, x->shape, xs);
    int64_t idx[VIGIL_MAX_DIMS] = {0};
    int64_t total = vigil_shape_numel(x->ndim, count);
    for (int64_t o = 0; o < total; o++) {
        int64_t src = 0;
        for (int i = 0; i < x->ndim; i++)
            src += (b[i] + idx[i] * s[i]) * xs[i];
        put(out, o, at(x, src));
        for (int i = x->ndim - 1; i >= 0 && ++idx[i] == count[i]; i--)
            idx[i] = 0;
    }
    return VIGIL_STATUS_OK;
}

static vigil_status fold_slice(const vigil_tfjs_node *n, inputs_t in, vigil_tensor *out,
                               vigil_error *err) {
    const vigil_tensor *x = in[0];
    int64_t begin[VIGIL_MAX_DIMS], size[VIGIL_MAX_DIMS], xs[VIGIL_MAX_DIMS];
    if (int_vector(in[1], begin, VIGIL_MAX_DIMS) != x->ndim ||
        int_vector(in[2], size, VIGIL_MAX_DIMS) != x->ndim)
        return fold_error(err, n, "begin and size must match the rank");
    for (int i = 0; i < x->ndim; i++) {
        if (size[i] < 0)
            size[i] = x->shape[i] - begin[i];
        if (begin[i] < 0 || begin[i] + size[i] > x->shape[i])
            return fold_error(err, n, "slice out of range");
    }
    vigil_status status = alloc_like(out, x->dtype, x->ndim, size, err);
    if (status < 0)
        return status;
    strides_of(x->ndim, x->shape, xs);
    int64_t idx[VIGIL_MAX_DIMS] = {0};
    for (int64_t o = 0; o < vigil_tensor_numel(out); o++) {
        int64_t src = 0;
        for (int i = 0; i < x->ndim; i++)
            src += (begin[i] + idx[i]) * xs[i];
        put(out, o, at(x, src));
        for (int i = x->ndim - 1; i >= 0 && ++idx[i] == size[i]; i--)
            idx[i] = 0;
    }
    return VIGIL_STATUS_OK;
}

static vigil_status fold_gather(const vigil_tfjs_node *n, inputs_t in, int n_in, vigil_tensor *out,
                                vigil_error *err) {
    const vigil_tensor *x = in[0], *indices = in[1];
    int axis = n_in > 2 ? (int)at_int(in[2], 0) : 0;
    if (axis < 0)
        axis += x->ndim;
    if (axis < 0 || axis >= x->ndim || vigil_tfjs_attr_int(n, "batch_dims", 0) != 0 ||
        x->ndim - 1 + indices->ndim > VIGIL_MAX_DIMS)
        return fold_error(err, n, "unsupported axis or batch_dims");
    int64_t shape[VIGIL_MAX_DIMS];
    int ndim = 0;
    for (int i = 0; i < axis; i++)
        shape[ndim++] = x->shape[i];
    for (int i = 0; i < indices->ndim; i++)
        shape[ndim++] = indices->shape[i];
    for (int i = axis + 1; i < x->ndim; i++)
        shape[ndim++] = x->shape[i];
    vigil_status status = alloc_like(out, x->dtype, ndim, shape, err);
    if (status < 0)
        return status;
    int64_t outer = vigil_shape_numel(axis, x->shape);
    int64_t inner = vigil_shape_numel(x->ndim - axis - 1, x->shape + axis + 1);
    int64_t count = vigil_tensor_numel(indices), o = 0;
    for (int64_t b = 0; b < outer; b++)
        for (int64_t k = 0; k < count; k++) {
            int64_t j = at_int(indices, k);
            if (j < 0 || j >= x->shape[axis])
                return fold_error(err, n, "index out of range");
            for (int64_t i = 0; i < inner; i++)
                put(out, o++, at(x, (b * x->shape[axis] + j) * inner + i));
        }
    return VIGIL_STATUS_OK;
}

static vigil_status fold_sparse_to_dense(const vigil_tfjs_node *n, inputs_t in, vigil_tensor *out,
                                         vigil_error *err) {
    const vigil_tensor *indices = in[0], *values = in[2], *def = in[3];
    int64_t shape[VIGIL_MAX_DIMS];
    int ndim = int_vector(in[1], shape, VIGIL_MAX_DIMS);
    if (ndim < 0)
        return fold_error(err, n, "output shape too large");
    vigil_status status = alloc_like(out, values->dtype, ndim, shape, err);
    if (status < 0)
        return status;
    int64_t total = vigil_tensor_numel(out);
    for (int64_t i = 0; i < total; i++)
        put(out, i, at(def, 0));
    /* indices: a scalar, [N] (for a 1-D output) or [N, ndim]. */
    int64_t count = indices->ndim == 0 ? 1 : indices->shape[0];
    int per = indices->ndim == 2 ? (int)indices->shape[1] : 1;
    if (per != (ndim > 0 ? ndim : 1) && count > 0)
        return fold_error(err, n, "indices do not match the output rank");
    int64_t strides[VIGIL_MAX_DIMS];
    strides_of(ndim, shape, strides);
    for (int64_t k = 0; k < count; k++) {
        int64_t flat = 0;
        for (int d = 0; d < per; d++) {
            int64_t j = at_int(indices, k * per + d);
            if (ndim > 0 && (j < 0 || j >= shape[d]))
                return fold_error(err, n, "index out of range");
            flat += ndim > 0 ? j * strides[d] : 0;
        }
        put(out, flat, at(values, vigil_tensor_numel(values) == 1 ? 0 : k));
    }
    return VIGIL_STATUS_OK;
}

static vigil_status fold_where(const vigil_tensor *x, vigil_tensor *out, vigil_error *err) {
    int64_t count = 0, total = vigil_tensor_numel(x);
    for (int64_t i = 0; i < total; i++)
        count += at(x, i) != 0;
    int64_t shape[2] = {count, x->ndim};
    vigil_status status = alloc_like(out, VIGIL_DTYPE_I32, 2, shape, err);
    if (status < 0)
        return status;
    int64_t idx[VIGIL_MAX_DIMS] = {0}, o = 0;
    for (int64_t i = 0; i < total; i++) {
        if (at(x, i) != 0)
            for (int d = 0; d < x->ndim; d++)
                put(out, o++, (double)idx[d]);
        for (int d = x->ndim - 1; d >= 0 && ++idx[d] == x->shape[d]; d--)
            idx[d] = 0;
    }
    return VIGIL_STATUS_OK;
}

static bool binary_op(const char *op, double a, double b, bool is_int, double *r) {
    if (!strcmp(op, "Add") || !strcmp(op, "AddV2"))
        *r = a + b;
    else if (!strcmp(op, "Sub"))
        *r = a - b;
    else if (!strcmp(op, "Mul"))
        *r = a * b;
    else if (!strcmp(op, "RealDiv") || !strcmp(op, "Div"))
        *r = is_int ? (b != 0 ? trunc(a / b) : 0) : a / b;
    else if (!strcmp(op, "FloorDiv"))
        *r = b != 0 ? floor(a / b) : 0;
    else if (!strcmp(op, "FloorMod"))
        *r = b != 0 ? a - floor(a / b) * b : 0;
    else if (!strcmp(op, "Maximum"))
        *r = a > b ? a : b;
    else if (!strcmp(op, "Minimum"))
        *r = a < b ? a : b;
    else if (!strcmp(op, "Pow"))
        *r = pow(a, b);
    else if (!strcmp(op, "SquaredDifference"))
        *r = (a - b) * (a - b);
    else if (!strcmp(op, "Equal"))
        *r = a == b;
    else if (!strcmp(op, "NotEqual"))
        *r = a != b;
    else if (!strcmp(op, "Less"))
        *r = a < b;
    else if (!strcmp(op, "LessEqual"))
        *r = a <= b;
    else if (!strcmp(op, "Greater"))
        *r = a > b;
    else if (!strcmp(op, "GreaterEqual"))
        *r = a >= b;
    else if (!strcmp(op, "LogicalAnd"))
        *r = a != 0 && b != 0;
    else if (!strcmp(op, "LogicalOr"))
        *r = a != 0 || b != 0;
    else
        return false;
    return true;
}

static bool is_comparison(const char *op) {
    return !strcmp(op, "Equal") || !strcmp(op, "NotEqual") || !strcmp(op, "Less") ||
           !strcmp(op, "LessEqual") || !strcmp(op, "Greater") || !strcmp(op, "GreaterEqual") ||
           !strcmp(op, "LogicalAnd") || !strcmp(op, "LogicalOr");
}

static vigil_status fold_binary(const vigil_tfjs_node *n, inputs_t in, vigil_tensor *out,
                                vigil_error *err) {
    const vigil_tensor *a = in[0], *b = in[1];
    double probe;
    if (!binary_op(n->op, 1, 1, false, &probe))
        return VIGIL_STATUS_UNSUPPORTED;
    int ndim = a->ndim > b->ndim ? a->ndim : b->ndim;
    int64_t shape[VIGIL_MAX_DIMS], as[VIGIL_MAX_DIMS], bs[VIGIL_MAX_DIMS];
    int64_t sa[VIGIL_MAX_DIMS], sb[VIGIL_MAX_DIMS];
    for (int i = 0; i < ndim; i++) {
        int ia = i - (ndim - a->ndim), ib = i - (ndim - b->ndim);
        as[i] = ia >= 0 ? a->shape[ia] : 1;
        bs[i] = ib >= 0 ? b->shape[ib] : 1;
        if (as[i] != bs[i] && as[i] != 1 && bs[i] != 1)
            return fold_error(err, n, "shapes do not broadcast");
        shape[i] = as[i] == 1 ? bs[i] : as[i];
    }
    strides_of(ndim, as, sa);
    strides_of(ndim, bs, sb);
    bool is_int = a->dtype == VIGIL_DTYPE_I32 && b->dtype == VIGIL_DTYPE_I32;
    vigil_dtype dtype = is_comparison(n->op) || is_int ? VIGIL_DTYPE_I32 : VIGIL_DTYPE_F32;
    vigil_status status = alloc_like(out, dtype, ndim, shape, err);
    if (status < 0)
        return status;
    int64_t idx[VIGIL_MAX_DIMS] = {0};
    for (int64_t o = 0; o < vigil_tensor_numel(out); o++) {
        int64_t ia = 0, ib = 0;
        for (int i = 0; i < ndim; i++) {
            ia += (as[i] == 1 ? 0 : idx[i]) * sa[i];
            ib += (bs[i] == 1 ? 0 : idx[i]) * sb[i];
        }
        double r;
        binary_op(n->op, at(a, ia), at(b, ib), is_int, &r);
        put(out, o, r);
        for (int i = ndim - 1; i >= 0 && ++idx[i] == shape[i]; i--)
            idx[i] = 0;
    }
    return VIGIL_STATUS_OK;
}

static bool unary_op(const char *op, double x, double *r) {
    if (!strcmp(op, "Neg"))
        *r = -x;
    else if (!strcmp(op, "Sqrt"))
        *r = sqrt(x);
    else if (!strcmp(op, "Rsqrt"))
        *r = 1.0 / sqrt(x);
    else if (!strcmp(op, "Square"))
        *r = x * x;
    else if (!strcmp(op, "Exp"))
        *r = exp(x);
    else if (!strcmp(op, "Abs"))
        *r = fabs(x);
    else if (!strcmp(op, "Floor"))
        *r = floor(x);
    else if (!strcmp(op, "Ceil"))
        *r = ceil(x);
    else if (!strcmp(op, "Relu"))
        *r = x > 0 ? x : 0;
    else if (!strcmp(op, "Relu6"))
        *r = x < 0 ? 0 : x > 6 ? 6 : x;
    else if (!strcmp(op, "Sigmoid"))
        *r = 1.0 / (1.0 + exp(-x));
    else if (!strcmp(op, "Tanh"))
        *r = tanh(x);
    else if (!strcmp(op, "Reciprocal"))
        *r = 1.0 / x;
    else if (!strcmp(op, "LogicalNot"))
        *r = x == 0;
    else
        return false;
    return true;
}

static vigil_status fold_unary(const vigil_tfjs_node *n, const vigil_tensor *x, vigil_tensor *out,
                               vigil_error *err) {
    double probe;
    if (!unary_op(n->op, 1, &probe))
        return VIGIL_STATUS_UNSUPPORTED;
    vigil_status status = alloc_like(out, x->dtype, x->ndim, x->shape, err);
    for (int64_t i = 0; status >= 0 && i < vigil_tensor_numel(x); i++) {
        double r;
        unary_op(n->op, at(x, i), &r);
        put(out, i, r);
    }
    return status;
}

static vigil_status fold_reduce(const vigil_tfjs_node *n, inputs_t in, vigil_tensor *out,
                                vigil_error *err) {
    const vigil_tensor *x = in[0];
    int64_t axes[VIGIL_MAX_DIMS];
    int naxes = int_vector(in[1], axes, VIGIL_MAX_DIMS);
    bool reduced[VIGIL_MAX_DIMS] = {false};
    for (int i = 0; i < naxes; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + x->ndim : axes[i];
        if (a < 0 || a >= x->ndim)
            return fold_error(err, n, "axis out of range");
        reduced[a] = true;
    }
    bool keep = vigil_tfjs_attr_bool(n, "keep_dims", false);
    int64_t shape[VIGIL_MAX_DIMS], full[VIGIL_MAX_DIMS];
    int ndim = 0;
    for (int i = 0; i < x->ndim; i++) {
        full[i] = reduced[i] ? 1 : x->shape[i];
        if (!reduced[i] || keep)
            shape[ndim++] = full[i];
    }
    bool is_mean = !strcmp(n->op, "Mean"), is_max = !strcmp(n->op, "Max");
    bool is_min = !strcmp(n->op, "Min"), is_prod = !strcmp(n->op, "Prod");
    vigil_status status = alloc_like(out, x->dtype, ndim, shape, err);
    if (status < 0)
        return status;
    int64_t total_out = vigil_tensor_numel(out), fs[VIGIL_MAX_DIMS];
    strides_of(x->ndim, full, fs);
    double *acc = calloc((size_t)(total_out > 0 ? total_out : 1), sizeof *acc);
    if (!acc)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (int64_t o = 0; o < total_out; o++)
        acc[o] = is_max ? -INFINITY : is_min ? INFINITY : is_prod ? 1 : 0;
    int64_t idx[VIGIL_MAX_DIMS] = {0}, total = vigil_tensor_numel(x);
    for (int64_t i = 0; i < total; i++) {
        int64_t o = 0;
        for (int d = 0; d < x->ndim; d++)
            o += (reduced[d] ? 0 : idx[d]) * fs[d];
        double v = at(x, i);
        acc[o] = is_max    ? fmax(acc[o], v)
                 : is_min  ? fmin(acc[o], v)
                 : is_prod ? acc[o] * v
                           : acc[o] + v;
        for (int d = x->ndim - 1; d >= 0 && ++idx[d] == x->shape[d]; d--)
            idx[d] = 0;
    }
    int64_t count = total_out > 0 ? total / total_out : 1;
    for (int64_t o = 0; o < total_out; o++)
        put(out, o, is_mean ? acc[o] / (double)count : acc[o]);
    free(acc);
    return VIGIL_STATUS_OK;
}

static vigil_status fold_fill(const vigil_tfjs_node *n, inputs_t in, vigil_tensor *out,
                              vigil_error *err) {
    int64_t shape[VIGIL_MAX_DIMS];
    int ndim = int_vector(in[0], shape, VIGIL_MAX_DIMS);
    if (ndim < 0)
        return fold_error(err, n, "too many dimensions");
    vigil_status status = alloc_like(out, in[1]->dtype, ndim, shape, err);
    for (int64_t i = 0; status >= 0 && i < vigil_tensor_numel(out); i++)
        put(out, i, at(in[1], 0));
    return status;
}

static vigil_status fold_range(const vigil_tfjs_node *n, inputs_t in, vigil_tensor *out,
                               vigil_error *err) {
    double start = at(in[0], 0), limit = at(in[1], 0), delta = at(in[2], 0);
    if (delta == 0)
        return fold_error(err, n, "delta 0");
    double steps = ceil((limit - start) / delta);
    if (!(steps < 1e8))
        return fold_error(err, n, "range too long");
    int64_t count = steps > 0 ? (int64_t)steps : 0;
    bool is_int = in[0]->dtype == VIGIL_DTYPE_I32 && in[2]->dtype == VIGIL_DTYPE_I32;
    vigil_status status =
        alloc_like(out, is_int ? VIGIL_DTYPE_I32 : VIGIL_DTYPE_F32, 1, &count, err);
    for (int64_t i = 0; status >= 0 && i < count; i++)
        put(out, i, start + (double)i * delta);
    return status;
}

static vigil_status fold_shape(const vigil_tensor *x, vigil_tensor *out, vigil_error *err) {
    int64_t ndim = x->ndim;
    vigil_status status = alloc_like(out, VIGIL_DTYPE_I32, 1, &ndim, err);
    for (int i = 0; status >= 0 && i < x->ndim; i++)
        put(out, i, (double)x->shape[i]);
    return status;
}

vigil_status vigil_tfjs_fold(const vigil_tfjs_graph *g, const vigil_tfjs_node *n, inputs_t in,
                             vigil_tensor *out, vigil_error *err) {
    (void)g;
    const char *op = n->op;
    int k = n->n_inputs;
    memset(out, 0, sizeof *out);
    if (!strcmp(op, "Identity") || !strcmp(op, "StopGradient") || !strcmp(op, "Snapshot"))
        return k >= 1 ? copy_reshaped(in[0], in[0]->ndim, in[0]->shape, out, err)
                      : VIGIL_STATUS_UNSUPPORTED;
    if (!strcmp(op, "Cast") && k == 1)
        return fold_cast(n, in[0], out, err);
    if (!strcmp(op, "Reshape") && k == 2)
        return fold_reshape(n, in, out, err);
    if (!strcmp(op, "Squeeze") && k == 1)
        return fold_squeeze(n, in[0], out, err);
    if (!strcmp(op, "ExpandDims") && k == 2)
        return fold_expand_dims(n, in, out, err);
    if (!strcmp(op, "Transpose") && k == 2)
        return fold_transpose(n, in, out, err);
    if (!strcmp(op, "ConcatV2") && k >= 2)
        return concat(n, in, k - 1, (int)at_int(in[k - 1], 0), false, out, err);
    if (!strcmp(op, "Pack") && k >= 1)
        return concat(n, in, k, (int)vigil_tfjs_attr_int(n, "axis", 0), true, out, err);
    if (!strcmp(op, "StridedSlice") && k == 4)
        return fold_strided_slice(n, in, out, err);
    if (!strcmp(op, "Slice") && k == 3)
        return fold_slice(n, in, out, err);
    if ((!strcmp(op, "GatherV2") || !strcmp(op, "Gather")) && k >= 2)
        return fold_gather(n, in, k, out, err);
    if (!strcmp(op, "SparseToDense") && k == 4)
        return fold_sparse_to_dense(n, in, out, err);
    if (!strcmp(op, "Where") && k == 1)
        return fold_where(in[0], out, err);
    if (!strcmp(op, "Fill") && k == 2)
        return fold_fill(n, in, out, err);
    if (!strcmp(op, "Range") && k == 3)
        return fold_range(n, in, out, err);
    if (!strcmp(op, "Shape") && k == 1)
        return fold_shape(in[0], out, err);
    if ((!strcmp(op, "Mean") || !strcmp(op, "Sum") || !strcmp(op, "Max") || !strcmp(op, "Min") ||
         !strcmp(op, "Prod")) &&
        k == 2)
        return fold_reduce(n, in, out, err);
    if (k == 2)
        return fold_binary(n, in, out, err);
    if (k == 1)
        return fold_unary(n, in[0], out, err);
    return VIGIL_STATUS_UNSUPPORTED;
}
