/* Head decoders against hand-constructed head outputs. The outputs are fed through an
 * engine whose graph outputs are its inputs, so the decode reads exactly the numbers
 * written here. */
#include <check.h>
#include <math.h>

#include "test_util.h"
#include "vigil/detect.h"

typedef struct head_fixture {
    vigil_graph *graph;
    vigil_backend *backend;
    vigil_engine *engine;
} head_fixture;

/* A graph of n inputs, each also an output of the same name. */
static head_fixture make_engine(int n, const char *const *names, const int *ndims,
                                const int64_t (*shapes)[4]) {
    head_fixture f = {.graph = vigil_graph_create()};
    vigil_error err = {0};
    ck_assert_ptr_nonnull(f.graph);
    for (int i = 0; i < n; i++) {
        int node = vigil_graph_add_input(f.graph, names[i], ndims[i], shapes[i], &err);
        ck_assert_msg(node >= 0, "%s", err.message);
        ck_assert_int_eq(vigil_graph_mark_output(f.graph, node, names[i], &err), VIGIL_STATUS_OK);
    }
    ck_assert_int_eq(vigil_graph_infer_shapes(f.graph, &err), VIGIL_STATUS_OK);
    f.backend = vigil_backend_ref_create(&err);
    ck_assert_ptr_nonnull(f.backend);
    ck_assert_msg(vigil_engine_create(f.graph, f.backend, &f.engine, &err) == VIGIL_STATUS_OK, "%s",
                  err.message);
    return f;
}

static float *input_data(head_fixture *f, int i) {
    vigil_tensor *t = vigil_engine_input(f->engine, i);
    ck_assert_ptr_nonnull(t);
    return t->data;
}

static void free_fixture(head_fixture *f) {
    vigil_engine_free(f->engine);
    vigil_backend_free(f->backend);
    vigil_graph_free(f->graph);
}

static const vigil_model_input input32 = {.width = 32,
                                          .height = 32,
                                          .layout = VIGIL_LAYOUT_NHWC,
                                          .color = VIGIL_COLOR_RGB,
                                          .std = {1, 1, 1}};

/* ---- GFL ---- */

#define GFL_C 3
#define GFL_BINS 11 /* reg_max 10, as NanoDet */

static vigil_head_info gfl_head(void) {
    static char c0[] = "cls8", c1[] = "cls16", b0[] = "box8", b1[] = "box16";
    return (vigil_head_info){.type = VIGIL_HEAD_GFL,
                             .num_classes = GFL_C,
                             .n_levels = 2,
                             .strides = {8, 16},
                             .class_outputs = {c0, c1},
                             .box_outputs = {b0, b1},
                             .reg_max = GFL_BINS - 1};
}

/* One side's logits: every bin -100 except those given. */
static void side_logits(float *l, int n, const int *bins, const float *values) {
    for (int i = 0; i < GFL_BINS; i++)
        l[i] = -100.0f;
    for (int i = 0; i < n; i++)
        l[bins[i]] = values[i];
}

static head_fixture gfl_fixture(int batch) {
    /* Input 32x32: stride 8 -> 4x4 = 16 cells, stride 16 -> 2x2 = 4 cells. */
    static const char *const names[] = {"cls8", "box8", "cls16", "box16"};
    const int ndims[] = {3, 3, 3, 3};
    const int64_t shapes[4][4] = {
        {batch, 16, GFL_C}, {batch, 16, 4 * GFL_BINS}, {batch, 4, GFL_C}, {batch, 4, 4 * GFL_BINS}};
    head_fixture f = make_engine(4, names, ndims, shapes);
    for (int i = 0; i < 4; i++) {
        vigil_tensor *t = vigil_engine_input(f.engine, i);
        float *d = t->data;
        for (int64_t k = 0; k < vigil_tensor_numel(t); k++)
            d[k] = (i % 2 == 0) ? 0.2f : 0.0f; /* scores 0.2 everywhere, flat bins */
    }
    /* Level 0, batch 0, cell (row 1, col 2) = 6: center ((2 + 0.5) * 8, (1 + 0.5) * 8). */
    float *cls8 = input_data(&f, 0), *box8 = input_data(&f, 1);
    float *cls16 = input_data(&f, 2), *box16 = input_data(&f, 3);
    float *s = cls8 + 6 * GFL_C;
    s[0] = 0.1f, s[1] = 0.9f, s[2] = 0.5f;
    float *l = box8 + 6 * 4 * GFL_BINS;
    side_logits(l, 1, (int[]){2}, (float[]){10.0f});                              /* left 2 */
    side_logits(l + GFL_BINS, 2, (int[]){1, 2}, (float[]){3.0f, 3.0f});           /* top 1.5 */
    side_logits(l + 2 * GFL_BINS, 2, (int[]){0, 1}, (float[]){0.0f, logf(3.0f)}); /* 0.75 */
    side_logits(l + 3 * GFL_BINS, 1, (int[]){10}, (float[]){20.0f});              /* bottom 10 */
    /* Level 1, cell (row 1, col 0) = 2: center (8, 24); all sides one bin at 1. */
    cls16[2 * GFL_C + 0] = 0.6f;
    for (int side = 0; side < 4; side++)
        side_logits(box16 + 2 * 4 * GFL_BINS + side * GFL_BINS, 1, (int[]){1}, (float[]){50.0f});
    /* Level 1, cell 3 scores exactly the threshold: not kept (strictly above). */
    cls16[3 * GFL_C + 2] = 0.35f;
    if (batch > 1) {
        /* Batch 1: only level 0 cell 0, class 0, all distances 0. */
        float *s1 = cls8 + 16 * GFL_C;
        s1[0] = 0.7f;
        for (int side = 0; side < 4; side++)
            side_logits(box8 + 16 * 4 * GFL_BINS + side * GFL_BINS, 1, (int[]){0},
                        (float[]){50.0f});
        for (int k = 0; k < 16 * GFL_C; k++)
            if (k != 0)
                cls8[16 * GFL_C + k] = 0.0f;
        for (int k = 0; k < 4 * GFL_C; k++)
            cls16[4 * GFL_C + k] = 0.0f;
    }
    return f;
}

static const vigil_detection *find_class(const vigil_detections *d, int class_id) {
    for (int i = 0; i < d->count; i++)
        if (d->items[i].class_id == class_id)
            return &d->items[i];
    return NULL;
}

static void assert_box(const float *box, float x, float y, float w, float h) {
    ck_assert_float_eq_tol(box[0], x, 1e-3f);
    ck_assert_float_eq_tol(box[1], y, 1e-3f);
    ck_assert_float_eq_tol(box[2], w, 1e-3f);
    ck_assert_float_eq_tol(box[3], h, 1e-3f);
}

START_TEST(gfl_peaked_bins_give_exact_box) {
    head_fixture f = gfl_fixture(1);
    vigil_head_info head = gfl_head();
    vigil_detections dets = {0};
    vigil_error err = {0};
    ck_assert_msg(vigil_head_decode(&head, &input32, f.engine, 0, 0.35f, &dets, &err) == 0, "%s",
                  err.message);
    /* Level 0 cell: classes 1 (0.9) and 2 (0.5) with the same box; level 1: class 0. */
    ck_assert_int_eq(dets.count, 3);
    /* left 2*8 = 16, top 1.5*8 = 12, right 0.75*8 = 6, bottom 10*8 = 80 around (20, 12):
     * x0 = 4, y0 = 0, x1 = 26, y1 = 92. */
    const vigil_detection *d1 = find_class(&dets, 1), *d2 = find_class(&dets, 2);
    ck_assert_ptr_nonnull(d1);
    ck_assert_ptr_nonnull(d2);
    ck_assert_float_eq_tol(d1->score, 0.9f, 1e-6f);
    ck_assert_float_eq_tol(d2->score, 0.5f, 1e-6f);
    assert_box(d1->box, 4.0f, 0.0f, 22.0f, 92.0f);
    assert_box(d2->box, 4.0f, 0.0f, 22.0f, 92.0f);
    /* Level 1: 16 px each way around (8, 24). */
    const vigil_detection *d0 = find_class(&dets, 0);
    ck_assert_ptr_nonnull(d0);
    ck_assert_float_eq_tol(d0->score, 0.6f, 1e-6f);
    assert_box(d0->box, -8.0f, 8.0f, 32.0f, 32.0f);
    ck_assert_int_eq(d0->batch_index, 0);
    vigil_detections_free(&dets);
    free_fixture(&f);
}
END_TEST

START_TEST(gfl_batch_index) {
    head_fixture f = gfl_fixture(2);
    vigil_head_info head = gfl_head();
    vigil_detections dets = {0};
    vigil_error err = {0};
    ck_assert_msg(vigil_head_decode(&head, &input32, f.engine, 1, 0.35f, &dets, &err) == 0, "%s",
                  err.message);
    ck_assert_int_eq(dets.count, 1);
    ck_assert_int_eq(dets.items[0].batch_index, 1);
    ck_assert_int_eq(dets.items[0].class_id, 0);
    ck_assert_float_eq_tol(dets.items[0].score, 0.7f, 1e-6f);
    assert_box(dets.items[0].box, 4, 4, 0, 0); /* the center of cell 0 */
    /* Batch 0 still decodes as in the single-frame case. */
    vigil_detections_reset(&dets);
    ck_assert_int_eq(vigil_head_decode(&head, &input32, f.engine, 0, 0.35f, &dets, &err), 0);
    ck_assert_int_eq(dets.count, 3);
    vigil_detections_free(&dets);
    free_fixture(&f);
}
END_TEST

START_TEST(gfl_errors_name_the_output) {
    head_fixture f = gfl_fixture(1);
    vigil_head_info head = gfl_head();
    vigil_detections dets = {0};
    vigil_error err = {0};
    static char missing[] = "no_such_output";
    head.box_outputs[1] = missing;
    ck_assert_int_eq(vigil_head_decode(&head, &input32, f.engine, 0, 0.35f, &dets, &err),
                     VIGIL_STATUS_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "no_such_output"));
    head = gfl_head();
    head.strides[1] = 8; /* level 1 would need 16 cells */
    ck_assert_int_eq(vigil_head_decode(&head, &input32, f.engine, 0, 0.35f, &dets, &err),
                     VIGIL_STATUS_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "cls16"));
    head = gfl_head();
    ck_assert_int_eq(vigil_head_decode(&head, &input32, f.engine, 1, 0.35f, &dets, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    vigil_detections_free(&dets);
    free_fixture(&f);
}
END_TEST

/* ---- CenterNet ---- */

static vigil_head_info centernet_head(int classes) {
    static char heat[] = "keypoints", wh[] = "wh";
    return (vigil_head_info){.type = VIGIL_HEAD_CENTERNET,
                             .num_classes = classes,
                             .heatmap_output = heat,
                             .size_output = wh,
                             .output_stride = 4};
}

static head_fixture centernet_fixture(int grid, int classes) {
    static const char *const names[] = {"keypoints", "wh"};
    const int ndims[] = {4, 4};
    const int64_t shapes[2][4] = {{1, grid, grid, classes}, {1, grid, grid, 4}};
    return make_engine(2, names, ndims, shapes);
}

START_TEST(centernet_peaks_and_boxes) {
    /* 8x8 grid of 3 classes (input 32, stride 4). */
    head_fixture f = centernet_fixture(8, 3);
    float *heat = input_data(&f, 0), *wh = input_data(&f, 1);
#define HEAT(r, c, k) heat[((r)*8 + (c)) * 3 + (k)]
#define WH(r, c) (wh + ((r)*8 + (c)) * 4)
    HEAT(2, 3, 1) = 0.9f; /* peak */
    HEAT(2, 4, 1) = 0.8f; /* beside a higher value of its class: not a peak */
    HEAT(2, 4, 0) = 0.7f; /* same cell, other class: a peak of its own */
    HEAT(5, 5, 2) = 0.3f; /* below the threshold */
    HEAT(6, 1, 2) = 0.6f; /* a plateau: both equal their 3x3 max */
    HEAT(6, 2, 2) = 0.6f;
    HEAT(0, 7, 0) = 0.5f; /* corner cell: the window is clipped */
    float s23[4] = {5, 6, 7, 8}, s24[4] = {1, 2, 3, 4};
    memcpy(WH(2, 3), s23, sizeof s23);
    memcpy(WH(2, 4), s24, sizeof s24);
    vigil_head_info head = centernet_head(3);
    vigil_detections dets = {0};
    vigil_error err = {0};
    ck_assert_msg(vigil_head_decode(&head, &input32, f.engine, 0, 0.35f, &dets, &err) == 0, "%s",
                  err.message);
    ck_assert_int_eq(dets.count, 5);
    /* Sorted by score. (row 2, col 3): corner point (12, 8); x1 = 12 - 5, y1 = 8 - 6,
     * x2 = 12 + 7, y2 = 8 + 8. */
    ck_assert_int_eq(dets.items[0].class_id, 1);
    ck_assert_float_eq_tol(dets.items[0].score, 0.9f, 1e-6f);
    assert_box(dets.items[0].box, 7, 2, 12, 14);
    /* (row 2, col 4), class 0: point (16, 8), sizes 1, 2, 3, 4. */
    ck_assert_int_eq(dets.items[1].class_id, 0);
    assert_box(dets.items[1].box, 15, 6, 4, 6);
    /* The plateau, lower flat index first: (6, 1) then (6, 2); sizes 0. */
    ck_assert_int_eq(dets.items[2].class_id, 2);
    assert_box(dets.items[2].box, 4, 24, 0, 0);
    assert_box(dets.items[3].box, 8, 24, 0, 0);
    ck_assert_float_eq_tol(dets.items[4].score, 0.5f, 1e-6f);
    assert_box(dets.items[4].box, 28, 0, 0, 0);
    vigil_detections_free(&dets);
    free_fixture(&f);
#undef HEAT
#undef WH
}
END_TEST

START_TEST(centernet_top_100_lowest_index_on_ties) {
    /* 32x32 grid, one class, a peak at every even (row, col): 256 peaks, one raised to
     * 0.8 and the rest equal. The model's TopK keeps the 0.8 and, of the equal ones,
     * the 99 with the lowest flat index: rows 0..10 (6 peak rows of 16 = 96) and the
     * first 3 of row 12. */
    head_fixture f = centernet_fixture(32, 1);
    float *heat = input_data(&f, 0);
    for (int r = 0; r < 32; r += 2)
        for (int c = 0; c < 32; c += 2)
            heat[r * 32 + c] = 0.5f;
    heat[30 * 32 + 30] = 0.8f;
    vigil_head_info head = centernet_head(1);
    vigil_detections dets = {0};
    vigil_error err = {0};
    ck_assert_int_eq(vigil_head_decode(&head, &input32, f.engine, 0, 0.35f, &dets, &err), 0);
    ck_assert_int_eq(dets.count, 100);
    assert_box(dets.items[0].box, 120, 120, 0, 0);
    int in_row_12 = 0;
    for (int i = 1; i < dets.count; i++) {
        int row = (int)dets.items[i].box[1] / 4, col = (int)dets.items[i].box[0] / 4;
        ck_assert_int_le(row, 12);
        if (row == 12) {
            ck_assert_int_le(col, 4);
            in_row_12++;
        }
    }
    ck_assert_int_eq(in_row_12, 3);
    vigil_detections_free(&dets);
    free_fixture(&f);
}
END_TEST

static Suite *heads_suite(void) {
    Suite *s = suite_create("heads");
    TCase *tc = tcase_create("heads");
    tcase_add_test(tc, gfl_peaked_bins_give_exact_box);
    tcase_add_test(tc, gfl_batch_index);
    tcase_add_test(tc, gfl_errors_name_the_output);
    tcase_add_test(tc, centernet_peaks_and_boxes);
    tcase_add_test(tc, centernet_top_100_lowest_index_on_ties);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(heads_suite)
