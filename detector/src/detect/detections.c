/* The detections container: a growable array reused frame after frame, so that a
 * detector in steady state allocates nothing (reset keeps the capacity). */
#include <stdlib.h>
#include <string.h>

#include "vigil/detect.h"

void vigil_detections_reset(vigil_detections *dets) {
    if (dets)
        dets->count = 0;
}

vigil_status vigil_detections_push(vigil_detections *dets, const vigil_detection *det,
                                   vigil_error *err) {
    if (!dets || !det)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "detections push: NULL argument");
    if (dets->count == dets->capacity) {
        int capacity = dets->capacity ? 2 * dets->capacity : 64;
        vigil_detection *items = realloc(dets->items, (size_t)capacity * sizeof *items);
        if (!items)
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY,
                                   "detections: cannot grow to %d boxes", capacity);
        dets->items = items;
        dets->capacity = capacity;
    }
    dets->items[dets->count++] = *det;
    return VIGIL_STATUS_OK;
}

void vigil_detections_free(vigil_detections *dets) {
    if (!dets)
        return;
    free(dets->items);
    memset(dets, 0, sizeof *dets);
}
