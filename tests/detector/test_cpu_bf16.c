/*
 * The cpu backend in bfloat16: convolutions read their input and weights rounded to
 * bfloat16 (8 significant bits) and accumulate in f32, so results stay within about
 * 1e-2 of the f32 reference (relative to the output's magnitude), and differ from the
 * f32 backend by clearly more than f32 rounding (proof that bf16 is in effect).
 */
#include "test_cpu_util.h"
#include "test_util.h"

#define BF16_TOL 1e-2
/* f32 backends agree to ~1e-6; bf16 rounding alone moves results by >~1e-3 */
#define BF16_MIN_EFFECT 1e-4

typedef struct bf16_case {
    int64_t h, w, cin, cout;
    int k, stride, groups;
    vigil_activation act;
} bf16_case;

static vigil_graph *bf16_graph(const bf16_case *c, int *node) {
    vigil_graph *g = vigil_graph_create();
    int64_t xs[4] = {1, c->h, c->w, c->cin};
    int64_t ws[4] = {c->k, c->k, c->cin / c->groups, c->cout}, bs[1] = {c->cout};
    int in[3] = {cpu_test_input(g, "x", 4, xs), cpu_test_const(g, "w", 4, ws, 7, -0.5f, 0.5f),
                 cpu_test_const(g, "b", 1, bs, 8, -0.5f, 0.5f)};
    vigil_op_params p = {.conv2d = {.stride = {c->stride, c->stride},
                                    .groups = c->groups,
                                    .padding = VIGIL_PADDING_SAME,
                                    .activation = c->act,
                                    .alpha = 0.1f}};
    *node = cpu_test_node(g, VIGIL_OP_CONV2D, in, 3, &p);
    return g;
}

static void run_bf16(const bf16_case *c) {
    vigil_error err = {0};
    vigil_backend *bf16 = vigil_backend_cpu_create_bf16(2, &err);
    ck_assert_msg(bf16 != NULL, "%s", err.message);
    vigil_backend *f32 = vigil_backend_cpu_create(2, &err);
    ck_assert_msg(f32 != NULL, "%s", err.message);
    int node;
    vigil_graph *g = bf16_graph(c, &node);
    double e = cpu_test_compare(g, node, bf16, BF16_TOL, "dnnl");
    int64_t n_a, n_b;
    float *a = cpu_test_run(g, bf16, &n_a), *b = cpu_test_run(g, f32, &n_b);
    double effect = cpu_test_error(a, b, n_a);
    ck_assert_msg(effect > BF16_MIN_EFFECT, "bf16 backend matches f32 to %.3g: not in bf16",
                  effect);
    printf("bf16 %lldx%lld %lld->%lld k%d s%d g%d (%s): error vs ref %.2e\n", (long long)c->h,
           (long long)c->w, (long long)c->cin, (long long)c->cout, c->k, c->stride, c->groups,
           vigil_backend_cpu_node_impl(bf16, g, node), e);
    free(a);
    free(b);
    vigil_graph_free(g);
    vigil_backend_free(bf16);
    vigil_backend_free(f32);
}

START_TEST(test_bf16_3x3) {
    run_bf16(&(bf16_case){26, 26, 32, 64, 3, 1, 1, VIGIL_ACTIVATION_LEAKY_RELU});
}
END_TEST

START_TEST(test_bf16_3x3_stride2) {
    run_bf16(&(bf16_case){27, 25, 32, 64, 3, 2, 1, VIGIL_ACTIVATION_RELU});
}
END_TEST

START_TEST(test_bf16_1x1) {
    run_bf16(&(bf16_case){26, 26, 64, 128, 1, 1, 1, VIGIL_ACTIVATION_NONE});
}
END_TEST

START_TEST(test_bf16_depthwise_stays_f32) {
    /* memory-bound: bf16 would be slower, so the bf16 backend runs it in f32 */
    vigil_error err = {0};
    vigil_backend *bf16 = vigil_backend_cpu_create_bf16(2, &err);
    ck_assert_msg(bf16 != NULL, "%s", err.message);
    int node;
    vigil_graph *g =
        bf16_graph(&(bf16_case){26, 26, 64, 64, 3, 1, 64, VIGIL_ACTIVATION_RELU6}, &node);
    cpu_test_compare(g, node, bf16, 1e-4, "dnnl");
    ck_assert_ptr_null(strstr(vigil_backend_cpu_node_impl(bf16, g, node), "bf16"));
    vigil_graph_free(g);
    vigil_backend_free(bf16);
}
END_TEST

START_TEST(test_bf16_stem) {
    run_bf16(&(bf16_case){64, 64, 3, 32, 3, 2, 1, VIGIL_ACTIVATION_RELU});
}
END_TEST

START_TEST(test_bf16_env) {
    /* VIGIL_CPU_BF16=1 turns vigil_backend_cpu_create into the bf16 backend */
    vigil_error err = {0};
    setenv("VIGIL_CPU_BF16", "1", 1);
    vigil_backend *env = vigil_backend_cpu_create(1, &err);
    unsetenv("VIGIL_CPU_BF16");
    ck_assert_msg(env != NULL, "%s", err.message);
    vigil_backend *f32 = vigil_backend_cpu_create(1, &err);
    ck_assert_msg(f32 != NULL, "%s", err.message);
    int node;
    vigil_graph *g =
        bf16_graph(&(bf16_case){13, 13, 32, 32, 3, 1, 1, VIGIL_ACTIVATION_NONE}, &node);
    ck_assert_int_eq(vigil_graph_mark_output(g, node, "out", &err), VIGIL_STATUS_OK);
    int64_t n_a, n_b;
    float *a = cpu_test_run(g, env, &n_a), *b = cpu_test_run(g, f32, &n_b);
    ck_assert_msg(cpu_test_error(a, b, n_a) > BF16_MIN_EFFECT, "VIGIL_CPU_BF16=1 had no effect");
    free(a);
    free(b);
    vigil_graph_free(g);
    vigil_backend_free(env);
    vigil_backend_free(f32);
}
END_TEST

static Suite *cpu_bf16_suite(void) {
    Suite *s = suite_create("cpu_bf16");
    TCase *tc = tcase_create("conv2d");
    tcase_add_test(tc, test_bf16_3x3);
    tcase_add_test(tc, test_bf16_3x3_stride2);
    tcase_add_test(tc, test_bf16_1x1);
    tcase_add_test(tc, test_bf16_depthwise_stays_f32);
    tcase_add_test(tc, test_bf16_stem);
    tcase_add_test(tc, test_bf16_env);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(cpu_bf16_suite)
