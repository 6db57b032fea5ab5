/* Frame statistics for tamper detection: brightness, contrast, sharpness and a coarse
 * thumbnail of the scene's layout, computed on a subsampled luma image. */
#ifndef VIGIL_ALERTS_FRAME_STATS_H
#define VIGIL_ALERTS_FRAME_STATS_H

#include <stdbool.h>

#include "vigil/alert.h"

#define FRAME_THUMB_W 16
#define FRAME_THUMB_H 12
#define FRAME_THUMB (FRAME_THUMB_W * FRAME_THUMB_H)

typedef struct vigil_frame_stats {
    double mean;              /* luma 0..255 */
    double stddev;            /* luma */
    double sharpness;         /* mean absolute 4-neighbour Laplacian of luma */
    float thumb[FRAME_THUMB]; /* block means of luma */
} vigil_frame_stats;

/* What the tamper rule learns and remembers between frames. */
typedef struct vigil_tamper_state {
    double learned;   /* seconds of baseline seen */
    double sharpness; /* baseline sharpness (running mean, then slow average) */
    float thumb[FRAME_THUMB];
    double last_pts;
    bool has_last;
    const char *condition; /* the tamper seen this frame, NULL when none */
    const char *pending;   /* the condition being timed (cond_since) */
} vigil_tamper_state;

void vigil_frame_stats_compute(const vigil_alert_image *image, vigil_frame_stats *stats);
/* 1 - normalised correlation of two thumbnails: 0 same layout, ~1 unrelated, 2 inverted.
 * Insensitive to global brightness and contrast changes. */
double vigil_frame_stats_scene_distance(const float *a, const float *b);

#endif
