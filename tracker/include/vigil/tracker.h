/*
 * vigil/tracker.h — a ByteTrack-class multi-object tracker.
 *
 * Each frame's detections go in with the frame's timestamp; tracks with stable ids come
 * out. Per track a constant-velocity Kalman filter on the box centre and size predicts
 * where the object is now; detections are then paired with tracks by optimal
 * assignment (vigil/assignment.h) in ByteTrack's two stages:
 *
 *   1. detections scoring at least high_threshold against every confirmed or lost
 *      track, on cost 1 - IoU x score (IoU fused with the detection score);
 *   2. detections between low_threshold and high_threshold against the confirmed tracks
 *      still unpaired, on cost 1 - IoU — an occluded person often scores low;
 *   3. the high detections left against tentative tracks (born last frame); a tentative
 *      track unpaired is dropped, and one paired confirm_hits times is confirmed;
 *   4. high detections still left, scoring at least new_track_threshold, start tentative
 *      tracks.
 *
 * A confirmed track left unpaired becomes lost; it keeps predicting and may be found
 * again in stage 1 until lost_seconds have passed. Time is in seconds, not frames, so
 * a detector that skips frames or a stream with a variable rate changes nothing: call
 * vigil_tracker_predict for frames without detections. Tracks only pair with
 * detections of their class (class_aware). Only confirmed tracks are reported; ids are
 * given at confirmation, so the ids a user sees have no gaps left by false alarms.
 *
 * Beyond ByteTrack, each switchable and measured on and off by bench/bench_tracker.c
 * (figures in docs/tracker.md); on by default unless marked off:
 *   - lost_velocity_fit: when a track is lost, its filter's velocity (bent by the last,
 *     often partly occluded, detections) is replaced by the Theil-Sen velocity (median
 *     of pairwise slopes) of its observed centres over the last second, so that a walker
 *     hidden for a second or two is predicted where it reappears. The largest gain;
 *   - observation_reupdate (OC-SORT's ORU): when a track is found again after missed
 *     frames, its filter is rewound to the last observation and re-run along a straight
 *     line of virtual observations to the new one, so the velocity learnt before an
 *     occlusion does not fight the evidence after it;
 *   - stationary tracks: a confirmed track that has stayed within a quarter of its
 *     smaller side of one place for stationary_seconds is stationary; if it is lost it
 *     stops moving and is kept for stationary_lost_seconds instead of lost_seconds, so a
 *     parked van hidden by a stopped truck keeps its id. As it then stands right behind
 *     the object hiding it, it is offered only the confident detections no other track
 *     takes;
 *   - observation_recovery (OC-SORT's OCR, off): tracks unseen for at most
 *     recovery_seconds and high detections still unpaired after stage 2 are paired on
 *     the IoU with the track's last observed box rather than its prediction; in crowds
 *     it pairs a track with a neighbour more often than it rescues one;
 *   - cascade (off): stage 1 in two steps, confirmed tracks before lost ones (DeepSORT's
 *     matching cascade); it lets followed tracks take the detections of reappearing
 *     lost ones and loses more than it gains.
 *
 * Memory: the tracker keeps its tracks and all per-frame scratch space in buffers that
 * grow to the largest frame seen and are then reused; vigil_tracker_allocations counts
 * the growths, so steady state can be checked to allocate nothing.
 *
 *     vigil_tracker_options opt = vigil_tracker_options_default();
 *     opt.lost_seconds = 3.0;               // a slow detector: keep lost tracks longer
 *     vigil_tracker *tracker;
 *     vigil_error err = {0};
 *     if (vigil_tracker_create(&opt, &tracker, &err) < 0) ...
 *     for (each frame) {
 *         vigil_tracker_detection dets[] = {{.box = {100, 50, 40, 90}, .score = 0.9f,
 *                                            .class_id = 1}};
 *         const vigil_track *tracks;
 *         int n;
 *         if (vigil_tracker_update(tracker, pts_seconds, dets, 1, &tracks, &n, &err) < 0) ...
 *         for (int i = 0; i < n; i++)
 *             printf("%d: track %d at %.0f,%.0f\n", frame, tracks[i].id, tracks[i].box[0],
 *                    tracks[i].box[1]);   // tracks[i].detection is the index in dets
 *     }
 *     vigil_tracker_free(tracker);
 */
#ifndef VIGIL_TRACKER_H
#define VIGIL_TRACKER_H

#include <stdbool.h>

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_tracker_detection {
    float box[4]; /* x, y, w, h: top-left corner and size in pixels */
    float score;  /* 0..1 */
    int class_id; /* any integer; a negative one pairs with every class */
} vigil_tracker_detection;

typedef enum vigil_track_state {
    VIGIL_TRACK_STATE_TENTATIVE = 0, /* born from an unpaired detection, not reported yet */
    VIGIL_TRACK_STATE_CONFIRMED,     /* paired confirm_hits times in a row; reported */
    VIGIL_TRACK_STATE_LOST,          /* confirmed, but unpaired since last_seen */
    VIGIL_TRACK_STATE_REMOVED,       /* gone; its slot is reused */
} vigil_track_state;

typedef struct vigil_track {
    int id;            /* from 1, given at confirmation; 0 while tentative */
    float box[4];      /* the filter's estimate now: x, y, w, h */
    float velocity[2]; /* of the box centre, pixels per second */
    float score;       /* score of the last paired detection */
    int class_id;      /* class of the detection that started the track */
    vigil_track_state state;
    int detection;     /* index of the detection paired in this update, or -1 */
    int hits;          /* detections paired so far */
    double first_seen; /* timestamp of the first detection */
    double last_seen;  /* timestamp of the last paired detection */
    bool stationary;   /* see stationary_seconds */
} vigil_track;

typedef struct vigil_tracker_options {
    float high_threshold;           /* stage 1 detections score at least this; default 0.6 */
    float low_threshold;            /* stage 2 takes scores in [low, high); default 0.1 */
    float new_track_threshold;      /* an unpaired detection starts a track at this; default 0.7 */
    float match_cost_high;          /* highest cost paired in stage 1; default 0.8 */
    float match_cost_low;           /* in stage 2 (IoU >= 0.5); default 0.5 */
    float match_cost_tentative;     /* in stage 3; default 0.7 */
    float recovery_cost;            /* OCR: highest 1 - IoU with the last box; default 0.7 */
    double recovery_seconds;        /* OCR only for tracks unseen at most this long; default 0.5 */
    bool fuse_score;                /* cost 1 - IoU x score in stages 1 and 3; default true */
    bool class_aware;               /* pair only equal classes; default true */
    int confirm_hits;               /* consecutive pairings to confirm; default 2 (1 = at once) */
    double lost_seconds;            /* how long a lost track may be found again; default 2.0 */
    double stationary_seconds;      /* time in place before a track is stationary; default 2.0,
                                       0 disables stationary handling */
    double stationary_lost_seconds; /* how long a lost stationary track is kept; default 600 */
    bool observation_reupdate;      /* OC-SORT ORU; default true */
    bool observation_recovery;      /* OC-SORT OCR; default false (see docs/tracker.md) */
    bool cascade;              /* stage 1 pairs confirmed tracks first, lost ones with what is left;
                                  default false (see docs/tracker.md) */
    bool lost_velocity_fit;    /* lost tracks move at the velocity fitted to their last second of
                                  observations; default true */
    double reference_interval; /* frame interval the noise levels are given for; default
                                  1/30 s, where the filter equals ByteTrack's */
} vigil_tracker_options;

typedef struct vigil_tracker vigil_tracker;

vigil_tracker_options vigil_tracker_options_default(void);
/* ByteTrack's association alone: no ORU, OCR, cascade, velocity fit or stationary
 * handling. */
vigil_tracker_options vigil_tracker_options_bytetrack(void);

vigil_status vigil_tracker_create(const vigil_tracker_options *options, vigil_tracker **out,
                                  vigil_error *err);
void vigil_tracker_free(vigil_tracker *tracker);
/* Changes the options of a running tracker (a GStreamer property set while playing),
 * keeping its tracks and ids; they apply from the next update. Options that
 * vigil_tracker_create would refuse are refused, and the tracker keeps its options. */
vigil_status vigil_tracker_set_options(vigil_tracker *tracker, const vigil_tracker_options *options,
                                       vigil_error *err);
/* Forgets every track and restarts ids from 1, keeping the buffers. */
void vigil_tracker_reset(vigil_tracker *tracker);

/* Advances to timestamp (seconds, never decreasing) and pairs the n detections. On
 * success *tracks points at the confirmed tracks paired in this update (count in *count),
 * inside the tracker: valid until the next call. */
vigil_status vigil_tracker_update(vigil_tracker *tracker, double timestamp,
                                  const vigil_tracker_detection *detections, int n,
                                  const vigil_track **tracks, int *count, vigil_error *err);

/* Advances to timestamp for a frame the detector skipped: no track changes state;
 * *tracks lists the confirmed tracks (not lost ones) at their predicted boxes. */
vigil_status vigil_tracker_predict(vigil_tracker *tracker, double timestamp,
                                   const vigil_track **tracks, int *count, vigil_error *err);

/* Every live track in any state (tentative and lost included), for tests and displays. */
void vigil_tracker_tracks(const vigil_tracker *tracker, const vigil_track **tracks, int *count);

/* How many times the tracker's buffers have grown since it was created. */
long vigil_tracker_allocations(const vigil_tracker *tracker);

/* Intersection over union of two x, y, w, h boxes; 0 when either is empty. */
float vigil_tracker_iou(const float a[4], const float b[4]);

#ifdef __cplusplus
}
#endif
#endif
