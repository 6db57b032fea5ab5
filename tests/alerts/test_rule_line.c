/* Line crossing: once per track despite jitter, direction, tentative tracks, the
 * segment's extent. The line runs down x = 100 from y = 0 to y = 200, arrow +x. */
#include <check.h>

#include "alerts_test_util.h"
#include "test_util.h"

static collected c;

static vigil_rules *line_rules(const char *extra) {
    char json[1024];
    snprintf(json, sizeof json,
             "{\"lines\": [{\"name\": \"gate\", \"points\": [[100,0],[100,200]],\n"
             "             \"direction\": [1,0]}],\n"
             " \"rules\": [{\"name\": \"cross\", \"type\": \"line_crossing\", \"line\": \"gate\",\n"
             "             \"classes\": [\"person\"]%s}]}",
             extra);
    return rules_from(json);
}

/* x positions of one track: walks up to the line, jitters across it 20 times (by
 * more than the 3 px margin), walks on. */
static double jitter_path(int f) {
    if (f <= 20)
        return 50 + 2.4 * f; /* 52.4 .. 98 */
    if (f <= 40)
        return f % 2 ? 95 : 105;
    return 105 + 3 * (f - 40);
}

START_TEST(jitter_counts_once) {
    vigil_rules *rules = line_rules("");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 60; f++) {
        vigil_track_object o = at(1, 0, jitter_path(f), 100);
        step(a, f, 10, &o, 1, &c);
    }
    ck_assert_int_eq(c.count, 1);
    ck_assert_int_eq(c.items[0].event, VIGIL_ALERT_EVENT_INSTANT);
    ck_assert_int_eq(c.items[0].frame, 22); /* first frame past x = 103 */
    ck_assert_str_eq(c.items[0].line, "gate");
    ck_assert_ptr_nonnull(strstr(c.items[0].details, "\"direction\":\"forward\""));
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

/* With once_per_track off, jitter inside the margin (99 <-> 101) still changes no side:
 * one crossing; a full return trip against the arrow is not counted. */
START_TEST(margin_absorbs_jitter) {
    vigil_rules *rules = line_rules(", \"once_per_track\": false");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 80; f++) {
        double x = f <= 10 ? 80 : f <= 30 ? (f % 2 ? 99 : 101) : f <= 50 ? 120 : 80;
        vigil_track_object o = at(1, 0, x, 100);
        step(a, f, 10, &o, 1, &c);
    }
    ck_assert_int_eq(c.count, 1);
    ck_assert_int_eq(c.items[0].frame, 31);
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

/* Not counted: a tentative track, a crossing against the arrow, a pass beyond the end
 * of the segment (y = 300), a car. Counted: one confirmed person. */
START_TEST(ignored_crossings) {
    vigil_rules *rules = line_rules("");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 40; f++) {
        double x = 60 + 2 * f; /* 62 .. 140 */
        vigil_track_object o[5] = {at(1, 0, x, 100), at(2, 0, 200 - x, 100), at(3, 0, x, 300),
                                   at(4, 2, x, 50), at(5, 0, x, 150)};
        o[0].confirmed = false;
        step(a, f, 10, o, 5, &c);
    }
    ck_assert_int_eq(c.count, 1);
    ck_assert_int_eq(c.items[0].objects[0].track_id, 5);
    ck_assert_int_eq(c.items[0].frame, 22); /* x = 104: past the 3 px margin */
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

/* An undirected line counts both ways: forward (to the right of a->b: here -x, since
 * a->b points down the image) and backward. */
START_TEST(undirected_counts_both_ways) {
    vigil_rules *rules = rules_from(
        "{\"lines\": [{\"name\": \"g\", \"points\": [[100,0],[100,200]]}],\n"
        " \"rules\": [{\"name\": \"x\", \"type\": \"line_crossing\", \"line\": \"g\"}]}");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 30; f++) {
        vigil_track_object o[2] = {at(1, 0, 70 + 3 * f, 100), at(2, 0, 130 - 3 * f, 100)};
        step(a, f, 10, o, 2, &c);
    }
    ck_assert_int_eq(c.count, 2);
    for (int i = 0; i < 2; i++) {
        bool rightwards = c.items[i].objects[0].track_id == 1;
        ck_assert_ptr_nonnull(strstr(c.items[i].details, rightwards ? "backward" : "forward"));
    }
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("rule_line");
    TCase *t = tcase_create("line");
    tcase_add_test(t, jitter_counts_once);
    tcase_add_test(t, margin_absorbs_jitter);
    tcase_add_test(t, ignored_crossings);
    tcase_add_test(t, undirected_counts_both_ways);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
