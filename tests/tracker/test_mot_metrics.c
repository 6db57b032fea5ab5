/* CLEAR MOT, IDF1 and HOTA on small sequences worked out by hand (the arithmetic is in
 * the comments), so that each metric is checked at a value other than 0 or 1. All boxes
 * are 10 x 10; a box shifted by d pixels along x overlaps its original with
 * IoU = 10 (10 - d) / (200 - 10 (10 - d)): d = 2 gives 80/120 = 2/3, d = 3 gives
 * 70/130 = 0.538, d = 5 gives 50/150 = 1/3. */
#include <check.h>
#include <math.h>

#include "test_util.h"
#include "vigil/mot_metrics.h"

#define REC(f, i, x, y)                                                                            \
    { .frame = f, .id = i, .box = {x, y, 10, 10}, .score = 1, .class_id = 1 }

static vigil_mot_records records(const vigil_mot_record *items, int n) {
    vigil_mot_records r = {0};
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(vigil_mot_records_push(&r, &items[i], NULL), VIGIL_STATUS_OK);
    return r;
}

static vigil_mot_metrics evaluate(const vigil_mot_record *gt, int ng, const vigil_mot_record *res,
                                  int nr) {
    vigil_mot_records g = records(gt, ng), r = records(res, nr);
    vigil_mot_metrics m;
    vigil_error err = {0};
    vigil_mot_eval_options opt = vigil_mot_eval_options_default();
    ck_assert_msg(vigil_mot_evaluate(&g, &r, &opt, &m, &err) == VIGIL_STATUS_OK, "%s", err.message);
    vigil_mot_records_free(&g);
    vigil_mot_records_free(&r);
    return m;
}

/* Objects 1 (at 0,0) and 2 (at 100,0) in frames 1-4, object 3 (at 200,0) in frames 1-2.
 *   frame 1: h1 on o1, h2 on o2                      2 TP
 *   frame 2: h1 on o1, h2 on o2 shifted 2 px (2/3)   2 TP
 *   frame 3: h2 on o2, h3 alone at 50,50             1 TP, o1 missed, h3 FP
 *   frame 4: h2 on o1, h4 on o2                      2 TP, both switch (o1: h1 -> h2,
 *                                                          o2: h2 -> h4)
 * o3 is never found: 2 misses. Truth boxes 10, hypothesis boxes 8.
 * CLEAR: TP 7, FN 3, FP 1, IDSW 2, MOTA = 1 - 6/10 = 0.4,
 *        MOTP = (6 + 2/3) / 7 = 0.952381; o1 tracked, missed, tracked: 1 fragmentation;
 *        o2 4/4 MT, o1 3/4 PT, o3 0/2 ML.
 * IDF1: shared boxes (o1,h1) 2, (o1,h2) 1, (o2,h2) 3, (o2,h4) 1. Best pairing o1-h1,
 *       o2-h2: IDTP 5; IDP 5/8 = 0.625, IDR 5/10 = 0.5, IDF1 = 10/18 = 0.555556. */
START_TEST(test_clear_and_identity) {
    const vigil_mot_record gt[] = {REC(1, 1, 0, 0),  REC(1, 2, 100, 0), REC(1, 3, 200, 0),
                                   REC(2, 1, 0, 0),  REC(2, 2, 100, 0), REC(2, 3, 200, 0),
                                   REC(3, 1, 0, 0),  REC(3, 2, 100, 0), REC(4, 1, 0, 0),
                                   REC(4, 2, 100, 0)};
    const vigil_mot_record res[] = {REC(1, 1, 0, 0),   REC(1, 2, 100, 0), REC(2, 1, 0, 0),
                                    REC(2, 2, 102, 0), REC(3, 2, 100, 0), REC(3, 3, 50, 50),
                                    REC(4, 2, 0, 0),   REC(4, 4, 100, 0)};
    vigil_mot_metrics m = evaluate(gt, 10, res, 8);
    ck_assert_int_eq(m.truth_boxes, 10);
    ck_assert_int_eq(m.hypothesis_boxes, 8);
    ck_assert_int_eq(m.matches, 7);
    ck_assert_int_eq(m.misses, 3);
    ck_assert_int_eq(m.false_positives, 1);
    ck_assert_int_eq(m.id_switches, 2);
    ck_assert_int_eq(m.fragmentations, 1);
    ck_assert_int_eq(m.mostly_tracked, 1);
    ck_assert_int_eq(m.partially_tracked, 1);
    ck_assert_int_eq(m.mostly_lost, 1);
    ck_assert_double_eq_tol(m.mota, 0.4, 1e-9);
    ck_assert_double_eq_tol(m.motp, (6.0 + 2.0 / 3.0) / 7.0, 1e-6);
    ck_assert_int_eq(m.idtp, 5);
    ck_assert_int_eq(m.idfp, 3);
    ck_assert_int_eq(m.idfn, 5);
    ck_assert_double_eq_tol(m.idp, 0.625, 1e-9);
    ck_assert_double_eq_tol(m.idr, 0.5, 1e-9);
    ck_assert_double_eq_tol(m.idf1, 10.0 / 18.0, 1e-9);
}
END_TEST

/* py-motmetrics keeps last frame's pair while its IoU stays >= 0.5, even when another
 * hypothesis fits better: frame 2 has h1 shifted 3 px (IoU 0.538) and h2 exactly on o1.
 * o1 stays with h1 (no switch) and h2 is a false positive: TP 2, FP 1, MOTA 1 - 1/2. */
START_TEST(test_clear_keeps_previous_pair) {
    const vigil_mot_record gt[] = {REC(1, 1, 0, 0), REC(2, 1, 0, 0)};
    const vigil_mot_record res[] = {REC(1, 1, 0, 0), REC(2, 1, 3, 0), REC(2, 2, 0, 0)};
    vigil_mot_metrics m = evaluate(gt, 2, res, 3);
    ck_assert_int_eq(m.matches, 2);
    ck_assert_int_eq(m.id_switches, 0);
    ck_assert_int_eq(m.false_positives, 1);
    ck_assert_double_eq_tol(m.mota, 0.5, 1e-9);
    ck_assert_double_eq_tol(m.motp, (1.0 + 70.0 / 130.0) / 2.0, 1e-6);
}
END_TEST

/* One object, one hypothesis id, frames 1-2; frame 2 shifted 5 px (IoU 1/3).
 * Pass 1: a lone pair's normalised similarity is 1 per frame, so the global alignment
 * is 2 / (2 + 2 - 2) = 1 and both frames pair.
 * alpha 0.05 .. 0.30 (6 values): TP 2, DetA 1, AssA 2*2/(2+2-2)/2 = 1, HOTA 1,
 *                                LocA (1 + 1/3)/2 = 2/3.
 * alpha 0.35 .. 0.95 (13 values): TP 1, FN 1, FP 1, DetA 1/3, AssA 1*1/(2+2-1)/1 = 1/3,
 *                                 HOTA 1/3, LocA 1.
 * Means: HOTA = DetA = AssA = (6 + 13/3)/19 = 0.543860, LocA = (4 + 13)/19 = 0.894737.
 * CLEAR: frame 2 is a miss and a false positive: MOTA 0. */
START_TEST(test_hota_localisation) {
    const vigil_mot_record gt[] = {REC(1, 1, 0, 0), REC(2, 1, 0, 0)};
    const vigil_mot_record res[] = {REC(1, 7, 0, 0), REC(2, 7, 5, 0)};
    vigil_mot_metrics m = evaluate(gt, 2, res, 2);
    double expected = (6.0 + 13.0 / 3.0) / 19.0;
    ck_assert_double_eq_tol(m.hota, expected, 1e-6);
    ck_assert_double_eq_tol(m.deta, expected, 1e-6);
    ck_assert_double_eq_tol(m.assa, expected, 1e-6);
    ck_assert_double_eq_tol(m.loca, 17.0 / 19.0, 1e-6);
    ck_assert_double_eq_tol(m.hota_alpha[5], 1.0, 1e-9);       /* alpha 0.30 */
    ck_assert_double_eq_tol(m.hota_alpha[6], 1.0 / 3.0, 1e-6); /* alpha 0.35 */
    ck_assert_double_eq_tol(m.mota, 0.0, 1e-9);
}
END_TEST

/* One object in frames 1-4, exactly covered by h1 in frames 1-2 and h2 in 3-4.
 * Global alignment: each pair shares 2 frames: 2 / (4 + 2 - 2) = 0.5.
 * Every alpha: TP 4, DetA 1; AssA = (2*2/(4+2-2) + 2*2/(4+2-2)) / 4 = 0.5,
 * AssRe = (4/4 + 4/4)/4 = 0.5, AssPr = (4/2 + 4/2)/4 = 1; HOTA = sqrt(0.5) = 0.707107.
 * CLEAR: one switch in frame 3, MOTA 1 - 1/4 = 0.75. IDF1: IDTP 2, IDF1 4/8 = 0.5. */
START_TEST(test_hota_association) {
    const vigil_mot_record gt[] = {REC(1, 1, 0, 0), REC(2, 1, 0, 0), REC(3, 1, 0, 0),
                                   REC(4, 1, 0, 0)};
    const vigil_mot_record res[] = {REC(1, 1, 0, 0), REC(2, 1, 0, 0), REC(3, 2, 0, 0),
                                    REC(4, 2, 0, 0)};
    vigil_mot_metrics m = evaluate(gt, 4, res, 4);
    ck_assert_double_eq_tol(m.deta, 1.0, 1e-9);
    ck_assert_double_eq_tol(m.assa, 0.5, 1e-9);
    ck_assert_double_eq_tol(m.assre, 0.5, 1e-9);
    ck_assert_double_eq_tol(m.asspr, 1.0, 1e-9);
    ck_assert_double_eq_tol(m.hota, sqrt(0.5), 1e-9);
    ck_assert_double_eq_tol(m.loca, 1.0, 1e-9);
    ck_assert_int_eq(m.id_switches, 1);
    ck_assert_double_eq_tol(m.mota, 0.75, 1e-9);
    ck_assert_double_eq_tol(m.idf1, 0.5, 1e-9);
}
END_TEST

/* Two objects overlap one hypothesis: o1 exactly (IoU 1), o2 shifted 5 px (IoU 1/3).
 * Normalised similarity: o1 1/(1 + 4/3 - 1) = 0.75, o2 (1/3)/(1/3 + 4/3 - 1/3) = 0.25;
 * alignment o1 0.75/(1 + 1 - 0.75) = 0.6, o2 0.25/1.75; the pairing takes o1.
 * Every alpha: TP 1, FN 1, FP 0: DetA 1/2, AssA 1, HOTA sqrt(1/2); LocA 1. */
START_TEST(test_hota_competition) {
    const vigil_mot_record gt[] = {REC(1, 1, 0, 0), REC(1, 2, 5, 0)};
    const vigil_mot_record res[] = {REC(1, 9, 0, 0)};
    vigil_mot_metrics m = evaluate(gt, 2, res, 1);
    ck_assert_double_eq_tol(m.deta, 0.5, 1e-9);
    ck_assert_double_eq_tol(m.assa, 1.0, 1e-9);
    ck_assert_double_eq_tol(m.hota, sqrt(0.5), 1e-9);
    ck_assert_double_eq_tol(m.detre, 0.5, 1e-9);
    ck_assert_double_eq_tol(m.detpr, 1.0, 1e-9);
}
END_TEST

/* A truth box with conf 0 is "do not care": the hypothesis on it is dropped, not a false
 * positive, and the box is not a miss. A hypothesis of another class does not pair. */
START_TEST(test_ignored_truth_and_classes) {
    vigil_mot_record gt[] = {REC(1, 1, 0, 0), REC(1, 2, 100, 0), REC(1, 3, 200, 0)};
    gt[1].score = 0;
    vigil_mot_record res[] = {REC(1, 1, 0, 0), REC(1, 2, 100, 0), REC(1, 3, 200, 0)};
    res[2].class_id = 3;
    vigil_mot_metrics m = evaluate(gt, 3, res, 3);
    ck_assert_int_eq(m.truth_boxes, 2);
    ck_assert_int_eq(m.hypothesis_boxes, 2);
    ck_assert_int_eq(m.matches, 1);
    ck_assert_int_eq(m.misses, 1);
    ck_assert_int_eq(m.false_positives, 1);
    ck_assert_double_eq_tol(m.mota, 0.0, 1e-9);
}
END_TEST

START_TEST(test_empty_tracks) {
    const vigil_mot_record gt[] = {REC(1, 1, 0, 0), REC(2, 1, 0, 0)};
    vigil_mot_metrics m = evaluate(gt, 2, NULL, 0);
    ck_assert_int_eq(m.misses, 2);
    ck_assert_double_eq_tol(m.mota, 0.0, 1e-9);
    ck_assert_double_eq_tol(m.hota, 0.0, 1e-9);
    ck_assert_double_eq_tol(m.idf1, 0.0, 1e-9);
    ck_assert_int_eq(m.mostly_lost, 1);
}
END_TEST

static Suite *mot_metrics_suite(void) {
    Suite *s = suite_create("mot_metrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_clear_and_identity);
    tcase_add_test(tc, test_clear_keeps_previous_pair);
    tcase_add_test(tc, test_hota_localisation);
    tcase_add_test(tc, test_hota_association);
    tcase_add_test(tc, test_hota_competition);
    tcase_add_test(tc, test_ignored_truth_and_classes);
    tcase_add_test(tc, test_empty_tracks);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(mot_metrics_suite)
