/* Intrusion and loitering on constructed tracks, with hand-worked frame numbers. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "alerts_test_util.h"
#include "test_util.h"

static collected c;

static const char *LOITER =
    "{\"camera_id\": \"cam\",\n"
    " \"zones\": [{\"name\": \"lawn\", \"polygon\": [[0,0],[100,0],[100,100],[0,100]]}],\n"
    " \"rules\": [{\"name\": \"loiter\", \"type\": \"loitering\", \"zone\": \"lawn\",\n"
    "             \"classes\": [\"person\", \"car\"], \"seconds\": 20,\n"
    "             \"class_seconds\": {\"car\": 5}}]}";

/* A person stands in the zone from pts 0 to 29.9 s, then leaves. At 10 fps the dwell
 * reaches 20 s at frame 201 (pts 20.0): one start there, and never another while it
 * stays; it leaves at frame 301 (pts 30.0) and the 1 s grace ends the alert at frame
 * 311. */
START_TEST(loitering_fires_at_threshold_once) {
    vigil_rules *rules = rules_from(LOITER);
    vigil_analytics *a;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_analytics_create(rules, &a, &err), 0);
    for (int f = 1; f <= 340; f++) {
        vigil_track_object o = f <= 300 ? at(1, 0, 50, 50) : at(1, 0, 300, 300);
        step(a, f, 10, &o, 1, &c);
    }
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 1);
    const vigil_alert *s = find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 0);
    ck_assert_int_eq(s->frame, 201);
    ck_assert_double_eq_tol(s->pts, 20.0, 1e-9);
    ck_assert_str_eq(s->rule, "loiter");
    ck_assert_str_eq(s->zone, "lawn");
    ck_assert_int_eq(s->object_count, 1);
    ck_assert_int_eq(s->objects[0].track_id, 1);
    ck_assert_ptr_nonnull(strstr(s->details, "\"dwell\":20"));
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_END, NULL), 1);
    const vigil_alert *e = find_event(&c, VIGIL_ALERT_EVENT_END, NULL, 0);
    ck_assert_int_eq(e->frame, 311);
    ck_assert_str_eq(e->incident_id, s->incident_id);
    ck_assert_str_ne(e->alert_id, s->alert_id);
    ck_assert_ptr_nonnull(strstr(e->details, "left_zone"));
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

/* Per-class thresholds: a car in the same zone alerts after 5 s (frame 51). */
START_TEST(loitering_per_class_threshold) {
    vigil_rules *rules = rules_from(LOITER);
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 250; f++) {
        vigil_track_object o[2] = {at(1, 0, 50, 50), at(2, 2, 60, 60)};
        step(a, f, 10, o, 2, &c);
    }
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 2);
    const vigil_alert *car = find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 0);
    const vigil_alert *person = find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 1);
    ck_assert_int_eq(car->objects[0].track_id, 2);
    ck_assert_int_eq(car->frame, 51);
    ck_assert_int_eq(person->objects[0].track_id, 1);
    ck_assert_int_eq(person->frame, 201);
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

/* A box jittering over the zone edge (out every other frame) keeps one stay: the
 * dwell is not reset and the alert fires once at the threshold. */
START_TEST(loitering_survives_edge_jitter) {
    vigil_rules *rules = rules_from(LOITER);
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 260; f++) {
        vigil_track_object o = at(1, 0, 50, f % 2 ? 98 : 103);
        step(a, f, 10, &o, 1, &c);
    }
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 1);
    ck_assert_int_eq(find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 0)->frame, 201);
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_END, NULL), 0);
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

/* Intrusion: immediate on entry for confirmed tracks of the class; a tentative track
 * and a car are ignored; the cooldown keeps a re-entry 2 s later quiet. */
START_TEST(intrusion_classes_confirmation_cooldown) {
    vigil_rules *rules = rules_from(
        "{\"zones\": [{\"name\": \"z\", \"polygon\": [[0,0],[100,0],[100,100],[0,100]]}],\n"
        " \"rules\": [{\"name\": \"in\", \"type\": \"intrusion\", \"zone\": \"z\",\n"
        "             \"classes\": [\"person\"], \"cooldown\": 5, \"grace\": 0}]}");
    vigil_analytics *a;
    ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
    for (int f = 1; f <= 100; f++) {
        /* person 1: in at frames 11-20, out 21-40, in again 41-50 (cooldown: quiet),
         * out, in again from 91 (cooldown over: alerts) */
        bool in = (f >= 11 && f <= 20) || (f >= 41 && f <= 50) || f >= 91;
        vigil_track_object o[3] = {at(1, 0, in ? 50 : 200, 50), at(2, 0, 50, 50), at(3, 2, 60, 60)};
        o[1].confirmed = false;
        step(a, f, 10, o, 3, &c);
    }
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 2);
    ck_assert_int_eq(find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 0)->frame, 11);
    ck_assert_int_eq(find_event(&c, VIGIL_ALERT_EVENT_END, NULL, 0)->frame, 21);
    ck_assert_int_eq(find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 1)->frame, 91);
    for (int i = 0; i < c.count; i++)
        ck_assert_int_eq(c.items[i].objects[0].track_id, 1);
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
}
END_TEST

/* A track that vanishes ends its alert after track_timeout with reason track_lost, and
 * finish() ends what is still open. The same input gives the same alert ids. */
START_TEST(track_lost_and_stable_ids) {
    char ids[2][4][VIGIL_ALERT_ID_SIZE];
    for (int run = 0; run < 2; run++) {
        vigil_rules *rules = rules_from(LOITER);
        vigil_analytics *a;
        ck_assert_int_eq(vigil_analytics_create(rules, &a, NULL), 0);
        for (int f = 1; f <= 260; f++) {
            vigil_track_object o[2] = {at(1, 0, 50, 50), at(2, 0, 40, 40)};
            step(a, f, 10, o, f <= 230 ? 2 : 1, &c);
        }
        vigil_analytics_frame last = {.frame = 261, .pts = 26.0, .time = BASE_TIME + 26};
        const vigil_alert *alerts;
        int n;
        ck_assert_int_eq(vigil_analytics_finish(a, &last, &alerts, &n, NULL), 0);
        collect(&c, alerts, n);
        ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 2);
        ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_END, NULL), 2);
        const vigil_alert *lost = find_event(&c, VIGIL_ALERT_EVENT_END, NULL, 0);
        /* last seen at frame 230 (pts 22.9): dropped once unseen for more than 1 s */
        ck_assert_int_eq(lost->frame, 241);
        ck_assert_ptr_nonnull(strstr(lost->details, "track_lost"));
        ck_assert_ptr_nonnull(
            strstr(find_event(&c, VIGIL_ALERT_EVENT_END, NULL, 1)->details, "stream_end"));
        for (int i = 0; i < 4; i++)
            strcpy(ids[run][i], c.items[i].alert_id);
        release_all(&c);
        vigil_analytics_free(a);
        vigil_rules_free(rules);
    }
    for (int i = 0; i < 4; i++)
        ck_assert_str_eq(ids[0][i], ids[1][i]);
    ck_assert_str_ne(ids[0][0], ids[0][1]);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("rule_zone");
    TCase *t = tcase_create("zone");
    tcase_add_test(t, loitering_fires_at_threshold_once);
    tcase_add_test(t, loitering_per_class_threshold);
    tcase_add_test(t, loitering_survives_edge_jitter);
    tcase_add_test(t, intrusion_classes_confirmation_cooldown);
    tcase_add_test(t, track_lost_and_stable_ids);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
