/* The detector end to end. A tiny hand-made CenterNet-style model whose heatmap is the
 * frame's red channel / 255 checks preprocess -> engine -> decode -> source-pixel
 * mapping, clipping and batching against boxes worked out by hand; the real NanoDet
 * and CenterNet models (when imported) must find the people in vtest.avi frame 0. */
#include <check.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "test_util.h"
#include "vigil/detect.h"

static char *dup_string(const char *s) {
    char *d = malloc(strlen(s) + 1);
    ck_assert_ptr_nonnull(d);
    return strcpy(d, s);
}

/* Input 8x8 NHWC RGB, std 255. heat = conv1x1(input, [1, 0, 0]) = red / 255;
 * wh = heat * [1, 1, 2, 2]: a peak of 1.0 at (row, col) gives the box from
 * (col - 1, row - 1) to (col + 2, row + 2) in model pixels (stride 1). */
static vigil_model *toy_model(void) {
    vigil_error err = {0};
    vigil_model *m = calloc(1, sizeof *m);
    ck_assert_ptr_nonnull(m);
    m->graph = vigil_graph_create();
    vigil_graph *g = m->graph;
    int x = vigil_graph_add_input(g, "image", 4, (int64_t[]){1, 8, 8, 3}, &err);
    vigil_tensor w, scale;
    ck_assert_int_eq(vigil_tensor_alloc(&w, VIGIL_DTYPE_F32, 4, (int64_t[]){1, 1, 3, 1}, &err), 0);
    ((float *)w.data)[0] = 1.0f;
    ck_assert_int_eq(vigil_tensor_alloc(&scale, VIGIL_DTYPE_F32, 1, (int64_t[]){4}, &err), 0);
    memcpy(scale.data, (float[]){1, 1, 2, 2}, 4 * sizeof(float));
    int wi = vigil_graph_add_const(g, "red/w", &w, &err);
    int si = vigil_graph_add_const(g, "wh/scale", &scale, &err);
    vigil_op_params conv = {
        .conv2d = {
            .stride = {1, 1}, .dilation = {1, 1}, .groups = 1, .padding = VIGIL_PADDING_EXPLICIT}};
    int heat = vigil_graph_add_node(g, VIGIL_OP_CONV2D, "heat", (int[]){x, wi}, 2, &conv, &err);
    vigil_op_params mul = {.binary = {.op = VIGIL_BINARY_MUL}};
    int wh = vigil_graph_add_node(g, VIGIL_OP_BINARY, "wh", (int[]){heat, si}, 2, &mul, &err);
    ck_assert_msg(x >= 0 && wi >= 0 && si >= 0 && heat >= 0 && wh >= 0, "%s", err.message);
    ck_assert_int_eq(vigil_graph_mark_output(g, heat, "heat", &err), 0);
    ck_assert_int_eq(vigil_graph_mark_output(g, wh, "wh", &err), 0);
    ck_assert_msg(vigil_graph_infer_shapes(g, &err) == 0, "%s", err.message);
    m->input = (vigil_model_input){.width = 8,
                                   .height = 8,
                                   .layout = VIGIL_LAYOUT_NHWC,
                                   .color = VIGIL_COLOR_RGB,
                                   .mean = {0, 0, 0},
                                   .std = {255, 255, 255},
                                   .resize = VIGIL_RESIZE_POLICY_STRETCH};
    m->head = (vigil_head_info){.type = VIGIL_HEAD_CENTERNET,
                                .num_classes = 1,
                                .heatmap_output = dup_string("heat"),
                                .size_output = dup_string("wh"),
                                .output_stride = 1};
    m->n_labels = 1;
    m->labels = malloc(sizeof *m->labels);
    m->labels[0] = dup_string("thing");
    return m;
}

/* A black RGB frame with a red rectangle [x0, x1) x [y0, y1). */
static uint8_t *red_block(int w, int h, int x0, int x1, int y0, int y1) {
    uint8_t *rgb = calloc((size_t)w * h, 3);
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            rgb[(y * w + x) * 3] = 255;
    return rgb;
}

static vigil_image rgb_image(const uint8_t *rgb, int w, int h) {
    return (vigil_image){
        .format = VIGIL_PIXEL_RGB24, .width = w, .height = h, .planes = {rgb}, .strides = {3 * w}};
}

static void assert_box(const float *box, float x, float y, float w, float h) {
    ck_assert_float_eq_tol(box[0], x, 1e-3f);
    ck_assert_float_eq_tol(box[1], y, 1e-3f);
    ck_assert_float_eq_tol(box[2], w, 1e-3f);
    ck_assert_float_eq_tol(box[3], h, 1e-3f);
}

static void toy_detects(const char *backend) {
    vigil_detector_options opt = vigil_detector_options_default();
    opt.backend = backend;
    opt.max_batch = 2;
    vigil_detector *d;
    vigil_error err = {0};
    ck_assert_msg(vigil_detector_create_from_model(toy_model(), &opt, &d, &err) == 0, "%s",
                  err.message);
    ck_assert_str_eq(vigil_detector_label(d, 0), "thing");
    ck_assert_ptr_null(vigil_detector_label(d, 1));

    /* Frame A, 16x16 (scale 2): model pixel (3, 5) samples source rows 6-7 and
     * columns 10-11, all red -> the only peak. Model box (4, 2)-(7, 5) -> source
     * (8, 4)-(14, 10). Frame B, 32x16 (scale 4, 2): model (0, 0) samples columns 1-2,
     * rows 0-1. Model box (-1, -1)-(2, 2) -> (-4, -2)-(8, 4), clipped at 0. */
    uint8_t *a = red_block(16, 16, 10, 12, 6, 8), *b = red_block(32, 16, 1, 3, 0, 2);
    vigil_image frames[2] = {rgb_image(a, 16, 16), rgb_image(b, 32, 16)};
    vigil_detections dets = {0};
    for (int round = 0; round < 2; round++) { /* the second reuses the cached tables */
        ck_assert_msg(vigil_detector_run(d, frames, 2, &dets, &err) == 0, "%s", err.message);
        ck_assert_int_eq(dets.count, 2);
        ck_assert_int_eq(dets.items[0].batch_index, 0);
        ck_assert_float_eq_tol(dets.items[0].score, 1.0f, 1e-5f);
        assert_box(dets.items[0].box, 8, 4, 6, 6);
        ck_assert_int_eq(dets.items[1].batch_index, 1);
        assert_box(dets.items[1].box, 0, 0, 8, 4);
    }
    /* One frame alone; then frame B in slot 0. */
    ck_assert_int_eq(vigil_detector_run(d, &frames[1], 1, &dets, &err), 0);
    ck_assert_int_eq(dets.count, 1);
    ck_assert_int_eq(dets.items[0].batch_index, 0);
    assert_box(dets.items[0].box, 0, 0, 8, 4);
    ck_assert_int_eq(vigil_detector_run(d, frames, 3, &dets, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    vigil_detector_free(d);

    /* Threshold is strict: a peak of exactly 1.0 is not above 1.0. */
    opt.score_threshold = 1.0f;
    opt.max_batch = 1;
    ck_assert_int_eq(vigil_detector_create_from_model(toy_model(), &opt, &d, &err), 0);
    ck_assert_int_eq(vigil_detector_run(d, frames, 1, &dets, &err), 0);
    ck_assert_int_eq(dets.count, 0);
    vigil_detector_free(d);
    vigil_detections_free(&dets);
    free(a);
    free(b);
}

START_TEST(toy_model_ref) {
    toy_detects("ref");
}
END_TEST

START_TEST(toy_model_cpu) {
    toy_detects("cpu");
}
END_TEST

START_TEST(toy_model_letterbox) {
    /* 16x8 into 8x8 letterboxed: scale 2 both ways, image in model rows 0-3. Same red
     * block as frame A: model box (4, 2)-(7, 5) -> (8, 4)-(14, 10), clipped to the
     * frame's height 8. */
    vigil_model *m = toy_model();
    m->input.resize = VIGIL_RESIZE_POLICY_LETTERBOX;
    vigil_detector_options opt = vigil_detector_options_default();
    opt.backend = "ref";
    vigil_detector *d;
    vigil_error err = {0};
    ck_assert_msg(vigil_detector_create_from_model(m, &opt, &d, &err) == 0, "%s", err.message);
    uint8_t *a = red_block(16, 8, 10, 12, 6, 8);
    vigil_image frame = rgb_image(a, 16, 8);
    vigil_detections dets = {0};
    ck_assert_msg(vigil_detector_run(d, &frame, 1, &dets, &err) == 0, "%s", err.message);
    ck_assert_int_eq(dets.count, 1);
    assert_box(dets.items[0].box, 8, 4, 6, 4);
    vigil_detections_free(&dets);
    vigil_detector_free(d);
    free(a);
}
END_TEST

START_TEST(bad_model_and_backend) {
    vigil_error err = {0};
    vigil_detector *d = NULL;
    ck_assert_int_lt(vigil_detector_create("/nonexistent/model.safetensors", NULL, &d, &err), 0);
    ck_assert_ptr_null(d);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/model.safetensors"));
    vigil_detector_options opt = vigil_detector_options_default();
    opt.backend = "no-such-backend";
    ck_assert_int_lt(vigil_detector_create_from_model(toy_model(), &opt, &d, &err), 0);
    ck_assert_ptr_null(d);
    vigil_model *m = toy_model();
    m->head.type = VIGIL_HEAD_NONE;
    ck_assert_int_eq(vigil_detector_create_from_model(m, NULL, &d, &err), VIGIL_STATUS_UNSUPPORTED);
}
END_TEST

/* ---- the real models on vtest.avi frame 0 ---- */

/* The asset directory may be long: room for it plus the name. */
static const char *frame_path(void) {
    static char path[1200];
    snprintf(path, sizeof path, "%s/reference/nanodet_f0/frame.rgb", test_asset_dir());
    return path;
}

static uint8_t *load_reference_frame(int w, int h) {
    const char *path = frame_path();
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = (size_t)w * h * 3;
    uint8_t *rgb = malloc(n);
    size_t got = fread(rgb, 1, n, f);
    int extra = fgetc(f);
    fclose(f);
    ck_assert_msg(got == n && extra == EOF, "%s: expected %zu bytes of 768x576 RGB24", path, n);
    return rgb;
}

static void people_in_frame0(const char *model_name) {
    char model_path[1100];
    snprintf(model_path, sizeof model_path, "%s/models/%s.safetensors", test_asset_dir(),
             model_name);
    struct stat st;
    if (stat(model_path, &st) != 0) {
        printf("skipped: %s not present (run scripts/fetch-assets.sh)\n", model_path);
        return;
    }
    uint8_t *rgb = load_reference_frame(768, 576);
    if (!rgb) {
        printf("skipped: %s not present\n", frame_path());
        return;
    }
    vigil_detector *d;
    vigil_error err = {0};
    ck_assert_msg(vigil_detector_create(model_path, NULL, &d, &err) == 0, "%s", err.message);
    vigil_image frame = rgb_image(rgb, 768, 576);
    vigil_detections dets = {0};
    ck_assert_msg(vigil_detector_run(d, &frame, 1, &dets, &err) == 0, "%s", err.message);
    int people = 0;
    for (int i = 0; i < dets.count; i++) {
        const vigil_detection *det = &dets.items[i];
        ck_assert(det->box[0] >= 0 && det->box[1] >= 0 && det->box[2] > 0 && det->box[3] > 0);
        ck_assert(det->box[0] + det->box[2] <= 768.01f && det->box[1] + det->box[3] <= 576.01f);
        ck_assert_int_eq(det->batch_index, 0);
        if (i > 0)
            ck_assert(det->score <= dets.items[i - 1].score);
        if (det->class_id == 0 && det->score > 0.5f) {
            /* People on the plaza are a few tens of pixels wide, taller than wide. */
            ck_assert(det->box[2] > 8 && det->box[3] > 20 && det->box[3] > det->box[2]);
            people++;
        }
    }
    printf("%s: %d detections, %d people above 0.5\n", model_name, dets.count, people);
    ck_assert_int_ge(people, 3);
    ck_assert_str_eq(vigil_detector_label(d, 0), "person");
    vigil_detections_free(&dets);
    vigil_detector_free(d);
    free(rgb);
}

START_TEST(nanodet_finds_people) {
    people_in_frame0("nanodet");
}
END_TEST

START_TEST(centernet_finds_people) {
    people_in_frame0("centernet");
}
END_TEST

static Suite *detector_suite(void) {
    Suite *s = suite_create("detector");
    TCase *tc = tcase_create("detector");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, toy_model_ref);
    tcase_add_test(tc, toy_model_cpu);
    tcase_add_test(tc, toy_model_letterbox);
    tcase_add_test(tc, bad_model_and_backend);
    tcase_add_test(tc, nanodet_finds_people);
    tcase_add_test(tc, centernet_finds_people);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(detector_suite)
