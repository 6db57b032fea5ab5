/* Wrong way and speed, in pixels and in metres through a homography. */
#include <check.h>

#include "alerts_test_util.h"
#include "test_util.h"

static collected c;

/* Expected flow is up (0, -1). Track 1 walks down at 50 px/s: its velocity is known
 * from frame 5 (0.4 s of history, 0.8 of the 0.5 s window), so the condition holds
 * from pts 0.4 and the alert starts 1 s later at pts 1.4 = frame 15. Track 2 walks up,
 * track 3 sideways (90 degrees off: outside the 60 degree tolerance), track 4 down too
 * slowly (5 px/s < min_speed 10). */
START_TEST(wrong_way) {
    vigil_rules *rules =
        rules_from("{\"rules\": [{\"name\": \"against\", \"type\": \"wrong_way\",\n"
                   "             \"direction\": [0,-1], \"seconds\": 1}]}");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 40; f++) {
        vigil_track_object o[4] = {at(1, 0, 100, 100 + 5 * f), at(2, 0, 200, 400 - 5 * f),
                                   at(3, 0, 300 + 5 * f, 100), at(4, 0, 400, 100 + 0.5 * f)};
        step(a, f, 10, o, 4, &c);
    }
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 1);
    const vigil_alert *s = find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 0);
    ck_assert_int_eq(s->frame, 15);
    ck_assert_int_eq(s->objects[0].track_id, 1);
    ck_assert_ptr_nonnull(strstr(s->details, "\"speed\":50"));
    ck_assert_ptr_nonnull(strstr(s->details, "\"heading_deg\":90"));
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

/* 100 px = 10 m both ways, so 30 px/s is 3 m/s (over the 2 m/s limit) and 15 px/s is
 * 1.5 m/s (under). With seconds 0 the alert starts on the first velocity, frame 5. */
START_TEST(speed_through_homography) {
    vigil_rules *rules =
        rules_from("{\"homography\": {\"image\": [[0,0],[100,0],[100,100],[0,100]],\n"
                   "                  \"world\": [[0,0],[10,0],[10,10],[0,10]]},\n"
                   " \"rules\": [{\"name\": \"fast\", \"type\": \"speed\", \"max_speed\": 2}]}");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 30; f++) {
        vigil_track_object o[2] = {at(1, 0, 10 + 3 * f, 50), at(2, 0, 10 + 1.5 * f, 80)};
        step(a, f, 10, o, 2, &c);
    }
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 1);
    const vigil_alert *s = find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 0);
    ck_assert_int_eq(s->frame, 5);
    ck_assert_int_eq(s->objects[0].track_id, 1);
    ck_assert_ptr_nonnull(strstr(s->details, "\"speed\":3,"));
    ck_assert_ptr_nonnull(strstr(s->details, "m/s"));
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

/* In pixels: 300 px/s against a 250 px/s limit; slowing to 100 px/s ends the alert
 * after max(seconds, window) = 0.5 s of being under it. */
START_TEST(speed_in_pixels_ends_when_slow) {
    vigil_rules *rules =
        rules_from("{\"rules\": [{\"name\": \"fast\", \"type\": \"speed\", \"max_speed\": 250}]}");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    double x = 0;
    for (int f = 1; f <= 60; f++) {
        x += f <= 20 ? 30 : 10;
        vigil_track_object o = at(1, 0, x, 50);
        step(a, f, 10, &o, 1, &c);
    }
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 1);
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_END, NULL), 1);
    /* The 0.5 s window holds k slow steps of 10 px and 5 - k fast ones of 30 px:
     * (10k + 30(5 - k)) / 0.5 = 300 - 40k px/s, under 250 from k = 2, i.e. frame 22;
     * the alert ends 0.5 s later, at frame 27. */
    ck_assert_int_eq(find_event(&c, VIGIL_ALERT_EVENT_END, NULL, 0)->frame, 27);
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("rule_motion");
    TCase *t = tcase_create("motion");
    tcase_add_test(t, wrong_way);
    tcase_add_test(t, speed_through_homography);
    tcase_add_test(t, speed_in_pixels_ends_when_slow);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
