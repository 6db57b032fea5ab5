/* The tracker's state, shared by its creation, update and association files. */
#ifndef VIGIL_TRACKER_INTERNAL_H
#define VIGIL_TRACKER_INTERNAL_H

#include <stddef.h>

#include "kalman.h"
#include "vigil/assignment.h"
#include "vigil/tracker.h"

/* Observed centres kept per track for the velocity fit: 32 covers a second at 30 fps. */
#define VIGIL_TRACK_HISTORY 32

/* A detection's horizontal extent, for finding the detections a track can overlap. */
typedef struct vigil_sweep_entry {
    float x0, x1;
    int col;
} vigil_sweep_entry;

/* What the tracker keeps per track beyond the public vigil_track. */
typedef struct vigil_track_filter {
    vigil_kalman_box kf;
    vigil_kalman_box kf_at_observation; /* right after the last pairing: ORU rewinds here */
    float last_box[4];                  /* the last paired detection's box */
    double anchor[2];                   /* where the track has stayed since anchor_time */
    double anchor_time;
    int missed_steps; /* predictions since the last pairing (1 right after a normal step) */
    double history_time[VIGIL_TRACK_HISTORY]; /* ring of observed centres */
    float history_x[VIGIL_TRACK_HISTORY], history_y[VIGIL_TRACK_HISTORY];
    int history_count, history_next;
    int paired;   /* paired in the current update */
    int refitted; /* lost, and its velocity already replaced by the fit */
} vigil_track_filter;

struct vigil_tracker {
    vigil_tracker_options opt;
    vigil_kalman_noise noise;
    /* Live tracks, in creation order: public part and filter side by side. */
    vigil_track *tracks;
    vigil_track_filter *filters;
    int count, capacity;
    vigil_track *out; /* reported tracks, capacity entries */
    int out_count;
    /* Per-frame scratch, grown to the largest frame seen. */
    int *high, *low, *cols, *det_used, *col_match;
    int det_capacity;
    int *rows, *row_match;
    vigil_lap_edge *edges; /* allowed pairs of one stage */
    size_t edge_capacity;
    vigil_sweep_entry *sweep; /* a stage's detections sorted by left edge */
    vigil_lap_workspace lap;
    int next_id;
    double time;
    int started;
    long allocations;
};

/* Grows the buffers for n more tracks and n detections (see tracker.c). */
vigil_status vigil_tracker_reserve(vigil_tracker *t, int n, vigil_error *err);

/* Which box of a track an association stage compares with the detections. */
typedef enum vigil_track_box_kind {
    VIGIL_TRACK_BOX_PREDICTED = 0,
    VIGIL_TRACK_BOX_LAST_OBSERVED,
} vigil_track_box_kind;

/* One association stage: pairs tracks rows[nr] with detections cols[nc] at the least
 * cost; row_match[r] receives the detection index paired with rows[r], or -1. */
vigil_status vigil_tracker_associate(vigil_tracker *t, const vigil_tracker_detection *dets,
                                     const int *rows, int nr, const int *cols, int nc,
                                     vigil_track_box_kind box_kind, int fuse_score, double limit,
                                     int *row_match, vigil_error *err);

#endif
