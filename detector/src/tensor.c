/* Tensors: dtype names, shapes, aligned storage, and float16/bfloat16 conversions. */
#include "vigil/tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 64 bytes: one cache line and one AVX-512 register, which oneDNN also prefers. */
#define VIGIL_TENSOR_ALIGN 64

static const struct {
    const char *name;
    size_t size;
} dtype_table[] = {
    [VIGIL_DTYPE_F32] = {"F32", 4},   [VIGIL_DTYPE_F16] = {"F16", 2},
    [VIGIL_DTYPE_BF16] = {"BF16", 2}, [VIGIL_DTYPE_I32] = {"I32", 4},
    [VIGIL_DTYPE_I64] = {"I64", 8},   [VIGIL_DTYPE_U8] = {"U8", 1},
};

#define DTYPE_COUNT ((int)(sizeof dtype_table / sizeof dtype_table[0]))

static bool dtype_valid(vigil_dtype dtype) {
    return (int)dtype >= 0 && (int)dtype < DTYPE_COUNT;
}

size_t vigil_dtype_size(vigil_dtype dtype) {
    return dtype_valid(dtype) ? dtype_table[dtype].size : 0;
}

const char *vigil_dtype_name(vigil_dtype dtype) {
    return dtype_valid(dtype) ? dtype_table[dtype].name : "?";
}

bool vigil_dtype_from_name(const char *name, vigil_dtype *dtype) {
    if (!name)
        return false;
    for (int i = 0; i < DTYPE_COUNT; i++) {
        if (strcmp(name, dtype_table[i].name) == 0) {
            *dtype = (vigil_dtype)i;
            return true;
        }
    }
    return false;
}

int64_t vigil_shape_numel(int ndim, const int64_t *shape) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    return n;
}

int64_t vigil_tensor_numel(const vigil_tensor *t) {
    return vigil_shape_numel(t->ndim, t->shape);
}

size_t vigil_tensor_nbytes(const vigil_tensor *t) {
    return (size_t)vigil_tensor_numel(t) * vigil_dtype_size(t->dtype);
}

bool vigil_shape_equal(int ndim_a, const int64_t *a, int ndim_b, const int64_t *b) {
    if (ndim_a != ndim_b)
        return false;
    for (int i = 0; i < ndim_a; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

const char *vigil_shape_format(int ndim, const int64_t *shape, char *buf, size_t size) {
    if (!buf || size == 0)
        return "";
    size_t used = 0;
    buf[0] = '\0';
    int n = snprintf(buf, size, "[");
    used = n > 0 ? (size_t)n : 0;
    for (int i = 0; i < ndim && used < size; i++) {
        n = snprintf(buf + used, size - used, i ? ",%lld" : "%lld", (long long)shape[i]);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used < size)
        snprintf(buf + used, size - used, "]");
    buf[size - 1] = '\0';
    return buf;
}

static vigil_status check_shape(vigil_dtype dtype, int ndim, const int64_t *shape,
                                vigil_error *err) {
    if (!dtype_valid(dtype))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "tensor: unknown dtype %d",
                               (int)dtype);
    if (ndim < 0 || ndim > VIGIL_MAX_DIMS)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "tensor: %d dimensions (at most %d)", ndim, VIGIL_MAX_DIMS);
    for (int i = 0; i < ndim; i++)
        if (shape[i] < 0) {
            char buf[128];
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "tensor: negative dimension in shape %s",
                                   vigil_shape_format(ndim, shape, buf, sizeof buf));
        }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_tensor_alloc(vigil_tensor *t, vigil_dtype dtype, int ndim, const int64_t *shape,
                                vigil_error *err) {
    memset(t, 0, sizeof *t);
    vigil_status s = check_shape(dtype, ndim, shape, err);
    if (s < 0)
        return s;
    vigil_tensor_view(t, dtype, ndim, shape, NULL);
    size_t bytes = vigil_tensor_nbytes(t);
    /* aligned_alloc wants a multiple of the alignment, and a zero-sized tensor still gets
     * a distinct non-NULL pointer so that "no data" keeps meaning "not allocated". */
    size_t rounded = (bytes + VIGIL_TENSOR_ALIGN - 1) / VIGIL_TENSOR_ALIGN * VIGIL_TENSOR_ALIGN;
    if (rounded == 0)
        rounded = VIGIL_TENSOR_ALIGN;
    t->data = aligned_alloc(VIGIL_TENSOR_ALIGN, rounded);
    if (!t->data) {
        char buf[128];
        return vigil_error_set(
            err, VIGIL_STATUS_NO_MEMORY, "tensor: cannot allocate %zu bytes for %s %s", bytes,
            vigil_dtype_name(dtype), vigil_shape_format(ndim, shape, buf, sizeof buf));
    }
    memset(t->data, 0, rounded);
    t->owns_data = true;
    return VIGIL_STATUS_OK;
}

void vigil_tensor_view(vigil_tensor *t, vigil_dtype dtype, int ndim, const int64_t *shape,
                       void *data) {
    memset(t, 0, sizeof *t);
    t->dtype = dtype;
    t->ndim = ndim < 0 ? 0 : ndim > VIGIL_MAX_DIMS ? VIGIL_MAX_DIMS : ndim;
    for (int i = 0; i < t->ndim; i++)
        t->shape[i] = shape[i];
    t->data = data;
    t->owns_data = false;
}

void vigil_tensor_free(vigil_tensor *t) {
    if (!t)
        return;
    if (t->owns_data)
        free(t->data);
    t->data = NULL;
    t->owns_data = false;
}

static uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float f32_from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

float vigil_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exponent = (h >> 10) & 0x1f;
    uint32_t mantissa = h & 0x3ff;
    if (exponent == 0x1f) /* inf or NaN; the payload is kept */
        return f32_from_bits(sign | 0x7f800000 | (mantissa << 13));
    if (exponent != 0)
        return f32_from_bits(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
    if (mantissa == 0)
        return f32_from_bits(sign);
    /* Subnormal half: every one is a normal float; shift the leading 1 into the
     * implicit bit, lowering the exponent once per shift. */
    uint32_t e = 127 - 15 + 1;
    while (!(mantissa & 0x400)) {
        mantissa <<= 1;
        e--;
    }
    return f32_from_bits(sign | (e << 23) | ((mantissa & 0x3ff) << 13));
}

/* Drops the low `shift` bits of value, rounding to nearest with ties to even. */
static uint32_t round_shift_even(uint32_t value, int shift) {
    uint32_t kept = value >> shift;
    uint32_t rest = value & ((1u << shift) - 1);
    uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (kept & 1)))
        kept++;
    return kept;
}

uint16_t vigil_f32_to_f16(float f) {
    uint32_t x = f32_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t abs = x & 0x7fffffff;
    if (abs > 0x7f800000) /* NaN: keep it quiet and keep the top of the payload */
        return sign | 0x7e00 | (uint16_t)((abs >> 13) & 0x3ff);
    /* 65520 = 65504 + half an ulp: a tie that rounds to even, which is infinity. */
    if (abs >= 0x477ff000)
        return sign | 0x7c00;
    uint32_t exponent = abs >> 23;
    if (exponent >= 127 - 14) {
        /* Normal half; a carry out of the mantissa correctly bumps the exponent. */
        uint32_t rebased = ((exponent - 127 + 15) << 23) | (abs & 0x7fffff);
        return sign | (uint16_t)round_shift_even(rebased, 13);
    }
    /* Below 2^-25 everything rounds to zero (2^-25 itself is a tie with even 0). */
    if (exponent < 127 - 25)
        return sign;
    /* Subnormal half: the value in units of 2^-24 is mantissa_with_implicit_bit >> shift. */
    uint32_t mantissa = (abs & 0x7fffff) | 0x800000;
    int shift = (int)(126 - exponent);
    return sign | (uint16_t)round_shift_even(mantissa, shift);
}

float vigil_bf16_to_f32(uint16_t b) {
    return f32_from_bits((uint32_t)b << 16);
}

uint16_t vigil_f32_to_bf16(float f) {
    uint32_t x = f32_bits(f);
    if ((x & 0x7fffffff) > 0x7f800000) /* NaN: truncating could make it infinity */
        return (uint16_t)((x >> 16) | 0x0040);
    /* Overflow rounds into the exponent and gives infinity, as it should. */
    return (uint16_t)round_shift_even(x, 16);
}
