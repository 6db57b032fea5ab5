/* The anomaly model's cells, shared by the scorer (anomaly.c) and its file format
 * (anomaly_io.c). */
#ifndef VIGIL_ALERTS_ANOMALY_MODEL_H
#define VIGIL_ALERTS_ANOMALY_MODEL_H

#include <stdint.h>

#include "vigil/anomaly.h"

/* A running mean and variance whose weight saturates at max_weight, after which it
 * becomes an exponential moving average (old behaviour fades). */
typedef struct anomaly_gauss {
    double n, mean, m2;
} anomaly_gauss;

typedef struct anomaly_cell {
    int cx, cy, class_id, bucket;
    anomaly_gauss speed; /* of log(1 + px/s) */
    anomaly_gauss dwell; /* of log(1 + seconds) */
    double direction_total;
    double direction[VIGIL_ANOMALY_MAX_BINS];
} anomaly_cell;

struct vigil_anomaly {
    vigil_anomaly_options options;
    double learned_seconds;
    int count, capacity;
    anomaly_cell *cells;
    int slots;  /* power of two */
    int *table; /* cell index + 1, 0 empty */
};

/* The cell of a key, created when create is set; NULL when absent or out of memory. */
anomaly_cell *anomaly_cell_get(vigil_anomaly *m, int cx, int cy, int class_id, int bucket,
                               bool create);
const anomaly_cell *anomaly_cell_find(const vigil_anomaly *m, int cx, int cy, int class_id,
                                      int bucket);

#endif
