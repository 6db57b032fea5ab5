/* One association stage: the cost matrix between tracks and detections, then the
 * limited assignment. */
#include <math.h>

#include "tracker_internal.h"

static int classes_compatible(int a, int b) {
    return a < 0 || b < 0 || a == b;
}

vigil_status vigil_tracker_associate(vigil_tracker *t, const vigil_tracker_detection *dets,
                                     const int *rows, int nr, const int *cols, int nc,
                                     vigil_track_box_kind box_kind, int fuse_score, double limit,
                                     int *row_match, vigil_error *err) {
    for (int r = 0; r < nr; r++)
        row_match[r] = -1;
    if (nr == 0 || nc == 0)
        return VIGIL_STATUS_OK;
    /* The caller sized cost for every track against every detection. */
    double *cost = t->cost;
    for (int r = 0; r < nr; r++) {
        const vigil_track *track = &t->tracks[rows[r]];
        const float *box =
            box_kind == VIGIL_TRACK_BOX_LAST_OBSERVED ? t->filters[rows[r]].last_box : track->box;
        for (int c = 0; c < nc; c++) {
            const vigil_tracker_detection *d = &dets[cols[c]];
            double x = INFINITY;
            if (!t->opt.class_aware || classes_compatible(track->class_id, d->class_id)) {
                double sim = vigil_tracker_iou(box, d->box);
                if (fuse_score)
                    sim *= d->score;
                x = 1.0 - sim;
            }
            cost[(size_t)r * nc + c] = x;
        }
    }
    vigil_status status =
        vigil_lap_solve_limited(&t->lap, cost, nr, nc, limit, row_match, t->col_match, err);
    if (status < 0)
        return status;
    for (int r = 0; r < nr; r++)
        if (row_match[r] >= 0)
            row_match[r] = cols[row_match[r]];
    return VIGIL_STATUS_OK;
}
