/* The cpu backend's whole-graph plan against the ref backend: nodes fused into the
 * convolution before them (a constant scale, a residual sum in place or not), and
 * tensors kept in bfloat16 between oneDNN ops, on small
 * graphs with random inputs. Each fused node must report "fused:" as its implementation,
 * so a plan that silently stopped fusing fails too. */
#include "test_cpu_util.h"
#include "test_util.h"

#define F32_TOL 1e-4
#define BF16_TOL 2e-2

static vigil_backend *cpu_backend(bool bf16) {
    vigil_error err = {0};
    vigil_backend *b =
        bf16 ? vigil_backend_cpu_create_bf16(2, &err) : vigil_backend_cpu_create(2, &err);
    ck_assert_msg(b != NULL, "%s", err.message);
    return b;
}

static int conv(vigil_graph *g, int x, int64_t k, int64_t cout, int stride, int groups,
                vigil_activation act, bool bias) {
    const vigil_node *xn = &g->nodes[x];
    int64_t cin = xn->out_shape[3];
    int64_t ws[4] = {k, k, cin / groups, cout}, bs[1] = {cout};
    uint32_t seed = (uint32_t)g->n_nodes;
    char w_name[16], b_name[16];
    snprintf(w_name, sizeof w_name, "w%d", g->n_nodes);
    snprintf(b_name, sizeof b_name, "b%d", g->n_nodes);
    int in[3] = {x, cpu_test_const(g, w_name, 4, ws, seed, -0.4f, 0.4f),
                 bias ? cpu_test_const(g, b_name, 1, bs, seed + 1, -0.3f, 0.3f) : 0};
    vigil_op_params p = {.conv2d = {.stride = {stride, stride},
                                    .dilation = {1, 1},
                                    .groups = groups,
                                    .padding = VIGIL_PADDING_SAME,
                                    .activation = act,
                                    .alpha = 0.1f}};
    int y = cpu_test_node(g, VIGIL_OP_CONV2D, in, bias ? 3 : 2, &p);
    vigil_error err = {0};
    ck_assert_msg(vigil_graph_infer_shapes(g, &err) == VIGIL_STATUS_OK, "%s", err.message);
    return y;
}

static int binary(vigil_graph *g, int a, int b, vigil_binary_op op, vigil_activation act) {
    vigil_op_params p = {.binary = {.op = op, .activation = act}};
    int y = cpu_test_node(g, VIGIL_OP_BINARY, (int[]){a, b}, 2, &p);
    vigil_error err = {0};
    ck_assert_msg(vigil_graph_infer_shapes(g, &err) == VIGIL_STATUS_OK, "%s", err.message);
    return y;
}

static int scalar(vigil_graph *g, float v) {
    vigil_error err = {0};
    vigil_tensor t;
    ck_assert_int_eq(vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, 0, NULL, &err), VIGIL_STATUS_OK);
    *(float *)t.data = v;
    char name[16];
    snprintf(name, sizeof name, "k%d", g->n_nodes);
    int id = vigil_graph_add_const(g, name, &t, &err);
    ck_assert_msg(id >= 0, "%s", err.message);
    vigil_tensor_free(&t);
    return id;
}

static int node(vigil_graph *g, vigil_op_type op, const int *inputs, int n, vigil_op_params p) {
    int y = cpu_test_node(g, op, inputs, n, &p);
    vigil_error err = {0};
    ck_assert_msg(vigil_graph_infer_shapes(g, &err) == VIGIL_STATUS_OK, "%s", err.message);
    return y;
}

static int input(vigil_graph *g, int64_t h, int64_t w, int64_t c) {
    return cpu_test_input(g, "x", 4, (int64_t[]){1, h, w, c});
}

static void expect_impl(vigil_backend *cpu, const vigil_graph *g, int node, const char *prefix) {
    const char *impl = vigil_backend_cpu_node_impl(cpu, g, node);
    ck_assert_msg(impl && strncmp(impl, prefix, strlen(prefix)) == 0,
                  "node %d ran on '%s', expected '%s...'", node, impl ? impl : "(none)", prefix);
}

/* Marks `out` as the output and compares it on cpu (f32, then bf16) with ref; `fused`
 * nodes must have been fused. */
static void check(vigil_graph *g, int out, const int *fused, int n_fused) {
    vigil_error err = {0};
    ck_assert_int_eq(vigil_graph_mark_output(g, out, "out", &err), VIGIL_STATUS_OK);
    vigil_backend *ref = vigil_backend_ref_create(&err);
    int64_t n_ref, n;
    float *want = cpu_test_run(g, ref, &n_ref);
    for (int bf16 = 0; bf16 < 2; bf16++) {
        vigil_backend *cpu = cpu_backend(bf16);
        float *got = cpu_test_run(g, cpu, &n);
        ck_assert_int_eq(n, n_ref);
        double e = cpu_test_error(got, want, n);
        if (getenv("VIGIL_TEST_VERBOSE"))
            printf("  %s error %.2e\n", bf16 ? "bf16" : "f32", e);
        ck_assert_msg(e <= (bf16 ? BF16_TOL : F32_TOL), "%s: relative error %.3g",
                      bf16 ? "bf16" : "f32", e);
        for (int i = 0; i < n_fused; i++)
            expect_impl(cpu, g, fused[i], "fused:");
        free(got);
        vigil_backend_free(cpu);
    }
    free(want);
    vigil_backend_free(ref);
}

START_TEST(test_scale_after_conv) {
    /* hard swish then a constant factor, the factor on either side of the multiply */
    for (int side = 0; side < 2; side++) {
        vigil_graph *g = vigil_graph_create();
        int c = conv(g, input(g, 13, 17, 8), 3, 16, 1, 1, VIGIL_ACTIVATION_HARD_SWISH, true);
        int k = scalar(g, 0.999755859375f * 1.5f);
        int m = side ? binary(g, k, c, VIGIL_BINARY_MUL, VIGIL_ACTIVATION_NONE)
                     : binary(g, c, k, VIGIL_BINARY_MUL, VIGIL_ACTIVATION_RELU);
        check(g, m, &m, 1);
        vigil_graph_free(g);
    }
}
END_TEST

/* Regression: oneDNN 2.6 computes a chain with two eltwise_linear post-ops wrongly (hard
 * sigmoid is linear then clip; neg is linear), so the scale must merge into the first. */
START_TEST(test_scale_after_linear_activations) {
    vigil_activation acts[2] = {VIGIL_ACTIVATION_HARD_SIGMOID, VIGIL_ACTIVATION_NEG};
    for (int i = 0; i < 2; i++) {
        vigil_graph *g = vigil_graph_create();
        int c = conv(g, input(g, 9, 11, 24), 5, 24, 2, 24, acts[i], true);
        int m = binary(g, c, scalar(g, 0.7f), VIGIL_BINARY_MUL, VIGIL_ACTIVATION_RELU6);
        check(g, m, &m, 1);
        vigil_graph_free(g);
    }
}
END_TEST

START_TEST(test_no_fusion_when_the_conv_is_read_twice) {
    vigil_graph *g = vigil_graph_create();
    int c = conv(g, input(g, 8, 8, 8), 1, 8, 1, 1, VIGIL_ACTIVATION_NONE, true);
    int m = binary(g, c, scalar(g, 2.0f), VIGIL_BINARY_MUL, VIGIL_ACTIVATION_NONE);
    int s = binary(g, m, c, VIGIL_BINARY_ADD, VIGIL_ACTIVATION_NONE);
    vigil_backend *cpu = cpu_backend(false);
    cpu_test_compare(g, s, cpu, F32_TOL, "any");
    expect_impl(cpu, g, m, "jit"); /* a binary of its own */
    vigil_backend_free(cpu);
    vigil_graph_free(g);
}
END_TEST

/* r = conv(x); c = conv(x); s = c + r (or r + c), with the sum's activation. */
START_TEST(test_residual_sum) {
    for (int order = 0; order < 2; order++) {
        vigil_graph *g = vigil_graph_create();
        int x = input(g, 13, 17, 8);
        int r = conv(g, x, 3, 16, 1, 1, VIGIL_ACTIVATION_NONE, true);
        int c = conv(g, x, 1, 16, 1, 1, VIGIL_ACTIVATION_RELU, false);
        int s = order ? binary(g, r, c, VIGIL_BINARY_ADD, VIGIL_ACTIVATION_RELU6)
                      : binary(g, c, r, VIGIL_BINARY_ADD, VIGIL_ACTIVATION_NONE);
        check(g, s, &s, 1);
        vigil_graph_free(g);
    }
}
END_TEST

/* The added tensor is read again after the sum: the sum cannot overwrite it, so the
 * backend copies it into the output first. Both outputs must be right. */
START_TEST(test_residual_sum_keeps_a_tensor_read_later) {
    vigil_graph *g = vigil_graph_create();
    int x = input(g, 12, 12, 8);
    int r = conv(g, x, 3, 8, 1, 1, VIGIL_ACTIVATION_NONE, true);
    int c = conv(g, x, 1, 8, 1, 1, VIGIL_ACTIVATION_NONE, true);
    int s = binary(g, c, r, VIGIL_BINARY_ADD, VIGIL_ACTIVATION_NONE);
    int later = binary(g, s, r, VIGIL_BINARY_MUL, VIGIL_ACTIVATION_NONE);
    check(g, later, &s, 1);
    vigil_graph_free(g);
}
END_TEST

/* A little network of every kind of oneDNN op, so that bf16 mode keeps bfloat16 tensors
 * between them: pooling, concat, half-pixel resize, a broadcast multiply by a computed
 * gate, a residual add, global mean, then a slice (on ref: its input must stay f32). */
START_TEST(test_bf16_storage_between_ops) {
    vigil_graph *g = vigil_graph_create();
    int x = input(g, 16, 16, 3);
    int a = conv(g, x, 3, 16, 2, 1, VIGIL_ACTIVATION_LEAKY_RELU, true);
    int p = node(g, VIGIL_OP_POOL2D, &a, 1,
                 (vigil_op_params){.pool2d = {.type = VIGIL_POOL_MAX,
                                              .kernel = {3, 3},
                                              .stride = {1, 1},
                                              .padding = VIGIL_PADDING_SAME}});
    int b = conv(g, p, 3, 16, 1, 1, VIGIL_ACTIVATION_RELU, true);
    int c = node(g, VIGIL_OP_CONCAT, (int[]){a, b}, 2, (vigil_op_params){.concat = {.axis = 3}});
    int mean = node(
        g, VIGIL_OP_REDUCE, &c, 1,
        (vigil_op_params){
            .reduce = {.op = VIGIL_REDUCE_MEAN, .naxes = 2, .axes = {1, 2}, .keep_dims = true}});
    int gate = conv(g, mean, 1, 32, 1, 1, VIGIL_ACTIVATION_SIGMOID, true);
    int se = binary(g, c, gate, VIGIL_BINARY_MUL, VIGIL_ACTIVATION_NONE);
    int d = conv(g, se, 1, 8, 1, 1, VIGIL_ACTIVATION_NONE, true);
    int u = node(g, VIGIL_OP_RESIZE, &d, 1,
                 (vigil_op_params){.resize = {.mode = VIGIL_RESIZE_BILINEAR,
                                              .size = {16, 16},
                                              .half_pixel_centers = true}});
    int e = conv(g, x, 3, 8, 1, 1, VIGIL_ACTIVATION_NONE, true);
    int s = binary(g, u, e, VIGIL_BINARY_ADD, VIGIL_ACTIVATION_TANH);
    int out =
        node(g, VIGIL_OP_SLICE, &s, 1,
             (vigil_op_params){
                 .slice = {.begin = {0, 1, 1, 0}, .end = {1, 15, 15, 6}, .step = {1, 1, 2, 1}}});
    check(g, out, &s, 1);
    vigil_graph_free(g);
}
END_TEST

static Suite *cpu_fusion_suite(void) {
    Suite *s = suite_create("cpu_fusion");
    TCase *tc = tcase_create("fusion");
    tcase_add_test(tc, test_scale_after_conv);
    tcase_add_test(tc, test_scale_after_linear_activations);
    tcase_add_test(tc, test_no_fusion_when_the_conv_is_read_twice);
    tcase_add_test(tc, test_residual_sum);
    tcase_add_test(tc, test_residual_sum_keeps_a_tensor_read_later);
    tcase_add_test(tc, test_bf16_storage_between_ops);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(cpu_fusion_suite)
