/*
 * vigil/synth.h — synthetic labeled clips for the tracker and the trainer.
 *
 * A clip is planned in full from a seed: textured objects of four classes (person,
 * bicycle, car, suitcase; MOT classes 1, 2, 3, 29) enter and leave across the borders
 * on bent paths, change speed and stop; scripted events guarantee what trackers fail
 * on — pairs of people walking through each other (crossings), people passing fully
 * behind a pillar for occlusion_seconds, cars parked for the whole clip and hidden for a
 * while by a truck stopping in front of them. From the plan
 * come the ground truth (MOT text, with each box's visible fraction) and the output of
 * a simulated detector: misses that grow with occlusion, box jitter, scores that fall
 * with occlusion, false positives (random and at recurring clutter spots) and class
 * confusions, each level an option. Frames are rendered on demand over a procedural
 * texture or over frames the caller supplies (a real video). Everything depends only on
 * the options: the same seed gives the same clip; the detector noise has a random
 * stream of its own, so changing a noise level does not move the objects.
 *
 *     vigil_synth_options opt;
 *     vigil_synth_options_preset(VIGIL_SYNTH_PRESET_MEDIUM, &opt);
 *     opt.seed = 7;
 *     vigil_synth *clip;
 *     if (vigil_synth_create(&opt, &clip, &err) < 0) ...
 *     const vigil_mot_records *truth = vigil_synth_truth(clip);     // frames 1..opt.frames
 *     const vigil_mot_records *dets = vigil_synth_detections(clip);
 *     uint8_t *rgb = malloc(3 * opt.width * opt.height);
 *     vigil_synth_render(clip, 1, NULL, 0, rgb, 3 * opt.width, &err);  // frame 1
 *     vigil_synth_free(clip);
 */
#ifndef VIGIL_SYNTH_H
#define VIGIL_SYNTH_H

#include <stdint.h>

#include "vigil/mot.h"
#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vigil_synth_preset {
    VIGIL_SYNTH_PRESET_EASY = 0, /* few objects, a clean detector */
    VIGIL_SYNTH_PRESET_MEDIUM,   /* crossings, a pillar, a parked car, a typical detector */
    VIGIL_SYNTH_PRESET_HARD,     /* more of everything, stops, a noisy detector */
    VIGIL_SYNTH_PRESET_CROWD,    /* many people at once */
    VIGIL_SYNTH_PRESET_COUNT,
} vigil_synth_preset;

/* MOT class numbers (COCO index + 1) of the rendered classes. */
#define VIGIL_SYNTH_CLASS_PERSON 1
#define VIGIL_SYNTH_CLASS_BICYCLE 2
#define VIGIL_SYNTH_CLASS_CAR 3
#define VIGIL_SYNTH_CLASS_SUITCASE 29

typedef struct vigil_synth_options {
    uint64_t seed;
    int width, height; /* pixels; default 640 x 480 */
    double fps;        /* default 25 */
    int frames;        /* default 250 */
    /* scene */
    int walkers;              /* objects on random paths entering over the clip */
    int crossings;            /* scripted pairs of people walking through each other */
    int occluders;            /* pillars, each hiding one passer-by fully */
    double occlusion_seconds; /* how long a pillar hides its passer-by; default 1.0 */
    int parked;               /* cars standing still for the whole clip */
    double blocker_seconds;   /* a truck stops in front of each parked car this long (0: no
                                 truck) */
    int left_objects;         /* suitcases put down partway and left */
    double stop_probability;  /* chance a walker stops (1 to 4 s) at a bend */
    double speed_change;      /* a path's segments differ in speed by up to this factor */
    /* simulated detector */
    double miss_rate;           /* chance a fully visible object is missed */
    double false_positive_rate; /* random false detections per frame (mean) */
    int clutter_spots;          /* places where false detections recur */
    double jitter;              /* box noise, standard deviation per box size */
    double score_noise;         /* standard deviation added to scores */
    double class_confusion;     /* chance a detection carries a wrong class */
    /* ground truth */
    double min_visibility; /* less visible truth boxes are written "do not care" (conf 0);
                              default 0.15 */
} vigil_synth_options;

/* Fills options with a preset's values (seed 1). */
void vigil_synth_options_preset(vigil_synth_preset preset, vigil_synth_options *options);
/* "easy", "medium", "hard", "crowd". */
vigil_status vigil_synth_preset_from_name(const char *name, vigil_synth_preset *preset,
                                          vigil_error *err);
const char *vigil_synth_preset_name(vigil_synth_preset preset);

typedef struct vigil_synth vigil_synth;

vigil_status vigil_synth_create(const vigil_synth_options *options, vigil_synth **out,
                                vigil_error *err);
void vigil_synth_free(vigil_synth *clip);

/* Ground truth and simulated detections for the whole clip, sorted by frame. Truth ids
 * are object numbers from 1; detections have id -1. Owned by the clip. */
const vigil_mot_records *vigil_synth_truth(const vigil_synth *clip);
const vigil_mot_records *vigil_synth_detections(const vigil_synth *clip);

/* Draws frame (1..frames) as RGB24 into rgb (rows of stride bytes). background, when not
 * NULL, is an RGB24 image of the clip's size (rows of background_stride bytes) to draw
 * over; otherwise a procedural ground texture is used. */
vigil_status vigil_synth_render(const vigil_synth *clip, int frame, const uint8_t *background,
                                int background_stride, uint8_t *rgb, int stride, vigil_error *err);

/* The object numbers of the scripted events, so tests can follow them: for scripted
 * event k, the ids of the two people crossing (crossings), of the person passing the
 * pillar (occluders), of the parked car (parked). Returns -1 when k is out of range. */
int vigil_synth_crossing_id(const vigil_synth *clip, int k, int which);
int vigil_synth_occluded_id(const vigil_synth *clip, int k);
int vigil_synth_parked_id(const vigil_synth *clip, int k);
/* The frames (1-based, inclusive) in which parked car k's truck stands still in front of
 * it; 0 and -1 when there is none. */
void vigil_synth_blocked_frames(const vigil_synth *clip, int k, int *first, int *last);

#ifdef __cplusplus
}
#endif
#endif
