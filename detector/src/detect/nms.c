/* Greedy non-maximum suppression on [x, y, w, h] boxes, in place and allocation-free:
 * kept boxes are compacted to the front of the array, and each candidate is compared
 * only with the boxes kept so far (at most max_keep of them). */
#include <stdlib.h>

#include "vigil/detect.h"

float vigil_box_iou(const float a[4], const float b[4]) {
    float ix0 = a[0] > b[0] ? a[0] : b[0];
    float iy0 = a[1] > b[1] ? a[1] : b[1];
    float ax1 = a[0] + a[2], bx1 = b[0] + b[2];
    float ay1 = a[1] + a[3], by1 = b[1] + b[3];
    float ix1 = ax1 < bx1 ? ax1 : bx1;
    float iy1 = ay1 < by1 ? ay1 : by1;
    float iw = ix1 - ix0, ih = iy1 - iy0;
    if (iw <= 0.0f || ih <= 0.0f)
        return 0.0f;
    float inter = iw * ih;
    float uni = a[2] * a[3] + b[2] * b[3] - inter;
    return uni > 0.0f ? inter / uni : 0.0f;
}

/* Score descending; ties broken by class and position so that the order, and hence
 * which of two equal boxes survives, does not depend on qsort's internals. */
static int compare_detections(const void *pa, const void *pb) {
    const vigil_detection *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->class_id != b->class_id)
        return a->class_id < b->class_id ? -1 : 1;
    for (int i = 0; i < 4; i++)
        if (a->box[i] != b->box[i])
            return a->box[i] < b->box[i] ? -1 : 1;
    return 0;
}

void vigil_nms(vigil_detections *dets, float iou_threshold, bool class_agnostic, int max_keep) {
    if (!dets || dets->count == 0)
        return;
    if (max_keep <= 0) {
        dets->count = 0;
        return;
    }
    qsort(dets->items, (size_t)dets->count, sizeof *dets->items, compare_detections);
    int kept = 0;
    for (int i = 0; i < dets->count && kept < max_keep; i++) {
        const vigil_detection *cand = &dets->items[i];
        bool suppressed = false;
        for (int k = 0; k < kept && !suppressed; k++) {
            const vigil_detection *keep = &dets->items[k];
            if (!class_agnostic && keep->class_id != cand->class_id)
                continue;
            suppressed = vigil_box_iou(keep->box, cand->box) > iou_threshold;
        }
        if (!suppressed)
            dets->items[kept++] = *cand;
    }
    dets->count = kept;
}
