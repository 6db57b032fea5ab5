/* Preprocessing, head decode and NMS against the TF.js reference fixtures
 * ($VIGIL_HOME/reference/<model>_f<N>/, written by the reference tool with
 * @tensorflow/tfjs on vtest.avi frames): the model input it fed TF.js, the raw head
 * outputs TF.js computed, CenterNet's own in-graph decode (tower_0/detections), the
 * reference's NanoDet decode, and, when the imported models are present, the whole
 * detector on the same frames. */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "test_util.h"
#include "vigil/detect.h"

static const int reference_frames[] = {0, 200, 400, 700};
#define N_REFERENCE_FRAMES 4
#define FRAME_W 768
#define FRAME_H 576

static const char *fixture_path(const char *model, int frame, const char *file) {
    static char path[1400];
    snprintf(path, sizeof path, "%s/reference/%s_f%d/%s", test_asset_dir(), model, frame, file);
    return path;
}

/* The whole file, which must hold exactly `bytes` bytes; NULL if it is absent. */
static void *read_fixture(const char *model, int frame, const char *file, size_t bytes) {
    const char *path = fixture_path(model, frame, file);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    void *data = malloc(bytes ? bytes : 1);
    size_t got = fread(data, 1, bytes, f);
    int extra = fgetc(f);
    fclose(f);
    ck_assert_msg(got == bytes && extra == EOF, "%s: expected %zu bytes", path, bytes);
    return data;
}

static bool have_fixture(const char *model, int frame) {
    struct stat st;
    if (stat(fixture_path(model, frame, "meta.json"), &st) == 0)
        return true;
    printf("skipped: %s not present\n", fixture_path(model, frame, "meta.json"));
    return false;
}

static const vigil_model_input nanodet_input = {.width = 416,
                                                .height = 416,
                                                .layout = VIGIL_LAYOUT_NCHW,
                                                .color = VIGIL_COLOR_BGR,
                                                .mean = {103.53f, 116.28f, 123.675f},
                                                .std = {57.375f, 57.12f, 58.395f},
                                                .resize = VIGIL_RESIZE_POLICY_STRETCH};
static const vigil_model_input centernet_input = {.width = 512,
                                                  .height = 512,
                                                  .layout = VIGIL_LAYOUT_NHWC,
                                                  .color = VIGIL_COLOR_RGB,
                                                  .mean = {0, 0, 0},
                                                  .std = {1, 1, 1},
                                                  .resize = VIGIL_RESIZE_POLICY_STRETCH};

static void check_preprocess(const char *model, const vigil_model_input *in) {
    for (int i = 0; i < N_REFERENCE_FRAMES; i++) {
        int fr = reference_frames[i];
        if (!have_fixture(model, fr))
            continue;
        size_t n = (size_t)3 * in->width * in->height;
        uint8_t *rgb = read_fixture(model, fr, "frame.rgb", (size_t)FRAME_W * FRAME_H * 3);
        float *expect = read_fixture(model, fr, "input.bin", n * sizeof(float));
        ck_assert(rgb && expect);
        vigil_tensor t;
        int64_t shape[4] = {1, in->height, in->width, 3};
        if (in->layout == VIGIL_LAYOUT_NCHW)
            shape[1] = 3, shape[2] = in->height, shape[3] = in->width;
        ck_assert_int_eq(vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, 4, shape, NULL), 0);
        vigil_image frame = {.format = VIGIL_PIXEL_RGB24,
                             .width = FRAME_W,
                             .height = FRAME_H,
                             .planes = {rgb},
                             .strides = {3 * FRAME_W}};
        float sx, sy;
        ck_assert_int_eq(vigil_preprocess(in, &frame, &t, 0, &sx, &sy, NULL), 0);
        double worst = 0;
        const float *got = t.data;
        for (size_t k = 0; k < n; k++)
            worst = fmax(worst, fabs((double)got[k] - expect[k]));
        printf("%s frame %d: preprocess max |diff| %.2g\n", model, fr, worst);
        /* Float rounding only: 1e-4 of a 0..255 value. */
        ck_assert_double_le(worst, 255e-6 / in->std[0] + 1e-5);
        ck_assert_float_eq_tol(sx, (float)FRAME_W / in->width, 1e-6f);
        ck_assert_float_eq_tol(sy, (float)FRAME_H / in->height, 1e-6f);
        vigil_tensor_free(&t);
        free(rgb);
        free(expect);
    }
}

START_TEST(nanodet_preprocess) {
    check_preprocess("nanodet", &nanodet_input);
}
END_TEST

START_TEST(centernet_preprocess) {
    check_preprocess("centernet", &centernet_input);
}
END_TEST

/* ---- head outputs held in an engine whose outputs are its inputs ---- */

typedef struct holder {
    vigil_graph *graph;
    vigil_backend *backend;
    vigil_engine *engine;
} holder;

static holder make_holder(int n, const char *const *names, const int64_t (*shapes)[4],
                          const int *ndims) {
    holder h = {.graph = vigil_graph_create()};
    vigil_error err = {0};
    for (int i = 0; i < n; i++) {
        int node = vigil_graph_add_input(h.graph, names[i], ndims[i], shapes[i], &err);
        ck_assert_msg(node >= 0, "%s", err.message);
        ck_assert_int_eq(vigil_graph_mark_output(h.graph, node, names[i], &err), 0);
    }
    ck_assert_int_eq(vigil_graph_infer_shapes(h.graph, &err), 0);
    h.backend = vigil_backend_ref_create(&err);
    ck_assert_msg(vigil_engine_create(h.graph, h.backend, &h.engine, &err) == 0, "%s", err.message);
    return h;
}

static void fill_input(holder *h, int i, const char *model, int fr, const char *file) {
    vigil_tensor *t = vigil_engine_input(h->engine, i);
    float *data = read_fixture(model, fr, file, vigil_tensor_nbytes(t));
    ck_assert_ptr_nonnull(data);
    memcpy(t->data, data, vigil_tensor_nbytes(t));
    free(data);
}

static void free_holder(holder *h) {
    vigil_engine_free(h->engine);
    vigil_backend_free(h->backend);
    vigil_graph_free(h->graph);
}

START_TEST(centernet_decode_matches_the_graph) {
    static const char *const names[] = {"tower_0/keypoints", "tower_0/wh"};
    const int64_t shapes[2][4] = {{1, 128, 128, 80}, {1, 128, 128, 4}};
    const int ndims[2] = {4, 4};
    static char heat[] = "tower_0/keypoints", wh[] = "tower_0/wh";
    vigil_head_info head = {.type = VIGIL_HEAD_CENTERNET,
                            .num_classes = 80,
                            .heatmap_output = heat,
                            .size_output = wh,
                            .output_stride = 4};
    for (int i = 0; i < N_REFERENCE_FRAMES; i++) {
        int fr = reference_frames[i];
        if (!have_fixture("centernet", fr))
            continue;
        holder h = make_holder(2, names, shapes, ndims);
        fill_input(&h, 0, "centernet", fr, "tower_0_keypoints.bin");
        fill_input(&h, 1, "centernet", fr, "tower_0_wh.bin");
        /* [100][x1, y1, x2, y2, score, class] from the model's TopK decode. */
        float *graph = read_fixture("centernet", fr, "tower_0_detections.bin", 600 * sizeof(float));
        vigil_detections dets = {0};
        vigil_error err = {0};
        /* Threshold 0: every sigmoid peak qualifies, so all 100 must agree. */
        ck_assert_msg(vigil_head_decode(&head, &centernet_input, h.engine, 0, 0.0f, &dets, &err) ==
                          0,
                      "%s", err.message);
        ck_assert_int_eq(dets.count, 100);
        for (int k = 0; k < 100; k++) {
            const float *g = graph + 6 * k;
            const vigil_detection *d = &dets.items[k];
            ck_assert_msg(d->class_id == (int)g[5] && fabsf(d->score - g[4]) < 1e-6f,
                          "frame %d #%d: class %d score %g, graph class %g score %g", fr, k,
                          d->class_id, d->score, g[5], g[4]);
            ck_assert_float_eq_tol(d->box[0], g[0], 1e-3f);
            ck_assert_float_eq_tol(d->box[1], g[1], 1e-3f);
            ck_assert_float_eq_tol(d->box[0] + d->box[2], g[2], 1e-3f);
            ck_assert_float_eq_tol(d->box[1] + d->box[3], g[3], 1e-3f);
        }
        printf("centernet frame %d: all 100 peaks match tower_0/detections\n", fr);
        vigil_detections_free(&dets);
        free(graph);
        free_holder(&h);
    }
}
END_TEST

/* Reference detections: [{"class_id", "score", "box": [x, y, w, h]}] in frame pixels. */
static cJSON *read_detections(const char *model, int fr) {
    const char *path = fixture_path(model, fr, "detections.json");
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s missing", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = calloc(1, (size_t)size + 1);
    ck_assert_int_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    cJSON *json = cJSON_Parse(text);
    free(text);
    ck_assert_msg(cJSON_IsArray(json), "%s: not a JSON list", path);
    return json;
}

static void ref_box(const cJSON *item, float box[4]) {
    const cJSON *b = cJSON_GetObjectItem(item, "box");
    for (int k = 0; k < 4; k++)
        box[k] = (float)cJSON_GetArrayItem(b, k)->valuedouble;
}

START_TEST(nanodet_decode_matches_reference) {
    static const char *const names[] = {"Identity",   "Identity_1", "Identity_2",
                                        "Identity_3", "Identity_4", "Identity_5"};
    const int64_t shapes[6][4] = {{1, 2704, 80}, {1, 676, 80}, {1, 169, 80},
                                  {1, 2704, 44}, {1, 676, 44}, {1, 169, 44}};
    const int ndims[6] = {3, 3, 3, 3, 3, 3};
    vigil_head_info head = {.type = VIGIL_HEAD_GFL,
                            .num_classes = 80,
                            .n_levels = 3,
                            .strides = {8, 16, 32},
                            .reg_max = 10};
    for (int l = 0; l < 3; l++) {
        head.class_outputs[l] = (char *)names[l];
        head.box_outputs[l] = (char *)names[3 + l];
    }
    for (int i = 0; i < N_REFERENCE_FRAMES; i++) {
        int fr = reference_frames[i];
        if (!have_fixture("nanodet", fr))
            continue;
        holder h = make_holder(6, names, shapes, ndims);
        for (int k = 0; k < 6; k++) {
            char file[32];
            snprintf(file, sizeof file, "%s.bin", names[k]);
            fill_input(&h, k, "nanodet", fr, file);
        }
        vigil_detections dets = {0};
        vigil_error err = {0};
        ck_assert_msg(vigil_head_decode(&head, &nanodet_input, h.engine, 0, 0.35f, &dets, &err) ==
                          0,
                      "%s", err.message);
        /* To frame pixels and clipped to the frame as the detector does (and the
         * reference: "clip": "to the frame, before NMS"), then NMS with the defaults. */
        const float sx = (float)FRAME_W / 416, sy = (float)FRAME_H / 416;
        for (int k = 0; k < dets.count; k++) {
            float *b = dets.items[k].box;
            float x0 = fmaxf(b[0] * sx, 0), y0 = fmaxf(b[1] * sy, 0);
            float x1 = fminf((b[0] + b[2]) * sx, FRAME_W), y1 = fminf((b[1] + b[3]) * sy, FRAME_H);
            b[0] = x0, b[1] = y0, b[2] = x1 - x0, b[3] = y1 - y0;
        }
        vigil_nms(&dets, 0.5f, false, 100);
        cJSON *ref = read_detections("nanodet", fr);
        ck_assert_int_eq(dets.count, cJSON_GetArraySize(ref));
        int k = 0;
        for (const cJSON *item = ref->child; item; item = item->next, k++) {
            const vigil_detection *d = &dets.items[k];
            float box[4];
            ref_box(item, box);
            ck_assert_int_eq(d->class_id, cJSON_GetObjectItem(item, "class_id")->valueint);
            ck_assert_float_eq_tol(d->score, cJSON_GetObjectItem(item, "score")->valuedouble,
                                   1e-6f);
            for (int c = 0; c < 4; c++)
                ck_assert_float_eq_tol(d->box[c], box[c], 2e-3f);
        }
        printf("nanodet frame %d: %d detections match the reference decode\n", fr, dets.count);
        cJSON_Delete(ref);
        vigil_detections_free(&dets);
        free_holder(&h);
    }
}
END_TEST

/* ---- the imported models, whole detector ---- */

static void detector_matches_reference(const char *model) {
    char path[1100];
    snprintf(path, sizeof path, "%s/models/%s.safetensors", test_asset_dir(), model);
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("skipped: %s not present (run scripts/fetch-assets.sh)\n", path);
        return;
    }
    vigil_detector *d;
    vigil_error err = {0};
    ck_assert_msg(vigil_detector_create(path, NULL, &d, &err) == 0, "%s", err.message);
    vigil_detections dets = {0};
    for (int i = 0; i < N_REFERENCE_FRAMES; i++) {
        int fr = reference_frames[i];
        if (!have_fixture(model, fr))
            continue;
        uint8_t *rgb = read_fixture(model, fr, "frame.rgb", (size_t)FRAME_W * FRAME_H * 3);
        vigil_image frame = {.format = VIGIL_PIXEL_RGB24,
                             .width = FRAME_W,
                             .height = FRAME_H,
                             .planes = {rgb},
                             .strides = {3 * FRAME_W}};
        ck_assert_msg(vigil_detector_run(d, &frame, 1, &dets, &err) == 0, "%s", err.message);
        /* Every confident reference box has a twin: same class, nearly the same box
         * (clipped, in case a fixture was written unclipped) and score. */
        cJSON *ref = read_detections(model, fr);
        int confident = 0;
        for (const cJSON *item = ref->child; item; item = item->next) {
            double score = cJSON_GetObjectItem(item, "score")->valuedouble;
            if (score < 0.45)
                continue;
            confident++;
            float box[4];
            ref_box(item, box);
            float x1 = fminf(box[0] + box[2], FRAME_W), y1 = fminf(box[1] + box[3], FRAME_H);
            box[0] = fmaxf(box[0], 0), box[1] = fmaxf(box[1], 0);
            box[2] = x1 - box[0], box[3] = y1 - box[1];
            int cls = cJSON_GetObjectItem(item, "class_id")->valueint;
            bool found = false;
            for (int k = 0; k < dets.count && !found; k++)
                found = dets.items[k].class_id == cls &&
                        vigil_box_iou(dets.items[k].box, box) > 0.95f &&
                        fabs(dets.items[k].score - score) < 0.02;
            ck_assert_msg(found, "%s frame %d: no match for class %d score %.3f box %.1f %.1f",
                          model, fr, cls, score, box[0], box[1]);
        }
        printf("%s frame %d: %d detections, %d confident reference boxes matched\n", model, fr,
               dets.count, confident);
        cJSON_Delete(ref);
        free(rgb);
    }
    vigil_detections_free(&dets);
    vigil_detector_free(d);
}

START_TEST(nanodet_detector_matches_reference) {
    detector_matches_reference("nanodet");
}
END_TEST

START_TEST(centernet_detector_matches_reference) {
    detector_matches_reference("centernet");
}
END_TEST

static Suite *reference_suite(void) {
    Suite *s = suite_create("detector_reference");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, nanodet_preprocess);
    tcase_add_test(tc, centernet_preprocess);
    tcase_add_test(tc, centernet_decode_matches_the_graph);
    tcase_add_test(tc, nanodet_decode_matches_reference);
    tcase_add_test(tc, nanodet_detector_matches_reference);
    tcase_add_test(tc, centernet_detector_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(reference_suite)
