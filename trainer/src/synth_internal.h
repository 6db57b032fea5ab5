/* The planned clip: objects with a centre per frame, pillars, clutter spots. */
#ifndef VIGIL_SYNTH_INTERNAL_H
#define VIGIL_SYNTH_INTERNAL_H

#include "synth_random.h"
#include "vigil/synth.h"

typedef struct vigil_synth_object {
    int id; /* truth id, from 1 */
    int class_id;
    float w, h;
    int depth;       /* higher is nearer the camera: drawn later, hides the others */
    int first, last; /* frame indices (0-based) with a planned position */
    float *cx, *cy;  /* centre at frame first + k */
    uint8_t color[2][3];
    float stripe_freq, stripe_angle;
    float base_score; /* how confidently the simulated detector sees it */
} vigil_synth_object;

typedef struct vigil_synth_box {
    float x, y, w, h;
    int class_id;
} vigil_synth_box;

struct vigil_synth {
    vigil_synth_options opt;
    vigil_synth_object *objects;
    int n_objects, cap_objects;
    vigil_synth_box *pillars;
    int n_pillars;
    vigil_synth_box *clutter;
    int n_clutter;
    int *crossing_ids, *occluded_ids, *parked_ids;
    int *blocked_first, *blocked_last; /* per parked car, 0-based frames */
    vigil_mot_records truth, detections;
};

/* Plans every object's path, the pillars and the clutter spots (scene stream). */
vigil_status vigil_synth_plan(vigil_synth *clip, vigil_error *err);
/* Writes the truth records and the simulated detections (detector stream). */
vigil_status vigil_synth_label(vigil_synth *clip, vigil_error *err);

/* Object k's box at frame index f (0-based) in x, y, w, h; 0 if not planned then. */
int vigil_synth_object_box(const vigil_synth_object *o, int f, float box[4]);
/* The fraction of object k's box at frame f that is inside the frame and not hidden by
 * nearer objects or pillars. */
double vigil_synth_visibility(const vigil_synth *clip, int k, int f);

#endif
