/*
 * vigil/anomaly.h — an online statistical model of normal motion, and a score for how
 * unusual an observation is.
 *
 * The frame is cut into square cells. For each cell, object class and time-of-day slot
 * the model keeps the distribution of speed (a log-normal: running mean and variance
 * of log(1 + speed)), of heading (a histogram of direction bins, soft-assigned), and of
 * dwell, the time a track stays in the cell (log-normal). An observation's score for
 * each feature is the probability mass of normal observations that are more typical
 * than it (1 - its p-value): 0 for the most typical, close to 1 for something never
 * seen. The score is the largest of the three, and the reason names that feature.
 * Features whose cell has fewer than min_samples observations are not judged.
 *
 *     vigil_anomaly_options o = vigil_anomaly_options_default();
 *     vigil_anomaly *m;
 *     vigil_anomaly_create(&o, &m, &err);
 *     vigil_anomaly_sample s = {.class_id = 0, .x = 320, .y = 400, .vx = 80, .vy = 0,
 *                               .time = unix_seconds};
 *     vigil_anomaly_score r = vigil_anomaly_evaluate(m, &s);   // r.score, r.reason
 *     vigil_anomaly_learn(m, &s);
 *     vigil_anomaly_save(m, "plaza.anomaly.json", &err);
 */
#ifndef VIGIL_ANOMALY_H
#define VIGIL_ANOMALY_H

#include <stdbool.h>

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_ANOMALY_MAX_BINS 32

typedef struct vigil_anomaly_options {
    double cell_size;   /* pixels, default 64 */
    int hour_buckets;   /* slots per day, 1..24, default 4 */
    int direction_bins; /* 4..32, default 8 */
    double min_speed;   /* px/s below which heading is not learned or judged, default 5 */
    int min_samples;    /* per feature and cell before it is judged, default 30 */
    double max_weight;  /* counts saturate here so old behaviour fades, default 10000 */
    double utc_offset;  /* hours added to UTC for the time of day */
} vigil_anomaly_options;

typedef struct vigil_anomaly_sample {
    int class_id;
    double x, y;   /* where the object is (its anchor point) */
    double vx, vy; /* pixels per second */
    double dwell;  /* seconds in the current cell so far; < 0: unknown */
    double time;   /* seconds since the UNIX epoch, UTC */
} vigil_anomaly_sample;

typedef enum vigil_anomaly_feature {
    VIGIL_ANOMALY_NONE = 0, /* nothing judged (cell not yet learned) */
    VIGIL_ANOMALY_SPEED,
    VIGIL_ANOMALY_DIRECTION,
    VIGIL_ANOMALY_DWELL,
} vigil_anomaly_feature;

typedef struct vigil_anomaly_score {
    double score; /* 0..1, the largest of the three */
    vigil_anomaly_feature reason;
    double speed, direction, dwell; /* each feature's own score, 0 when not judged */
} vigil_anomaly_score;

typedef struct vigil_anomaly vigil_anomaly;

vigil_anomaly_options vigil_anomaly_options_default(void);
vigil_status vigil_anomaly_create(const vigil_anomaly_options *options, vigil_anomaly **out,
                                  vigil_error *err);
void vigil_anomaly_free(vigil_anomaly *m);

vigil_anomaly_score vigil_anomaly_evaluate(const vigil_anomaly *m, const vigil_anomaly_sample *s);
/* Adds an observation of normal motion (speed and heading). */
void vigil_anomaly_learn(vigil_anomaly *m, const vigil_anomaly_sample *s);
/* Adds a completed stay of `seconds` in the cell around (x, y). */
void vigil_anomaly_learn_dwell(vigil_anomaly *m, int class_id, double x, double y, double time,
                               double seconds);

/* Seconds of learning the model has seen (kept across save and load). */
double vigil_anomaly_learned_seconds(const vigil_anomaly *m);
void vigil_anomaly_add_learned_seconds(vigil_anomaly *m, double seconds);

/* Saves atomically (temporary file, fsync, rename) as JSON; load replaces the options
 * with the saved ones. */
vigil_status vigil_anomaly_save(const vigil_anomaly *m, const char *path, vigil_error *err);
vigil_status vigil_anomaly_load(const char *path, vigil_anomaly **out, vigil_error *err);

const char *vigil_anomaly_feature_name(vigil_anomaly_feature feature);

#ifdef __cplusplus
}
#endif
#endif
