/* Tensors: dtype names, shapes, storage, and float16/bfloat16 conversions checked
 * against IEEE bit patterns and an independent closed-form decoder. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "test_util.h"
#include "vigil/tensor.h"

/* The value of an IEEE half, from the definition (not from the code under test). */
static double half_value(uint16_t h) {
    int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    double v = exponent == 0 ? ldexp(mantissa, -24) : ldexp(1024 + mantissa, exponent - 25);
    return sign ? -v : v;
}

static uint32_t bits_of(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float float_of(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

START_TEST(test_dtype_names) {
    const char *names[] = {"F32", "F16", "BF16", "I32", "I64", "U8"};
    const size_t sizes[] = {4, 2, 2, 4, 8, 1};
    for (int i = 0; i < 6; i++) {
        vigil_dtype d;
        ck_assert_str_eq(vigil_dtype_name((vigil_dtype)i), names[i]);
        ck_assert(vigil_dtype_from_name(names[i], &d));
        ck_assert_int_eq(d, i);
        ck_assert_uint_eq(vigil_dtype_size((vigil_dtype)i), sizes[i]);
    }
    vigil_dtype d;
    ck_assert(!vigil_dtype_from_name("f32", &d));
    ck_assert(!vigil_dtype_from_name("F64", &d));
    ck_assert(!vigil_dtype_from_name(NULL, &d));
}
END_TEST

START_TEST(test_shapes) {
    char buf[64];
    int64_t shape[4] = {1, 416, 416, 3};
    ck_assert_str_eq(vigil_shape_format(4, shape, buf, sizeof buf), "[1,416,416,3]");
    ck_assert_str_eq(vigil_shape_format(0, shape, buf, sizeof buf), "[]");
    char small[6];
    vigil_shape_format(4, shape, small, sizeof small);
    ck_assert_uint_eq(strlen(small), 5); /* truncated but terminated */
    ck_assert_int_eq(vigil_shape_numel(4, shape), 416 * 416 * 3);
    ck_assert_int_eq(vigil_shape_numel(0, shape), 1);
    int64_t other[4] = {1, 416, 416, 4};
    ck_assert(vigil_shape_equal(4, shape, 4, shape));
    ck_assert(!vigil_shape_equal(4, shape, 4, other));
    ck_assert(!vigil_shape_equal(4, shape, 3, shape));
}
END_TEST

START_TEST(test_alloc_view_free) {
    vigil_tensor t;
    vigil_error err = {0};
    int64_t shape[3] = {3, 5, 7};
    ck_assert_int_eq(vigil_tensor_alloc(&t, VIGIL_DTYPE_F16, 3, shape, &err), VIGIL_STATUS_OK);
    ck_assert(t.owns_data);
    ck_assert_uint_eq((uintptr_t)t.data % 64, 0);
    ck_assert_int_eq(vigil_tensor_numel(&t), 105);
    ck_assert_uint_eq(vigil_tensor_nbytes(&t), 210);
    const unsigned char *bytes = t.data;
    for (int i = 0; i < 210; i++)
        ck_assert_uint_eq(bytes[i], 0);
    vigil_tensor_free(&t);
    ck_assert_ptr_null(t.data);
    vigil_tensor_free(&t); /* twice is harmless */

    float data[6];
    int64_t s2[2] = {2, 3};
    vigil_tensor_view(&t, VIGIL_DTYPE_F32, 2, s2, data);
    ck_assert_ptr_eq(t.data, data);
    ck_assert(!t.owns_data);
    vigil_tensor_free(&t); /* must not free the caller's memory */

    int64_t bad[2] = {2, -1};
    ck_assert_int_eq(vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, 2, bad, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "[2,-1]"));
    ck_assert_int_eq(vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, 7, shape, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
}
END_TEST

START_TEST(test_f16_known_patterns) {
    ck_assert(vigil_f16_to_f32(0x3C00) == 1.0f);
    ck_assert(vigil_f16_to_f32(0xC000) == -2.0f);
    ck_assert(vigil_f16_to_f32(0x7BFF) == 65504.0f);
    ck_assert(vigil_f16_to_f32(0x0001) == ldexpf(1.0f, -24)); /* 5.96e-8 */
    ck_assert(vigil_f16_to_f32(0x03FF) == ldexpf(1023.0f, -24));
    ck_assert(vigil_f16_to_f32(0x0400) == ldexpf(1.0f, -14));
    ck_assert(vigil_f16_to_f32(0x3555) == 0.333251953125f);
    ck_assert_uint_eq(bits_of(vigil_f16_to_f32(0x8000)), 0x80000000u);
    ck_assert(isinf(vigil_f16_to_f32(0x7C00)) && vigil_f16_to_f32(0x7C00) > 0);
    ck_assert(isinf(vigil_f16_to_f32(0xFC00)) && vigil_f16_to_f32(0xFC00) < 0);
    ck_assert(isnan(vigil_f16_to_f32(0x7E00)));

    ck_assert_uint_eq(vigil_f32_to_f16(1.0f), 0x3C00);
    ck_assert_uint_eq(vigil_f32_to_f16(-2.0f), 0xC000);
    ck_assert_uint_eq(vigil_f32_to_f16(65504.0f), 0x7BFF);
    ck_assert_uint_eq(vigil_f32_to_f16(ldexpf(1.0f, -24)), 0x0001);
    ck_assert_uint_eq(vigil_f32_to_f16(5.96e-8f), 0x0001);
    ck_assert_uint_eq(vigil_f32_to_f16(ldexpf(1.0f, -14)), 0x0400);
    ck_assert_uint_eq(vigil_f32_to_f16(-0.0f), 0x8000);
    ck_assert_uint_eq(vigil_f32_to_f16(INFINITY), 0x7C00);
    ck_assert_uint_eq(vigil_f32_to_f16(-INFINITY), 0xFC00);
    uint16_t nan = vigil_f32_to_f16(NAN);
    ck_assert_uint_eq(nan & 0x7C00, 0x7C00);
    ck_assert_uint_ne(nan & 0x03FF, 0);
    /* A signaling NaN whose payload lives only in the low bits stays a NaN. */
    ck_assert(isnan(vigil_f16_to_f32(vigil_f32_to_f16(float_of(0x7F800001)))));
}
END_TEST

START_TEST(test_f16_rounding_ties) {
    /* 1 + 2^-11 lies halfway between 0x3C00 and 0x3C01: ties go to even 0x3C00. */
    ck_assert_uint_eq(vigil_f32_to_f16(1.0f + ldexpf(1.0f, -11)), 0x3C00);
    /* 1 + 3 * 2^-11 lies halfway between 0x3C01 and 0x3C02: even is 0x3C02. */
    ck_assert_uint_eq(vigil_f32_to_f16(1.0f + 3 * ldexpf(1.0f, -11)), 0x3C02);
    /* Just above a tie rounds up. */
    ck_assert_uint_eq(vigil_f32_to_f16(nextafterf(1.0f + ldexpf(1.0f, -11), 2.0f)), 0x3C01);
    /* The largest finite half and the overflow tie: 65519 -> 65504, 65520 -> inf. */
    ck_assert_uint_eq(vigil_f32_to_f16(65519.0f), 0x7BFF);
    ck_assert_uint_eq(vigil_f32_to_f16(65520.0f), 0x7C00);
    ck_assert_uint_eq(vigil_f32_to_f16(1e6f), 0x7C00);
    /* Subnormals: 2^-25 is a tie between 0 and 0x0001 (-> 0); 3 * 2^-25 is a tie
     * between 0x0001 and 0x0002 (-> 2); a bit more than 2^-25 rounds up. */
    ck_assert_uint_eq(vigil_f32_to_f16(ldexpf(1.0f, -25)), 0x0000);
    ck_assert_uint_eq(vigil_f32_to_f16(3 * ldexpf(1.0f, -25)), 0x0002);
    ck_assert_uint_eq(vigil_f32_to_f16(nextafterf(ldexpf(1.0f, -25), 1.0f)), 0x0001);
    ck_assert_uint_eq(vigil_f32_to_f16(ldexpf(1.0f, -30)), 0x0000);
    /* The largest subnormal plus half an ulp rounds (to even) into the smallest normal. */
    ck_assert_uint_eq(vigil_f32_to_f16(ldexpf(1023.5f, -24)), 0x0400);
    ck_assert_uint_eq(vigil_f32_to_f16(-ldexpf(1022.5f, -24)), 0x83FE);
}
END_TEST

START_TEST(test_f16_exhaustive_against_definition) {
    for (uint32_t h = 0; h < 0x10000; h++) {
        if ((h & 0x7C00) == 0x7C00)
            continue; /* inf and NaN are checked above */
        float f = vigil_f16_to_f32((uint16_t)h);
        ck_assert_msg((double)f == half_value((uint16_t)h), "0x%04x decodes to %g", h, f);
        ck_assert_msg(vigil_f32_to_f16(f) == h, "0x%04x does not round-trip", h);
    }
}
END_TEST

/* The nearest half to v by search over the ordered positive halves, ties to even. */
static uint16_t nearest_half(double v) {
    uint16_t sign = v < 0 ? 0x8000 : 0;
    double a = fabs(v);
    if (a >= 65520.0)
        return sign | 0x7C00;
    int lo = 0, hi = 0x7BFF;
    while (hi - lo > 1) { /* half_value(lo) <= a < half_value(hi) */
        int mid = (lo + hi) / 2;
        if (half_value((uint16_t)mid) <= a)
            lo = mid;
        else
            hi = mid;
    }
    if (half_value((uint16_t)hi) <= a)
        lo = hi;
    double d_lo = a - half_value((uint16_t)lo), d_hi = half_value((uint16_t)hi) - a;
    int pick = d_lo < d_hi ? lo : d_hi < d_lo ? hi : (lo % 2 == 0 ? lo : hi);
    return sign | (uint16_t)pick;
}

START_TEST(test_f16_random_against_search) {
    uint32_t state = 12345;
    for (int i = 0; i < 200000; i++) {
        state = state * 1664525u + 1013904223u;
        /* Exponents from 2^-28 to 2^17 cover zero-rounding, subnormals, normals, overflow. */
        uint32_t exponent = 127 - 28 + (state >> 8) % 46;
        uint32_t u = (state & 0x80000000u) | (exponent << 23) | ((state * 2654435761u) & 0x7FFFFF);
        float f = float_of(u);
        uint16_t want = nearest_half((double)f);
        ck_assert_msg(vigil_f32_to_f16(f) == want, "%a: got 0x%04x want 0x%04x", (double)f,
                      vigil_f32_to_f16(f), want);
    }
}
END_TEST

START_TEST(test_bf16) {
    ck_assert(vigil_bf16_to_f32(0x3F80) == 1.0f);
    ck_assert(vigil_bf16_to_f32(0x3F81) == 1.0078125f);
    ck_assert(vigil_bf16_to_f32(0xC2F7) == -123.5f);
    ck_assert(vigil_bf16_to_f32(0x0001) == ldexpf(1.0f, -133)); /* a float subnormal */
    ck_assert_uint_eq(vigil_f32_to_bf16(1.0f), 0x3F80);
    ck_assert_uint_eq(vigil_f32_to_bf16(-123.5f), 0xC2F7);
    /* Ties to even: 1 + 2^-8 -> 0x3F80, 1 + 3 * 2^-8 -> 0x3F82; above a tie rounds up. */
    ck_assert_uint_eq(vigil_f32_to_bf16(float_of(0x3F808000)), 0x3F80);
    ck_assert_uint_eq(vigil_f32_to_bf16(float_of(0x3F818000)), 0x3F82);
    ck_assert_uint_eq(vigil_f32_to_bf16(float_of(0x3F808001)), 0x3F81);
    ck_assert_uint_eq(vigil_f32_to_bf16(float_of(0x3F807FFF)), 0x3F80);
    /* Subnormal floats round like any other bits. */
    ck_assert_uint_eq(vigil_f32_to_bf16(float_of(0x00018000)), 0x0002);
    ck_assert_uint_eq(vigil_f32_to_bf16(float_of(0x00008000)), 0x0000);
    /* The largest float rounds up to infinity; infinity stays; NaN stays NaN. */
    ck_assert_uint_eq(vigil_f32_to_bf16(float_of(0x7F7FFFFF)), 0x7F80);
    ck_assert_uint_eq(vigil_f32_to_bf16(-INFINITY), 0xFF80);
    ck_assert(isnan(vigil_bf16_to_f32(vigil_f32_to_bf16(NAN))));
    ck_assert(isnan(vigil_bf16_to_f32(vigil_f32_to_bf16(float_of(0x7F800001)))));
    for (uint32_t b = 0; b < 0x10000; b++) {
        if ((b & 0x7F80) == 0x7F80 && (b & 0x7F))
            continue; /* NaNs */
        ck_assert_uint_eq(vigil_f32_to_bf16(vigil_bf16_to_f32((uint16_t)b)), b);
    }
}
END_TEST

static Suite *tensor_suite(void) {
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("tensor");
    tcase_add_test(tc, test_dtype_names);
    tcase_add_test(tc, test_shapes);
    tcase_add_test(tc, test_alloc_view_free);
    tcase_add_test(tc, test_f16_known_patterns);
    tcase_add_test(tc, test_f16_rounding_ties);
    tcase_add_test(tc, test_f16_exhaustive_against_definition);
    tcase_add_test(tc, test_f16_random_against_search);
    tcase_add_test(tc, test_bf16);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(tensor_suite)
