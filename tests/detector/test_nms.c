/* NMS and IoU against hand-worked cases. */
#include <check.h>

#include "test_util.h"
#include "vigil/detect.h"

static vigil_detection det(float x, float y, float w, float h, float score, int class_id) {
    return (vigil_detection){.box = {x, y, w, h}, .score = score, .class_id = class_id};
}

static void push_all(vigil_detections *dets, const vigil_detection *items, int n) {
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(vigil_detections_push(dets, &items[i], NULL), VIGIL_STATUS_OK);
}

START_TEST(iou_by_hand) {
    const float a[4] = {0, 0, 10, 10};
    /* Half overlap: 50 / (100 + 100 - 50). */
    ck_assert_float_eq_tol(vigil_box_iou(a, (float[]){5, 0, 10, 10}), 1.0f / 3.0f, 1e-6f);
    /* Quarter overlap: 25 / 175. */
    ck_assert_float_eq_tol(vigil_box_iou(a, (float[]){5, 5, 10, 10}), 1.0f / 7.0f, 1e-6f);
    /* Contained 4x4: 16 / 100. */
    ck_assert_float_eq_tol(vigil_box_iou(a, (float[]){2, 2, 4, 4}), 0.16f, 1e-6f);
    /* Different shapes: [0,0,4,2] vs [1,1,2,4]: overlap [1,1]-[3,2] = 2, union 8 + 8 - 2. */
    ck_assert_float_eq_tol(vigil_box_iou((float[]){0, 0, 4, 2}, (float[]){1, 1, 2, 4}),
                           2.0f / 14.0f, 1e-6f);
    ck_assert_float_eq(vigil_box_iou(a, a), 1.0f);
    ck_assert_float_eq(vigil_box_iou(a, (float[]){10, 0, 5, 5}), 0.0f); /* edges touch */
    ck_assert_float_eq(vigil_box_iou(a, (float[]){20, 20, 5, 5}), 0.0f);
    ck_assert_float_eq(vigil_box_iou(a, (float[]){3, 3, 0, 0}), 0.0f); /* empty box */
}
END_TEST

START_TEST(same_class_overlap_suppressed) {
    vigil_detections dets = {0};
    /* Second box IoU with the first: 90 / 110 = 0.82. Given out of score order. */
    push_all(&dets,
             (vigil_detection[]){det(20, 20, 10, 10, 0.7f, 0), det(1, 0, 10, 10, 0.8f, 0),
                                 det(0, 0, 10, 10, 0.9f, 0)},
             3);
    vigil_nms(&dets, 0.5f, false, 100);
    ck_assert_int_eq(dets.count, 2);
    ck_assert_float_eq(dets.items[0].score, 0.9f);
    ck_assert_float_eq(dets.items[0].box[0], 0.0f);
    ck_assert_float_eq(dets.items[1].score, 0.7f);
    ck_assert_float_eq(dets.items[1].box[0], 20.0f);
    vigil_detections_free(&dets);
}
END_TEST

START_TEST(threshold_is_strict) {
    vigil_detections dets = {0};
    /* IoU exactly 1/3: kept at threshold 1/3, dropped just below it. */
    push_all(&dets, (vigil_detection[]){det(0, 0, 10, 10, 0.9f, 0), det(5, 0, 10, 10, 0.8f, 0)}, 2);
    vigil_nms(&dets, 1.0f / 3.0f, false, 100);
    ck_assert_int_eq(dets.count, 2);
    vigil_nms(&dets, 0.33f, false, 100);
    ck_assert_int_eq(dets.count, 1);
    ck_assert_float_eq(dets.items[0].score, 0.9f);
    vigil_detections_free(&dets);
}
END_TEST

START_TEST(different_classes_kept_unless_agnostic) {
    vigil_detections dets = {0};
    vigil_detection items[] = {det(0, 0, 10, 10, 0.9f, 0), det(1, 1, 10, 10, 0.8f, 2),
                               det(0, 1, 10, 10, 0.6f, 0)};
    push_all(&dets, items, 3);
    vigil_nms(&dets, 0.5f, false, 100);
    /* Class 2 survives next to class 0; the second class-0 box (IoU 90/110) does not. */
    ck_assert_int_eq(dets.count, 2);
    ck_assert_int_eq(dets.items[0].class_id, 0);
    ck_assert_int_eq(dets.items[1].class_id, 2);

    vigil_detections_reset(&dets);
    push_all(&dets, items, 3);
    vigil_nms(&dets, 0.5f, true, 100);
    ck_assert_int_eq(dets.count, 1);
    ck_assert_int_eq(dets.items[0].class_id, 0);
    ck_assert_float_eq(dets.items[0].score, 0.9f);
    vigil_detections_free(&dets);
}
END_TEST

START_TEST(suppressed_box_does_not_suppress) {
    /* Greedy NMS compares a candidate only with boxes already kept: C overlaps B, but
     * B was dropped by A, so C stays. */
    vigil_detections dets = {0};
    push_all(&dets,
             (vigil_detection[]){det(0, 0, 10, 10, 0.9f, 0), det(4, 0, 10, 10, 0.8f, 0),
                                 det(8, 0, 10, 10, 0.7f, 0)},
             3);
    /* IoU(A,B) = 60/140 = 0.43, IoU(B,C) = 0.43, IoU(A,C) = 20/180 = 0.11. At 0.4,
     * B goes (suppressed by A) and C stays, because B is no longer there to drop it. */
    vigil_nms(&dets, 0.4f, false, 100);
    ck_assert_int_eq(dets.count, 2);
    ck_assert_float_eq(dets.items[0].score, 0.9f);
    ck_assert_float_eq(dets.items[1].score, 0.7f);
    vigil_detections_free(&dets);
}
END_TEST

START_TEST(max_keep_takes_the_best) {
    vigil_detections dets = {0};
    for (int i = 0; i < 5; i++) {
        vigil_detection d = det(20.0f * i, 0, 10, 10, 0.1f * (float)(i + 1), i % 2);
        ck_assert_int_eq(vigil_detections_push(&dets, &d, NULL), VIGIL_STATUS_OK);
    }
    vigil_nms(&dets, 0.5f, false, 3);
    ck_assert_int_eq(dets.count, 3);
    ck_assert_float_eq_tol(dets.items[0].score, 0.5f, 1e-6f);
    ck_assert_float_eq_tol(dets.items[1].score, 0.4f, 1e-6f);
    ck_assert_float_eq_tol(dets.items[2].score, 0.3f, 1e-6f);
    ck_assert_float_eq(dets.items[2].box[0], 40.0f);
    vigil_nms(&dets, 0.5f, false, 0);
    ck_assert_int_eq(dets.count, 0);
    vigil_detections_free(&dets);
}
END_TEST

START_TEST(container_grows_and_resets) {
    vigil_detections dets = {0};
    for (int i = 0; i < 1000; i++) {
        vigil_detection d = det((float)i, 0, 1, 1, 0.5f, i);
        ck_assert_int_eq(vigil_detections_push(&dets, &d, NULL), VIGIL_STATUS_OK);
    }
    ck_assert_int_eq(dets.count, 1000);
    ck_assert_int_eq(dets.items[999].class_id, 999);
    vigil_detection *items = dets.items;
    vigil_detections_reset(&dets);
    ck_assert_int_eq(dets.count, 0);
    ck_assert_ptr_eq(dets.items, items); /* storage kept for reuse */
    vigil_nms(&dets, 0.5f, false, 10);   /* empty: no effect */
    ck_assert_int_eq(dets.count, 0);
    vigil_detections_free(&dets);
    ck_assert_ptr_null(dets.items);
}
END_TEST

static Suite *nms_suite(void) {
    Suite *s = suite_create("nms");
    TCase *tc = tcase_create("nms");
    tcase_add_test(tc, iou_by_hand);
    tcase_add_test(tc, same_class_overlap_suppressed);
    tcase_add_test(tc, threshold_is_strict);
    tcase_add_test(tc, different_classes_kept_unless_agnostic);
    tcase_add_test(tc, suppressed_box_does_not_suppress);
    tcase_add_test(tc, max_keep_takes_the_best);
    tcase_add_test(tc, container_grows_and_resets);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(nms_suite)
