/* Helpers for the alerts tests: rules from text, a frame driver, collected alerts. */
#ifndef VIGIL_ALERTS_TEST_UTIL_H
#define VIGIL_ALERTS_TEST_UTIL_H

#include <check.h>
#include <string.h>

#include "vigil/alerts.h"

#define MAX_COLLECTED 4096
static const double BASE_TIME = 1.7e9; /* wall clock of pts 0 */

typedef struct collected {
    int count;
    vigil_alert items[MAX_COLLECTED];
} collected;

static inline vigil_rules *rules_from(const char *json) {
    vigil_rules *r = NULL;
    vigil_error err = {0};
    vigil_status st = vigil_rules_parse(json, "test.json", &r, &err);
    ck_assert_msg(st == VIGIL_STATUS_OK, "rules: %s", err.message);
    return r;
}

static inline void collect(collected *c, const vigil_alert *alerts, int n) {
    for (int i = 0; i < n; i++) {
        ck_assert_int_lt(c->count, MAX_COLLECTED);
        vigil_error err = {0};
        ck_assert_int_eq(vigil_alert_copy(&alerts[i], &c->items[c->count++], &err), 0);
    }
}

/* Runs frame number `frame` (from 1) at fps with the given objects. */
static inline void step_image(vigil_analytics *a, int frame, double fps,
                              const vigil_track_object *objs, int n, const vigil_alert_image *img,
                              collected *c) {
    vigil_analytics_frame f = {.frame = frame,
                               .pts = (frame - 1) / fps,
                               .time = BASE_TIME + (frame - 1) / fps,
                               .image = img};
    const vigil_alert *alerts;
    int count;
    vigil_error err = {0};
    vigil_status st = vigil_analytics_update(a, &f, objs, n, &alerts, &count, &err);
    ck_assert_msg(st == VIGIL_STATUS_OK, "update: %s", err.message);
    collect(c, alerts, count);
}

static inline void step(vigil_analytics *a, int frame, double fps, const vigil_track_object *objs,
                        int n, collected *c) {
    step_image(a, frame, fps, objs, n, NULL, c);
}

/* A confirmed object whose box has its bottom centre at (x, y). */
static inline vigil_track_object at(int64_t id, int class_id, double x, double y) {
    return (vigil_track_object){.track_id = id,
                                .class_id = class_id,
                                .box = {(float)(x - 10), (float)(y - 40), 20, 40},
                                .confidence = 0.9f,
                                .confirmed = true};
}

static inline int count_events(const collected *c, vigil_alert_event event, const char *rule) {
    int n = 0;
    for (int i = 0; i < c->count; i++)
        if (c->items[i].event == event && (!rule || !strcmp(c->items[i].rule, rule)))
            n++;
    return n;
}

static inline const vigil_alert *find_event(const collected *c, vigil_alert_event event,
                                            const char *rule, int nth) {
    for (int i = 0; i < c->count; i++)
        if (c->items[i].event == event && (!rule || !strcmp(c->items[i].rule, rule)) && nth-- == 0)
            return &c->items[i];
    return NULL;
}

static inline void release_all(collected *c) {
    for (int i = 0; i < c->count; i++)
        vigil_alert_release(&c->items[i]);
    c->count = 0;
}

#endif
