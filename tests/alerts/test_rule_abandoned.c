/* Abandoned object: the owner is the person nearest the bag when it appears; another
 * person standing by does not count as its owner. 10 fps, seconds 10, owner_distance
 * 150. The bag (track 10, a backpack) stands still at (200, 200) throughout. */
#include <check.h>

#include "alerts_test_util.h"
#include "test_util.h"

static collected c;

static const char *RULES =
    "{\"rules\": [{\"name\": \"left-bag\", \"type\": \"abandoned_object\",\n"
    "             \"classes\": [\"backpack\"], \"seconds\": 10, \"owner_distance\": 150}]}";

enum { BACKPACK = 24, PERSON = 0 };

/* The owner (track 1) stands 30 px right of the bag, then walks off at 20 px per frame
 * from frame 31: 170 px away at frame 37 (pts 3.6), so the alert starts at pts 13.6 =
 * frame 137. Track 2 (not the owner, 300 px away at first) comes to stand 50 px from
 * the bag from frame 50. If the owner comes back at frame 100, no alert. */
static void run(bool owner_returns, int frames) {
    vigil_rules *rules = rules_from(RULES);
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= frames; f++) {
        double ox = f <= 30 ? 230 : 230 + 20 * (f - 30);
        if (owner_returns && f >= 100)
            ox = 230;
        double bx = f < 50 ? 500 : 250;
        vigil_track_object o[3] = {at(10, BACKPACK, 200, 220), at(1, PERSON, ox, 240),
                                   at(2, PERSON, bx, 240)};
        /* centres: bag (200, 200), owner (ox, 220)... keep them on one row */
        o[1].box[1] = o[0].box[1];
        o[2].box[1] = o[0].box[1];
        step(a, f, 10, o, 3, &c);
    }
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}

START_TEST(owner_walks_away) {
    run(false, 200);
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 1);
    const vigil_alert *s = find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 0);
    ck_assert_int_eq(s->frame, 137);
    ck_assert_int_eq(s->object_count, 2);
    ck_assert_int_eq(s->objects[0].track_id, 10);
    ck_assert_int_eq(s->objects[1].track_id, 1);
    ck_assert_ptr_nonnull(strstr(s->details, "\"owner\":1,"));
    ck_assert_int_eq(s->severity, VIGIL_SEVERITY_CRITICAL);
    release_all(&c);
}
END_TEST

START_TEST(owner_returns_in_time) {
    run(true, 200);
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 0);
    release_all(&c);
}
END_TEST

/* The owner vanishes (last seen frame 30, pts 2.9); it counts as gone from then, once
 * its track has timed out, so the alert starts at pts 12.9 = frame 130. */
START_TEST(owner_track_lost) {
    vigil_rules *rules = rules_from(RULES);
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 160; f++) {
        vigil_track_object o[2] = {at(10, BACKPACK, 200, 220), at(1, PERSON, 230, 220)};
        step(a, f, 10, o, f <= 30 ? 2 : 1, &c);
    }
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 1);
    const vigil_alert *s = find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 0);
    ck_assert_int_eq(s->frame, 130);
    ck_assert_int_eq(s->object_count, 1);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
    release_all(&c);
}
END_TEST

/* A bag that appears with nobody near is ownerless: it alerts after `seconds` of
 * standing still (frame 101); picking it up (moving 50 px) ends the alert. */
START_TEST(ownerless_then_moved) {
    vigil_rules *rules = rules_from(RULES);
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 130; f++) {
        vigil_track_object o = at(10, BACKPACK, f <= 120 ? 200 : 250, 220);
        step(a, f, 10, &o, 1, &c);
    }
    ck_assert_int_eq(find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 0)->frame, 101);
    const vigil_alert *e = find_event(&c, VIGIL_ALERT_EVENT_END, NULL, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->frame, 121);
    ck_assert_ptr_nonnull(strstr(e->details, "moved"));
    vigil_analytics_free(a);
    vigil_rules_free(rules);
    release_all(&c);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("rule_abandoned");
    TCase *t = tcase_create("abandoned");
    tcase_add_test(t, owner_walks_away);
    tcase_add_test(t, owner_returns_in_time);
    tcase_add_test(t, owner_track_lost);
    tcase_add_test(t, ownerless_then_moved);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
