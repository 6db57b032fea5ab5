/*
 * vigil/analytics.h — the rule engine: tracks in, alerts out, one call per frame.
 *
 * The engine keeps per-track state (zone dwell, line sides, velocity history, owners
 * of left objects, anomaly scores) and per-rule state (crowd counts, tamper baseline),
 * and turns the conditions of a rules file into start/update/end events with
 * cooldowns and severities. It is fed what a tracker produces; it never reads files
 * of tracks itself.
 *
 *     vigil_analytics *a;
 *     if (vigil_analytics_create(rules, &a, &err) < 0) ...   // rules stay the caller's
 *     for each frame:
 *         vigil_analytics_frame f = {.frame = n, .pts = pts, .time = wall_clock,
 *                                    .image = rgb_or_NULL};
 *         vigil_track_object objs[] = {{.track_id = 7, .class_id = 0, .box = {x, y, w, h},
 *                                       .confidence = 0.9f, .confirmed = true}, ...};
 *         const vigil_alert *alerts;
 *         int n;
 *         if (vigil_analytics_update(a, &f, objs, count, &alerts, &n, &err) < 0) ...
 *         for (int i = 0; i < n; i++) publish(&alerts[i]);   // valid until the next call
 *     vigil_analytics_finish(a, &f, &alerts, &n, &err);      // ends what is still open
 *     vigil_analytics_free(a);
 *
 * Not thread-safe: one engine per stream, called from one thread at a time.
 */
#ifndef VIGIL_ANALYTICS_H
#define VIGIL_ANALYTICS_H

#include "vigil/coco.h"
#include <stdbool.h>
#include <stdint.h>

#include "vigil/alert.h"
#include "vigil/rules.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_track_object {
    int64_t track_id;  /* >= 0; objects with a negative id are not tracked and ignored */
    int class_id;      /* COCO index (0 = person) */
    const char *label; /* NULL: the COCO name of class_id */
    float box[4];      /* x, y, w, h in frame pixels */
    float confidence;
    bool confirmed; /* the tracker's confirmed state; tentative tracks never alert */
} vigil_track_object;

typedef struct vigil_analytics_frame {
    int64_t frame; /* frame number */
    double pts;    /* seconds in the stream; must not go backwards */
    double time;   /* wall clock, seconds since the UNIX epoch (UTC), for timestamps */
    const vigil_alert_image *image; /* optional: tamper statistics and snapshots */
} vigil_analytics_frame;

typedef struct vigil_analytics vigil_analytics;

/* rules must outlive the engine. Restores the anomaly models named by state_file. */
vigil_status vigil_analytics_create(const vigil_rules *rules, vigil_analytics **out,
                                    vigil_error *err);
void vigil_analytics_free(vigil_analytics *a);

/* Advances the engine by one frame. *alerts (count *count) stays valid until the next
 * call on a. Frames without objects still need a call: time moves and tracks end. */
vigil_status vigil_analytics_update(vigil_analytics *a, const vigil_analytics_frame *frame,
                                    const vigil_track_object *objects, int object_count,
                                    const vigil_alert **alerts, int *count, vigil_error *err);

/* Ends every open incident (end of stream) as of frame. */
vigil_status vigil_analytics_finish(vigil_analytics *a, const vigil_analytics_frame *frame,
                                    const vigil_alert **alerts, int *count, vigil_error *err);

/* Writes the learned anomaly models to their state files (also done every 60 s of
 * stream time by update and by finish). */
vigil_status vigil_analytics_save_state(vigil_analytics *a, vigil_error *err);

/* The current anomaly score of a track for rule index `rule` (an anomaly rule), with
 * the feature behind it ("speed", "direction", "dwell"); NOT_FOUND when unknown. */
vigil_status vigil_analytics_track_score(const vigil_analytics *a, int rule, int64_t track_id,
                                         double *score, const char **reason);

#ifdef __cplusplus
}
#endif
#endif
