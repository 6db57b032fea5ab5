/* The TF.js importer.
 *
 * Small TF.js models written here (model.json + .bin) pin each rewrite down: a conv with
 * BiasAdd and Relu becomes one fused conv with the same weights; float16 and uint8
 * weights dequantize; shards concatenate; an NCHW graph loses its transposes and pads;
 * constant shape arithmetic folds; a spelled-out hard swish becomes one activation
 * without changing a value. Their outputs, run on the reference backend, are checked
 * against direct loops written here. Broken inputs must fail with the file and the
 * reason in the message. The two bundled detectors import with the expected shapes,
 * heads and almost no transposes, and (when the TF.js reference fixtures are in the
 * asset cache) reproduce TF.js's outputs. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"
#include "vigil/engine.h"
#include "vigil/tfjs.h"

/* ---- writing small TF.js models ---- */

#define SHAPE4(a, b, c, d)                                                                         \
    "{\"shape\":{\"dim\":[{\"size\":\"" #a "\"},{\"size\":\"" #b "\"},{\"size\":\"" #c             \
    "\"},{\"size\":\"" #d "\"}]}}"
#define ONES4 "{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}}"
#define SAME "{\"s\":\"U0FNRQ==\"}"
#define VALID "{\"s\":\"VkFMSUQ=\"}"
#define NHWC "{\"s\":\"TkhXQw==\"}"
#define NCHW "{\"s\":\"TkNIVw==\"}"
#define CONV_ATTRS(padding, format)                                                                \
    "\"attr\":{\"strides\":" ONES4 ",\"dilations\":" ONES4 ",\"padding\":" padding                 \
    ",\"data_format\":" format "}"

typedef struct tfjs_model {
    char nodes[32768];
    char manifest[16384];
    uint8_t bin[1 << 16];
    size_t bin_size;
} tfjs_model;

static char tmp_dir[64];

static const char *tmp_path(const char *name) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return path;
}

static void append(char *buf, size_t size, const char *format, ...) {
    size_t used = strlen(buf);
    va_list args;
    va_start(args, format);
    int n = vsnprintf(buf + used, size - used, format, args);
    va_end(args);
    ck_assert(n >= 0 && (size_t)n < size - used);
}

/* Adds a node given as the JSON members after "name" (op, input, attr). */
static void node(tfjs_model *m, const char *name, const char *rest) {
    append(m->nodes, sizeof m->nodes, "%s{\"name\":\"%s\",%s}", m->nodes[0] ? "," : "", name, rest);
}

static void placeholder(tfjs_model *m, const char *name, const char *shape) {
    char rest[512];
    snprintf(rest, sizeof rest,
             "\"op\":\"Placeholder\",\"attr\":{\"dtype\":{\"type\":\"DT_FLOAT\"},\"shape\":%s}",
             shape);
    node(m, name, rest);
}

static void shape_json(char *buf, size_t size, int ndim, const int64_t *shape) {
    buf[0] = '\0';
    append(buf, size, "[");
    for (int i = 0; i < ndim; i++)
        append(buf, size, i ? ",%lld" : "%lld", (long long)shape[i]);
    append(buf, size, "]");
}

/* A Const node with its manifest entry and its bytes in the shard. */
static void constant(tfjs_model *m, const char *name, const char *dtype, const char *quantization,
                     int ndim, const int64_t *shape, const void *bytes, size_t size) {
    char dims[128];
    shape_json(dims, sizeof dims, ndim, shape);
    node(m, name, "\"op\":\"Const\",\"attr\":{}");
    append(m->manifest, sizeof m->manifest, "%s{\"name\":\"%s\",\"shape\":%s,\"dtype\":\"%s\"%s%s}",
           m->manifest[0] ? "," : "", name, dims, dtype, quantization ? ",\"quantization\":" : "",
           quantization ? quantization : "");
    ck_assert_uint_le(m->bin_size + size, sizeof m->bin);
    if (size)
        memcpy(m->bin + m->bin_size, bytes, size);
    m->bin_size += size;
}

static void const_f32(tfjs_model *m, const char *name, int ndim, const int64_t *shape,
                      const float *values) {
    constant(m, name, "float32", NULL, ndim, shape, values,
             (size_t)vigil_shape_numel(ndim, shape) * sizeof(float));
}

static void const_i32(tfjs_model *m, const char *name, int ndim, const int64_t *shape,
                      const int32_t *values) {
    constant(m, name, "int32", NULL, ndim, shape, values,
             (size_t)vigil_shape_numel(ndim, shape) * sizeof(int32_t));
}

static void write_file(const char *path, const void *bytes, size_t size) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, size, f), size);
    ck_assert_int_eq(fclose(f), 0);
}

/* Writes model.json with `outputs` as the signature and the shard(s): split > 0 cuts the
 * weights into model.bin and model2.bin at that byte. Returns the json path. */
static const char *save(const tfjs_model *m, const char *outputs, size_t split) {
    static char json_path[256];
    snprintf(json_path, sizeof json_path, "%s", tmp_path("model.json"));
    size_t size = sizeof m->nodes + sizeof m->manifest + 1024;
    char *text = malloc(size);
    snprintf(text, size,
             "{\"format\":\"graph-model\",\"generatedBy\":\"test\",\"convertedBy\":\"hand\","
             "\"signature\":{\"outputs\":{%s}},"
             "\"modelTopology\":{\"node\":[%s],\"versions\":{}},"
             "\"weightsManifest\":[{\"paths\":[%s],\"weights\":[%s]}]}",
             outputs, m->nodes, split ? "\"model.bin\",\"model2.bin\"" : "\"model.bin\"",
             m->manifest);
    write_file(json_path, text, strlen(text));
    free(text);
    if (split) {
        write_file(tmp_path("model.bin"), m->bin, split);
        write_file(tmp_path("model2.bin"), m->bin + split, m->bin_size - split);
    } else {
        write_file(tmp_path("model.bin"), m->bin, m->bin_size);
    }
    return json_path;
}

static void setup(void) {
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/vigil_tfjs_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static void teardown(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* ---- looking at and running the result ---- */

static int count_op(const vigil_graph *g, vigil_op_type op) {
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++)
        n += g->nodes[i].op == op;
    return n;
}

static void assert_shape_is(const vigil_node *n, int ndim, const int64_t *shape) {
    char have_s[64], want_s[64];
    ck_assert_msg(vigil_shape_equal(n->out_ndim, n->out_shape, ndim, shape), "%s: %s, expected %s",
                  n->name, vigil_shape_format(n->out_ndim, n->out_shape, have_s, sizeof have_s),
                  vigil_shape_format(ndim, shape, want_s, sizeof want_s));
}

static const vigil_node *find_op(const vigil_graph *g, vigil_op_type op) {
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == op)
            return &g->nodes[i];
    return NULL;
}

static const vigil_node *output(const vigil_model *m, const char *name) {
    for (int i = 0; i < m->graph->n_outputs; i++)
        if (strcmp(m->graph->outputs[i].name, name) == 0)
            return &m->graph->nodes[m->graph->outputs[i].node];
    ck_abort_msg("no output %s", name);
    return NULL;
}

static vigil_model *import_ok(const char *path, const vigil_tfjs_options *options) {
    vigil_error err = {0};
    vigil_model *m = NULL;
    ck_assert_msg(vigil_tfjs_import(path, options, &m, &err) == 0, "%s", err.message);
    return m;
}

static void import_fails(const char *path, vigil_status status, const char *phrase) {
    vigil_error err = {0};
    vigil_model *m = NULL;
    vigil_status got = vigil_tfjs_import(path, NULL, &m, &err);
    ck_assert_msg(got == status, "status %d, expected %d: %s", got, status, err.message);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.message, path) != NULL, "message lacks the file: %s", err.message);
    ck_assert_msg(strstr(err.message, phrase) != NULL, "message lacks '%s': %s", phrase,
                  err.message);
}

/* Runs the model on the reference backend; returns the engine (outputs inside). */
static vigil_engine *run(vigil_model *m, vigil_backend **backend, const float *input) {
    vigil_error err = {0};
    *backend = vigil_backend_ref_create(&err);
    ck_assert_msg(*backend != NULL, "%s", err.message);
    vigil_engine *e = NULL;
    ck_assert_msg(vigil_engine_create(m->graph, *backend, &e, &err) == 0, "%s", err.message);
    vigil_tensor *in = vigil_engine_input(e, 0);
    memcpy(in->data, input, vigil_tensor_nbytes(in));
    ck_assert_msg(vigil_engine_run(e, &err) == 0, "%s", err.message);
    return e;
}

static const float *engine_output(vigil_engine *e, const char *name) {
    int i = vigil_engine_find_output(e, name);
    ck_assert_msg(i >= 0, "no output %s", name);
    return vigil_engine_output(e, i)->data;
}

/* Direct NHWC x HWIO convolution, stride 1, zero pads: the independent reference. */
static float conv_at(const float *x, int h, int w, int c, const float *wt, int k, int o_count,
                     int pad, int y, int xx, int o) {
    double sum = 0;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            int sy = y + i - pad, sx = xx + j - pad;
            if (sy < 0 || sy >= h || sx < 0 || sx >= w)
                continue;
            for (int ci = 0; ci < c; ci++)
                sum += x[(sy * w + sx) * c + ci] * wt[((i * k + j) * c + ci) * o_count + o];
        }
    return (float)sum;
}

static void ramp(float *v, int n, float scale, float offset) {
    for (int i = 0; i < n; i++)
        v[i] = scale * (float)((i * 7) % 23) + offset;
}

/* ---- a conv with bias and relu ---- */

static const char *conv_bias_relu(tfjs_model *m, float *w, float *b) {
    placeholder(m, "x", SHAPE4(1, 5, 5, 2));
    ramp(w, 54, 0.05f, -0.5f);
    const_f32(m, "w", 4, (int64_t[]){3, 3, 2, 3}, w);
    b[0] = 0.25f, b[1] = -1.0f, b[2] = 0.5f;
    const_f32(m, "b", 1, (int64_t[]){3}, b);
    node(m, "conv", "\"op\":\"Conv2D\",\"input\":[\"x\",\"w\"]," CONV_ATTRS(SAME, NHWC));
    node(m, "bias",
         "\"op\":\"BiasAdd\",\"input\":[\"conv\",\"b\",\"^x\"],"
         "\"attr\":{\"data_format\":" NHWC "}");
    node(m, "relu", "\"op\":\"Relu\",\"input\":[\"bias\"]");
    node(m, "out", "\"op\":\"Identity\",\"input\":[\"relu\"]");
    return "\"out:0\":{\"name\":\"out:0\"}";
}

static void check_conv_bias_relu(vigil_model *m, const char *out, const float *w, const float *b) {
    const vigil_graph *g = m->graph;
    ck_assert_int_eq(count_op(g, VIGIL_OP_CONV2D), 1);
    ck_assert_int_eq(count_op(g, VIGIL_OP_INPUT), 1);
    ck_assert_int_eq(count_op(g, VIGIL_OP_CONST), 2);
    ck_assert_int_eq(g->n_nodes, 4); /* input, weights, bias, conv: nothing else */
    const vigil_node *conv = output(m, out);
    ck_assert_int_eq(conv->op, VIGIL_OP_CONV2D);
    ck_assert_int_eq(conv->params.conv2d.activation, VIGIL_ACTIVATION_RELU);
    ck_assert_int_eq(conv->n_inputs, 3);
    const vigil_tensor *wt = &g->nodes[conv->inputs[1]].value;
    const vigil_tensor *bt = &g->nodes[conv->inputs[2]].value;
    ck_assert(vigil_shape_equal(wt->ndim, wt->shape, 4, (int64_t[]){3, 3, 2, 3}));
    ck_assert_int_eq(memcmp(wt->data, w, 54 * sizeof(float)), 0);
    ck_assert_int_eq(vigil_tensor_numel(bt), 3);
    for (int i = 0; i < 3; i++)
        ck_assert_float_eq(((const float *)bt->data)[i], b[i]);
    ck_assert(vigil_shape_equal(conv->out_ndim, conv->out_shape, 4, (int64_t[]){1, 5, 5, 3}));

    float x[50];
    ramp(x, 50, 0.1f, -1.0f);
    vigil_backend *backend;
    vigil_engine *e = run(m, &backend, x);
    const float *y = engine_output(e, out);
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 5; c++)
            for (int o = 0; o < 3; o++) {
                float want = conv_at(x, 5, 5, 2, w, 3, 3, 1, r, c, o) + b[o];
                ck_assert_float_eq_tol(y[(r * 5 + c) * 3 + o], want > 0 ? want : 0, 1e-5f);
            }
    vigil_engine_free(e);
    vigil_backend_free(backend);
}

START_TEST(conv_bias_relu_fuses) {
    static tfjs_model m;
    memset(&m, 0, sizeof m);
    float w[54], b[3];
    const char *outputs = conv_bias_relu(&m, w, b);
    vigil_model *model = import_ok(save(&m, outputs, 0), NULL);
    check_conv_bias_relu(model, "out", w, b);
    ck_assert_int_eq(model->head.type, VIGIL_HEAD_NONE);
    vigil_model_free(model);
}
END_TEST

/* The same weights split over two shards, the cut inside the filter. */
START_TEST(shards_concatenate) {
    static tfjs_model m;
    memset(&m, 0, sizeof m);
    float w[54], b[3];
    const char *outputs = conv_bias_relu(&m, w, b);
    vigil_model *model = import_ok(save(&m, outputs, 101), NULL);
    check_conv_bias_relu(model, "out", w, b);
    vigil_model_free(model);
}
END_TEST

/* A _FusedConv2D whose filter is float16 and whose bias is uint8-quantized. */
START_TEST(quantized_weights) {
    static tfjs_model m;
    memset(&m, 0, sizeof m);
    placeholder(&m, "x", SHAPE4(1, 5, 5, 2));
    float w[54];
    uint16_t w16[54];
    for (int i = 0; i < 54; i++) {
        w[i] = (float)((i * 5) % 17 - 8) / 8.0f; /* exact in float16 */
        w16[i] = vigil_f32_to_f16(w[i]);
    }
    constant(&m, "w", "float32", "{\"dtype\":\"float16\",\"original_dtype\":\"float32\"}", 4,
             (int64_t[]){3, 3, 2, 3}, w16, sizeof w16);
    uint8_t q[3] = {0, 10, 255};
    constant(&m, "b", "float32", "{\"dtype\":\"uint8\",\"scale\":0.01,\"min\":-0.5}", 1,
             (int64_t[]){3}, q, sizeof q);
    node(&m, "conv",
         "\"op\":\"_FusedConv2D\",\"input\":[\"x\",\"w\",\"b\"],\"attr\":{\"strides\":" ONES4
         ",\"padding\":" SAME ",\"num_args\":{\"i\":\"1\"},\"fused_ops\":{\"list\":{\"s\":["
         "\"Qmlhc0FkZA==\",\"UmVsdQ==\"]}}}");
    float b[3] = {-0.5f, -0.4f, 0.01f * 255 - 0.5f};
    vigil_model *model = import_ok(save(&m, "\"conv\":{\"name\":\"conv\"}", 0), NULL);
    ck_assert_int_eq(count_op(model->graph, VIGIL_OP_CONV2D), 1);
    const vigil_node *conv = output(model, "conv");
    const float *bias = model->graph->nodes[conv->inputs[2]].value.data;
    for (int i = 0; i < 3; i++)
        ck_assert_float_eq_tol(bias[i], b[i], 1e-6f);
    check_conv_bias_relu(model, "conv", w, bias);
    vigil_model_free(model);
}
END_TEST

/* The NCHW sandwich converters emit, with a separate Pad, an Add bias, a split and a
 * reshape whose shape is computed from constants. */
START_TEST(nchw_graph_loses_transposes) {
    static tfjs_model m;
    memset(&m, 0, sizeof m);
    placeholder(&m, "x", SHAPE4(1, 3, 6, 6));
    const_i32(&m, "to_nhwc", 1, (int64_t[]){4}, (int32_t[]){0, 2, 3, 1});
    const_i32(&m, "to_nchw", 1, (int64_t[]){4}, (int32_t[]){0, 3, 1, 2});
    node(&m, "pad", "\"op\":\"Pad\",\"input\":[\"x\",\"pads\"]");
    const_i32(&m, "pads", 2, (int64_t[]){4, 2}, (int32_t[]){0, 0, 0, 0, 1, 1, 1, 1});
    node(&m, "t1", "\"op\":\"Transpose\",\"input\":[\"pad\",\"to_nhwc\"]");
    float w[3 * 3 * 3 * 4], b[4] = {0.1f, -0.2f, 0.3f, -0.4f};
    ramp(w, 108, 0.02f, -0.2f);
    const_f32(&m, "w", 4, (int64_t[]){3, 3, 3, 4}, w);
    const_f32(&m, "b", 1, (int64_t[]){4}, b);
    node(&m, "conv", "\"op\":\"Conv2D\",\"input\":[\"t1\",\"w\"]," CONV_ATTRS(VALID, NHWC));
    node(&m, "add", "\"op\":\"Add\",\"input\":[\"conv\",\"b\"]");
    node(&m, "t2", "\"op\":\"Transpose\",\"input\":[\"add\",\"to_nchw\"]");
    node(&m, "leaky", "\"op\":\"LeakyRelu\",\"input\":[\"t2\"],\"attr\":{\"alpha\":{\"f\":0.2}}");
    const_i32(&m, "sizes", 1, (int64_t[]){2}, (int32_t[]){1, -1});
    const_i32(&m, "axis", 0, NULL, (int32_t[]){1});
    node(&m, "split",
         "\"op\":\"SplitV\",\"input\":[\"leaky\",\"sizes\",\"axis\"],"
         "\"attr\":{\"num_split\":{\"i\":\"2\"}}");
    node(&m, "sig", "\"op\":\"Sigmoid\",\"input\":[\"split\"]");
    /* shape = [1, 3, -1] + SparseToDense(nothing) = [1, 3, -1], as NanoDet computes it */
    const_i32(&m, "base_shape", 1, (int64_t[]){3}, (int32_t[]){1, 3, -1});
    constant(&m, "where", "int32", NULL, 2, (int64_t[]){0, 1}, NULL, 0);
    const_i32(&m, "dense_shape", 1, (int64_t[]){1}, (int32_t[]){3});
    constant(&m, "values", "int32", NULL, 1, (int64_t[]){0}, NULL, 0);
    const_i32(&m, "zero", 0, NULL, (int32_t[]){0});
    node(&m, "std",
         "\"op\":\"SparseToDense\",\"input\":[\"where\",\"dense_shape\",\"values\","
         "\"zero\"]");
    node(&m, "shape", "\"op\":\"AddV2\",\"input\":[\"base_shape\",\"std\"]");
    node(&m, "flat", "\"op\":\"Reshape\",\"input\":[\"split:1\",\"shape\"]");
    const_i32(&m, "swap", 1, (int64_t[]){3}, (int32_t[]){0, 2, 1});
    node(&m, "boxes", "\"op\":\"Transpose\",\"input\":[\"flat\",\"swap\"]");
    vigil_model *model =
        import_ok(save(&m, "\"sig\":{\"name\":\"sig:0\"},\"boxes\":{\"name\":\"boxes\"}", 0), NULL);
    const vigil_graph *g = model->graph;
    ck_assert_int_eq(count_op(g, VIGIL_OP_TRANSPOSE), 0);
    ck_assert_int_eq(count_op(g, VIGIL_OP_PAD), 0);
    ck_assert_int_eq(count_op(g, VIGIL_OP_BINARY), 0);
    const vigil_node *in = find_op(g, VIGIL_OP_INPUT);
    ck_assert(vigil_shape_equal(in->out_ndim, in->out_shape, 4, (int64_t[]){1, 6, 6, 3}));
    const vigil_node *conv = find_op(g, VIGIL_OP_CONV2D);
    ck_assert_int_eq(conv->params.conv2d.activation, VIGIL_ACTIVATION_LEAKY_RELU);
    ck_assert_float_eq_tol(conv->params.conv2d.alpha, 0.2f, 1e-7f);
    ck_assert_int_eq(conv->params.conv2d.padding, VIGIL_PADDING_EXPLICIT);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(conv->params.conv2d.pads[i], 1);
    const vigil_node *sig = output(model, "sig");
    const vigil_node *boxes = output(model, "boxes");
    /* The NCHW [1, 1, 6, 6] output is kept; moving a unit channel is only a reshape. */
    ck_assert(vigil_shape_equal(sig->out_ndim, sig->out_shape, 4, (int64_t[]){1, 1, 6, 6}));
    ck_assert(vigil_shape_equal(boxes->out_ndim, boxes->out_shape, 3, (int64_t[]){1, 36, 3}));
    ck_assert_int_eq(model->input.layout, VIGIL_LAYOUT_NHWC);

    /* Values: the NHWC input x'[y][x][c] is what the NCHW graph saw as x[c][y][x]. */
    float x[108];
    ramp(x, 108, 0.1f, -1.1f);
    vigil_backend *backend;
    vigil_engine *e = run(model, &backend, x);
    const float *ys = engine_output(e, "sig"), *yb = engine_output(e, "boxes");
    for (int r = 0; r < 6; r++)
        for (int c = 0; c < 6; c++)
            for (int o = 0; o < 4; o++) {
                float v = conv_at(x, 6, 6, 3, w, 3, 4, 1, r, c, o) + b[o];
                v = v > 0 ? v : 0.2f * v;
                if (o == 0)
                    ck_assert_float_eq_tol(ys[r * 6 + c], 1.0f / (1.0f + expf(-v)), 1e-5f);
                else /* boxes[0][pixel][channel - 1] */
                    ck_assert_float_eq_tol(yb[(r * 6 + c) * 3 + o - 1], v, 1e-5f);
            }
    vigil_engine_free(e);
    vigil_backend_free(backend);
    vigil_model_free(model);
}
END_TEST

/* MobileNetV3's hard swish as TF.js stores it: 1/6 rounded to float16. */
START_TEST(hard_swish_keeps_values) {
    static tfjs_model m;
    memset(&m, 0, sizeof m);
    placeholder(&m, "x", SHAPE4(1, 4, 4, 3));
    float w1[9], w2[12], sixth = 0.1666259765625f, three = 3.0f;
    ramp(w1, 9, 0.3f, -2.0f);
    ramp(w2, 12, 0.1f, -0.5f);
    const_f32(&m, "w1", 4, (int64_t[]){1, 1, 3, 3}, w1);
    const_f32(&m, "w2", 4, (int64_t[]){1, 1, 3, 4}, w2);
    const_f32(&m, "sixth", 0, NULL, &sixth);
    const_f32(&m, "three", 0, NULL, &three);
    node(&m, "c1", "\"op\":\"Conv2D\",\"input\":[\"x\",\"w1\"]," CONV_ATTRS(SAME, NHWC));
    node(&m, "m", "\"op\":\"Mul\",\"input\":[\"sixth\",\"c1\"]");
    node(&m, "a", "\"op\":\"Add\",\"input\":[\"c1\",\"three\"]");
    node(&m, "r", "\"op\":\"Relu6\",\"input\":[\"a\"]");
    node(&m, "hs", "\"op\":\"Mul\",\"input\":[\"m\",\"r\"]");
    node(&m, "c2", "\"op\":\"Conv2D\",\"input\":[\"hs\",\"w2\"]," CONV_ATTRS(SAME, NHWC));
    vigil_model *model = import_ok(save(&m, "\"c2\":{\"name\":\"c2\"}", 0), NULL);
    const vigil_graph *g = model->graph;
    ck_assert_int_eq(count_op(g, VIGIL_OP_CONV2D), 2);
    ck_assert_int_eq(count_op(g, VIGIL_OP_BINARY) + count_op(g, VIGIL_OP_UNARY), 0);
    ck_assert_int_eq(find_op(g, VIGIL_OP_CONV2D)->params.conv2d.activation,
                     VIGIL_ACTIVATION_HARD_SWISH);
    float x[48];
    ramp(x, 48, 0.35f, -3.5f);
    vigil_backend *backend;
    vigil_engine *e = run(model, &backend, x);
    const float *y = engine_output(e, "c2");
    for (int p = 0; p < 16; p++) {
        float h[3];
        for (int o = 0; o < 3; o++) {
            float c = conv_at(x + 3 * p, 1, 1, 3, w1, 1, 3, 0, 0, 0, o);
            float r = fminf(fmaxf(c + 3.0f, 0.0f), 6.0f);
            h[o] = sixth * c * r;
        }
        for (int o = 0; o < 4; o++) {
            float want = conv_at(h, 1, 1, 3, w2, 1, 4, 0, 0, 0, o);
            ck_assert_float_eq_tol(y[p * 4 + o], want, 1e-5f * (1.0f + fabsf(want)));
        }
    }
    vigil_engine_free(e);
    vigil_backend_free(backend);
    vigil_model_free(model);
}
END_TEST

/* A depthwise filter [kh, kw, C, multiplier] becomes HWIO [kh, kw, 1, C * multiplier]. */
START_TEST(depthwise_groups) {
    static tfjs_model m;
    memset(&m, 0, sizeof m);
    placeholder(&m, "x", SHAPE4(1, 4, 4, 2));
    float w[3 * 3 * 2 * 2];
    ramp(w, 36, 0.1f, -1.0f);
    const_f32(&m, "w", 4, (int64_t[]){3, 3, 2, 2}, w);
    node(&m, "dw",
         "\"op\":\"DepthwiseConv2dNative\",\"input\":[\"x\",\"w\"]," CONV_ATTRS(SAME, NHWC));
    vigil_model *model = import_ok(save(&m, "\"dw\":{\"name\":\"dw\"}", 0), NULL);
    const vigil_node *conv = output(model, "dw");
    ck_assert_int_eq(conv->params.conv2d.groups, 2);
    const vigil_tensor *wt = &model->graph->nodes[conv->inputs[1]].value;
    ck_assert(vigil_shape_equal(wt->ndim, wt->shape, 4, (int64_t[]){3, 3, 1, 4}));
    ck_assert_int_eq(memcmp(wt->data, w, sizeof w), 0);
    float x[32];
    ramp(x, 32, 0.2f, -1.5f);
    vigil_backend *backend;
    vigil_engine *e = run(model, &backend, x);
    const float *y = engine_output(e, "dw");
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
            for (int ch = 0; ch < 2; ch++)
                for (int k = 0; k < 2; k++) {
                    double sum = 0;
                    for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 3; j++) {
                            int sy = r + i - 1, sx = c + j - 1;
                            if (sy >= 0 && sy < 4 && sx >= 0 && sx < 4)
                                sum +=
                                    x[(sy * 4 + sx) * 2 + ch] * w[((i * 3 + j) * 2 + ch) * 2 + k];
                        }
                    ck_assert_float_eq_tol(y[(r * 4 + c) * 4 + ch * 2 + k], (float)sum, 1e-5f);
                }
    vigil_engine_free(e);
    vigil_backend_free(backend);
    vigil_model_free(model);
}
END_TEST

/* A batch norm fused by the converter into the conv folds into its weights; a later
 * StridedSlice (shrinking an axis), Mean and ConcatV2 with a negative axis map on. */
START_TEST(batch_norm_and_shape_ops) {
    static tfjs_model m;
    memset(&m, 0, sizeof m);
    placeholder(&m, "x", SHAPE4(1, 3, 3, 2));
    float w[2 * 2] = {1.0f, -0.5f, 0.25f, 2.0f}, scale[2] = {2.0f, 0.5f}, offset[2] = {0.1f, -3.0f};
    float mean[2] = {0.5f, -1.0f}, var[2] = {3.0f, 0.25f};
    const_f32(&m, "w", 4, (int64_t[]){1, 1, 2, 2}, w);
    const_f32(&m, "scale", 1, (int64_t[]){2}, scale);
    const_f32(&m, "offset", 1, (int64_t[]){2}, offset);
    const_f32(&m, "mean", 1, (int64_t[]){2}, mean);
    const_f32(&m, "var", 1, (int64_t[]){2}, var);
    node(&m, "bn",
         "\"op\":\"_FusedConv2D\",\"input\":[\"x\",\"w\",\"scale\",\"offset\",\"mean\",\"var\"],"
         "\"attr\":{\"strides\":" ONES4 ",\"padding\":" VALID ",\"num_args\":{\"i\":\"4\"},"
         "\"epsilon\":{\"f\":0.001},\"fused_ops\":{\"list\":{\"s\":[\"RnVzZWRCYXRjaE5vcm0=\","
         "\"UmVsdQ==\"]}}}");
    const_i32(&m, "b", 1, (int64_t[]){4}, (int32_t[]){0, 1, 0, 0});
    const_i32(&m, "e", 1, (int64_t[]){4}, (int32_t[]){0, 2, 0, 0});
    const_i32(&m, "s", 1, (int64_t[]){4}, (int32_t[]){1, 1, 1, 1});
    node(&m, "row",
         "\"op\":\"StridedSlice\",\"input\":[\"bn\",\"b\",\"e\",\"s\"],\"attr\":{"
         "\"begin_mask\":{\"i\":\"13\"},\"end_mask\":{\"i\":\"13\"},"
         "\"shrink_axis_mask\":{\"i\":\"2\"}}");
    const_i32(&m, "axes", 1, (int64_t[]){1}, (int32_t[]){-2});
    node(&m, "avg",
         "\"op\":\"Mean\",\"input\":[\"row\",\"axes\"],\"attr\":{\"keep_dims\":{\"b\":"
         "true}}");
    const_i32(&m, "minus1", 0, NULL, (int32_t[]){-1});
    node(&m, "cat", "\"op\":\"ConcatV2\",\"input\":[\"avg\",\"avg\",\"minus1\"]");
    vigil_model *model =
        import_ok(save(&m, "\"cat\":{\"name\":\"cat\"},\"bn\":{\"name\":\"bn\"}", 0), NULL);
    const vigil_node *conv = output(model, "bn");
    ck_assert_int_eq(conv->op, VIGIL_OP_CONV2D);
    ck_assert_int_eq(conv->params.conv2d.activation, VIGIL_ACTIVATION_RELU);
    assert_shape_is(output(model, "cat"), 3, (int64_t[]){1, 1, 4});
    float x[18];
    ramp(x, 18, 0.4f, -2.0f);
    vigil_backend *backend;
    vigil_engine *e = run(model, &backend, x);
    const float *y = engine_output(e, "bn"), *cat = engine_output(e, "cat");
    float row_mean[2] = {0, 0};
    for (int p = 0; p < 9; p++)
        for (int o = 0; o < 2; o++) {
            float c = x[2 * p] * w[o] + x[2 * p + 1] * w[2 + o];
            float v = (c - mean[o]) * scale[o] / sqrtf(var[o] + 0.001f) + offset[o];
            v = v > 0 ? v : 0;
            ck_assert_float_eq_tol(y[2 * p + o], v, 1e-5f);
            if (p / 3 == 1)
                row_mean[o] += v / 3.0f;
        }
    for (int k = 0; k < 4; k++)
        ck_assert_float_eq_tol(cat[k], row_mean[k % 2], 1e-5f);
    vigil_engine_free(e);
    vigil_backend_free(backend);
    vigil_model_free(model);
}
END_TEST

/* ---- bad input ---- */

START_TEST(bad_inputs) {
    static tfjs_model m;
    memset(&m, 0, sizeof m);
    float w[54], b[3];
    const char *outputs = conv_bias_relu(&m, w, b);
    const char *path = save(&m, outputs, 0);

    write_file(tmp_path("model.bin"), m.bin, m.bin_size - 5);
    import_fails(path, VIGIL_STATUS_FORMAT, "truncated");
    ck_assert_int_eq(truncate(tmp_path("model.bin"), 0), 0);
    import_fails(path, VIGIL_STATUS_FORMAT, "model.bin");

    uint8_t longer[512] = {0};
    memcpy(longer, m.bin, m.bin_size);
    write_file(tmp_path("model.bin"), longer, m.bin_size + 8);
    import_fails(path, VIGIL_STATUS_FORMAT, "but its 2 weights need 228");

    unlink(tmp_path("model.bin"));
    import_fails(path, VIGIL_STATUS_IO, "model.bin");

    const char *cut = "{\"modelTopology\": {\"node\": [";
    write_file(path, cut, strlen(cut));
    import_fails(path, VIGIL_STATUS_FORMAT, "not valid JSON");
    const char *layers = "{\"format\": \"layers-model\"}";
    write_file(path, layers, strlen(layers));
    import_fails(path, VIGIL_STATUS_FORMAT, "no modelTopology.node");
    unlink(path);
    import_fails(path, VIGIL_STATUS_IO, "cannot open");
}
END_TEST

START_TEST(unknown_op) {
    static tfjs_model m;
    memset(&m, 0, sizeof m);
    placeholder(&m, "x", SHAPE4(1, 2, 2, 1));
    node(&m, "mystery", "\"op\":\"FrobnicateV2\",\"input\":[\"x\"]");
    node(&m, "out", "\"op\":\"Relu\",\"input\":[\"mystery\"]");
    const char *path = save(&m, "\"out\":{\"name\":\"out\"}", 0);
    import_fails(path, VIGIL_STATUS_UNSUPPORTED,
                 "unsupported TF.js op 'FrobnicateV2' at node 'mystery'");
}
END_TEST

START_TEST(nchw_conv_refused) {
    static tfjs_model m;
    memset(&m, 0, sizeof m);
    placeholder(&m, "x", SHAPE4(1, 2, 5, 5));
    float w[3 * 3 * 2 * 2] = {0};
    const_f32(&m, "w", 4, (int64_t[]){3, 3, 2, 2}, w);
    node(&m, "conv", "\"op\":\"Conv2D\",\"input\":[\"x\",\"w\"]," CONV_ATTRS(SAME, NCHW));
    import_fails(save(&m, "\"conv\":{\"name\":\"conv\"}", 0), VIGIL_STATUS_UNSUPPORTED,
                 "data_format");
}
END_TEST

START_TEST(missing_weight_entry) {
    static tfjs_model m;
    memset(&m, 0, sizeof m);
    placeholder(&m, "x", SHAPE4(1, 2, 2, 1));
    node(&m, "k", "\"op\":\"Const\"");
    node(&m, "out", "\"op\":\"Mul\",\"input\":[\"x\",\"k\"]");
    m.bin_size = 0;
    import_fails(save(&m, "\"out\":{\"name\":\"out\"}", 0), VIGIL_STATUS_FORMAT,
                 "Const node 'k' has no entry in weightsManifest");
}
END_TEST

START_TEST(named_outputs) {
    static tfjs_model m;
    memset(&m, 0, sizeof m);
    float w[54], b[3];
    const char *path = save(&m, conv_bias_relu(&m, w, b), 0);
    const char *names[] = {"bias", "conv:0"};
    vigil_tfjs_options opt = {.outputs = names, .n_outputs = 2};
    vigil_model *model = import_ok(path, &opt);
    ck_assert_int_eq(model->graph->n_outputs, 2);
    ck_assert_str_eq(model->graph->outputs[0].name, "bias");
    ck_assert_str_eq(model->graph->outputs[1].name, "conv");
    vigil_model_free(model);
    const char *missing[] = {"nowhere"};
    opt = (vigil_tfjs_options){.outputs = missing, .n_outputs = 1};
    vigil_error err = {0};
    ck_assert_int_eq(vigil_tfjs_import(path, &opt, &model, &err), VIGIL_STATUS_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "'nowhere'"));
}
END_TEST

/* ---- the bundled detectors ---- */

/* The asset's full path in a buffer of its own (test_asset's is shared). */
static const char *asset_path(const char *name) {
    static char path[2048];
    snprintf(path, sizeof path, "%s/%s", test_asset_dir(), name);
    return path;
}

static bool have(const char *asset) {
    if (access(asset_path(asset), R_OK) == 0)
        return true;
    printf("skipped: %s is not in the asset cache\n", asset);
    return false;
}

/* Reads a float32 file of a reference fixture; NULL if the fixture is absent. */
static float *fixture(const char *model, const char *file, size_t count) {
    char name[256];
    snprintf(name, sizeof name, "reference/%s_f0/%s", model, file);
    FILE *f = fopen(asset_path(name), "rb");
    if (!f)
        return NULL;
    float *v = malloc(count * sizeof *v);
    size_t got = fread(v, sizeof *v, count, f);
    fclose(f);
    ck_assert_uint_eq(got, count);
    return v;
}

static void assert_shape(const vigil_node *n, int64_t a, int64_t b, int64_t c, int64_t d) {
    int64_t want[4] = {a, b, c, d};
    char have_s[64], want_s[64];
    int ndim = d < 0 ? 3 : 4;
    ck_assert_msg(vigil_shape_equal(n->out_ndim, n->out_shape, ndim, want), "%s: %s, expected %s",
                  n->name, vigil_shape_format(n->out_ndim, n->out_shape, have_s, sizeof have_s),
                  vigil_shape_format(ndim, want, want_s, sizeof want_s));
}

/* Max |a - b| over n values, after checking every value of a is finite. */
static double max_diff(const float *a, const float *b, size_t n) {
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(isfinite(a[i]), "value %zu is %f", i, a[i]);
        worst = fmax(worst, fabs((double)a[i] - b[i]));
    }
    return worst;
}

START_TEST(nanodet) {
    if (!have("tfjs/nanodet.json"))
        return;
    char path[2048];
    snprintf(path, sizeof path, "%s", asset_path("tfjs/nanodet.json"));
    vigil_model *m = import_ok(path, NULL);
    vigil_graph *g = m->graph;
    /* 83 transposes in the TF.js graph; the leading one goes with the NHWC input. */
    ck_assert_int_le(count_op(g, VIGIL_OP_TRANSPOSE), 2);
    ck_assert_int_eq(count_op(g, VIGIL_OP_PAD), 0);
    ck_assert_int_eq(count_op(g, VIGIL_OP_CONV2D), 34);
    const vigil_node *in = find_op(g, VIGIL_OP_INPUT);
    assert_shape(in, 1, 416, 416, 3);
    ck_assert_int_eq(m->input.width, 416);
    ck_assert_int_eq(m->input.layout, VIGIL_LAYOUT_NHWC);
    ck_assert_int_eq(m->input.color, VIGIL_COLOR_BGR);
    ck_assert_float_eq_tol(m->input.mean[0], 103.53f, 1e-4f);
    ck_assert_float_eq_tol(m->input.std[2], 58.395f, 1e-4f);
    ck_assert_int_eq(m->head.type, VIGIL_HEAD_GFL);
    ck_assert_int_eq(m->head.num_classes, 80);
    ck_assert_int_eq(m->head.reg_max, 10);
    ck_assert_int_eq(m->head.n_levels, 3);
    for (int i = 0; i < 3; i++) {
        int stride = 8 << i, cells = (416 / stride) * (416 / stride);
        ck_assert_int_eq(m->head.strides[i], stride);
        assert_shape(output(m, m->head.class_outputs[i]), 1, cells, 80, -1);
        assert_shape(output(m, m->head.box_outputs[i]), 1, cells, 44, -1);
    }
    ck_assert_str_eq(m->head.class_outputs[0], "Identity");
    ck_assert_str_eq(m->head.box_outputs[2], "Identity_5");
    ck_assert_int_eq(m->n_labels, 80);
    ck_assert_str_eq(m->labels[0], "person");
    double gflops = vigil_graph_flops(g) / 1e9;
    ck_assert_msg(gflops > 4.1 && gflops < 4.3, "%.3f GFLOPs", gflops);

    /* The TF.js reference input if present, else a fixed pattern. */
    size_t n_in = 416 * 416 * 3;
    float *nchw = fixture("nanodet", "input.bin", n_in), *x = malloc(n_in * sizeof *x);
    for (size_t i = 0; i < n_in; i++) {
        size_t c = i % 3, p = i / 3;
        x[i] = nchw ? nchw[c * 416 * 416 + p] : sinf((float)i * 0.001f) * 2.0f;
    }
    vigil_backend *backend;
    vigil_engine *e = run(m, &backend, x);
    for (int i = 0; i < 3; i++) {
        int cells = (416 >> (3 + i)) * (416 >> (3 + i));
        const float *scores = engine_output(e, m->head.class_outputs[i]);
        const float *bins = engine_output(e, m->head.box_outputs[i]);
        for (int k = 0; k < cells * 80; k++)
            ck_assert_msg(scores[k] >= 0 && scores[k] <= 1, "score %f", scores[k]);
        char file[64];
        snprintf(file, sizeof file, "%s.bin", m->head.class_outputs[i]);
        float *want = fixture("nanodet", file, (size_t)cells * 80);
        if (want) {
            double d = max_diff(scores, want, (size_t)cells * 80);
            ck_assert_msg(d < 1e-4, "%s differs from TF.js by %g", file, d);
        }
        free(want);
        snprintf(file, sizeof file, "%s.bin", m->head.box_outputs[i]);
        want = fixture("nanodet", file, (size_t)cells * 44);
        double d = want ? max_diff(bins, want, (size_t)cells * 44)
                        : max_diff(bins, bins, (size_t)cells * 44);
        ck_assert_msg(d < 1e-3, "%s differs from TF.js by %g", file, d);
        free(want);
    }
    vigil_engine_free(e);
    vigil_backend_free(backend);
    free(nchw);
    free(x);

    /* A batch of 2: the reshapes keep the batch instead of the 1 written in the graph. */
    vigil_error err = {0};
    ck_assert_msg(vigil_graph_set_batch(g, 2, &err) == 0, "%s", err.message);
    assert_shape(output(m, "Identity"), 2, 2704, 80, -1);
    vigil_model_free(m);
}
END_TEST

START_TEST(centernet) {
    if (!have("tfjs/centernet.json"))
        return;
    char path[2048];
    snprintf(path, sizeof path, "%s", asset_path("tfjs/centernet.json"));
    vigil_model *m = import_ok(path, NULL);
    vigil_graph *g = m->graph;
    ck_assert_int_eq(count_op(g, VIGIL_OP_TRANSPOSE), 0);
    ck_assert_int_eq(g->n_outputs, 2); /* the TopK decode tail is gone */
    ck_assert_int_eq(m->head.type, VIGIL_HEAD_CENTERNET);
    ck_assert_str_eq(m->head.heatmap_output, "tower_0/keypoints");
    ck_assert_str_eq(m->head.size_output, "tower_0/wh");
    ck_assert_int_eq(m->head.output_stride, 4);
    ck_assert_int_eq(m->head.num_classes, 80);
    const vigil_node *heat = output(m, "tower_0/keypoints");
    assert_shape(heat, 1, 128, 128, 80);
    assert_shape(output(m, "tower_0/wh"), 1, 128, 128, 4);
    ck_assert(heat->op == VIGIL_OP_CONV2D &&
              heat->params.conv2d.activation == VIGIL_ACTIVATION_SIGMOID);
    ck_assert_int_eq(m->input.width, 512);
    ck_assert_int_eq(m->input.color, VIGIL_COLOR_RGB);
    ck_assert_float_eq(m->input.mean[1], 0.0f);
    ck_assert_float_eq(m->input.std[1], 1.0f);
    assert_shape(find_op(g, VIGIL_OP_INPUT), 1, 512, 512, 3);
    double gflops = vigil_graph_flops(g) / 1e9;
    ck_assert_msg(gflops > 2.5 && gflops < 2.7, "%.3f GFLOPs", gflops);

    size_t n_in = 512 * 512 * 3, n_heat = 128 * 128 * 80, n_wh = 128 * 128 * 4;
    float *x = fixture("centernet", "input.bin", n_in);
    if (!x) {
        x = malloc(n_in * sizeof *x);
        for (size_t i = 0; i < n_in; i++)
            x[i] = 127.5f + 127.5f * sinf((float)i * 0.0007f);
    }
    vigil_backend *backend;
    vigil_engine *e = run(m, &backend, x);
    const float *scores = engine_output(e, "tower_0/keypoints");
    const float *sizes = engine_output(e, "tower_0/wh");
    for (size_t k = 0; k < n_heat; k++)
        ck_assert_msg(scores[k] >= 0 && scores[k] <= 1, "score %f", scores[k]);
    float *want = fixture("centernet", "tower_0_keypoints.bin", n_heat);
    if (want) {
        double d = max_diff(scores, want, n_heat);
        ck_assert_msg(d < 1e-4, "heatmap differs from TF.js by %g", d);
    }
    free(want);
    want = fixture("centernet", "tower_0_wh.bin", n_wh);
    double d = want ? max_diff(sizes, want, n_wh) : max_diff(sizes, sizes, n_wh);
    ck_assert_msg(d < 0.05, "sizes differ from TF.js by %g px", d); /* sizes reach ~200 px */
    free(want);
    vigil_engine_free(e);
    vigil_backend_free(backend);
    free(x);
    vigil_model_free(m);
}
END_TEST

static Suite *tfjs_suite(void) {
    Suite *s = suite_create("tfjs_import");
    TCase *small = tcase_create("small");
    tcase_add_checked_fixture(small, setup, teardown);
    tcase_add_test(small, conv_bias_relu_fuses);
    tcase_add_test(small, shards_concatenate);
    tcase_add_test(small, quantized_weights);
    tcase_add_test(small, nchw_graph_loses_transposes);
    tcase_add_test(small, hard_swish_keeps_values);
    tcase_add_test(small, depthwise_groups);
    tcase_add_test(small, batch_norm_and_shape_ops);
    tcase_add_test(small, bad_inputs);
    tcase_add_test(small, unknown_op);
    tcase_add_test(small, nchw_conv_refused);
    tcase_add_test(small, missing_weight_entry);
    tcase_add_test(small, named_outputs);
    suite_add_tcase(s, small);
    TCase *models = tcase_create("models");
    tcase_add_test(models, nanodet);
    tcase_add_test(models, centernet);
    suite_add_tcase(s, models);
    return s;
}

TEST_MAIN(tfjs_suite)
