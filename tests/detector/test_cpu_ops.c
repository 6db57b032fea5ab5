/* Every op the cpu backend runs on oneDNN, against the ref backend on random inputs. */
#include "test_cpu_util.h"
#include "test_util.h"

/* f32: oneDNN and the reference differ only in summation order and in the polynomial
 * approximations of exp/tanh/sigmoid. */
#define F32_TOL 1e-4

static vigil_backend *cpu_backend(void) {
    vigil_error err = {0};
    vigil_backend *b = vigil_backend_cpu_create(2, &err);
    ck_assert_msg(b != NULL, "%s", err.message);
    return b;
}

typedef struct conv_case {
    int64_t n, h, w, cin, cout, kh, kw;
    int stride, dilation, groups;
    vigil_padding padding;
    int pads[4];
    vigil_activation act;
    float alpha;
    bool no_bias;
} conv_case;

static conv_case conv_of(int64_t n, int64_t h, int64_t w, int64_t cin, int64_t cout, int k,
                         int stride, int dilation, int groups, vigil_padding padding) {
    return (conv_case){.n = n,
                       .h = h,
                       .w = w,
                       .cin = cin,
                       .cout = cout,
                       .kh = k,
                       .kw = k,
                       .stride = stride,
                       .dilation = dilation,
                       .groups = groups,
                       .padding = padding};
}

static double run_conv(const conv_case *c, const char *expect) {
    vigil_backend *cpu = cpu_backend();
    vigil_graph *g = vigil_graph_create();
    int groups = c->groups ? c->groups : 1;
    int64_t xs[4] = {c->n, c->h, c->w, c->cin};
    int64_t ws[4] = {c->kh, c->kw, c->cin / groups, c->cout};
    int64_t bs[1] = {c->cout};
    int in[3] = {cpu_test_input(g, "x", 4, xs), cpu_test_const(g, "w", 4, ws, 1, -0.5f, 0.5f),
                 cpu_test_const(g, "b", 1, bs, 2, -0.5f, 0.5f)};
    vigil_op_params p = {.conv2d = {.stride = {c->stride, c->stride},
                                    .dilation = {c->dilation, c->dilation},
                                    .groups = groups,
                                    .padding = c->padding,
                                    .activation = c->act,
                                    .alpha = c->alpha}};
    memcpy(p.conv2d.pads, c->pads, sizeof c->pads);
    int y = cpu_test_node(g, VIGIL_OP_CONV2D, in, c->no_bias ? 2 : 3, &p);
    double e = cpu_test_compare(g, y, cpu, F32_TOL, expect);
    vigil_graph_free(g);
    vigil_backend_free(cpu);
    return e;
}

START_TEST(test_conv_1x1) {
    conv_case c = conv_of(1, 13, 17, 16, 32, 1, 1, 1, 1, VIGIL_PADDING_EXPLICIT);
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_3x3_stride1) {
    conv_case c = conv_of(1, 13, 17, 8, 24, 3, 1, 1, 1, VIGIL_PADDING_SAME);
    c.act = VIGIL_ACTIVATION_RELU;
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_3x3_stride2) {
    /* odd sizes: TF SAME puts the extra padding row/column at the bottom/right */
    conv_case c = conv_of(1, 13, 17, 8, 16, 3, 2, 1, 1, VIGIL_PADDING_SAME);
    c.act = VIGIL_ACTIVATION_LEAKY_RELU;
    c.alpha = 0.1f;
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_dilation2) {
    conv_case c = conv_of(1, 13, 17, 8, 16, 3, 1, 2, 1, VIGIL_PADDING_SAME);
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_depthwise) {
    conv_case c = conv_of(1, 13, 17, 16, 16, 3, 1, 1, 16, VIGIL_PADDING_SAME);
    c.act = VIGIL_ACTIVATION_RELU6;
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_depthwise_stride2_5x5) {
    conv_case c = conv_of(1, 13, 17, 24, 24, 5, 2, 1, 24, VIGIL_PADDING_SAME);
    c.act = VIGIL_ACTIVATION_HARD_SWISH;
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_depthwise_multiplier) {
    /* TF depthwise multiplier 2: output channel c * 2 + m reads input channel c */
    conv_case c = conv_of(1, 9, 11, 8, 16, 3, 1, 1, 8, VIGIL_PADDING_SAME);
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_grouped) {
    conv_case c = conv_of(1, 13, 17, 16, 32, 3, 1, 1, 4, VIGIL_PADDING_SAME);
    c.act = VIGIL_ACTIVATION_SIGMOID;
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_asymmetric_pads) {
    conv_case c = conv_of(1, 13, 17, 8, 16, 3, 1, 1, 1, VIGIL_PADDING_EXPLICIT);
    memcpy(c.pads, (int[]){1, 2, 0, 1}, sizeof c.pads);
    c.act = VIGIL_ACTIVATION_TANH;
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_valid_stride2) {
    conv_case c = conv_of(1, 14, 18, 8, 16, 3, 2, 1, 1, VIGIL_PADDING_EXPLICIT);
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_batch2) {
    conv_case c = conv_of(2, 13, 17, 8, 16, 3, 1, 1, 1, VIGIL_PADDING_SAME);
    c.act = VIGIL_ACTIVATION_RELU;
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_no_bias) {
    conv_case c = conv_of(1, 13, 17, 8, 16, 3, 1, 1, 1, VIGIL_PADDING_SAME);
    c.no_bias = true;
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_stem) {
    /* 3 input channels, as the first layer of both models */
    conv_case c = conv_of(1, 33, 31, 3, 32, 3, 2, 1, 1, VIGIL_PADDING_SAME);
    c.act = VIGIL_ACTIVATION_RELU;
    run_conv(&c, "dnnl");
}
END_TEST

/* Every activation fused into a conv (looped over the enum). */
START_TEST(test_conv_fused_activation) {
    conv_case c = conv_of(1, 7, 9, 8, 16, 3, 1, 1, 1, VIGIL_PADDING_SAME);
    c.act = (vigil_activation)_i;
    c.alpha = 0.2f;
    run_conv(&c, "dnnl");
}
END_TEST

START_TEST(test_conv_fused_activation_depthwise) {
    conv_case c = conv_of(1, 7, 9, 16, 16, 3, 1, 1, 16, VIGIL_PADDING_SAME);
    c.act = (vigil_activation)_i;
    c.alpha = 0.2f;
    run_conv(&c, "dnnl");
}
END_TEST

/* --- pooling --- */

static void run_pool(int64_t n, int64_t h, int64_t w, int64_t ch, vigil_pool_type type, int k,
                     int s, vigil_padding padding) {
    vigil_backend *cpu = cpu_backend();
    vigil_graph *g = vigil_graph_create();
    int64_t xs[4] = {n, h, w, ch};
    int x = cpu_test_input(g, "x", 4, xs);
    vigil_op_params p = {
        .pool2d = {.type = type, .kernel = {k, k}, .stride = {s, s}, .padding = padding}};
    int y = cpu_test_node(g, VIGIL_OP_POOL2D, &x, 1, &p);
    cpu_test_compare(g, y, cpu, F32_TOL, "dnnl");
    vigil_graph_free(g);
    vigil_backend_free(cpu);
}

START_TEST(test_pool_max_3x3_s2_same) {
    run_pool(1, 13, 17, 16, VIGIL_POOL_MAX, 3, 2, VIGIL_PADDING_SAME);
}
END_TEST

START_TEST(test_pool_max_5x5_s1_same) {
    /* SPP-style max pooling; padded positions never win even when all inputs < 0 */
    run_pool(2, 13, 17, 8, VIGIL_POOL_MAX, 5, 1, VIGIL_PADDING_SAME);
}
END_TEST

START_TEST(test_pool_max_2x2_valid) {
    run_pool(1, 13, 17, 16, VIGIL_POOL_MAX, 2, 2, VIGIL_PADDING_EXPLICIT);
}
END_TEST

START_TEST(test_pool_avg_3x3_same) {
    /* TF excludes the padding from the average */
    run_pool(1, 13, 17, 16, VIGIL_POOL_AVG, 3, 1, VIGIL_PADDING_SAME);
}
END_TEST

START_TEST(test_pool_avg_3x3_s2_same) {
    run_pool(1, 13, 17, 16, VIGIL_POOL_AVG, 3, 2, VIGIL_PADDING_SAME);
}
END_TEST

/* --- unary --- */

START_TEST(test_unary_activation) {
    vigil_activation act = (vigil_activation)_i;
    vigil_backend *cpu = cpu_backend();
    vigil_graph *g = vigil_graph_create();
    int64_t xs[4] = {1, 13, 17, 12};
    int x = cpu_test_input(g, "x", 4, xs);
    vigil_op_params p = {.unary = {.activation = act, .alpha = 0.1f}};
    /* a scaled input so that relu6 and the hard activations see both of their kinks */
    int64_t ss[1] = {1};
    int scale = cpu_test_const(g, "scale", 1, ss, 3, 8.f, 8.f);
    vigil_op_params mul = {.binary = {.op = VIGIL_BINARY_MUL}};
    int xx = cpu_test_node(g, VIGIL_OP_BINARY, (int[]){x, scale}, 2, &mul);
    int y = cpu_test_node(g, VIGIL_OP_UNARY, &xx, 1, &p);
    /* oneDNN 2.6 has no hard sigmoid eltwise; the ref backend runs it */
    const char *expect = act == VIGIL_ACTIVATION_HARD_SIGMOID ? "ref" : "dnnl";
    cpu_test_compare(g, y, cpu, F32_TOL, act == VIGIL_ACTIVATION_NONE ? "ref" : expect);
    vigil_graph_free(g);
    vigil_backend_free(cpu);
}
END_TEST

/* --- binary --- */

static void run_binary(vigil_binary_op op, int a_ndim, const int64_t *a_shape, int b_ndim,
                       const int64_t *b_shape, vigil_activation act, const char *expect) {
    vigil_backend *cpu = cpu_backend();
    vigil_graph *g = vigil_graph_create();
    int a = cpu_test_input(g, "a", a_ndim, a_shape);
    int b;
    if (op == VIGIL_BINARY_DIV) /* keep the divisor away from 0 */
        b = cpu_test_const(g, "b", b_ndim, b_shape, 4, 0.5f, 1.5f);
    else
        b = cpu_test_input(g, "b", b_ndim, b_shape);
    vigil_op_params p = {.binary = {.op = op, .activation = act, .alpha = 0.1f}};
    int y = cpu_test_node(g, VIGIL_OP_BINARY, (int[]){a, b}, 2, &p);
    cpu_test_compare(g, y, cpu, F32_TOL, expect);
    vigil_graph_free(g);
    vigil_backend_free(cpu);
}

static const int64_t nhwc[4] = {2, 13, 17, 24}, per_channel[4] = {1, 1, 1, 24};

START_TEST(test_binary_same_shape) {
    run_binary((vigil_binary_op)_i, 4, nhwc, 4, nhwc, VIGIL_ACTIVATION_NONE, "dnnl");
}
END_TEST

START_TEST(test_binary_broadcast_b) {
    run_binary((vigil_binary_op)_i, 4, nhwc, 4, per_channel, VIGIL_ACTIVATION_NONE, "dnnl");
}
END_TEST

START_TEST(test_binary_broadcast_rank) {
    /* b [C] against a [N,H,W,C]: NumPy aligns the trailing dims */
    run_binary(VIGIL_BINARY_MUL, 4, nhwc, 1, (int64_t[]){24}, VIGIL_ACTIVATION_NONE, "dnnl");
}
END_TEST

START_TEST(test_binary_broadcast_spatial) {
    /* b [N,H,W,1]: one value per pixel across the channels */
    run_binary(VIGIL_BINARY_SUB, 4, nhwc, 4, (int64_t[]){2, 13, 17, 1}, VIGIL_ACTIVATION_NONE,
               "dnnl");
}
END_TEST

START_TEST(test_binary_scalar) {
    run_binary(VIGIL_BINARY_ADD, 4, nhwc, 0, (int64_t[]){1}, VIGIL_ACTIVATION_NONE, "dnnl");
}
END_TEST

START_TEST(test_binary_broadcast_a_commutative) {
    /* a broadcast, b full: oneDNN only broadcasts its second source, so the inputs swap */
    run_binary(VIGIL_BINARY_MUL, 4, per_channel, 4, nhwc, VIGIL_ACTIVATION_NONE, "dnnl");
    run_binary(VIGIL_BINARY_MAX, 4, per_channel, 4, nhwc, VIGIL_ACTIVATION_NONE, "dnnl");
}
END_TEST

START_TEST(test_binary_broadcast_a_sub) {
    run_binary(VIGIL_BINARY_SUB, 4, per_channel, 4, nhwc, VIGIL_ACTIVATION_NONE, "ref");
}
END_TEST

START_TEST(test_binary_broadcast_both) {
    run_binary(VIGIL_BINARY_ADD, 4, (int64_t[]){2, 13, 17, 1}, 4, per_channel,
               VIGIL_ACTIVATION_NONE, "ref");
}
END_TEST

START_TEST(test_binary_rank3) {
    run_binary(VIGIL_BINARY_ADD, 3, (int64_t[]){2, 221, 33}, 3, (int64_t[]){1, 221, 1},
               VIGIL_ACTIVATION_NONE, "dnnl");
}
END_TEST

START_TEST(test_binary_fused_activation) {
    run_binary(VIGIL_BINARY_ADD, 4, nhwc, 4, nhwc, (vigil_activation)_i, "dnnl");
}
END_TEST

/* --- reduce --- */

static void run_reduce_on(vigil_reduce_op op, int ndim, const int64_t *shape, int naxes,
                          const int *axes, bool keep_dims, const char *expect) {
    vigil_backend *cpu = cpu_backend();
    vigil_graph *g = vigil_graph_create();
    int x = cpu_test_input(g, "x", ndim, shape);
    vigil_op_params p = {.reduce = {.op = op, .naxes = naxes, .keep_dims = keep_dims}};
    memcpy(p.reduce.axes, axes, (size_t)naxes * sizeof *axes);
    int y = cpu_test_node(g, VIGIL_OP_REDUCE, &x, 1, &p);
    cpu_test_compare(g, y, cpu, F32_TOL, expect);
    vigil_graph_free(g);
    vigil_backend_free(cpu);
}

static void run_reduce(vigil_reduce_op op, int ndim, const int64_t *shape, int naxes,
                       const int *axes, bool keep_dims) {
    run_reduce_on(op, ndim, shape, naxes, axes, keep_dims, "dnnl");
}

START_TEST(test_reduce_mean_hw_keepdims) {
    run_reduce(VIGIL_REDUCE_MEAN, 4, nhwc, 2, (int[]){1, 2}, true);
}
END_TEST

START_TEST(test_reduce_mean_hw) {
    run_reduce(VIGIL_REDUCE_MEAN, 4, nhwc, 2, (int[]){2, 1}, false);
}
END_TEST

START_TEST(test_reduce_max_hw) {
    run_reduce(VIGIL_REDUCE_MAX, 4, nhwc, 2, (int[]){1, 2}, true);
}
END_TEST

START_TEST(test_reduce_sum_channels) {
    run_reduce(VIGIL_REDUCE_SUM, 4, nhwc, 1, (int[]){3}, true);
}
END_TEST

START_TEST(test_reduce_mean_last) {
    run_reduce(VIGIL_REDUCE_MEAN, 3, (int64_t[]){2, 50, 11}, 1, (int[]){-1}, false);
}
END_TEST

/* --- concat --- */

START_TEST(test_reduce_nothing) {
    /* reducing only size-1 axes is a copy; oneDNN refuses it, the ref backend does it */
    run_reduce_on(VIGIL_REDUCE_MEAN, 4, (int64_t[]){2, 1, 5, 3}, 1, (int[]){1}, true, "any");
    run_reduce_on(VIGIL_REDUCE_MAX, 4, (int64_t[]){2, 1, 1, 3}, 2, (int[]){1, 2}, false, "any");
}
END_TEST

static void run_concat(int ndim, const int64_t *const *shapes, int n, int axis) {
    vigil_backend *cpu = cpu_backend();
    vigil_graph *g = vigil_graph_create();
    int in[4];
    for (int i = 0; i < n; i++)
        in[i] = cpu_test_input(g, (const char *[]){"x0", "x1", "x2", "x3"}[i], ndim, shapes[i]);
    vigil_op_params p = {.concat = {.axis = axis}};
    int y = cpu_test_node(g, VIGIL_OP_CONCAT, in, n, &p);
    cpu_test_compare(g, y, cpu, 0.0, "dnnl"); /* a copy: exact */
    vigil_graph_free(g);
    vigil_backend_free(cpu);
}

START_TEST(test_concat_channels) {
    const int64_t a[4] = {2, 13, 17, 8}, b[4] = {2, 13, 17, 16}, c[4] = {2, 13, 17, 3};
    run_concat(4, (const int64_t *const[]){a, b, c}, 3, 3);
    run_concat(4, (const int64_t *const[]){a, b, c}, 3, -1);
}
END_TEST

START_TEST(test_concat_height) {
    const int64_t a[4] = {1, 5, 17, 8}, b[4] = {1, 8, 17, 8};
    run_concat(4, (const int64_t *const[]){a, b}, 2, 1);
}
END_TEST

START_TEST(test_concat_rank3) {
    const int64_t a[3] = {1, 2704, 112}, b[3] = {1, 676, 112}, c[3] = {1, 169, 112};
    run_concat(3, (const int64_t *const[]){a, b, c}, 3, 1);
}
END_TEST

/* --- resize --- */

static void run_resize(int64_t h, int64_t w, int out_h, int out_w, vigil_resize_mode mode,
                       bool half_pixel, bool align_corners, const char *expect) {
    vigil_backend *cpu = cpu_backend();
    vigil_graph *g = vigil_graph_create();
    int64_t xs[4] = {2, h, w, 12};
    int x = cpu_test_input(g, "x", 4, xs);
    vigil_op_params p = {.resize = {.mode = mode,
                                    .size = {out_h, out_w},
                                    .align_corners = align_corners,
                                    .half_pixel_centers = half_pixel}};
    int y = cpu_test_node(g, VIGIL_OP_RESIZE, &x, 1, &p);
    cpu_test_compare(g, y, cpu, F32_TOL, expect);
    vigil_graph_free(g);
    vigil_backend_free(cpu);
}

START_TEST(test_resize_half_pixel_2x) {
    run_resize(13, 17, 26, 34, VIGIL_RESIZE_BILINEAR, true, false, "dnnl");
}
END_TEST

START_TEST(test_resize_half_pixel_odd) {
    run_resize(13, 17, 20, 31, VIGIL_RESIZE_BILINEAR, true, false, "dnnl");
    run_resize(13, 17, 6, 9, VIGIL_RESIZE_BILINEAR, true, false, "dnnl");
}
END_TEST

START_TEST(test_resize_legacy_on_ref) {
    run_resize(13, 17, 26, 34, VIGIL_RESIZE_BILINEAR, false, false, "ref");
    run_resize(13, 17, 26, 34, VIGIL_RESIZE_NEAREST, false, false, "ref");
}
END_TEST

/* --- nodes the backend leaves to ref, and elementwise ops run in place --- */

START_TEST(test_delegated_ops) {
    vigil_backend *cpu = cpu_backend();
    vigil_graph *g = vigil_graph_create();
    int64_t xs[4] = {1, 13, 17, 8};
    int x = cpu_test_input(g, "x", 4, xs);
    vigil_op_params pad = {.pad = {.before = {0, 1, 2, 0}, .after = {0, 2, 1, 0}}};
    int y = cpu_test_node(g, VIGIL_OP_PAD, &x, 1, &pad);
    vigil_op_params tr = {.transpose = {.perm = {0, 3, 1, 2}}};
    y = cpu_test_node(g, VIGIL_OP_TRANSPOSE, &y, 1, &tr);
    cpu_test_compare(g, y, cpu, 0.0, "ref");
    vigil_graph_free(g);
    vigil_backend_free(cpu);
}
END_TEST

START_TEST(test_chain_in_place) {
    /* conv -> relu -> add(residual) -> sigmoid: the unary and binary nodes overwrite
     * their first input's storage on this backend */
    vigil_backend *cpu = cpu_backend();
    vigil_graph *g = vigil_graph_create();
    int64_t xs[4] = {1, 13, 17, 16}, ws[4] = {3, 3, 16, 16}, bs[1] = {16};
    int x = cpu_test_input(g, "x", 4, xs);
    int w = cpu_test_const(g, "w", 4, ws, 5, -0.3f, 0.3f);
    int b = cpu_test_const(g, "b", 1, bs, 6, -0.3f, 0.3f);
    vigil_op_params conv = {.conv2d = {.stride = {1, 1}, .padding = VIGIL_PADDING_SAME}};
    int y = cpu_test_node(g, VIGIL_OP_CONV2D, (int[]){x, w, b}, 3, &conv);
    vigil_op_params relu = {.unary = {.activation = VIGIL_ACTIVATION_RELU}};
    y = cpu_test_node(g, VIGIL_OP_UNARY, &y, 1, &relu);
    vigil_op_params add = {.binary = {.op = VIGIL_BINARY_ADD}};
    y = cpu_test_node(g, VIGIL_OP_BINARY, (int[]){y, x}, 2, &add);
    vigil_op_params sig = {.unary = {.activation = VIGIL_ACTIVATION_SIGMOID}};
    y = cpu_test_node(g, VIGIL_OP_UNARY, &y, 1, &sig);
    cpu_test_compare(g, y, cpu, F32_TOL, "dnnl");
    ck_assert(cpu->ops->node_in_place(cpu, g, y));
    ck_assert(cpu->ops->node_in_place(cpu, g, y - 1));
    vigil_graph_free(g);
    vigil_backend_free(cpu);
}
END_TEST

static Suite *cpu_ops_suite(void) {
    Suite *s = suite_create("cpu_ops");
    TCase *conv = tcase_create("conv2d");
    tcase_add_test(conv, test_conv_1x1);
    tcase_add_test(conv, test_conv_3x3_stride1);
    tcase_add_test(conv, test_conv_3x3_stride2);
    tcase_add_test(conv, test_conv_dilation2);
    tcase_add_test(conv, test_conv_depthwise);
    tcase_add_test(conv, test_conv_depthwise_stride2_5x5);
    tcase_add_test(conv, test_conv_depthwise_multiplier);
    tcase_add_test(conv, test_conv_grouped);
    tcase_add_test(conv, test_conv_asymmetric_pads);
    tcase_add_test(conv, test_conv_valid_stride2);
    tcase_add_test(conv, test_conv_batch2);
    tcase_add_test(conv, test_conv_no_bias);
    tcase_add_test(conv, test_conv_stem);
    tcase_add_loop_test(conv, test_conv_fused_activation, 0, VIGIL_ACTIVATION_COUNT);
    tcase_add_loop_test(conv, test_conv_fused_activation_depthwise, 0, VIGIL_ACTIVATION_COUNT);
    suite_add_tcase(s, conv);

    TCase *pool = tcase_create("pool2d");
    tcase_add_test(pool, test_pool_max_3x3_s2_same);
    tcase_add_test(pool, test_pool_max_5x5_s1_same);
    tcase_add_test(pool, test_pool_max_2x2_valid);
    tcase_add_test(pool, test_pool_avg_3x3_same);
    tcase_add_test(pool, test_pool_avg_3x3_s2_same);
    suite_add_tcase(s, pool);

    TCase *elementwise = tcase_create("elementwise");
    tcase_add_loop_test(elementwise, test_unary_activation, 0, VIGIL_ACTIVATION_COUNT);
    tcase_add_loop_test(elementwise, test_binary_same_shape, 0, VIGIL_BINARY_COUNT);
    tcase_add_loop_test(elementwise, test_binary_broadcast_b, 0, VIGIL_BINARY_COUNT);
    tcase_add_test(elementwise, test_binary_broadcast_rank);
    tcase_add_test(elementwise, test_binary_broadcast_spatial);
    tcase_add_test(elementwise, test_binary_scalar);
    tcase_add_test(elementwise, test_binary_broadcast_a_commutative);
    tcase_add_test(elementwise, test_binary_broadcast_a_sub);
    tcase_add_test(elementwise, test_binary_broadcast_both);
    tcase_add_test(elementwise, test_binary_rank3);
    tcase_add_loop_test(elementwise, test_binary_fused_activation, 0, VIGIL_ACTIVATION_COUNT);
    tcase_add_test(elementwise, test_chain_in_place);
    suite_add_tcase(s, elementwise);

    TCase *other = tcase_create("reduce_concat_resize");
    tcase_add_test(other, test_reduce_mean_hw_keepdims);
    tcase_add_test(other, test_reduce_mean_hw);
    tcase_add_test(other, test_reduce_max_hw);
    tcase_add_test(other, test_reduce_sum_channels);
    tcase_add_test(other, test_reduce_mean_last);
    tcase_add_test(other, test_reduce_nothing);
    tcase_add_test(other, test_concat_channels);
    tcase_add_test(other, test_concat_height);
    tcase_add_test(other, test_concat_rank3);
    tcase_add_test(other, test_resize_half_pixel_2x);
    tcase_add_test(other, test_resize_half_pixel_odd);
    tcase_add_test(other, test_resize_legacy_on_ref);
    tcase_add_test(other, test_delegated_ops);
    suite_add_tcase(s, other);
    return s;
}

TEST_MAIN(cpu_ops_suite)
