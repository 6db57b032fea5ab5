/* Crowding with hysteresis: min_count 3 for 1 s starts, clear_count 1 for 1 s ends; a
 * count flickering between 1 and 2 neither ends the alert nor starts another. People
 * step in and out of the zone (x < 100) rather than vanish, so counts are exact. */
#include <check.h>

#include "alerts_test_util.h"
#include "test_util.h"

static collected c;

/* How many of the five people stand in the zone at frame f (10 fps). */
static int inside_at(int f) {
    if (f <= 5)
        return 3; /* 0.5 s: too short */
    if (f <= 8)
        return 2;
    if (f <= 20)
        return 3; /* from pts 0.8: starts at pts 1.8 = frame 19 */
    if (f <= 40)
        return f % 2 ? 1 : 2; /* flicker above clear_count half the time */
    if (f <= 70)
        return 1; /* from pts 4.0: ends at pts 5.0 = frame 51 */
    return 4;     /* from pts 7.0: a new incident at pts 8.0 = frame 81 */
}

START_TEST(crowding_hysteresis) {
    vigil_rules *rules = rules_from(
        "{\"zones\": [{\"name\": \"z\", \"polygon\": [[0,0],[100,0],[100,200],[0,200]]}],\n"
        " \"rules\": [{\"name\": \"crowd\", \"type\": \"crowding\", \"zone\": \"z\",\n"
        "             \"min_count\": 3, \"clear_count\": 1, \"seconds\": 1}]}");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 90; f++) {
        vigil_track_object o[5];
        int in = inside_at(f);
        for (int i = 0; i < 5; i++)
            o[i] = at(i + 1, 0, i < in ? 20 + 15 * i : 300, 100);
        step(a, f, 10, o, 5, &c);
    }
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 2);
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_END, NULL), 1);
    const vigil_alert *s = find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 0);
    ck_assert_int_eq(s->frame, 19);
    ck_assert_int_eq(s->object_count, 3);
    ck_assert_ptr_nonnull(strstr(s->details, "\"count\":3"));
    ck_assert_int_eq(find_event(&c, VIGIL_ALERT_EVENT_END, NULL, 0)->frame, 51);
    const vigil_alert *again = find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 1);
    ck_assert_int_eq(again->frame, 81);
    ck_assert_str_ne(again->incident_id, s->incident_id);
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

/* Updates report count changes, at most one per update_seconds. */
START_TEST(crowding_updates_rate_limited) {
    vigil_rules *rules = rules_from(
        "{\"zones\": [{\"name\": \"z\", \"polygon\": [[0,0],[100,0],[100,200],[0,200]]}],\n"
        " \"rules\": [{\"name\": \"crowd\", \"type\": \"crowding\", \"zone\": \"z\",\n"
        "             \"min_count\": 2, \"update_seconds\": 2}]}");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 60; f++) {
        vigil_track_object o[5];
        int in = 2 + (f / 3) % 4; /* changes every 0.3 s */
        for (int i = 0; i < 5; i++)
            o[i] = at(i + 1, 0, i < in ? 20 + 15 * i : 300, 100);
        step(a, f, 10, o, 5, &c);
    }
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 1);
    /* started at pts 0; updates at 2.0, 4.0 (5.9 s of stream) */
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_UPDATE, NULL), 2);
    ck_assert_int_eq(find_event(&c, VIGIL_ALERT_EVENT_UPDATE, NULL, 0)->seq, 1);
    ck_assert_int_eq(find_event(&c, VIGIL_ALERT_EVENT_UPDATE, NULL, 1)->seq, 2);
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("rule_crowding");
    TCase *t = tcase_create("crowding");
    tcase_add_test(t, crowding_hysteresis);
    tcase_add_test(t, crowding_updates_rate_limited);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
