/* vigil_tracker_set_options: options changed on a running tracker (vigiltrack's
 * properties set while playing) apply from the next update and keep the tracks and
 * their ids; options create would refuse are refused and change nothing. */
#include <check.h>

#include "test_util.h"
#include "vigil/tracker.h"

static vigil_tracker_detection det(float x, float score) {
    return (vigil_tracker_detection){{x, 100, 40, 100}, score, 1};
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

START_TEST(test_new_options_apply_and_tracks_stay) {
    vigil_tracker_options opt = vigil_tracker_options_default();
    vigil_tracker *t;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_tracker_create(&opt, &t, &err), VIGIL_STATUS_OK);
    const vigil_track *out;
    vigil_tracker_detection a0 = det(100, 0.9f), a1 = det(102, 0.9f);
    ck_assert_int_eq(step(t, 0.0, &a0, 1, &out), 0);
    ck_assert_int_eq(step(t, 0.1, &a1, 1, &out), 1);
    ck_assert_int_eq(out[0].id, 1);

    /* confirm_hits 1: a new object is reported at its first sighting; the followed
     * one keeps id 1 */
    opt.confirm_hits = 1;
    ck_assert_int_eq(vigil_tracker_set_options(t, &opt, &err), VIGIL_STATUS_OK);
    vigil_tracker_detection f2[2] = {det(104, 0.9f), det(400, 0.9f)};
    ck_assert_int_eq(step(t, 0.2, f2, 2, &out), 2);
    ck_assert_int_eq(out[0].id, 1);
    ck_assert_int_eq(out[1].id, 2);

    /* a higher new-track threshold: a 0.8 detection no longer starts a track */
    opt.new_track_threshold = 0.85f;
    ck_assert_int_eq(vigil_tracker_set_options(t, &opt, &err), VIGIL_STATUS_OK);
    vigil_tracker_detection f3[3] = {det(106, 0.9f), det(402, 0.9f), det(600, 0.8f)};
    ck_assert_int_eq(step(t, 0.3, f3, 3, &out), 2);
    vigil_tracker_free(t);
}
END_TEST

START_TEST(test_bad_options_are_refused) {
    vigil_tracker_options opt = vigil_tracker_options_default();
    vigil_tracker *t;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_tracker_create(&opt, &t, &err), VIGIL_STATUS_OK);
    const vigil_track *out;
    vigil_tracker_detection a0 = det(100, 0.9f), a1 = det(102, 0.9f);
    step(t, 0.0, &a0, 1, &out);
    vigil_tracker_options bad = opt;
    bad.low_threshold = 0.7f; /* above high_threshold */
    ck_assert_int_lt(vigil_tracker_set_options(t, &bad, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.message, "thresholds"));
    bad = opt;
    bad.confirm_hits = 0;
    ck_assert_int_lt(vigil_tracker_set_options(t, &bad, &err), 0);
    /* still confirming at the second sighting, as before */
    ck_assert_int_eq(step(t, 0.1, &a1, 1, &out), 1);
    vigil_tracker_free(t);
}
END_TEST

static Suite *set_options_suite(void) {
    Suite *s = suite_create("tracker_set_options");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_new_options_apply_and_tracks_stay);
    tcase_add_test(tc, test_bad_options_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(set_options_suite)
