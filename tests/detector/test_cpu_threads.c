/*
 * Thread counts: a small network on the cpu backend gives the same results with 1 and
 * 2 threads (and matches the ref backend), and the caller's OpenMP thread count is left
 * as it was.
 */
#include <omp.h>

#include "test_cpu_util.h"
#include "test_util.h"

/* conv 3x3 -> depthwise s2 -> 1x1 -> max pool -> add -> mean over H,W -> mul (SE-like),
 * concat with an upsampled branch: every kind of node the backend runs on oneDNN. */
static vigil_graph *small_net(int *out) {
    vigil_graph *g = vigil_graph_create();
    int64_t xs[4] = {2, 32, 36, 16};
    int x = cpu_test_input(g, "x", 4, xs);
    int w1 = cpu_test_const(g, "w1", 4, (int64_t[]){3, 3, 16, 32}, 11, -0.3f, 0.3f);
    int b1 = cpu_test_const(g, "b1", 1, (int64_t[]){32}, 12, -0.3f, 0.3f);
    int w2 = cpu_test_const(g, "w2", 4, (int64_t[]){3, 3, 1, 32}, 13, -0.3f, 0.3f);
    int w3 = cpu_test_const(g, "w3", 4, (int64_t[]){1, 1, 32, 32}, 14, -0.3f, 0.3f);
    vigil_op_params c1 = {.conv2d = {.stride = {1, 1},
                                     .padding = VIGIL_PADDING_SAME,
                                     .activation = VIGIL_ACTIVATION_LEAKY_RELU,
                                     .alpha = 0.1f}};
    int y1 = cpu_test_node(g, VIGIL_OP_CONV2D, (int[]){x, w1, b1}, 3, &c1);
    vigil_op_params c2 = {.conv2d = {.stride = {2, 2},
                                     .groups = 32,
                                     .padding = VIGIL_PADDING_SAME,
                                     .activation = VIGIL_ACTIVATION_HARD_SWISH}};
    int y2 = cpu_test_node(g, VIGIL_OP_CONV2D, (int[]){y1, w2}, 2, &c2);
    vigil_op_params c3 = {.conv2d = {.stride = {1, 1}}};
    int y3 = cpu_test_node(g, VIGIL_OP_CONV2D, (int[]){y2, w3}, 2, &c3);
    vigil_op_params pool = {.pool2d = {.type = VIGIL_POOL_MAX,
                                       .kernel = {3, 3},
                                       .stride = {2, 2},
                                       .padding = VIGIL_PADDING_SAME}};
    int p1 = cpu_test_node(g, VIGIL_OP_POOL2D, &y1, 1, &pool);
    vigil_op_params add = {.binary = {.op = VIGIL_BINARY_ADD, .activation = VIGIL_ACTIVATION_RELU}};
    int s1 = cpu_test_node(g, VIGIL_OP_BINARY, (int[]){y3, p1}, 2, &add);
    vigil_op_params mean = {
        .reduce = {.op = VIGIL_REDUCE_MEAN, .naxes = 2, .axes = {1, 2}, .keep_dims = true}};
    int m = cpu_test_node(g, VIGIL_OP_REDUCE, &s1, 1, &mean);
    vigil_op_params sig = {.unary = {.activation = VIGIL_ACTIVATION_SIGMOID}};
    m = cpu_test_node(g, VIGIL_OP_UNARY, &m, 1, &sig);
    vigil_op_params mul = {.binary = {.op = VIGIL_BINARY_MUL}};
    int se = cpu_test_node(g, VIGIL_OP_BINARY, (int[]){s1, m}, 2, &mul);
    vigil_op_params up = {
        .resize = {.mode = VIGIL_RESIZE_BILINEAR, .size = {32, 36}, .half_pixel_centers = true}};
    int u = cpu_test_node(g, VIGIL_OP_RESIZE, &se, 1, &up);
    vigil_op_params cat = {.concat = {.axis = 3}};
    *out = cpu_test_node(g, VIGIL_OP_CONCAT, (int[]){u, y1}, 2, &cat);
    return g;
}

static float *run_with_threads(vigil_graph *g, int threads, int64_t *n) {
    vigil_error err = {0};
    vigil_backend *cpu = vigil_backend_cpu_create(threads, &err);
    ck_assert_msg(cpu != NULL, "%s", err.message);
    ck_assert_int_eq(cpu->threads, threads);
    float *out = cpu_test_run(g, cpu, n);
    vigil_backend_free(cpu);
    return out;
}

START_TEST(test_one_and_two_threads_agree) {
    int out;
    vigil_graph *g = small_net(&out);
    vigil_error err = {0};
    ck_assert_int_eq(vigil_graph_mark_output(g, out, "out", &err), VIGIL_STATUS_OK);
    int64_t n1, n2;
    float *one = run_with_threads(g, 1, &n1), *two = run_with_threads(g, 2, &n2);
    ck_assert_int_eq(n1, n2);
    double e = cpu_test_error(two, one, n1);
    /* oneDNN splits work over output pixels and channels, not over the sums */
    ck_assert_msg(e <= 1e-6, "1 vs 2 threads: relative difference %.3g", e);
    free(one);
    free(two);
    vigil_graph_free(g);
}
END_TEST

START_TEST(test_net_matches_ref) {
    int out;
    vigil_graph *g = small_net(&out);
    vigil_error err = {0};
    vigil_backend *cpu = vigil_backend_cpu_create(2, &err);
    ck_assert_msg(cpu != NULL, "%s", err.message);
    cpu_test_compare(g, out, cpu, 1e-4, "dnnl");
    for (int i = 0; i < g->n_nodes; i++) {
        const char *impl = vigil_backend_cpu_node_impl(cpu, g, i);
        if (g->nodes[i].op != VIGIL_OP_INPUT && g->nodes[i].op != VIGIL_OP_CONST)
            ck_assert_msg(impl && strcmp(impl, "ref") != 0, "node %d (%s) ran on %s", i,
                          vigil_op_type_name(g->nodes[i].op), impl ? impl : "nothing");
    }
    vigil_backend_free(cpu);
    vigil_graph_free(g);
}
END_TEST

START_TEST(test_caller_thread_count_kept) {
    int out;
    vigil_graph *g = small_net(&out);
    vigil_error err = {0};
    ck_assert_int_eq(vigil_graph_mark_output(g, out, "out", &err), VIGIL_STATUS_OK);
    omp_set_num_threads(3);
    int64_t n;
    free(run_with_threads(g, 1, &n));
    ck_assert_int_eq(omp_get_max_threads(), 3);
    vigil_graph_free(g);
}
END_TEST

START_TEST(test_all_cores) {
    vigil_error err = {0};
    vigil_backend *cpu = vigil_backend_cpu_create(0, &err);
    ck_assert_msg(cpu != NULL, "%s", err.message);
    ck_assert_int_eq(cpu->threads, omp_get_num_procs());
    vigil_backend_free(cpu);
}
END_TEST

START_TEST(test_repeated_runs) {
    /* memory objects keep the addresses bound on the first run: later runs on new input
     * data must still see that data */
    int out;
    vigil_graph *g = small_net(&out);
    vigil_error err = {0};
    ck_assert_int_eq(vigil_graph_mark_output(g, out, "out", &err), VIGIL_STATUS_OK);
    vigil_backend *cpu = vigil_backend_cpu_create(2, &err);
    ck_assert_msg(cpu != NULL, "%s", err.message);
    vigil_engine *e = NULL;
    ck_assert_msg(vigil_engine_create(g, cpu, &e, &err) == VIGIL_STATUS_OK, "%s", err.message);
    vigil_tensor *in = vigil_engine_input(e, 0);
    const vigil_tensor *y = vigil_engine_output(e, 0);
    int64_t n = vigil_tensor_numel(y);
    float *first = malloc((size_t)n * sizeof *first);
    ck_assert_ptr_nonnull(first);
    for (int run = 0; run < 3; run++) {
        /* runs 0 and 2 see the same input, run 1 another */
        cpu_test_fill(in->data, vigil_tensor_numel(in), run == 1 ? 9u : 5u, -1.f, 1.f);
        ck_assert_msg(vigil_engine_run(e, &err) == VIGIL_STATUS_OK, "%s", err.message);
        if (run == 0)
            memcpy(first, y->data, (size_t)n * sizeof *first);
        else if (run == 1)
            ck_assert(cpu_test_error(y->data, first, n) > 1e-3);
        else
            ck_assert(memcmp(y->data, first, (size_t)n * sizeof *first) == 0);
    }
    free(first);
    vigil_engine_free(e);
    vigil_backend_free(cpu);
    vigil_graph_free(g);
}
END_TEST

static Suite *cpu_threads_suite(void) {
    Suite *s = suite_create("cpu_threads");
    TCase *tc = tcase_create("threads");
    tcase_add_test(tc, test_one_and_two_threads_agree);
    tcase_add_test(tc, test_net_matches_ref);
    tcase_add_test(tc, test_caller_thread_count_kept);
    tcase_add_test(tc, test_all_cores);
    tcase_add_test(tc, test_repeated_runs);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(cpu_threads_suite)
