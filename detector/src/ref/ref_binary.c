/* Elementwise a (op) b with NumPy broadcasting (TF AddV2, Sub, Mul, RealDiv, Maximum,
 * Minimum), optionally followed by an activation.
 *
 * Both operands are described by strides over the output's dims, 0 where an operand is
 * broadcast. Neighboring dims that both operands walk the same way are merged, so the
 * common cases (same shape, a per-channel vector, a scalar) become one long inner row. */
#include "ref/ref_ops.h"

#define PARALLEL_MIN 32768

typedef struct walk {
    int ndim; /* at most VIGIL_MAX_DIMS, innermost last */
    int64_t size[VIGIL_MAX_DIMS];
    int64_t stride_a[VIGIL_MAX_DIMS];
    int64_t stride_b[VIGIL_MAX_DIMS];
} walk;

/* Strides of an operand aligned to the output's trailing dims; 0 on broadcast dims. */
static void operand_strides(int64_t *strides, int out_ndim, int ndim, const int64_t *shape) {
    int64_t stride = 1;
    for (int d = out_ndim - 1; d >= 0; d--) {
        int k = d - (out_ndim - ndim);
        int64_t dim = k >= 0 ? shape[k] : 1;
        strides[d] = dim == 1 ? 0 : stride;
        stride *= dim;
    }
}

static walk plan_walk(int out_ndim, const int64_t *out_shape, int a_ndim, const int64_t *a_shape,
                      int b_ndim, const int64_t *b_shape) {
    int64_t sa[VIGIL_MAX_DIMS], sb[VIGIL_MAX_DIMS];
    operand_strides(sa, out_ndim, a_ndim, a_shape);
    operand_strides(sb, out_ndim, b_ndim, b_shape);
    /* Merge from the innermost dim outwards into a reversed list, then flip it. */
    walk rev = {0};
    for (int d = out_ndim - 1; d >= 0; d--) {
        if (out_shape[d] == 1)
            continue;
        int last = rev.ndim - 1;
        if (last >= 0 && sa[d] == rev.stride_a[last] * rev.size[last] &&
            sb[d] == rev.stride_b[last] * rev.size[last]) {
            rev.size[last] *= out_shape[d];
            continue;
        }
        rev.size[rev.ndim] = out_shape[d];
        rev.stride_a[rev.ndim] = sa[d];
        rev.stride_b[rev.ndim] = sb[d];
        rev.ndim++;
    }
    if (rev.ndim == 0) { /* a single element */
        rev.size[0] = 1;
        rev.ndim = 1;
    }
    walk w = {.ndim = rev.ndim};
    for (int i = 0; i < rev.ndim; i++) {
        w.size[i] = rev.size[rev.ndim - 1 - i];
        w.stride_a[i] = rev.stride_a[rev.ndim - 1 - i];
        w.stride_b[i] = rev.stride_b[rev.ndim - 1 - i];
    }
    return w;
}

/* One inner row: out[i] = a[i * sa] (op) b[i * sb]. The op switch sits outside the
 * loops so that each loop vectorizes. */
#define ROW_LOOP(expr)                                                                             \
    for (int64_t i = 0; i < n; i++) {                                                              \
        float x = a[i * sa], y = b[i * sb];                                                        \
        out[i] = (expr);                                                                           \
    }

static void binary_row(float *out, const float *a, int64_t sa, const float *b, int64_t sb,
                       int64_t n, vigil_binary_op op) {
    switch (op) {
    case VIGIL_BINARY_ADD:
        ROW_LOOP(x + y);
        break;
    case VIGIL_BINARY_SUB:
        ROW_LOOP(x - y);
        break;
    case VIGIL_BINARY_MUL:
        ROW_LOOP(x * y);
        break;
    case VIGIL_BINARY_DIV:
        ROW_LOOP(x / y);
        break;
    case VIGIL_BINARY_MAX:
        ROW_LOOP(x > y ? x : y);
        break;
    case VIGIL_BINARY_MIN:
        ROW_LOOP(x < y ? x : y);
        break;
    case VIGIL_BINARY_COUNT:
        break;
    }
}

void vigil_ref_binary_forward(float *out, const float *a, const float *b, int out_ndim,
                              const int64_t *out_shape, int a_ndim, const int64_t *a_shape,
                              int b_ndim, const int64_t *b_shape, const vigil_binary_params *p,
                              int threads) {
    walk w = plan_walk(out_ndim, out_shape, a_ndim, a_shape, b_ndim, b_shape);
    int inner = w.ndim - 1;
    int64_t row = w.size[inner];
    int64_t rows = 1;
    for (int d = 0; d < inner; d++)
        rows *= w.size[d];
    int nt = rows * row >= PARALLEL_MIN ? vigil_ref_threads(threads) : 1;

#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
        /* Decompose the row number into outer indices to find each operand's row. */
        int64_t rest = r, off_a = 0, off_b = 0;
        for (int d = inner - 1; d >= 0; d--) {
            int64_t index = rest % w.size[d];
            rest /= w.size[d];
            off_a += index * w.stride_a[d];
            off_b += index * w.stride_b[d];
        }
        float *o = out + r * row;
        binary_row(o, a + off_a, w.stride_a[inner], b + off_b, w.stride_b[inner], row, p->op);
        if (p->activation != VIGIL_ACTIVATION_NONE)
            for (int64_t i = 0; i < row; i++)
                o[i] = vigil_ref_activate(o[i], p->activation, p->alpha);
    }
}
