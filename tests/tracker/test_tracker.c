/* Tracker behaviour on hand-made detections: confirmation, reporting, the two score
 * stages, classes, the lost buffer in seconds, predict-only frames, input checks and
 * steady-state allocation. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "test_util.h"
#include "vigil/tracker.h"

static vigil_tracker *make(const vigil_tracker_options *opt) {
    vigil_tracker *t;
    vigil_error err = {0};
    ck_assert_msg(vigil_tracker_create(opt, &t, &err) == VIGIL_STATUS_OK, "%s", err.message);
    return t;
}

static vigil_tracker_detection det(float x, float y, float score, int class_id) {
    return (vigil_tracker_detection){{x, y, 40, 100}, score, class_id};
}

/* Runs one update and returns the number of reported tracks. */
static int step(vigil_tracker *t, double time, const vigil_tracker_detection *d, int n,
                const vigil_track **out) {
    vigil_error err = {0};
    int count = -1;
    ck_assert_msg(vigil_tracker_update(t, time, d, n, out, &count, &err) == VIGIL_STATUS_OK, "%s",
                  err.message);
    return count;
}

START_TEST(test_tentative_tracks_are_not_reported) {
    vigil_tracker *t = make(NULL);
    const vigil_track *out, *all;
    int n_all;
    vigil_tracker_detection a = det(100, 100, 0.9f, 1), flash = det(400, 100, 0.95f, 1);
    ck_assert_int_eq(step(t, 0.0, &a, 1, &out), 0);
    vigil_tracker_tracks(t, &all, &n_all);
    ck_assert_int_eq(n_all, 1);
    ck_assert_int_eq(all[0].state, VIGIL_TRACK_STATE_TENTATIVE);
    ck_assert_int_eq(all[0].id, 0);
    /* Second sighting confirms a; a one-frame flash elsewhere stays unreported. */
    vigil_tracker_detection f2[2] = {det(102, 100, 0.9f, 1), flash};
    ck_assert_int_eq(step(t, 0.04, f2, 2, &out), 1);
    ck_assert_int_eq(out[0].id, 1);
    ck_assert_int_eq(out[0].state, VIGIL_TRACK_STATE_CONFIRMED);
    ck_assert_int_eq(out[0].detection, 0);
    vigil_tracker_tracks(t, &all, &n_all);
    ck_assert_int_eq(n_all, 2);
    /* The flash is gone the next frame: its tentative track is dropped, not lost. */
    vigil_tracker_detection a3 = det(104, 100, 0.9f, 1);
    ck_assert_int_eq(step(t, 0.08, &a3, 1, &out), 1);
    vigil_tracker_tracks(t, &all, &n_all);
    ck_assert_int_eq(n_all, 1);
    /* Ids are given at confirmation: a new object confirmed now gets 2, not 3. */
    vigil_tracker_detection f4[2] = {det(106, 100, 0.9f, 1), det(300, 300, 0.9f, 1)};
    step(t, 0.12, f4, 2, &out);
    vigil_tracker_detection f5[2] = {det(108, 100, 0.9f, 1), det(301, 300, 0.9f, 1)};
    ck_assert_int_eq(step(t, 0.16, f5, 2, &out), 2);
    ck_assert_int_eq(out[0].id + out[1].id, 3);
    vigil_tracker_free(t);
}
END_TEST

START_TEST(test_low_scores_continue_but_do_not_start) {
    vigil_tracker *t = make(NULL);
    const vigil_track *out;
    for (int f = 0; f < 3; f++) {
        vigil_tracker_detection d = det(100 + 2 * f, 100, 0.9f, 1);
        step(t, f * 0.04, &d, 1, &out);
    }
    /* 0.3 is below the 0.6 high threshold: stage 2 continues the followed track. */
    vigil_tracker_detection weak = det(106, 100, 0.3f, 1);
    ck_assert_int_eq(step(t, 0.12, &weak, 1, &out), 1);
    ck_assert_int_eq(out[0].id, 1);
    ck_assert_float_eq(out[0].score, 0.3f);
    /* Alone, weak detections never start a track. */
    vigil_tracker_detection elsewhere = det(500, 300, 0.5f, 1);
    for (int f = 4; f < 8; f++)
        ck_assert_int_eq(step(t, f * 0.04, &elsewhere, 1, &out), 0);
    vigil_tracker_free(t);
}
END_TEST

START_TEST(test_classes_do_not_mix) {
    vigil_tracker *t = make(NULL);
    const vigil_track *out;
    for (int f = 0; f < 3; f++) {
        vigil_tracker_detection d = det(100, 100, 0.9f, 1);
        step(t, f * 0.04, &d, 1, &out);
    }
    /* A car (3) where the person (1) was: not the person's track. */
    vigil_tracker_detection car = det(100, 100, 0.9f, 3);
    ck_assert_int_eq(step(t, 0.12, &car, 1, &out), 0);
    ck_assert_int_eq(step(t, 0.16, &car, 1, &out), 1);
    ck_assert_int_eq(out[0].id, 2);
    ck_assert_int_eq(out[0].class_id, 3);
    vigil_tracker_free(t);
    /* class_aware off: the same detections continue track 1. */
    vigil_tracker_options opt = vigil_tracker_options_default();
    opt.class_aware = false;
    t = make(&opt);
    for (int f = 0; f < 3; f++) {
        vigil_tracker_detection d = det(100, 100, 0.9f, 1);
        step(t, f * 0.04, &d, 1, &out);
    }
    ck_assert_int_eq(step(t, 0.12, &car, 1, &out), 1);
    ck_assert_int_eq(out[0].id, 1);
    vigil_tracker_free(t);
}
END_TEST

/* An object walking right at 100 px/s, unseen between gap_from and gap_to seconds,
 * observed at the given frame rate: returns the id it has after the gap. */
static int id_after_gap(double fps, double gap_from, double gap_to, double lost_seconds) {
    vigil_tracker_options opt = vigil_tracker_options_default();
    opt.lost_seconds = lost_seconds;
    vigil_tracker *t = make(&opt);
    const vigil_track *out;
    int id = -1;
    for (int f = 0; f * (1.0 / fps) < gap_to + 1.0; f++) {
        double time = f / fps;
        vigil_tracker_detection d = det((float)(50 + 100 * time), 200, 0.9f, 1);
        int seen = time < gap_from || time >= gap_to;
        int n = step(t, time, &d, seen, &out);
        if (n == 1)
            id = out[0].id;
    }
    vigil_tracker_free(t);
    return id;
}

START_TEST(test_lost_buffer_is_in_seconds) {
    /* 1.5 s unseen with a 2 s buffer: found again, at 10 and at 30 frames/s alike. */
    ck_assert_int_eq(id_after_gap(10, 1.0, 2.5, 2.0), 1);
    ck_assert_int_eq(id_after_gap(30, 1.0, 2.5, 2.0), 1);
    /* 2.5 s unseen: removed, the object comes back as track 2 at either rate. */
    ck_assert_int_eq(id_after_gap(10, 1.0, 3.5, 2.0), 2);
    ck_assert_int_eq(id_after_gap(30, 1.0, 3.5, 2.0), 2);
}
END_TEST

START_TEST(test_predict_only_frames) {
    vigil_tracker *t = make(NULL);
    const vigil_track *out;
    vigil_error err = {0};
    int n;
    double last_x = 0;
    /* The detector runs on every third frame of 30 frames/s; an object moves 3 px per
     * frame. Predicted frames report the confirmed track moving on, same id. */
    for (int f = 0; f < 60; f++) {
        double time = f / 30.0;
        if (f % 3 == 0) {
            vigil_tracker_detection d = det((float)(100 + 3 * f), 200, 0.9f, 1);
            n = step(t, time, &d, 1, &out);
        } else {
            ck_assert_int_eq(vigil_tracker_predict(t, time, &out, &n, &err), VIGIL_STATUS_OK);
            if (f > 6) {
                ck_assert_int_eq(n, 1);
                ck_assert_int_eq(out[0].detection, -1);
                ck_assert_int_eq(out[0].state, VIGIL_TRACK_STATE_CONFIRMED);
            }
        }
        if (f > 6) {
            ck_assert_int_eq(n, 1);
            ck_assert_int_eq(out[0].id, 1);
            ck_assert_msg(out[0].box[0] > last_x, "frame %d: box did not advance", f);
            /* Within a pixel of where the object is. */
            ck_assert_double_eq_tol(out[0].box[0], 100 + 3 * f, f > 30 ? 1.0 : 4.0);
            last_x = out[0].box[0];
        }
    }
    vigil_tracker_free(t);
}
END_TEST

START_TEST(test_bad_input_is_refused) {
    vigil_tracker *t = make(NULL);
    const vigil_track *out;
    int n;
    vigil_error err = {0};
    vigil_tracker_detection d = det(100, 100, 0.9f, 1);
    ck_assert_int_eq(vigil_tracker_update(t, 1.0, &d, 1, &out, &n, &err), VIGIL_STATUS_OK);
    ck_assert_int_eq(vigil_tracker_update(t, 0.5, &d, 1, &out, &n, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "before the previous one"));
    ck_assert_int_eq(vigil_tracker_predict(t, 0.9, &out, &n, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    vigil_tracker_detection bad[2] = {d, det(100, 100, 0.9f, 1)};
    bad[1].box[2] = -5;
    ck_assert_int_eq(vigil_tracker_update(t, 2.0, bad, 2, &out, &n, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "detection 1"));
    bad[1].box[2] = 40;
    bad[1].score = NAN;
    ck_assert_int_eq(vigil_tracker_update(t, 2.0, bad, 2, &out, &n, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    vigil_tracker_free(t);

    vigil_tracker_options opt = vigil_tracker_options_default();
    opt.low_threshold = 0.8f; /* above high */
    vigil_tracker *none;
    ck_assert_int_eq(vigil_tracker_create(&opt, &none, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_null(none);
    opt = vigil_tracker_options_default();
    opt.match_cost_high = 1.0f;
    ck_assert_int_eq(vigil_tracker_create(&opt, &none, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    opt = vigil_tracker_options_default();
    opt.confirm_hits = 0;
    ck_assert_int_eq(vigil_tracker_create(&opt, &none, &err), VIGIL_STATUS_INVALID_ARGUMENT);
}
END_TEST

/* 150 objects drifting across each other for 200 frames, detections jittered by a fixed
 * pattern, some missing: after the first pass the buffers have grown to their size, and
 * a second pass over the same frames (after a reset) must not allocate at all. */
START_TEST(test_no_allocation_in_steady_state) {
    enum { OBJECTS = 150, FRAMES = 200 };
    static vigil_tracker_detection d[OBJECTS];
    vigil_tracker *t = make(NULL);
    const vigil_track *out;
    long after_first = 0;
    for (int pass = 0; pass < 2; pass++) {
        vigil_tracker_reset(t);
        for (int f = 0; f < FRAMES; f++) {
            int n = 0;
            for (int k = 0; k < OBJECTS; k++) {
                if ((k * 7 + f * 13) % 17 == 0)
                    continue;
                float x = (float)fmod(37.0 * k + (k % 5 - 2) * 1.5 * f, 1800.0);
                float y = (float)(60.0 * (k % 16) + (k % 3) * 0.5 * f);
                d[n++] = (vigil_tracker_detection){
                    {x + (float)((f * k) % 5) - 2, y, 30, 70}, 0.5f + 0.004f * (k % 100), 1};
            }
            step(t, f / 30.0, d, n, &out);
        }
        if (pass == 0)
            after_first = vigil_tracker_allocations(t);
    }
    ck_assert(after_first > 0);
    ck_assert_int_eq(vigil_tracker_allocations(t), after_first);
    vigil_tracker_free(t);
}
END_TEST

static Suite *tracker_suite(void) {
    Suite *s = suite_create("tracker");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_tentative_tracks_are_not_reported);
    tcase_add_test(tc, test_low_scores_continue_but_do_not_start);
    tcase_add_test(tc, test_classes_do_not_mix);
    tcase_add_test(tc, test_lost_buffer_is_in_seconds);
    tcase_add_test(tc, test_predict_only_frames);
    tcase_add_test(tc, test_bad_input_is_refused);
    tcase_add_test(tc, test_no_allocation_in_steady_state);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(tracker_suite)
