/* The model file: a save/load round trip of a small graph with every op type and the
 * input, head and labels metadata; the file layout checked byte by byte against the
 * safetensors rules (read here independently of vigil's reader); and one corrupt or
 * inconsistent file per failure the loader must catch, each giving the right status and
 * a message that names the file. */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"
#include "vigil/model.h"

static char tmp_dir[64];

static void make_tmp_dir(void) {
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/vigil_model_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static void remove_tmp_dir(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *tmp_path(const char *name) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return path;
}

static void write_bytes(const char *path, const void *bytes, size_t n) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

static uint8_t *read_bytes(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *bytes = malloc((size_t)length);
    ck_assert_uint_eq(fread(bytes, 1, (size_t)length, f), (size_t)length);
    fclose(f);
    *n = (size_t)length;
    return bytes;
}

/* A safetensors file written by hand: 8-byte little-endian length, header, data. */
static void write_safetensors(const char *path, const char *header, const void *data,
                              size_t data_size) {
    size_t length = strlen(header);
    uint8_t *bytes = malloc(8 + length + data_size + 1);
    for (int i = 0; i < 8; i++)
        bytes[i] = (uint8_t)((uint64_t)length >> (8 * i));
    memcpy(bytes + 8, header, length);
    if (data_size)
        memcpy(bytes + 8 + length, data, data_size);
    write_bytes(path, bytes, 8 + length + data_size);
    free(bytes);
}

static int add_const(vigil_graph *g, const char *name, int ndim, const int64_t *shape,
                     float scale) {
    vigil_error err = {0};
    vigil_tensor t;
    ck_assert_int_eq(vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, ndim, shape, &err), 0);
    for (int64_t i = 0; i < vigil_tensor_numel(&t); i++)
        ((float *)t.data)[i] = scale * (float)(i % 17) - 0.3f;
    int index = vigil_graph_add_const(g, name, &t, &err);
    ck_assert_msg(index >= 0, "%s", err.message);
    return index;
}

static int add(vigil_graph *g, vigil_op_type op, const char *name, const int *inputs, int n,
               const vigil_op_params *p) {
    vigil_error err = {0};
    int index = vigil_graph_add_node(g, op, name, inputs, n, p, &err);
    ck_assert_msg(index >= 0, "%s: %s", name, err.message);
    return index;
}

/* One node of every op type, parameters away from their defaults. */
static vigil_graph *small_graph(void) {
    vigil_error err = {0};
    vigil_graph *g = vigil_graph_create();
    int x = vigil_graph_add_input(g, "image", 4, (int64_t[]){1, 6, 6, 3}, &err);
    int w = add_const(g, "conv/w", 4, (int64_t[]){3, 3, 3, 4}, 0.01f);
    int b = add_const(g, "conv/b", 1, (int64_t[]){4}, 0.5f);
    vigil_op_params p = {.conv2d = {.stride = {1, 1},
                                    .dilation = {1, 1},
                                    .groups = 1,
                                    .padding = VIGIL_PADDING_SAME,
                                    .activation = VIGIL_ACTIVATION_LEAKY_RELU,
                                    .alpha = 0.1f}};
    int c = add(g, VIGIL_OP_CONV2D, "conv", (int[]){x, w, b}, 3, &p);
    p = (vigil_op_params){
        .pad = {.before = {0, 1, 1, 0}, .after = {0, 0, 0, 0}, .value = -INFINITY}};
    int pad = add(g, VIGIL_OP_PAD, "pad", &c, 1, &p);
    p = (vigil_op_params){.pool2d = {.type = VIGIL_POOL_MAX,
                                     .kernel = {3, 3},
                                     .stride = {2, 2},
                                     .padding = VIGIL_PADDING_EXPLICIT,
                                     .pads = {0, 1, 0, 1}}};
    int pool = add(g, VIGIL_OP_POOL2D, "pool", &pad, 1, &p);
    p = (vigil_op_params){.transpose = {.perm = {0, 3, 1, 2}}};
    int t = add(g, VIGIL_OP_TRANSPOSE, "nchw", &pool, 1, &p);
    p = (vigil_op_params){.reshape = {.ndim = 2, .shape = {1, -1}, .keep_batch = true}};
    int r = add(g, VIGIL_OP_RESHAPE, "flat", &t, 1, &p);
    p = (vigil_op_params){
        .slice = {.begin = {0, 2}, .end = {1, 20}, .step = {1, 3}, .keep_batch = true}};
    int s = add(g, VIGIL_OP_SLICE, "every_third", &r, 1, &p);
    p = (vigil_op_params){.unary = {.activation = VIGIL_ACTIVATION_HARD_SWISH}};
    int u = add(g, VIGIL_OP_UNARY, "hswish", &s, 1, &p);
    int k = add_const(g, "k", 1, (int64_t[]){6}, 1.0f);
    p = (vigil_op_params){.binary = {.op = VIGIL_BINARY_MUL, .activation = VIGIL_ACTIVATION_RELU}};
    int m = add(g, VIGIL_OP_BINARY, "scaled", (int[]){u, k}, 2, &p);
    p = (vigil_op_params){.concat = {.axis = 1}};
    int cat = add(g, VIGIL_OP_CONCAT, "cat", (int[]){m, m}, 2, &p);
    p = (vigil_op_params){
        .reduce = {.op = VIGIL_REDUCE_MEAN, .naxes = 2, .axes = {1, 2}, .keep_dims = true}};
    int red = add(g, VIGIL_OP_REDUCE, "mean", &c, 1, &p);
    p = (vigil_op_params){
        .resize = {.mode = VIGIL_RESIZE_BILINEAR, .size = {12, 12}, .half_pixel_centers = true}};
    int rs = add(g, VIGIL_OP_RESIZE, "up", &c, 1, &p);
    p = (vigil_op_params){.reshape = {.ndim = 3, .shape = {1, 9, 4}}};
    int cls = add(g, VIGIL_OP_RESHAPE, "cls", &pool, 1, &p);
    p = (vigil_op_params){.concat = {.axis = 2}};
    int box = add(g, VIGIL_OP_CONCAT, "box", (int[]){cls, cls}, 2, &p);
    ck_assert_int_eq(vigil_graph_mark_output(g, cat, "features", &err), 0);
    ck_assert_int_eq(vigil_graph_mark_output(g, red, "pooled", &err), 0);
    ck_assert_int_eq(vigil_graph_mark_output(g, rs, "heat", &err), 0);
    ck_assert_int_eq(vigil_graph_mark_output(g, cls, "scores", &err), 0);
    ck_assert_int_eq(vigil_graph_mark_output(g, box, "boxes", &err), 0);
    ck_assert_msg(vigil_graph_infer_shapes(g, &err) == 0, "%s", err.message);
    return g;
}

static vigil_model *small_model(vigil_head_type head) {
    vigil_model *m = calloc(1, sizeof *m);
    m->graph = small_graph();
    m->input = (vigil_model_input){.width = 6,
                                   .height = 6,
                                   .layout = VIGIL_LAYOUT_NHWC,
                                   .color = VIGIL_COLOR_BGR,
                                   .mean = {1.5f, 2.5f, 3.5f},
                                   .std = {0.5f, 0.25f, 2.0f},
                                   .resize = VIGIL_RESIZE_POLICY_LETTERBOX};
    m->head.type = head;
    m->head.num_classes = 4;
    if (head == VIGIL_HEAD_CENTERNET) {
        m->head.heatmap_output = strdup("heat");
        m->head.size_output = strdup("heat");
        m->head.output_stride = 4;
    } else {
        m->head.n_levels = 1;
        m->head.strides[0] = 2;
        m->head.class_outputs[0] = strdup("scores");
        m->head.box_outputs[0] = strdup("boxes");
        m->head.reg_max = 1;
    }
    m->n_labels = 4;
    m->labels = calloc(4, sizeof *m->labels);
    const char *names[4] = {"person", "bicycle", "car", "motor \"cycle\""};
    for (int i = 0; i < 4; i++)
        m->labels[i] = strdup(names[i]);
    return m;
}

static void assert_same_params(const vigil_node *a, const vigil_node *b) {
    const vigil_op_params *p = &a->params, *q = &b->params;
    switch (a->op) {
    case VIGIL_OP_CONV2D:
        ck_assert_int_eq(p->conv2d.padding, q->conv2d.padding);
        ck_assert_int_eq(p->conv2d.activation, q->conv2d.activation);
        ck_assert_float_eq(p->conv2d.alpha, q->conv2d.alpha);
        ck_assert_int_eq(p->conv2d.groups, q->conv2d.groups);
        ck_assert_int_eq(memcmp(p->conv2d.stride, q->conv2d.stride, sizeof p->conv2d.stride), 0);
        ck_assert_int_eq(memcmp(p->conv2d.pads, q->conv2d.pads, sizeof p->conv2d.pads), 0);
        break;
    case VIGIL_OP_PAD:
        ck_assert(isinf(q->pad.value) && q->pad.value < 0);
        for (int i = 0; i < 4; i++) {
            ck_assert_int_eq(p->pad.before[i], q->pad.before[i]);
            ck_assert_int_eq(p->pad.after[i], q->pad.after[i]);
        }
        break;
    case VIGIL_OP_POOL2D:
        ck_assert_int_eq(p->pool2d.type, q->pool2d.type);
        ck_assert_int_eq(memcmp(p->pool2d.pads, q->pool2d.pads, sizeof p->pool2d.pads), 0);
        ck_assert_int_eq(memcmp(p->pool2d.kernel, q->pool2d.kernel, sizeof p->pool2d.kernel), 0);
        break;
    case VIGIL_OP_TRANSPOSE:
        ck_assert_int_eq(memcmp(p->transpose.perm, q->transpose.perm, 4 * sizeof(int)), 0);
        break;
    case VIGIL_OP_RESHAPE:
        ck_assert_int_eq(p->reshape.ndim, q->reshape.ndim);
        ck_assert_int_eq(p->reshape.keep_batch, q->reshape.keep_batch);
        for (int i = 0; i < p->reshape.ndim; i++)
            ck_assert_int_eq(p->reshape.shape[i], q->reshape.shape[i]);
        break;
    case VIGIL_OP_SLICE:
        ck_assert_int_eq(p->slice.keep_batch, q->slice.keep_batch);
        for (int i = 0; i < 2; i++) {
            ck_assert_int_eq(p->slice.begin[i], q->slice.begin[i]);
            ck_assert_int_eq(p->slice.end[i], q->slice.end[i]);
            ck_assert_int_eq(p->slice.step[i], q->slice.step[i]);
        }
        break;
    case VIGIL_OP_UNARY:
        ck_assert_int_eq(p->unary.activation, q->unary.activation);
        break;
    case VIGIL_OP_BINARY:
        ck_assert_int_eq(p->binary.op, q->binary.op);
        ck_assert_int_eq(p->binary.activation, q->binary.activation);
        break;
    case VIGIL_OP_CONCAT:
        ck_assert_int_eq(p->concat.axis, q->concat.axis);
        break;
    case VIGIL_OP_REDUCE:
        ck_assert_int_eq(p->reduce.op, q->reduce.op);
        ck_assert_int_eq(p->reduce.naxes, q->reduce.naxes);
        ck_assert_int_eq(p->reduce.keep_dims, q->reduce.keep_dims);
        ck_assert_int_eq(memcmp(p->reduce.axes, q->reduce.axes, 2 * sizeof(int)), 0);
        break;
    case VIGIL_OP_RESIZE:
        ck_assert_int_eq(p->resize.mode, q->resize.mode);
        ck_assert_int_eq(p->resize.half_pixel_centers, q->resize.half_pixel_centers);
        ck_assert_int_eq(p->resize.align_corners, q->resize.align_corners);
        ck_assert_int_eq(memcmp(p->resize.size, q->resize.size, sizeof p->resize.size), 0);
        break;
    default:
        break;
    }
}

static void assert_same_model(const vigil_model *a, const vigil_model *b) {
    const vigil_graph *g = a->graph, *h = b->graph;
    ck_assert_int_eq(g->n_nodes, h->n_nodes);
    for (int i = 0; i < g->n_nodes; i++) {
        const vigil_node *x = &g->nodes[i], *y = &h->nodes[i];
        ck_assert_str_eq(x->name, y->name);
        ck_assert_int_eq(x->op, y->op);
        ck_assert_int_eq(x->n_inputs, y->n_inputs);
        for (int k = 0; k < x->n_inputs; k++)
            ck_assert_str_eq(g->nodes[x->inputs[k]].name, h->nodes[y->inputs[k]].name);
        ck_assert(vigil_shape_equal(x->out_ndim, x->out_shape, y->out_ndim, y->out_shape));
        if (x->op == VIGIL_OP_CONST) {
            ck_assert_int_eq(y->value.dtype, VIGIL_DTYPE_F32);
            ck_assert(
                vigil_shape_equal(x->value.ndim, x->value.shape, y->value.ndim, y->value.shape));
            ck_assert_int_eq(memcmp(x->value.data, y->value.data, vigil_tensor_nbytes(&x->value)),
                             0);
        }
        assert_same_params(x, y);
    }
    ck_assert_int_eq(g->n_outputs, h->n_outputs);
    for (int i = 0; i < g->n_outputs; i++) {
        ck_assert_str_eq(g->outputs[i].name, h->outputs[i].name);
        ck_assert_int_eq(g->outputs[i].node, h->outputs[i].node);
    }
    ck_assert_int_eq(memcmp(&a->input, &b->input, sizeof a->input), 0);
    ck_assert_int_eq(a->head.type, b->head.type);
    ck_assert_int_eq(a->head.num_classes, b->head.num_classes);
    if (a->head.type == VIGIL_HEAD_CENTERNET) {
        ck_assert_str_eq(a->head.heatmap_output, b->head.heatmap_output);
        ck_assert_str_eq(a->head.size_output, b->head.size_output);
        ck_assert_int_eq(a->head.output_stride, b->head.output_stride);
    } else {
        ck_assert_int_eq(a->head.n_levels, b->head.n_levels);
        ck_assert_int_eq(a->head.reg_max, b->head.reg_max);
        ck_assert_int_eq(a->head.strides[0], b->head.strides[0]);
        ck_assert_str_eq(a->head.class_outputs[0], b->head.class_outputs[0]);
        ck_assert_str_eq(a->head.box_outputs[0], b->head.box_outputs[0]);
    }
    ck_assert_int_eq(a->n_labels, b->n_labels);
    for (int i = 0; i < a->n_labels; i++)
        ck_assert_str_eq(a->labels[i], b->labels[i]);
}

START_TEST(round_trip) {
    make_tmp_dir();
    for (int head = VIGIL_HEAD_GFL; head <= VIGIL_HEAD_CENTERNET; head++) {
        vigil_error err = {0};
        vigil_model *m = small_model((vigil_head_type)head), *back = NULL;
        const char *path = tmp_path("small.safetensors");
        ck_assert_msg(vigil_model_save(m, path, &err) == 0, "%s", err.message);
        ck_assert_msg(vigil_model_load(path, &back, &err) == 0, "%s", err.message);
        assert_same_model(m, back);
        /* Saving what was loaded gives the same bytes. */
        const char *again = tmp_path("again.safetensors");
        ck_assert_msg(vigil_model_save(back, again, &err) == 0, "%s", err.message);
        size_t n1, n2;
        uint8_t *b1 = read_bytes(path, &n1), *b2 = read_bytes(again, &n2);
        ck_assert_uint_eq(n1, n2);
        ck_assert_int_eq(memcmp(b1, b2, n1), 0);
        free(b1);
        free(b2);
        ck_assert_int_ne(access(tmp_path("small.safetensors.tmp"), F_OK), 0);
        vigil_model_free(m);
        vigil_model_free(back);
    }
    remove_tmp_dir();
}
END_TEST

/* The layout the safetensors format and DESIGN.md promise, read without vigil: data and
 * every tensor 64-byte aligned, tensors (padding entries included) tiling the data with
 * no hole, which strict readers require, and each const's bytes where its entry says. */
START_TEST(file_layout) {
    make_tmp_dir();
    vigil_error err = {0};
    vigil_model *m = small_model(VIGIL_HEAD_GFL);
    const char *path = tmp_path("layout.safetensors");
    ck_assert_msg(vigil_model_save(m, path, &err) == 0, "%s", err.message);
    size_t size;
    uint8_t *bytes = read_bytes(path, &size);
    uint64_t header_length = 0;
    for (int i = 7; i >= 0; i--)
        header_length = header_length << 8 | bytes[i];
    ck_assert_uint_eq((8 + header_length) % 64, 0);
    const uint8_t *data = bytes + 8 + header_length;
    size_t data_size = size - 8 - header_length;
    cJSON *header = cJSON_ParseWithLength((const char *)bytes + 8, header_length);
    ck_assert_ptr_nonnull(header);
    const cJSON *meta = cJSON_GetObjectItem(header, "__metadata__");
    ck_assert_str_eq(cJSON_GetObjectItem(meta, "vigil.format_version")->valuestring, "1");
    cJSON *graph = cJSON_Parse(cJSON_GetObjectItem(meta, "vigil.graph")->valuestring);
    ck_assert_ptr_nonnull(graph);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(graph, "nodes")), m->graph->n_nodes);
    cJSON_Delete(graph);
    /* Tiling: sorted by begin, each entry starts where the previous ended. */
    uint64_t covered = 0;
    int entries = 0, consts = 0;
    while (covered < data_size) {
        const cJSON *next = NULL;
        for (const cJSON *e = header->child; e; e = e->next) {
            const cJSON *offsets = cJSON_GetObjectItem(e, "data_offsets");
            if (offsets && (uint64_t)cJSON_GetArrayItem(offsets, 0)->valuedouble == covered &&
                cJSON_GetArrayItem(offsets, 1)->valuedouble > covered)
                next = e;
        }
        ck_assert_msg(next != NULL, "hole in the data at byte %llu", (unsigned long long)covered);
        covered =
            (uint64_t)cJSON_GetArrayItem(cJSON_GetObjectItem(next, "data_offsets"), 1)->valuedouble;
        entries++;
    }
    ck_assert_uint_eq(covered, data_size);
    for (int i = 0; i < m->graph->n_nodes; i++) {
        const vigil_node *n = &m->graph->nodes[i];
        if (n->op != VIGIL_OP_CONST)
            continue;
        consts++;
        const cJSON *e = cJSON_GetObjectItem(header, n->name);
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(cJSON_GetObjectItem(e, "dtype")->valuestring, "F32");
        const cJSON *shape = cJSON_GetObjectItem(e, "shape");
        ck_assert_int_eq(cJSON_GetArraySize(shape), n->value.ndim);
        for (int d = 0; d < n->value.ndim; d++)
            ck_assert_int_eq((int64_t)cJSON_GetArrayItem(shape, d)->valuedouble, n->value.shape[d]);
        uint64_t begin =
            (uint64_t)cJSON_GetArrayItem(cJSON_GetObjectItem(e, "data_offsets"), 0)->valuedouble;
        ck_assert_uint_eq(begin % 64, 0);
        ck_assert_int_eq(memcmp(data + begin, n->value.data, vigil_tensor_nbytes(&n->value)), 0);
    }
    ck_assert_int_ge(entries, consts);
    cJSON_Delete(header);
    free(bytes);
    vigil_model_free(m);
    remove_tmp_dir();
}
END_TEST

/* ---- corrupt files ---- */

static void expect_failure(const char *path, vigil_status status, const char *phrase) {
    static vigil_model untouched;
    vigil_error err = {0};
    vigil_model *m = &untouched; /* must be reset to NULL on failure */
    vigil_status got = vigil_model_load(path, &m, &err);
    ck_assert_msg(got == status, "%s: status %d (%s), expected %d", path, got, err.message, status);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.message, path) != NULL, "message does not name the file: %s",
                  err.message);
    ck_assert_msg(strstr(err.message, phrase) != NULL, "message lacks '%s': %s", phrase,
                  err.message);
}

START_TEST(container_errors) {
    make_tmp_dir();
    const char *path = tmp_path("bad.safetensors");
    expect_failure(tmp_path("missing.safetensors"), VIGIL_STATUS_IO, "cannot open");

    write_bytes(path, "\x10\x00\x00", 3);
    expect_failure(path, VIGIL_STATUS_FORMAT, "truncated");

    uint8_t huge[16] = {0x00, 0x00, 0x10, 0x00, 0, 0, 0, 0, '{', '}'};
    write_bytes(path, huge, sizeof huge);
    expect_failure(path, VIGIL_STATUS_FORMAT, "runs past the end of the file");

    write_safetensors(path, "{\"a\": [1, 2", NULL, 0);
    expect_failure(path, VIGIL_STATUS_FORMAT, "not valid JSON");

    write_safetensors(path, "[1, 2]", NULL, 0);
    expect_failure(path, VIGIL_STATUS_FORMAT, "not a JSON object");

    float data[8] = {0};
    write_safetensors(path,
                      "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                      "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
                      data, 24);
    expect_failure(path, VIGIL_STATUS_FORMAT, "overlap");

    write_safetensors(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}",
                      data, 16);
    expect_failure(path, VIGIL_STATUS_FORMAT, "needs 20");

    write_safetensors(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}}",
                      data, 20);
    expect_failure(path, VIGIL_STATUS_FORMAT, "run past the end of the data");

    write_safetensors(path, "{\"a\":{\"dtype\":\"Q7\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                      data, 16);
    expect_failure(path, VIGIL_STATUS_UNSUPPORTED, "dtype 'Q7'");

    write_safetensors(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}",
                      data, 16);
    expect_failure(path, VIGIL_STATUS_FORMAT, "dimension 0");

    write_safetensors(path,
                      "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                      "\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                      data, 16);
    expect_failure(path, VIGIL_STATUS_FORMAT, "twice");

    /* A valid plain safetensors file that is not a vigil model. */
    write_safetensors(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                      data, 16);
    expect_failure(path, VIGIL_STATUS_FORMAT, "vigil.format_version");

    /* A good model cut short: its last tensor runs past the end. */
    vigil_error err = {0};
    vigil_model *m = small_model(VIGIL_HEAD_CENTERNET);
    ck_assert_int_eq(vigil_model_save(m, path, &err), 0);
    vigil_model_free(m);
    size_t size;
    uint8_t *bytes = read_bytes(path, &size);
    write_bytes(path, bytes, size - 10);
    expect_failure(path, VIGIL_STATUS_FORMAT, "truncated?");
    free(bytes);
    remove_tmp_dir();
}
END_TEST

/* A model file with the given metadata (JSON texts; NULL leaves a key out) and one
 * tensor "w" of 2 x 3 floats. */
static void write_model(const char *path, const char *version, const char *graph, const char *input,
                        const char *head) {
    cJSON *header = cJSON_CreateObject();
    cJSON *meta = cJSON_AddObjectToObject(header, "__metadata__");
    if (version)
        cJSON_AddStringToObject(meta, "vigil.format_version", version);
    if (graph)
        cJSON_AddStringToObject(meta, "vigil.graph", graph);
    if (input)
        cJSON_AddStringToObject(meta, "vigil.input", input);
    if (head)
        cJSON_AddStringToObject(meta, "vigil.head", head);
    cJSON *w = cJSON_AddObjectToObject(header, "w");
    cJSON_AddStringToObject(w, "dtype", "F32");
    cJSON_AddItemToObject(w, "shape", cJSON_CreateIntArray((int[]){2, 3}, 2));
    cJSON_AddItemToObject(w, "data_offsets", cJSON_CreateIntArray((int[]){0, 24}, 2));
    char *text = cJSON_PrintUnformatted(header);
    float data[6] = {1, 2, 3, 4, 5, 6};
    write_safetensors(path, text, data, sizeof data);
    free(text);
    cJSON_Delete(header);
}

#define INPUT_JSON "{\"width\":4,\"height\":2,\"layout\":\"NHWC\",\"color\":\"RGB\"}"
#define GOOD_NODES                                                                                 \
    "{\"name\":\"x\",\"op\":\"input\",\"shape\":[2,3]},"                                           \
    "{\"name\":\"w\",\"op\":\"const\",\"tensor\":\"w\"},"                                          \
    "{\"name\":\"y\",\"op\":\"binary\",\"inputs\":[\"x\",\"w\"],\"params\":{\"op\":\"add\"}}"
#define GRAPH(nodes) "{\"nodes\":[" nodes "],\"outputs\":[{\"name\":\"out\",\"node\":\"y\"}]}"

START_TEST(metadata_errors) {
    make_tmp_dir();
    const char *path = tmp_path("bad.safetensors");
    vigil_error err = {0};
    vigil_model *m = NULL;

    write_model(path, "1", GRAPH(GOOD_NODES), INPUT_JSON, NULL);
    ck_assert_msg(vigil_model_load(path, &m, &err) == 0, "%s", err.message);
    ck_assert_float_eq(((const float *)m->graph->nodes[1].value.data)[5], 6.0f);
    ck_assert_int_eq(m->input.width, 4);
    ck_assert_float_eq(m->input.std[2], 1.0f);
    ck_assert_int_eq(m->head.type, VIGIL_HEAD_NONE);
    vigil_model_free(m);

    write_model(path, "2", GRAPH(GOOD_NODES), INPUT_JSON, NULL);
    expect_failure(path, VIGIL_STATUS_UNSUPPORTED, "format version '2'");

    write_model(path, "1", "[", INPUT_JSON, NULL);
    expect_failure(path, VIGIL_STATUS_FORMAT, "vigil.graph is not valid JSON");

    write_model(path, "1", NULL, INPUT_JSON, NULL);
    expect_failure(path, VIGIL_STATUS_FORMAT, "no vigil.graph");

    write_model(path, "1", GRAPH(GOOD_NODES), NULL, NULL);
    expect_failure(path, VIGIL_STATUS_FORMAT, "no vigil.input");

    write_model(path, "1", GRAPH(GOOD_NODES), "{\"width\":0,\"height\":2}", NULL);
    expect_failure(path, VIGIL_STATUS_FORMAT, "\"width\"");

    write_model(path, "1",
                GRAPH("{\"name\":\"x\",\"op\":\"input\",\"shape\":[2,3]},"
                      "{\"name\":\"y\",\"op\":\"frobnicate\",\"inputs\":[\"x\"]}"),
                INPUT_JSON, NULL);
    expect_failure(path, VIGIL_STATUS_UNSUPPORTED, "unknown op 'frobnicate'");

    write_model(path, "1",
                GRAPH("{\"name\":\"x\",\"op\":\"input\",\"shape\":[2,3]},"
                      "{\"name\":\"y\",\"op\":\"binary\",\"inputs\":[\"x\",\"w\"],"
                      "\"params\":{\"op\":\"add\"}},"
                      "{\"name\":\"w\",\"op\":\"const\",\"tensor\":\"w\"}"),
                INPUT_JSON, NULL);
    expect_failure(path, VIGIL_STATUS_FORMAT, "input 'w' is a later node");

    write_model(path, "1",
                GRAPH("{\"name\":\"x\",\"op\":\"input\",\"shape\":[2,3]},"
                      "{\"name\":\"y\",\"op\":\"binary\",\"inputs\":[\"x\",\"nowhere\"],"
                      "\"params\":{\"op\":\"add\"}}"),
                INPUT_JSON, NULL);
    expect_failure(path, VIGIL_STATUS_FORMAT, "input 'nowhere' is not a node");

    write_model(path, "1",
                GRAPH("{\"name\":\"x\",\"op\":\"input\",\"shape\":[2,3]},"
                      "{\"name\":\"w\",\"op\":\"const\",\"tensor\":\"v\"},"
                      "{\"name\":\"y\",\"op\":\"binary\",\"inputs\":[\"x\",\"w\"],"
                      "\"params\":{\"op\":\"add\"}}"),
                INPUT_JSON, NULL);
    expect_failure(path, VIGIL_STATUS_FORMAT, "tensor 'v' is not in the file");

    write_model(path, "1",
                GRAPH("{\"name\":\"x\",\"op\":\"input\",\"shape\":[2,3]},"
                      "{\"name\":\"w\",\"op\":\"const\",\"tensor\":\"w\"},"
                      "{\"name\":\"y\",\"op\":\"binary\",\"inputs\":[\"x\",\"w\"],"
                      "\"params\":{\"op\":\"pow\"}}"),
                INPUT_JSON, NULL);
    expect_failure(path, VIGIL_STATUS_FORMAT, "unknown value 'pow'");

    write_model(path, "1",
                GRAPH("{\"name\":\"x\",\"op\":\"input\",\"shape\":[1,4,4,3]},"
                      "{\"name\":\"y\",\"op\":\"pool2d\",\"inputs\":[\"x\"],\"params\":"
                      "{\"type\":\"max\",\"kernel\":[2,2],\"stride\":[0,1],\"padding\":\"same\"}}"),
                INPUT_JSON, NULL);
    expect_failure(path, VIGIL_STATUS_FORMAT, "\"stride\"");

    /* Shapes that do not fit: [2, 3] + [3] broadcasts, [2, 3] + [2, 4] does not. */
    write_model(path, "1",
                GRAPH("{\"name\":\"x\",\"op\":\"input\",\"shape\":[5,4]},"
                      "{\"name\":\"w\",\"op\":\"const\",\"tensor\":\"w\"},"
                      "{\"name\":\"y\",\"op\":\"binary\",\"inputs\":[\"x\",\"w\"],"
                      "\"params\":{\"op\":\"add\"}}"),
                INPUT_JSON, NULL);
    m = NULL;
    ck_assert_int_lt(vigil_model_load(path, &m, &err), 0);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err.message, path) && strstr(err.message, "'y'"), "%s", err.message);

    write_model(path, "1", GRAPH(GOOD_NODES), INPUT_JSON,
                "{\"type\":\"centernet\",\"num_classes\":3,\"heatmap_output\":\"heat\","
                "\"size_output\":\"out\",\"output_stride\":4}");
    expect_failure(path, VIGIL_STATUS_FORMAT, "'heat' is not an output of the graph");

    write_model(path, "1", GRAPH(GOOD_NODES), INPUT_JSON, "{\"type\":\"yolo\"}");
    expect_failure(path, VIGIL_STATUS_FORMAT, "unknown value 'yolo'");
    remove_tmp_dir();
}
END_TEST

START_TEST(save_errors) {
    vigil_error err = {0};
    vigil_model *m = small_model(VIGIL_HEAD_GFL);
    const char *path = "/nonexistent-dir/model.safetensors";
    ck_assert_int_eq(vigil_model_save(m, path, &err), VIGIL_STATUS_IO);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    free(m->head.class_outputs[0]);
    m->head.class_outputs[0] = strdup("missing");
    ck_assert_int_eq(vigil_model_save(m, "/tmp/never-written.safetensors", &err),
                     VIGIL_STATUS_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "'missing'"));
    ck_assert_int_ne(access("/tmp/never-written.safetensors", F_OK), 0);
    vigil_model_free(m);
}
END_TEST

START_TEST(coco_labels) {
    ck_assert_str_eq(vigil_coco_labels[0], "person");
    ck_assert_str_eq(vigil_coco_labels[2], "car");
    ck_assert_str_eq(vigil_coco_labels[24], "backpack");
    ck_assert_str_eq(vigil_coco_labels[26], "handbag");
    ck_assert_str_eq(vigil_coco_labels[28], "suitcase");
    ck_assert_str_eq(vigil_coco_labels[79], "toothbrush");
    for (int i = 0; i < 80; i++)
        for (int j = i + 1; j < 80; j++)
            ck_assert_str_ne(vigil_coco_labels[i], vigil_coco_labels[j]);
}
END_TEST

static Suite *model_file_suite(void) {
    Suite *s = suite_create("model_file");
    TCase *tc = tcase_create("model_file");
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, file_layout);
    tcase_add_test(tc, container_errors);
    tcase_add_test(tc, metadata_errors);
    tcase_add_test(tc, save_errors);
    tcase_add_test(tc, coco_labels);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(model_file_suite)
