/* The rule engine's insides, shared by analytics.c (tracks, incidents, events) and the
 * rule_*.c files (one evaluator per rule type). */
#ifndef VIGIL_ALERTS_ENGINE_H
#define VIGIL_ALERTS_ENGINE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "frame_stats.h"
#include "vigil/analytics.h"
#include "vigil/anomaly.h"

#define TRACK_HISTORY 64

/* What one rule remembers about one track. */
typedef struct rule_track {
    bool inside;       /* anchor in the rule's zone this frame (true when no zone) */
    bool present;      /* inside, or outside for less than the grace time */
    double entered;    /* start of the current stay, NAN when not present */
    double left;       /* when the anchor last went outside, NAN while inside */
    double cond_since; /* the rule's condition has held since, NAN when not */
    double clear_since;
    int incident;    /* open incident index, -1 none */
    double last_end; /* stream time the last incident on this track ended (cooldown) */
    int side;        /* line crossing: -1/+1 settled side, 0 not yet */
    bool counted;
    vigil_point side_point; /* where the track was when its side last settled */
    bool owner_chosen;      /* abandoned object: owner picked at first sight */
    int64_t owner;          /* the owner's track id, -1 none */
    double owner_gone;      /* when the owner was lost, NAN while tracked */
    vigil_point still_point;
    double still_since;
    double away_since;
    int64_t cell; /* anomaly: current grid cell key */
    double cell_entered;
    vigil_point cell_point; /* where the track entered that cell */
    double score;
    vigil_anomaly_score last;
    double scored_pts;
} rule_track;

typedef struct track_sample {
    double pts;
    vigil_point bottom, center;
} track_sample;

typedef struct track {
    int64_t id;
    int class_id;
    char label[VIGIL_ALERT_LABEL_SIZE];
    float box[4];
    float confidence;
    bool tracker_confirmed;
    int64_t hits;
    double first_pts, last_pts;
    bool seen; /* observed in the current frame */
    track_sample history[TRACK_HISTORY];
    int history_head, history_count;
    rule_track *per_rule;
} track;

typedef struct incident {
    bool open;
    int rule;
    int64_t subject; /* track id, or -1 for the zone or camera */
    char id[VIGIL_ALERT_ID_SIZE];
    double started_time, started_pts;
    int64_t started_frame;
    int seq;
    double last_emit_pts;
    bool dirty;
    double score;
    int object_count, object_capacity;
    vigil_alert_object *objects;
    char *details;
} incident;

/* Rule state that is not per track. */
typedef struct rule_state {
    int incident;
    double last_end;
    double cond_since, clear_since;
    int peak, last_count;
    int64_t forward, backward; /* line crossing counts */
    vigil_tamper_state tamper;
    vigil_anomaly *model;
    double saved_pts;
} rule_state;

struct vigil_analytics {
    const vigil_rules *rules;
    int track_count, track_capacity;
    track **tracks;
    int incident_count, incident_capacity;
    incident *incidents;
    rule_state *states;
    int out_count, out_capacity;
    vigil_alert *out;
    const vigil_analytics_frame *frame; /* the frame being processed */
    double last_pts;
    bool started;
    vigil_error *err; /* where evaluators report failures */
    vigil_status failure;
};

/* Whether track t is of a class r watches, confident enough (confirmed or not). */
bool engine_track_matches(const vigil_rule *r, const track *t);
/* Whether rule r watches track t at all (class, confidence, confirmed). */
bool engine_track_eligible(const vigil_analytics *e, const vigil_rule *r, const track *t);
/* Whether t's anchor is in r's zone (true when r has none). */
bool engine_track_in_zone(const vigil_analytics *e, const vigil_rule *r, const track *t);
vigil_point engine_track_anchor(const vigil_analytics *e, const vigil_rule *r, const track *t);
/* Velocity over the last `window` seconds in px/s (or m/s with world = true); false
 * until the history spans most of the window. */
bool engine_track_velocity(const vigil_analytics *e, const track *t, vigil_anchor anchor,
                           double window, bool world, vigil_point *v);
track *engine_find_track(const vigil_analytics *e, int64_t id);

/* Updates presence (inside/present/entered/left) of t for a zone rule with a grace. */
void engine_update_presence(vigil_analytics *e, const vigil_rule *r, track *t, double grace);

bool engine_cooldown_over(const vigil_analytics *e, const vigil_rule *r, double last_end);

/* Opens an incident and emits its start (takes details). objects NULL: the subject
 * track. Returns its index or -1. */
int engine_open(vigil_analytics *e, int rule, int64_t subject, double score, cJSON *details,
                const track *const *objects, int object_count);
/* Marks new details (takes them; may be NULL) and score: an update is due. */
void engine_touch(vigil_analytics *e, int incident, double score, cJSON *details);
/* Emits the end event with reason and closes; returns the stream time it ended. */
double engine_close(vigil_analytics *e, int incident, const char *reason);
/* Emits a one-off event. */
void engine_instant(vigil_analytics *e, int rule, int64_t subject, double score, cJSON *details,
                    const track *const *objects, int object_count);
/* Replaces the objects an incident reports. */
void engine_set_objects(vigil_analytics *e, int incident, const track *const *objects, int n);

void engine_fail(vigil_analytics *e, vigil_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* One evaluator per rule type, called once per frame after the tracks are updated. */
void rule_zone_frame(vigil_analytics *e, int rule); /* intrusion, loitering */
void rule_crowding_frame(vigil_analytics *e, int rule);
void rule_crossing_frame(vigil_analytics *e, int rule);
void rule_motion_frame(vigil_analytics *e, int rule); /* wrong_way, speed */
void rule_abandoned_frame(vigil_analytics *e, int rule);
void rule_tamper_frame(vigil_analytics *e, int rule);
void rule_anomaly_frame(vigil_analytics *e, int rule);
/* Called before a track is dropped, so evaluators can learn from or end on it. */
void rule_anomaly_track_gone(vigil_analytics *e, int rule, track *t);

vigil_status rule_anomaly_init(vigil_analytics *e, int rule, vigil_error *err);
vigil_status rule_anomaly_save(vigil_analytics *e, int rule, vigil_error *err);

/* 128-bit hash of text as 32 hex digits. */
void vigil_alerts_hash_hex(const char *text, char out[VIGIL_ALERT_ID_SIZE]);

#endif
