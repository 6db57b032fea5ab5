/*
 * vigil/rules.h — the rules file: zones, lines and the rules that watch them.
 *
 * A rules file is JSON (schema: alerts/schema/rules.schema.json; semantics:
 * docs/alerts.md). Loading checks everything a running engine would otherwise get
 * wrong and names the line and the field at fault:
 *
 *     vigil_rules *rules;
 *     vigil_error err = {0};
 *     if (vigil_rules_load("plaza.json", &rules, &err) < 0) {
 *         fprintf(stderr, "vigil: %s\n", err.message);
 *         // "plaza.json:14: rules[2].zone: unknown zone 'lwn' (zones: lawn)"
 *         return 1;
 *     }
 *     ... vigil_analytics_create(rules, ...) ...
 *     vigil_rules_free(rules);
 *
 * Coordinates are frame pixels with y pointing down. The structures below are what the
 * engine reads; they are filled by the loader and are read-only to callers.
 */
#ifndef VIGIL_RULES_H
#define VIGIL_RULES_H

#include <stdbool.h>

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_point {
    double x, y;
} vigil_point;

typedef enum vigil_rule_type {
    VIGIL_RULE_INTRUSION = 0,
    VIGIL_RULE_LOITERING,
    VIGIL_RULE_CROWDING,
    VIGIL_RULE_LINE_CROSSING,
    VIGIL_RULE_WRONG_WAY,
    VIGIL_RULE_SPEED,
    VIGIL_RULE_ABANDONED_OBJECT,
    VIGIL_RULE_TAMPER,
    VIGIL_RULE_ANOMALY,
} vigil_rule_type;

typedef enum vigil_severity {
    VIGIL_SEVERITY_INFO = 0,
    VIGIL_SEVERITY_WARNING,
    VIGIL_SEVERITY_CRITICAL,
} vigil_severity;

/* Which point of a box stands for the object: the bottom centre (feet on the ground,
 * the default) or the box centre. */
typedef enum vigil_anchor {
    VIGIL_ANCHOR_BOTTOM = 0,
    VIGIL_ANCHOR_CENTER,
} vigil_anchor;

typedef struct vigil_zone {
    char *name;
    int count; /* >= 3 */
    vigil_point *points;
    vigil_anchor anchor;
} vigil_zone;

typedef struct vigil_line {
    char *name;
    vigil_point a, b;
    bool directed;         /* false: crossings count both ways */
    vigil_point direction; /* the arrow a counted crossing moves along, when directed */
    vigil_anchor anchor;
    double margin; /* pixels a point must be past the line to change side (jitter), default 3 */
} vigil_line;

typedef struct vigil_class_seconds {
    char *label;
    double seconds;
} vigil_class_seconds;

typedef struct vigil_rule {
    char *name;
    vigil_rule_type type;
    vigil_severity severity;
    int zone; /* index into rules->zones, -1 when none */
    int line; /* index into rules->lines, -1 when none */
    int class_count;
    char **classes;        /* labels the rule applies to; none = every class */
    double min_confidence; /* objects below are ignored, default 0 */
    double cooldown;       /* seconds after an alert ends before the same subject re-alerts */
    double update_seconds; /* at most one update event per this many seconds; <= 0: none */
    bool snapshot;         /* attach a JPEG to start events when a frame is given */
    double seconds;        /* how long the condition must hold (the dwell for loitering) */
    union {
        struct {
            double grace; /* seconds outside the zone that do not reset the dwell */
            int class_seconds_count;
            vigil_class_seconds *class_seconds; /* per-label thresholds */
        } dwell;                                /* intrusion, loitering */
        struct {
            int min_count;        /* start at >= min_count for `seconds` */
            int clear_count;      /* end at <= clear_count for clear_seconds */
            double clear_seconds; /* default `seconds` */
        } crowding;
        struct {
            bool once_per_track; /* default true */
        } crossing;
        struct {
            vigil_point direction; /* the expected flow; alert when moving against it */
            double tolerance_deg;  /* max angle between motion and the reverse, default 60 */
            double min_speed;      /* px/s (or m/s with a homography) below: ignored */
            double window;         /* seconds of history for the velocity, default 0.5 */
        } motion;                  /* wrong_way */
        struct {
            double max_speed; /* px/s, or m/s when the rules have a homography */
            double window;
        } speed;
        struct {
            double owner_distance; /* pixels */
            double still_distance; /* pixels the object may drift and count as stationary */
            int owner_class_count;
            char **owner_classes; /* default ["person"] */
        } abandoned;
        struct {
            double dark_level;   /* mean luma below: blackout, default 20 */
            double min_contrast; /* luma std-dev below: covered lens, default 4 */
            double blur_ratio;   /* sharpness below ratio x baseline: blur, default 0.35 */
            double scene_change; /* 1 - correlation with the baseline above: moved, 0.5 */
            double learn_seconds;
        } tamper;
        struct {
            double threshold; /* score that raises an alert, 0..1 */
            double learn_seconds;
            double cell_size;  /* pixels, default 64 */
            int hour_buckets;  /* time-of-day slots, default 4 */
            int min_samples;   /* per cell before a feature is judged, default 30 */
            double smoothing;  /* seconds, time constant of the per-track score, 0.5 */
            double utc_offset; /* hours added to UTC for the time of day */
            char *state_file;  /* learned model, saved and restored; NULL: none */
        } anomaly;
    };
} vigil_rule;

typedef struct vigil_rules {
    char *camera_id;
    char *path; /* the file they came from, for messages; may be NULL */
    int zone_count, line_count, rule_count;
    vigil_zone *zones;
    vigil_line *lines;
    vigil_rule *rules;
    double track_timeout; /* seconds a track may go unseen before it ends, default 1 */
    int min_hits;         /* frames before a track counts as confirmed, default 1 */
    bool has_homography;  /* "homography": four image->world point pairs (metres) */
    double homography[9]; /* image pixels -> world metres, row-major, h[8] = 1 */
    int snapshot_quality; /* JPEG quality 1..100, default 80 */
} vigil_rules;

/* Reads and checks a rules file. Errors name path:line and the field. */
vigil_status vigil_rules_load(const char *path, vigil_rules **out, vigil_error *err);
/* The same from text; name stands for the file in messages. */
vigil_status vigil_rules_parse(const char *text, const char *name, vigil_rules **out,
                               vigil_error *err);
void vigil_rules_free(vigil_rules *rules);

const char *vigil_rule_type_name(vigil_rule_type type);
const char *vigil_severity_name(vigil_severity severity);

/* Maps an image point through the rules' homography (identity when it has none). */
vigil_point vigil_rules_to_world(const vigil_rules *rules, vigil_point image_point);

#ifdef __cplusplus
}
#endif
#endif
