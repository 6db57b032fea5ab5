/* Anomaly scoring: the model's per-feature scores against values worked by hand, and
 * the rule end to end — a learned rightward flow, a track against it, a restart that
 * keeps the baseline. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "alerts_test_util.h"
#include "test_util.h"

static const vigil_anomaly_sample RIGHT = {
    .class_id = 0, .x = 100, .y = 100, .vx = 100, .dwell = -1, .time = 0};

/* 30 samples heading exactly 0 (bin 0) at 100 px/s. A sample heading left falls in
 * bin 4 with probability 0.5 / (30 + 8 * 0.5); the only more typical bin holds
 * (30 + 0.5) / 34, which is its score: 0.897059. Heading right scores 0 (nothing is
 * more typical); the speed is the learned one, so its score is 0. */
START_TEST(direction_score_hand_worked) {
    vigil_anomaly *m;
    vigil_anomaly_options o = vigil_anomaly_options_default();
    ck_assert_int_eq(vigil_anomaly_create(&o, &m, NULL), 0);
    for (int i = 0; i < 30; i++)
        vigil_anomaly_learn(m, &RIGHT);
    vigil_anomaly_sample left = RIGHT;
    left.vx = -100;
    vigil_anomaly_score s = vigil_anomaly_evaluate(m, &left);
    ck_assert_double_eq_tol(s.direction, 30.5 / 34, 1e-9);
    ck_assert_double_eq_tol(s.speed, 0, 1e-9);
    ck_assert_double_eq_tol(s.score, 30.5 / 34, 1e-9);
    ck_assert_int_eq(s.reason, VIGIL_ANOMALY_DIRECTION);
    s = vigil_anomaly_evaluate(m, &RIGHT);
    ck_assert_double_eq_tol(s.score, 0, 1e-9);
    /* Below min_samples nothing is judged. */
    vigil_anomaly_sample elsewhere = left;
    elsewhere.x = 1000;
    ck_assert_double_eq(vigil_anomaly_evaluate(m, &elsewhere).score, 0);
    ck_assert_int_eq(vigil_anomaly_evaluate(m, &elsewhere).reason, VIGIL_ANOMALY_NONE);
    vigil_anomaly_free(m);
}
END_TEST

/* Speeds alternate 80 and 120 px/s: in log(1 + v) the mean is the midpoint and the
 * (population) deviation half the gap, d = (ln 121 - ln 81) / 2 = 0.2007. A stationary
 * object is z = -4.595 / 0.2007 = -22.9 deviations off: score erf(16.2) = 1. 100 px/s is
 * z = (ln 101 - 4.5951) / 0.2007 = 0.0997: score erf(0.0705) = 0.0794. */
START_TEST(speed_score_hand_worked) {
    vigil_anomaly *m;
    ck_assert_int_eq(vigil_anomaly_create(NULL, &m, NULL), 0);
    for (int i = 0; i < 40; i++) {
        vigil_anomaly_sample s = RIGHT;
        s.vx = i % 2 ? 80 : 120;
        vigil_anomaly_learn(m, &s);
    }
    double mean = (log(81) + log(121)) / 2, d = (log(121) - log(81)) / 2;
    vigil_anomaly_sample s = RIGHT;
    s.vx = 100;
    double z = (log(101) - mean) / d;
    ck_assert_double_eq_tol(vigil_anomaly_evaluate(m, &s).speed, erf(fabs(z) / sqrt(2)), 1e-9);
    ck_assert_double_eq_tol(vigil_anomaly_evaluate(m, &s).speed, 0.0794, 5e-4);
    s.vx = 0;
    vigil_anomaly_score r = vigil_anomaly_evaluate(m, &s);
    ck_assert_double_gt(r.speed, 0.999999);
    ck_assert_int_eq(r.reason, VIGIL_ANOMALY_SPEED);
    vigil_anomaly_free(m);
}
END_TEST

static const char *RULES_FMT =
    "{\"rules\": [{\"name\": \"unusual\", \"type\": \"anomaly\", \"threshold\": 0.85,\n"
    "  \"learn_seconds\": 60, \"min_samples\": 20, \"snapshot\": false%s}]}";

/* Background traffic: every 2 s someone enters at x = 0 on one of five rows and walks
 * right at 100 px/s. After 70 s, track 1000 walks left along row 3 and track 1001 walks
 * right along it. Frames run from `first` to `last`. */
static void traffic(vigil_analytics *a, int first, int last, collected *c) {
    for (int f = first; f <= last; f++) {
        double t = (f - 1) / 10.0;
        vigil_track_object o[16];
        int n = 0;
        for (int k = 0; k <= (int)(t / 2); k++) {
            double x = (t - 2 * k) * 100;
            if (x <= 640)
                o[n++] = at(k + 1, 0, x, 100 + (k % 5) * 60);
        }
        if (t >= 70 && t <= 76) {
            o[n++] = at(1000, 0, 600 - (t - 70) * 100, 220);
            o[n++] = at(1001, 0, 40 + (t - 70) * 100, 226);
        }
        step(a, f, 10, o, n, c);
    }
}

static collected c;

START_TEST(against_the_flow_alerts_and_restart_keeps_baseline) {
    char state[256], rules_text[1024], extra[300];
    snprintf(state, sizeof state, "/tmp/vigil-anomaly-%d.json", (int)getpid());
    unlink(state);
    snprintf(extra, sizeof extra, ", \"state_file\": \"%s\"", state);
    snprintf(rules_text, sizeof rules_text, RULES_FMT, extra);
    vigil_rules *rules = rules_from(rules_text);
    vigil_analytics *a;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_analytics_create(rules, &a, &err), 0);
    traffic(a, 1, 690, &c);
    ck_assert_int_eq(c.count, 0); /* normal traffic: nothing, during and after learning */
    ck_assert_msg(vigil_analytics_save_state(a, &err) == 0, "%s", err.message);
    traffic(a, 691, 740, &c);
    double left, right;
    const char *reason;
    ck_assert_int_eq(vigil_analytics_track_score(a, 0, 1000, &left, &reason), 0);
    ck_assert_str_eq(reason, "direction");
    ck_assert_int_eq(vigil_analytics_track_score(a, 0, 1001, &right, NULL), 0);
    ck_assert_double_gt(left, 0.85);
    ck_assert_double_lt(right, 0.3);
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 1);
    const vigil_alert *s = find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 0);
    ck_assert_int_eq(s->objects[0].track_id, 1000);
    ck_assert_ptr_nonnull(strstr(s->details, "\"reason\":\"direction\""));
    ck_assert_double_ge(s->score, 0.85);
    release_all(&c);
    vigil_analytics_free(a);

    /* A restart from the saved state skips learning: the same track alerts again, with
     * a score close to the first run's. */
    ck_assert_int_eq(vigil_analytics_create(rules, &a, &err), 0);
    traffic(a, 691, 740, &c);
    double again;
    ck_assert_int_eq(vigil_analytics_track_score(a, 0, 1000, &again, NULL), 0);
    ck_assert_double_eq_tol(again, left, 0.05);
    ck_assert_int_eq(count_events(&c, VIGIL_ALERT_EVENT_START, NULL), 1);
    ck_assert_int_eq(find_event(&c, VIGIL_ALERT_EVENT_START, NULL, 0)->objects[0].track_id, 1000);
    release_all(&c);
    vigil_analytics_free(a);
    vigil_rules_free(rules);

    /* Without the state, the engine is learning again and stays quiet. */
    snprintf(rules_text, sizeof rules_text, RULES_FMT, "");
    rules = rules_from(rules_text);
    ck_assert_int_eq(vigil_analytics_create(rules, &a, &err), 0);
    traffic(a, 691, 740, &c);
    ck_assert_int_eq(c.count, 0);
    vigil_analytics_free(a);
    vigil_rules_free(rules);
    unlink(state);
}
END_TEST

START_TEST(corrupt_state_is_reported) {
    char state[256];
    snprintf(state, sizeof state, "/tmp/vigil-anomaly-bad-%d.json", (int)getpid());
    FILE *f = fopen(state, "w");
    fputs("{\"format\": \"vigil.anomaly.v1\", \"cells\": [{\"key\": [1]}]}", f);
    fclose(f);
    vigil_anomaly *m = NULL;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_anomaly_load(state, &m, &err), VIGIL_STATUS_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "cells[0] is malformed"));
    unlink(state);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("anomaly");
    TCase *t = tcase_create("anomaly");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, direction_score_hand_worked);
    tcase_add_test(t, speed_score_hand_worked);
    tcase_add_test(t, against_the_flow_alerts_and_restart_keeps_baseline);
    tcase_add_test(t, corrupt_state_is_reported);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
