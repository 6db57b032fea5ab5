/* The reference ops on small examples whose results were worked out on paper from
 * TensorFlow's definitions (SAME padding, ResizeBilinear's two coordinate modes, pool
 * padding rules). Each op runs as a one-node graph on the "ref" backend. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "test_util.h"
#include "vigil/engine.h"

typedef struct arg {
    int ndim;
    int64_t shape[VIGIL_MAX_DIMS];
    const float *data;
} arg;

#define ARG(data_, ...)                                                                            \
    (arg) {                                                                                        \
        .ndim = (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), .shape = {__VA_ARGS__}, \
        .data = (data_)                                                                            \
    }

static float result[4096];
static int result_ndim;
static int64_t result_shape[VIGIL_MAX_DIMS];

/* Builds in -> op (first argument an INPUT, the rest CONSTs), runs it on the ref
 * backend with 2 threads and copies the output into `result`. */
static void run_op(vigil_op_type op, vigil_op_params p, int n, const arg *args) {
    vigil_error err = {0};
    vigil_graph *g = vigil_graph_create();
    int ids[8];
    for (int i = 0; i < n; i++) {
        if (i == 0) {
            ids[i] = vigil_graph_add_input(g, "x", args[i].ndim, args[i].shape, &err);
        } else {
            vigil_tensor t;
            char name[16];
            snprintf(name, sizeof name, "c%d", i);
            ck_assert_int_eq(
                vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, args[i].ndim, args[i].shape, &err),
                VIGIL_STATUS_OK);
            memcpy(t.data, args[i].data, vigil_tensor_nbytes(&t));
            ids[i] = vigil_graph_add_const(g, name, &t, &err);
        }
        ck_assert_msg(ids[i] >= 0, "%s", err.message);
    }
    int y = vigil_graph_add_node(g, op, "op", ids, n, &p, &err);
    ck_assert_msg(y >= 0, "%s", err.message);
    vigil_graph_mark_output(g, y, "y", &err);
    vigil_backend *ref = vigil_backend_ref_create(&err);
    ref->threads = 2;
    vigil_engine *e;
    ck_assert_msg(vigil_engine_create(g, ref, &e, &err) == VIGIL_STATUS_OK, "%s", err.message);
    vigil_tensor *in = vigil_engine_input(e, 0);
    memcpy(in->data, args[0].data, vigil_tensor_nbytes(in));
    ck_assert_msg(vigil_engine_run(e, &err) == VIGIL_STATUS_OK, "%s", err.message);
    const vigil_tensor *out = vigil_engine_output(e, 0);
    ck_assert_uint_le(vigil_tensor_nbytes(out), sizeof result);
    memcpy(result, out->data, vigil_tensor_nbytes(out));
    result_ndim = out->ndim;
    memcpy(result_shape, out->shape, sizeof result_shape);
    vigil_engine_free(e);
    vigil_backend_free(ref);
    vigil_graph_free(g);
}

static void expect(int ndim, const int64_t *shape, const float *want, float tol) {
    char got_s[96], want_s[96];
    ck_assert_msg(vigil_shape_equal(result_ndim, result_shape, ndim, shape), "shape %s, want %s",
                  vigil_shape_format(result_ndim, result_shape, got_s, sizeof got_s),
                  vigil_shape_format(ndim, shape, want_s, sizeof want_s));
    for (int64_t i = 0; i < vigil_shape_numel(ndim, shape); i++)
        ck_assert_msg(fabsf(result[i] - want[i]) <= tol, "element %lld: %.7g, want %.7g",
                      (long long)i, result[i], want[i]);
}

#define EXPECT(want_, tol_, ...)                                                                   \
    expect((int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), (int64_t[]){__VA_ARGS__},    \
           (want_), (tol_))

static const float one_to_25[25] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
                                    14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25};

START_TEST(test_conv_valid_and_same) {
    /* 3x3 image 1..9, 2x2 kernel [[1,2],[3,4]], VALID:
     * 1+4+12+20 = 37, 2+6+15+24 = 47, 4+10+21+32 = 67, 5+12+24+36 = 77. */
    const float k[4] = {1, 2, 3, 4};
    vigil_op_params p = {.conv2d = {.stride = {1, 1}}};
    run_op(VIGIL_OP_CONV2D, p, 2, (arg[]){ARG(one_to_25, 1, 3, 3, 1), ARG(k, 2, 2, 1, 1)});
    EXPECT(((float[]){37, 47, 67, 77}), 0, 1, 2, 2, 1);

    /* 4x4 image 1..16, 3x3 ones, stride 2 SAME: TF pads 0 top/left and 1 bottom/right,
     * so the windows are rows/cols {0,1,2} and {2,3}: 54, 45, 72, 54. */
    const float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    p.conv2d = (vigil_conv2d_params){.stride = {2, 2}, .padding = VIGIL_PADDING_SAME};
    run_op(VIGIL_OP_CONV2D, p, 2, (arg[]){ARG(one_to_25, 1, 4, 4, 1), ARG(ones, 3, 3, 1, 1)});
    EXPECT(((float[]){54, 45, 72, 54}), 0, 1, 2, 2, 1);

    /* Explicit pads 1 on every side, stride 2, on the same image: windows start at -1
     * and 1: (1+2+5+6) = 14, (2+3+4+6+7+8) = 30, (5+6+9+10+13+14) = 57,
     * (6+7+8+10+11+12+14+15+16) = 99. */
    p.conv2d = (vigil_conv2d_params){.stride = {2, 2}, .pads = {1, 1, 1, 1}};
    run_op(VIGIL_OP_CONV2D, p, 2, (arg[]){ARG(one_to_25, 1, 4, 4, 1), ARG(ones, 3, 3, 1, 1)});
    EXPECT(((float[]){14, 30, 57, 99}), 0, 1, 2, 2, 1);
}
END_TEST

START_TEST(test_conv_dilation_channels_groups) {
    /* 5x5 image 1..25, 2x2 ones dilated by 2 (spans 3), VALID: out[i][j] =
     * x[i][j] + x[i][j+2] + x[i+2][j] + x[i+2][j+2] = 28 + 20 i + 4 j. */
    const float ones[4] = {1, 1, 1, 1};
    vigil_op_params p = {.conv2d = {.stride = {1, 1}, .dilation = {2, 2}}};
    run_op(VIGIL_OP_CONV2D, p, 2, (arg[]){ARG(one_to_25, 1, 5, 5, 1), ARG(ones, 2, 2, 1, 1)});
    float want[9];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            want[i * 3 + j] = (float)(28 + 20 * i + 4 * j);
    EXPECT(want, 0, 1, 3, 3, 1);

    /* Dense 1x1, 2 -> 3 channels: [1,2] x [[1,2,3],[4,5,6]] = [9,12,15]. */
    const float x2[2] = {1, 2}, w23[6] = {1, 2, 3, 4, 5, 6};
    p.conv2d = (vigil_conv2d_params){.stride = {1, 1}};
    run_op(VIGIL_OP_CONV2D, p, 2, (arg[]){ARG(x2, 1, 1, 1, 2), ARG(w23, 1, 1, 2, 3)});
    EXPECT(((float[]){9, 12, 15}), 0, 1, 1, 1, 3);

    /* Two groups, 4 -> 4 channels, w [1,1,2,4] = [[1,2,3,4],[5,6,7,8]]: group 0 maps
     * x0,x1 to outputs 0,1 (1*1+2*5 = 11, 1*2+2*6 = 14), group 1 maps x2,x3 to
     * outputs 2,3 (3*3+4*7 = 37, 3*4+4*8 = 44). */
    const float x4[4] = {1, 2, 3, 4}, wg[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    p.conv2d = (vigil_conv2d_params){.stride = {1, 1}, .groups = 2};
    run_op(VIGIL_OP_CONV2D, p, 2, (arg[]){ARG(x4, 1, 1, 1, 4), ARG(wg, 1, 1, 2, 4)});
    EXPECT(((float[]){11, 14, 37, 44}), 0, 1, 1, 1, 4);

    /* Depthwise with multiplier 2: channel 0 (2) feeds outputs 0,1, channel 1 (3)
     * feeds outputs 2,3: [2*1, 2*10, 3*100, 3*1000]. */
    const float xd[2] = {2, 3}, wd[4] = {1, 10, 100, 1000};
    p.conv2d = (vigil_conv2d_params){.stride = {1, 1}, .groups = 2};
    run_op(VIGIL_OP_CONV2D, p, 2, (arg[]){ARG(xd, 1, 1, 1, 2), ARG(wd, 1, 1, 1, 4)});
    EXPECT(((float[]){2, 20, 300, 3000}), 0, 1, 1, 1, 4);
}
END_TEST

START_TEST(test_conv_depthwise_bias_activation_batch) {
    /* Depthwise 2x2 over a 2x2 image with two channels, VALID:
     * channel 0 [[1,2],[3,4]] * [[1,0],[0,1]] = 5;
     * channel 1 [[10,20],[30,40]] * [[0.5,0.5],[0,-1]] = 5 + 10 - 40 = -25.
     * Batch item 1 is item 0 negated: -5 and 25. Bias [1, 2], then leaky relu 0.1:
     * item 0: 6, -2.3; item 1: -0.4, 27. */
    const float x[16] = {1, 10, 2, 20, 3, 30, 4, 40, -1, -10, -2, -20, -3, -30, -4, -40};
    const float w[8] = {1, 0.5f, 0, 0.5f, 0, 0, 1, -1};
    const float bias[2] = {1, 2};
    vigil_op_params p = {.conv2d = {.stride = {1, 1},
                                    .groups = 2,
                                    .activation = VIGIL_ACTIVATION_LEAKY_RELU,
                                    .alpha = 0.1f}};
    run_op(VIGIL_OP_CONV2D, p, 3, (arg[]){ARG(x, 2, 2, 2, 2), ARG(w, 2, 2, 1, 2), ARG(bias, 2)});
    EXPECT(((float[]){6, -2.3f, -0.4f, 27}), 1e-6f, 2, 1, 1, 2);
}
END_TEST

START_TEST(test_unary) {
    struct {
        vigil_activation a;
        float alpha;
        float in[5], want[5];
    } cases[] = {
        {VIGIL_ACTIVATION_NONE, 0, {-2, -1, 0, 1, 2}, {-2, -1, 0, 1, 2}},
        {VIGIL_ACTIVATION_RELU, 0, {-2, -1, 0, 1, 2}, {0, 0, 0, 1, 2}},
        {VIGIL_ACTIVATION_RELU6, 0, {-1, 3, 6, 7, 100}, {0, 3, 6, 6, 6}},
        {VIGIL_ACTIVATION_LEAKY_RELU, 0.2f, {-5, -1, 0, 3, 10}, {-1, -0.2f, 0, 3, 10}},
        /* relu6(x + 3) / 6 and x times that. */
        {VIGIL_ACTIVATION_HARD_SIGMOID, 0, {-4, -1, 0, 1, 4}, {0, 1.f / 3, 0.5f, 2.f / 3, 1}},
        {VIGIL_ACTIVATION_HARD_SWISH, 0, {-4, -1, 0, 1, 4}, {0, -1.f / 3, 0, 2.f / 3, 4}},
        /* sigmoid(ln 3) = 1 / (1 + 1/3) = 0.75; tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6. */
        {VIGIL_ACTIVATION_SIGMOID,
         0,
         {0, 1.0986123f, -1.0986123f, 80, -80},
         {0.5f, 0.75f, 0.25f, 1, 0}},
        {VIGIL_ACTIVATION_TANH, 0, {0, 0.6931472f, -0.6931472f, 20, -20}, {0, 0.6f, -0.6f, 1, -1}},
        {VIGIL_ACTIVATION_EXP,
         0,
         {0, 0.6931472f, 1, -0.6931472f, 2.3025851f},
         {1, 2, 2.7182818f, 0.5f, 10}},
        {VIGIL_ACTIVATION_NEG, 0, {-2, -1, 0, 1, 2}, {2, 1, 0, -1, -2}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vigil_op_params p = {.unary = {.activation = cases[i].a, .alpha = cases[i].alpha}};
        run_op(VIGIL_OP_UNARY, p, 1, (arg[]){ARG(cases[i].in, 5)});
        EXPECT(cases[i].want, 2e-6f, 5);
    }
}
END_TEST

START_TEST(test_binary_broadcasting) {
    /* a [2,1,3] = 1..6, b [2,1] = [10, 20]: out[i][j][k] = a[i][k] (op) b[j]. */
    const float a[6] = {1, 2, 3, 4, 5, 6}, b[2] = {10, 20};
    const vigil_binary_op ops[] = {VIGIL_BINARY_ADD, VIGIL_BINARY_SUB, VIGIL_BINARY_MUL,
                                   VIGIL_BINARY_DIV, VIGIL_BINARY_MAX, VIGIL_BINARY_MIN};
    for (int o = 0; o < 6; o++) {
        vigil_op_params p = {.binary = {.op = ops[o]}};
        run_op(VIGIL_OP_BINARY, p, 2, (arg[]){ARG(a, 2, 1, 3), ARG(b, 2, 1)});
        float want[12];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 3; k++) {
                    float x = a[i * 3 + k], y = b[j];
                    float v = ops[o] == VIGIL_BINARY_ADD   ? x + y
                              : ops[o] == VIGIL_BINARY_SUB ? x - y
                              : ops[o] == VIGIL_BINARY_MUL ? x * y
                              : ops[o] == VIGIL_BINARY_DIV ? x / y
                              : ops[o] == VIGIL_BINARY_MAX ? fmaxf(x, y)
                                                           : fminf(x, y);
                    want[(i * 2 + j) * 3 + k] = v;
                }
        EXPECT(want, 1e-6f, 2, 2, 3);
    }
    /* The explicit table for add: 11,12,13, 21,22,23, 14,15,16, 24,25,26. */
    run_op(VIGIL_OP_BINARY, (vigil_op_params){.binary = {.op = VIGIL_BINARY_ADD}}, 2,
           (arg[]){ARG(a, 2, 1, 3), ARG(b, 2, 1)});
    EXPECT(((float[]){11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26}), 0, 2, 2, 3);

    /* A scalar operand with a fused relu: relu(a - 3) = 0,0,0,1,2,3. */
    const float three = 3;
    vigil_op_params p = {.binary = {.op = VIGIL_BINARY_SUB, .activation = VIGIL_ACTIVATION_RELU}};
    run_op(VIGIL_OP_BINARY, p, 2, (arg[]){ARG(a, 2, 3), (arg){.ndim = 0, .data = &three}});
    EXPECT(((float[]){0, 0, 0, 1, 2, 3}), 0, 2, 3);

    /* The smaller operand first: [3] / [2,3]. */
    const float c[3] = {6, 12, 18};
    run_op(VIGIL_OP_BINARY, (vigil_op_params){.binary = {.op = VIGIL_BINARY_DIV}}, 2,
           (arg[]){ARG(c, 3), ARG(a, 2, 3)});
    EXPECT(((float[]){6, 6, 6, 1.5f, 12.f / 5, 3}), 1e-6f, 2, 3);

    /* A per-channel vector over NHWC [1,2,2,2]. */
    const float img[8] = {1, 2, 3, 4, 5, 6, 7, 8}, ch[2] = {100, 200};
    run_op(VIGIL_OP_BINARY, (vigil_op_params){.binary = {.op = VIGIL_BINARY_ADD}}, 2,
           (arg[]){ARG(img, 1, 2, 2, 2), ARG(ch, 1, 1, 1, 2)});
    EXPECT(((float[]){101, 202, 103, 204, 105, 206, 107, 208}), 0, 1, 2, 2, 2);
}
END_TEST

START_TEST(test_reduce) {
    /* NHWC [1,2,2,2]: channel 0 = 1,2,3,4; channel 1 = 10,20,30,50. */
    const float x[8] = {1, 10, 2, 20, 3, 30, 4, 50};
    vigil_op_params p = {
        .reduce = {.op = VIGIL_REDUCE_MEAN, .naxes = 2, .axes = {1, 2}, .keep_dims = true}};
    run_op(VIGIL_OP_REDUCE, p, 1, (arg[]){ARG(x, 1, 2, 2, 2)});
    EXPECT(((float[]){2.5f, 27.5f}), 1e-6f, 1, 1, 1, 2);
    p.reduce.keep_dims = false;
    p.reduce.op = VIGIL_REDUCE_MAX;
    run_op(VIGIL_OP_REDUCE, p, 1, (arg[]){ARG(x, 1, 2, 2, 2)});
    EXPECT(((float[]){4, 50}), 0, 1, 2);
    p.reduce.op = VIGIL_REDUCE_SUM;
    run_op(VIGIL_OP_REDUCE, p, 1, (arg[]){ARG(x, 1, 2, 2, 2)});
    EXPECT(((float[]){10, 110}), 0, 1, 2);
    /* Over channels (axis -1): per pixel means 5.5, 11, 16.5, 27. */
    p.reduce = (vigil_reduce_params){.op = VIGIL_REDUCE_MEAN, .naxes = 1, .axes = {-1}};
    run_op(VIGIL_OP_REDUCE, p, 1, (arg[]){ARG(x, 1, 2, 2, 2)});
    EXPECT(((float[]){5.5f, 11, 16.5f, 27}), 1e-6f, 1, 2, 2);
    /* Max of all-negative values must not see a 0 from anywhere. */
    const float neg[4] = {-5, -3, -9, -4};
    p.reduce =
        (vigil_reduce_params){.op = VIGIL_REDUCE_MAX, .naxes = 1, .axes = {0}, .keep_dims = true};
    run_op(VIGIL_OP_REDUCE, p, 1, (arg[]){ARG(neg, 4)});
    EXPECT(((float[]){-3}), 0, 1);
}
END_TEST

START_TEST(test_pool) {
    /* 3x3 image 1..9, 2x2 stride 2 SAME: TF pads one row/col at the bottom/right only,
     * windows {0,1} and {2}: max 5,6,8,9; average over real cells only:
     * (1+2+4+5)/4 = 3, (3+6)/2 = 4.5, (7+8)/2 = 7.5, 9. */
    vigil_op_params p = {.pool2d = {.type = VIGIL_POOL_MAX,
                                    .kernel = {2, 2},
                                    .stride = {2, 2},
                                    .padding = VIGIL_PADDING_SAME}};
    run_op(VIGIL_OP_POOL2D, p, 1, (arg[]){ARG(one_to_25, 1, 3, 3, 1)});
    EXPECT(((float[]){5, 6, 8, 9}), 0, 1, 2, 2, 1);
    p.pool2d.type = VIGIL_POOL_AVG;
    run_op(VIGIL_OP_POOL2D, p, 1, (arg[]){ARG(one_to_25, 1, 3, 3, 1)});
    EXPECT(((float[]){3, 4.5f, 7.5f, 9}), 1e-6f, 1, 2, 2, 1);

    /* Negative values: padding acts as -inf for max (zero padding would give 0s). */
    float negative[9];
    for (int i = 0; i < 9; i++)
        negative[i] = -one_to_25[i];
    p.pool2d.type = VIGIL_POOL_MAX;
    run_op(VIGIL_OP_POOL2D, p, 1, (arg[]){ARG(negative, 1, 3, 3, 1)});
    EXPECT(((float[]){-1, -3, -7, -9}), 0, 1, 2, 2, 1);

    /* 3x3 stride 1 SAME average: corners see 4 cells, edges 6, the center 9. */
    p.pool2d = (vigil_pool2d_params){
        .type = VIGIL_POOL_AVG, .kernel = {3, 3}, .stride = {1, 1}, .padding = VIGIL_PADDING_SAME};
    run_op(VIGIL_OP_POOL2D, p, 1, (arg[]){ARG(one_to_25, 1, 3, 3, 1)});
    EXPECT(((float[]){3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7}), 1e-6f, 1, 3, 3, 1);

    /* Two channels pool independently. */
    const float two[8] = {1, -1, 2, -2, 3, -3, 4, -4};
    p.pool2d = (vigil_pool2d_params){.type = VIGIL_POOL_MAX, .kernel = {2, 2}, .stride = {2, 2}};
    run_op(VIGIL_OP_POOL2D, p, 1, (arg[]){ARG(two, 1, 2, 2, 2)});
    EXPECT(((float[]){4, -1}), 0, 1, 1, 1, 2);
}
END_TEST

START_TEST(test_resize_bilinear) {
    /* [[0,4],[8,12]] is 8 y + 4 x, so every bilinear sample is 8 fy + 4 fx, where f is
     * the clamped, interpolated source coordinate. 2 -> 4 (scale 0.5):
     *  legacy      src = dst/2:            0, .5, 1, 1.5 -> f = 0, .5, 1, 1
     *  half-pixel  src = (dst+.5)/2 - .5: -.25, .25, .75, 1.25 -> f = 0, .25, .75, 1
     *  align       scale 1/3:              f = 0, 1/3, 2/3, 1 */
    const float x[4] = {0, 4, 8, 12};
    const float f_legacy[4] = {0, 0.5f, 1, 1}, f_half[4] = {0, 0.25f, 0.75f, 1};
    const float f_align[4] = {0, 1.f / 3, 2.f / 3, 1};
    const float *fs[3] = {f_legacy, f_half, f_align};
    for (int mode = 0; mode < 3; mode++) {
        vigil_op_params p = {.resize = {.mode = VIGIL_RESIZE_BILINEAR,
                                        .size = {4, 4},
                                        .half_pixel_centers = mode == 1,
                                        .align_corners = mode == 2}};
        run_op(VIGIL_OP_RESIZE, p, 1, (arg[]){ARG(x, 1, 2, 2, 1)});
        float want[16];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                want[i * 4 + j] = 8 * fs[mode][i] + 4 * fs[mode][j];
        EXPECT(want, 1e-5f, 1, 4, 4, 1);
    }
    /* The half-pixel table written out: rows 0,1,3,4 / 2,3,5,6 / 6,7,9,10 / 8,9,11,12. */
    vigil_op_params hp = {.resize = {.size = {4, 4}, .half_pixel_centers = true}};
    run_op(VIGIL_OP_RESIZE, hp, 1, (arg[]){ARG(x, 1, 2, 2, 1)});
    EXPECT(((float[]){0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12}), 1e-6f, 1, 4, 4, 1);

    /* Downscale a row 3 -> 2 (scale 1.5), two channels [v, -v] of v = 0, 10, 20:
     * legacy src 0, 1.5 -> 0, 15; half-pixel src .25, 1.75 -> 2.5, 17.5. */
    const float row[6] = {0, 0, 10, -10, 20, -20};
    vigil_op_params down = {.resize = {.size = {1, 2}}};
    run_op(VIGIL_OP_RESIZE, down, 1, (arg[]){ARG(row, 1, 1, 3, 2)});
    EXPECT(((float[]){0, 0, 15, -15}), 1e-5f, 1, 1, 2, 2);
    down.resize.half_pixel_centers = true;
    run_op(VIGIL_OP_RESIZE, down, 1, (arg[]){ARG(row, 1, 1, 3, 2)});
    EXPECT(((float[]){2.5f, -2.5f, 17.5f, -17.5f}), 1e-5f, 1, 1, 2, 2);
}
END_TEST

START_TEST(test_resize_nearest) {
    /* Row 0, 10, 20 -> 2 samples: legacy floor(0, 1.5) = 0, 1; half-pixel floor((d+.5)
     * * 1.5) = floor(.75, 2.25) = 0, 2; align corners (scale 2) round(0, 2) = 0, 2. */
    const float row[3] = {0, 10, 20};
    vigil_op_params p = {.resize = {.mode = VIGIL_RESIZE_NEAREST, .size = {1, 2}}};
    run_op(VIGIL_OP_RESIZE, p, 1, (arg[]){ARG(row, 1, 1, 3, 1)});
    EXPECT(((float[]){0, 10}), 0, 1, 1, 2, 1);
    p.resize.half_pixel_centers = true;
    run_op(VIGIL_OP_RESIZE, p, 1, (arg[]){ARG(row, 1, 1, 3, 1)});
    EXPECT(((float[]){0, 20}), 0, 1, 1, 2, 1);
    p.resize.half_pixel_centers = false;
    p.resize.align_corners = true;
    run_op(VIGIL_OP_RESIZE, p, 1, (arg[]){ARG(row, 1, 1, 3, 1)});
    EXPECT(((float[]){0, 20}), 0, 1, 1, 2, 1);

    /* Row 0, 10 -> 3 samples (scale 2/3): legacy floor(0, .67, 1.33) = 0, 0, 1;
     * half-pixel floor(.33, 1, 1.67) = 0, 1, 1. */
    const float pair[2] = {0, 10};
    p.resize = (vigil_resize_params){.mode = VIGIL_RESIZE_NEAREST, .size = {1, 3}};
    run_op(VIGIL_OP_RESIZE, p, 1, (arg[]){ARG(pair, 1, 1, 2, 1)});
    EXPECT(((float[]){0, 0, 10}), 0, 1, 1, 3, 1);
    p.resize.half_pixel_centers = true;
    run_op(VIGIL_OP_RESIZE, p, 1, (arg[]){ARG(pair, 1, 1, 2, 1)});
    EXPECT(((float[]){0, 10, 10}), 0, 1, 1, 3, 1);
}
END_TEST

START_TEST(test_concat_slice_pad_transpose_reshape) {
    /* Channel concat: [1,1,2,2] {1,2 | 3,4} with [1,1,2,1] {9 | 8}. */
    const float a[4] = {1, 2, 3, 4}, b[2] = {9, 8};
    vigil_op_params p = {.concat = {.axis = 3}};
    run_op(VIGIL_OP_CONCAT, p, 2, (arg[]){ARG(a, 1, 1, 2, 2), ARG(b, 1, 1, 2, 1)});
    EXPECT(((float[]){1, 2, 9, 3, 4, 8}), 0, 1, 1, 2, 3);
    /* Along H with three inputs. */
    const float c[4] = {3, 4, 5, 6}, d[2] = {7, 8};
    p.concat.axis = 1;
    run_op(VIGIL_OP_CONCAT, p, 3,
           (arg[]){ARG(b, 1, 1, 2, 1), ARG(c, 1, 2, 2, 1), ARG(d, 1, 1, 2, 1)});
    EXPECT(((float[]){9, 8, 3, 4, 5, 6, 7, 8}), 0, 1, 4, 2, 1);

    /* Strided slice of a 4x4 image 0..15: rows 1,3 and columns 0,2 -> 4,6,12,14. */
    float grid[16];
    for (int i = 0; i < 16; i++)
        grid[i] = (float)i;
    p.slice =
        (vigil_slice_params){.begin = {0, 1, 0, 0}, .end = {1, 4, 4, 1}, .step = {1, 2, 2, 1}};
    run_op(VIGIL_OP_SLICE, p, 1, (arg[]){ARG(grid, 1, 4, 4, 1)});
    EXPECT(((float[]){4, 6, 12, 14}), 0, 1, 2, 2, 1);
    /* A channel range: [1,1,2,4] 0..7, channels 1..2 -> 1,2,5,6. */
    p.slice =
        (vigil_slice_params){.begin = {0, 0, 0, 1}, .end = {1, 1, 2, 3}, .step = {1, 1, 1, 1}};
    run_op(VIGIL_OP_SLICE, p, 1, (arg[]){ARG(grid, 1, 1, 2, 4)});
    EXPECT(((float[]){1, 2, 5, 6}), 0, 1, 1, 2, 2);

    /* Pad [2,2] by one row before and two columns after with -1. */
    p.pad = (vigil_pad_params){.before = {1, 0}, .after = {0, 2}, .value = -1};
    run_op(VIGIL_OP_PAD, p, 1, (arg[]){ARG(a, 2, 2)});
    EXPECT(((float[]){-1, -1, -1, -1, 1, 2, -1, -1, 3, 4, -1, -1}), 0, 3, 4);
    /* Spatial zero padding of NHWC, 1 pixel around a 1x1 image with two channels. */
    p.pad = (vigil_pad_params){.before = {0, 1, 1, 0}, .after = {0, 1, 1, 0}};
    run_op(VIGIL_OP_PAD, p, 1, (arg[]){ARG(b, 1, 1, 1, 2)});
    float padded[18] = {0};
    padded[8] = 9;
    padded[9] = 8;
    EXPECT(padded, 0, 1, 3, 3, 2);

    /* Transpose [2,3] 0..5 -> [3,2] 0,3,1,4,2,5; NHWC [1,2,2,3] -> NCHW [1,3,2,2]. */
    p.transpose = (vigil_transpose_params){.perm = {1, 0}};
    run_op(VIGIL_OP_TRANSPOSE, p, 1, (arg[]){ARG(grid, 2, 3)});
    EXPECT(((float[]){0, 3, 1, 4, 2, 5}), 0, 3, 2);
    p.transpose = (vigil_transpose_params){.perm = {0, 3, 1, 2}};
    run_op(VIGIL_OP_TRANSPOSE, p, 1, (arg[]){ARG(grid, 1, 2, 2, 3)});
    EXPECT(((float[]){0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}), 0, 1, 3, 2, 2);

    /* Reshape keeps the bytes: [1,2,2,3] -> [1,-1] with keep_batch. */
    p.reshape = (vigil_reshape_params){.ndim = 2, .shape = {7, -1}, .keep_batch = true};
    run_op(VIGIL_OP_RESHAPE, p, 1, (arg[]){ARG(grid, 1, 2, 2, 3)});
    EXPECT(grid, 0, 1, 12);
}
END_TEST

static Suite *ref_ops_suite(void) {
    Suite *s = suite_create("ref_ops");
    TCase *tc = tcase_create("ref_ops");
    tcase_add_test(tc, test_conv_valid_and_same);
    tcase_add_test(tc, test_conv_dilation_channels_groups);
    tcase_add_test(tc, test_conv_depthwise_bias_activation_batch);
    tcase_add_test(tc, test_unary);
    tcase_add_test(tc, test_binary_broadcasting);
    tcase_add_test(tc, test_reduce);
    tcase_add_test(tc, test_pool);
    tcase_add_test(tc, test_resize_bilinear);
    tcase_add_test(tc, test_resize_nearest);
    tcase_add_test(tc, test_concat_slice_pad_transpose_reshape);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(ref_ops_suite)
