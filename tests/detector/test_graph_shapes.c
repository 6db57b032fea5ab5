/* Graph building and shape inference: TF's SAME padding, NumPy broadcasting, reshape,
 * batch changes, FLOP counts, and errors that name the node. Expected values are
 * worked out by hand from TensorFlow's documented formulas. */
#include <check.h>
#include <string.h>

#include "test_util.h"
#include "vigil/graph.h"

/* A const of the given shape filled with zeros (contents do not matter here). */
static int add_zeros(vigil_graph *g, const char *name, int ndim, const int64_t *shape) {
    vigil_tensor t;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, ndim, shape, &err), VIGIL_STATUS_OK);
    int index = vigil_graph_add_const(g, name, &t, &err);
    ck_assert_msg(index >= 0, "%s", err.message);
    vigil_tensor_free(&t); /* ownership moved: harmless */
    return index;
}

static int add_conv(vigil_graph *g, const char *name, int x, int kh, int kw, int cin, int cout,
                    const vigil_conv2d_params *cp) {
    char wname[64];
    snprintf(wname, sizeof wname, "%s/w", name);
    int w = add_zeros(g, wname, 4, (int64_t[]){kh, kw, cin, cout});
    vigil_op_params p = {.conv2d = *cp};
    vigil_error err = {0};
    int y = vigil_graph_add_node(g, VIGIL_OP_CONV2D, name, (int[]){x, w}, 2, &p, &err);
    ck_assert_msg(y >= 0, "%s", err.message);
    return y;
}

static void assert_shape(const vigil_node *n, int ndim, const int64_t *want) {
    char got[96], expected[96];
    ck_assert_msg(vigil_shape_equal(n->out_ndim, n->out_shape, ndim, want), "%s: %s, want %s",
                  n->name, vigil_shape_format(n->out_ndim, n->out_shape, got, sizeof got),
                  vigil_shape_format(ndim, want, expected, sizeof expected));
}

static void assert_pads(const int *pads, int top, int bottom, int left, int right) {
    ck_assert_int_eq(pads[0], top);
    ck_assert_int_eq(pads[1], bottom);
    ck_assert_int_eq(pads[2], left);
    ck_assert_int_eq(pads[3], right);
}

START_TEST(test_conv_same_padding_like_tf) {
    vigil_graph *g = vigil_graph_create();
    vigil_error err = {0};
    int even = vigil_graph_add_input(g, "even", 4, (int64_t[]){1, 416, 416, 3}, &err);
    int odd = vigil_graph_add_input(g, "odd", 4, (int64_t[]){1, 415, 417, 3}, &err);
    vigil_conv2d_params same2 = {.stride = {2, 2}, .padding = VIGIL_PADDING_SAME};
    vigil_conv2d_params same1 = {.stride = {1, 1}, .padding = VIGIL_PADDING_SAME};
    vigil_conv2d_params dil2 = {
        .stride = {1, 1}, .dilation = {2, 2}, .padding = VIGIL_PADDING_SAME};
    vigil_conv2d_params valid2 = {.stride = {2, 2}};
    vigil_conv2d_params explicit = {.stride = {2, 2}, .pads = {1, 1, 1, 1}};
    /* 416 / 2 = 208 out; pad_total = 207 * 2 + 3 - 416 = 1: top 0, bottom 1. */
    int a = add_conv(g, "a", even, 3, 3, 3, 8, &same2);
    /* 415 -> 208: total = 207 * 2 + 3 - 415 = 2 (1, 1); 417 -> 209: 208 * 2 + 3 - 417 = 2. */
    int b = add_conv(g, "b", odd, 3, 3, 3, 8, &same2);
    /* 1x1 stride 2 on 416: total = 207 * 2 + 1 - 416 < 0 -> no padding. */
    int c = add_conv(g, "c", even, 1, 1, 3, 8, &same2);
    /* 3x3 stride 1: total 2 -> 1, 1. */
    int d = add_conv(g, "d", even, 3, 3, 3, 8, &same1);
    /* dilation 2 makes a 3x3 kernel span 5: total 4 -> 2, 2. */
    int e = add_conv(g, "e", even, 3, 3, 3, 8, &dil2);
    /* 4x4 kernel stride 2 on 416: total = 207 * 2 + 4 - 416 = 2 -> 1, 1. */
    int f = add_conv(g, "f", even, 4, 4, 3, 8, &same2);
    /* VALID: (416 - 3) / 2 + 1 = 207. Explicit 1 each side: (418 - 3) / 2 + 1 = 208. */
    int v = add_conv(g, "v", even, 3, 3, 3, 8, &valid2);
    int x = add_conv(g, "x", even, 3, 3, 3, 8, &explicit);
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_OK);
    assert_shape(&g->nodes[a], 4, (int64_t[]){1, 208, 208, 8});
    assert_pads(g->nodes[a].params.conv2d.pads, 0, 1, 0, 1);
    assert_shape(&g->nodes[b], 4, (int64_t[]){1, 208, 209, 8});
    assert_pads(g->nodes[b].params.conv2d.pads, 1, 1, 1, 1);
    assert_shape(&g->nodes[c], 4, (int64_t[]){1, 208, 208, 8});
    assert_pads(g->nodes[c].params.conv2d.pads, 0, 0, 0, 0);
    assert_shape(&g->nodes[d], 4, (int64_t[]){1, 416, 416, 8});
    assert_pads(g->nodes[d].params.conv2d.pads, 1, 1, 1, 1);
    assert_shape(&g->nodes[e], 4, (int64_t[]){1, 416, 416, 8});
    assert_pads(g->nodes[e].params.conv2d.pads, 2, 2, 2, 2);
    assert_shape(&g->nodes[f], 4, (int64_t[]){1, 208, 208, 8});
    assert_pads(g->nodes[f].params.conv2d.pads, 1, 1, 1, 1);
    assert_shape(&g->nodes[v], 4, (int64_t[]){1, 207, 207, 8});
    assert_shape(&g->nodes[x], 4, (int64_t[]){1, 208, 208, 8});
    vigil_graph_free(g);
}
END_TEST

START_TEST(test_conv_groups_and_errors) {
    vigil_graph *g = vigil_graph_create();
    vigil_error err = {0};
    int in = vigil_graph_add_input(g, "in", 4, (int64_t[]){2, 8, 8, 6}, &err);
    vigil_conv2d_params dw = {.stride = {1, 1}, .groups = 6, .padding = VIGIL_PADDING_SAME};
    vigil_conv2d_params g2 = {.stride = {1, 1}, .groups = 2};
    int a = add_conv(g, "dw", in, 3, 3, 1, 12, &dw); /* depthwise, multiplier 2 */
    int b = add_conv(g, "grouped", in, 1, 1, 3, 4, &g2);
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_OK);
    assert_shape(&g->nodes[a], 4, (int64_t[]){2, 8, 8, 12});
    assert_shape(&g->nodes[b], 4, (int64_t[]){2, 8, 8, 4});
    /* kh*kw*(cin/groups) MACs per output element, times 2. */
    double want = 2.0 * (2 * 8 * 8 * 12) * (3 * 3 * 1) + 2.0 * (2 * 8 * 8 * 4) * (1 * 1 * 3);
    ck_assert_double_eq(vigil_graph_flops(g), want);

    vigil_conv2d_params bad = {.stride = {1, 1}, .groups = 1};
    add_conv(g, "conv_bad", in, 3, 3, 5, 4, &bad); /* 5 != 6 input channels */
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "conv_bad"));
    ck_assert_ptr_nonnull(strstr(err.message, "conv2d"));
    ck_assert_ptr_nonnull(strstr(err.message, "[2,8,8,6]"));
    ck_assert_ptr_nonnull(strstr(err.message, "[3,3,5,4]"));
    vigil_graph_free(g);

    g = vigil_graph_create();
    in = vigil_graph_add_input(g, "in", 4, (int64_t[]){1, 2, 2, 1}, &err);
    add_conv(g, "too_big", in, 3, 3, 1, 1, &bad); /* VALID 3x3 on 2x2 */
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "too_big"));
    vigil_graph_free(g);
}
END_TEST

START_TEST(test_pool_same) {
    vigil_graph *g = vigil_graph_create();
    vigil_error err = {0};
    int in = vigil_graph_add_input(g, "in", 4, (int64_t[]){1, 13, 14, 4}, &err);
    vigil_op_params p = {.pool2d = {.type = VIGIL_POOL_MAX,
                                    .kernel = {3, 3},
                                    .stride = {2, 2},
                                    .padding = VIGIL_PADDING_SAME}};
    int pool = vigil_graph_add_node(g, VIGIL_OP_POOL2D, "pool", &in, 1, &p, &err);
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_OK);
    /* 13 -> 7: total = 6 * 2 + 3 - 13 = 2 (1, 1); 14 -> 7: 6 * 2 + 3 - 14 = 1 (0, 1). */
    assert_shape(&g->nodes[pool], 4, (int64_t[]){1, 7, 7, 4});
    assert_pads(g->nodes[pool].params.pool2d.pads, 1, 1, 0, 1);
    vigil_graph_free(g);
}
END_TEST

START_TEST(test_binary_broadcasting) {
    vigil_graph *g = vigil_graph_create();
    vigil_error err = {0};
    int a = vigil_graph_add_input(g, "a", 3, (int64_t[]){2, 1, 4}, &err);
    int b = add_zeros(g, "b", 2, (int64_t[]){3, 1});
    int c = add_zeros(g, "c", 1, (int64_t[]){4});
    int s = add_zeros(g, "s", 0, NULL);
    vigil_op_params add = {.binary = {.op = VIGIL_BINARY_ADD}};
    int ab = vigil_graph_add_node(g, VIGIL_OP_BINARY, "ab", (int[]){a, b}, 2, &add, &err);
    int ca = vigil_graph_add_node(g, VIGIL_OP_BINARY, "ca", (int[]){c, a}, 2, &add, &err);
    int as = vigil_graph_add_node(g, VIGIL_OP_BINARY, "as", (int[]){a, s}, 2, &add, &err);
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_OK);
    assert_shape(&g->nodes[ab], 3, (int64_t[]){2, 3, 4});
    assert_shape(&g->nodes[ca], 3, (int64_t[]){2, 1, 4});
    assert_shape(&g->nodes[as], 3, (int64_t[]){2, 1, 4});
    ck_assert_double_eq(vigil_graph_flops(g), 24 + 8 + 8);

    int d = add_zeros(g, "d", 2, (int64_t[]){2, 3});
    vigil_graph_add_node(g, VIGIL_OP_BINARY, "mismatch", (int[]){d, c}, 2, &add, &err);
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "mismatch"));
    ck_assert_ptr_nonnull(strstr(err.message, "[2,3]"));
    ck_assert_ptr_nonnull(strstr(err.message, "[4]"));
    vigil_graph_free(g);
}
END_TEST

START_TEST(test_reduce_concat_slice_pad_transpose) {
    vigil_graph *g = vigil_graph_create();
    vigil_error err = {0};
    int in = vigil_graph_add_input(g, "in", 4, (int64_t[]){1, 13, 13, 80}, &err);
    vigil_op_params mean = {
        .reduce = {.op = VIGIL_REDUCE_MEAN, .naxes = 2, .axes = {1, 2}, .keep_dims = true}};
    vigil_op_params mean_drop = {.reduce = {.op = VIGIL_REDUCE_MEAN, .naxes = 2, .axes = {-3, 2}}};
    int m1 = vigil_graph_add_node(g, VIGIL_OP_REDUCE, "mean_keep", &in, 1, &mean, &err);
    int m2 = vigil_graph_add_node(g, VIGIL_OP_REDUCE, "mean_drop", &in, 1, &mean_drop, &err);
    int other = add_zeros(g, "other", 4, (int64_t[]){1, 13, 13, 20});
    vigil_op_params cat = {.concat = {.axis = -1}};
    int c = vigil_graph_add_node(g, VIGIL_OP_CONCAT, "cat", (int[]){in, other, in}, 3, &cat, &err);
    vigil_op_params sl = {
        .slice = {.begin = {0, 1, 0, 10}, .end = {1, 13, 13, 20}, .step = {1, 2, 3, 1}}};
    int s = vigil_graph_add_node(g, VIGIL_OP_SLICE, "slice", &in, 1, &sl, &err);
    vigil_op_params pad = {.pad = {.before = {0, 1, 2, 0}, .after = {0, 3, 0, 1}}};
    int p = vigil_graph_add_node(g, VIGIL_OP_PAD, "pad", &in, 1, &pad, &err);
    vigil_op_params tr = {.transpose = {.perm = {0, 3, 1, 2}}};
    int t = vigil_graph_add_node(g, VIGIL_OP_TRANSPOSE, "nchw", &in, 1, &tr, &err);
    vigil_op_params rs = {.resize = {.size = {26, 39}}};
    int r = vigil_graph_add_node(g, VIGIL_OP_RESIZE, "up", &in, 1, &rs, &err);
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_OK);
    assert_shape(&g->nodes[m1], 4, (int64_t[]){1, 1, 1, 80});
    assert_shape(&g->nodes[m2], 2, (int64_t[]){1, 80});
    ck_assert_int_eq(g->nodes[m2].params.reduce.axes[0], 1); /* normalized */
    assert_shape(&g->nodes[c], 4, (int64_t[]){1, 13, 13, 180});
    ck_assert_int_eq(g->nodes[c].params.concat.axis, 3);
    /* rows 1,3,..,11 (6); cols 0,3,6,9,12 (5); channels 10..19 (10). */
    assert_shape(&g->nodes[s], 4, (int64_t[]){1, 6, 5, 10});
    assert_shape(&g->nodes[p], 4, (int64_t[]){1, 17, 15, 81});
    assert_shape(&g->nodes[t], 4, (int64_t[]){1, 80, 13, 13});
    assert_shape(&g->nodes[r], 4, (int64_t[]){1, 26, 39, 80});

    vigil_op_params bad_perm = {.transpose = {.perm = {0, 1, 1, 2}}};
    vigil_graph_add_node(g, VIGIL_OP_TRANSPOSE, "bad_perm", &in, 1, &bad_perm, &err);
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "bad_perm"));
    vigil_graph_free(g);

    g = vigil_graph_create();
    in = vigil_graph_add_input(g, "in", 4, (int64_t[]){1, 13, 13, 80}, &err);
    vigil_op_params bad_slice = {
        .slice = {.begin = {0, 0, 0, 0}, .end = {1, 14, 13, 80}, .step = {1, 1, 1, 1}}};
    vigil_graph_add_node(g, VIGIL_OP_SLICE, "bad_slice", &in, 1, &bad_slice, &err);
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "bad_slice"));
    vigil_graph_free(g);
}
END_TEST

START_TEST(test_reshape_and_batch) {
    vigil_graph *g = vigil_graph_create();
    vigil_error err = {0};
    int in = vigil_graph_add_input(g, "in", 4, (int64_t[]){1, 52, 52, 80}, &err);
    vigil_op_params flat = {.reshape = {.ndim = 3, .shape = {1, -1, 80}, .keep_batch = true}};
    vigil_op_params fixed = {.reshape = {.ndim = 2, .shape = {-1, 80}}};
    int r1 = vigil_graph_add_node(g, VIGIL_OP_RESHAPE, "flat", &in, 1, &flat, &err);
    int r2 = vigil_graph_add_node(g, VIGIL_OP_RESHAPE, "fixed", &in, 1, &fixed, &err);
    vigil_graph_mark_output(g, r1, "scores", &err);
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_OK);
    assert_shape(&g->nodes[r1], 3, (int64_t[]){1, 2704, 80});
    assert_shape(&g->nodes[r2], 2, (int64_t[]){2704, 80});

    /* Batch 3: keep_batch follows the batch; a plain -1 absorbs it. */
    ck_assert_int_eq(vigil_graph_set_batch(g, 3, &err), VIGIL_STATUS_OK);
    assert_shape(&g->nodes[in], 4, (int64_t[]){3, 52, 52, 80});
    assert_shape(&g->nodes[r1], 3, (int64_t[]){3, 2704, 80});
    assert_shape(&g->nodes[r2], 2, (int64_t[]){3 * 2704, 80});
    ck_assert_int_eq(vigil_graph_set_batch(g, 0, &err), VIGIL_STATUS_INVALID_ARGUMENT);

    vigil_op_params bad = {.reshape = {.ndim = 2, .shape = {-1, 81}}};
    vigil_graph_add_node(g, VIGIL_OP_RESHAPE, "reshape_bad", &in, 1, &bad, &err);
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "reshape_bad"));
    ck_assert_ptr_nonnull(strstr(err.message, "[3,52,52,80]"));
    vigil_graph_free(g);

    g = vigil_graph_create();
    in = vigil_graph_add_input(g, "in", 2, (int64_t[]){4, 6}, &err);
    vigil_op_params two = {.reshape = {.ndim = 3, .shape = {-1, -1, 6}}};
    vigil_graph_add_node(g, VIGIL_OP_RESHAPE, "two_unknowns", &in, 1, &two, &err);
    ck_assert_int_eq(vigil_graph_infer_shapes(g, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "two_unknowns"));
    vigil_graph_free(g);
}
END_TEST

START_TEST(test_building_errors_and_find) {
    vigil_graph *g = vigil_graph_create();
    vigil_error err = {0};
    int in = vigil_graph_add_input(g, "in", 2, (int64_t[]){2, 2}, &err);
    ck_assert_int_eq(in, 0);
    char name[] = "relu1";
    vigil_op_params p = {.unary = {.activation = VIGIL_ACTIVATION_RELU}};
    int r = vigil_graph_add_node(g, VIGIL_OP_UNARY, name, &in, 1, &p, &err);
    name[0] = 'X'; /* names are copied */
    ck_assert_int_eq(vigil_graph_find(g, "relu1"), r);
    ck_assert_int_eq(vigil_graph_find(g, "nope"), -1);

    ck_assert_int_lt(vigil_graph_add_node(g, VIGIL_OP_UNARY, "dangling", (int[]){5}, 1, &p, &err),
                     0);
    ck_assert_ptr_nonnull(strstr(err.message, "dangling"));
    ck_assert_int_lt(vigil_graph_add_node(g, VIGIL_OP_BINARY, "one_input", &in, 1, &p, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.message, "one_input"));
    ck_assert_int_lt(vigil_graph_add_node(g, VIGIL_OP_UNARY, "relu1", &in, 1, &p, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.message, "relu1"));
    ck_assert_int_lt(vigil_graph_mark_output(g, 7, "out", &err), 0);
    ck_assert_int_eq(vigil_graph_mark_output(g, r, NULL, &err), VIGIL_STATUS_OK);
    ck_assert_str_eq(g->outputs[0].name, "relu1");
    ck_assert_int_eq(g->n_nodes, 2);

    /* A const whose data the caller keeps is copied. */
    float data[3] = {1, 2, 3};
    vigil_tensor view;
    vigil_tensor_view(&view, VIGIL_DTYPE_F32, 1, (int64_t[]){3}, data);
    int k = vigil_graph_add_const(g, "k", &view, &err);
    ck_assert_int_ge(k, 0);
    ck_assert_ptr_ne(g->nodes[k].value.data, data);
    ck_assert(((float *)g->nodes[k].value.data)[2] == 3.0f);
    vigil_graph_free(g);
}
END_TEST

START_TEST(test_names) {
    const char *ops[] = {"input",  "const",  "conv2d", "unary", "binary",    "reduce", "pool2d",
                         "resize", "concat", "slice",  "pad",   "transpose", "reshape"};
    for (int i = 0; i < VIGIL_OP_COUNT; i++) {
        vigil_op_type op;
        ck_assert_str_eq(vigil_op_type_name((vigil_op_type)i), ops[i]);
        ck_assert(vigil_op_type_from_name(ops[i], &op));
        ck_assert_int_eq(op, i);
    }
    const char *acts[] = {"none", "relu",         "relu6",      "leaky_relu", "sigmoid",
                          "tanh", "hard_sigmoid", "hard_swish", "exp",        "neg"};
    for (int i = 0; i < VIGIL_ACTIVATION_COUNT; i++) {
        vigil_activation a;
        ck_assert_str_eq(vigil_activation_name((vigil_activation)i), acts[i]);
        ck_assert(vigil_activation_from_name(acts[i], &a));
        ck_assert_int_eq(a, i);
    }
    const char *bins[] = {"add", "sub", "mul", "div", "max", "min"};
    for (int i = 0; i < VIGIL_BINARY_COUNT; i++) {
        vigil_binary_op b;
        ck_assert_str_eq(vigil_binary_op_name((vigil_binary_op)i), bins[i]);
        ck_assert(vigil_binary_op_from_name(bins[i], &b));
        ck_assert_int_eq(b, i);
    }
    vigil_op_type op;
    ck_assert(!vigil_op_type_from_name("Conv2D", &op));
    vigil_activation a;
    ck_assert(!vigil_activation_from_name("swish", &a));
}
END_TEST

static Suite *graph_shapes_suite(void) {
    Suite *s = suite_create("graph_shapes");
    TCase *tc = tcase_create("graph_shapes");
    tcase_add_test(tc, test_conv_same_padding_like_tf);
    tcase_add_test(tc, test_conv_groups_and_errors);
    tcase_add_test(tc, test_pool_same);
    tcase_add_test(tc, test_binary_broadcasting);
    tcase_add_test(tc, test_reduce_concat_slice_pad_transpose);
    tcase_add_test(tc, test_reshape_and_batch);
    tcase_add_test(tc, test_building_errors_and_find);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(graph_shapes_suite)
