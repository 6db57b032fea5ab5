/* One association stage: the allowed track-detection pairs and their costs, then the
 * limited assignment. Only pairs whose boxes overlap can be allowed (every match cost is
 * below 1), so detections are swept in order of their left edge and each track looks
 * only at those that can reach it. */
#include <math.h>
#include <stdlib.h>

#include "tracker_internal.h"

/* A stationary track knows its box well and its own detections overlap it by about 0.9;
 * a detection overlapping it less is more likely an object arriving in front of it (a
 * truck before a parked car overlaps the car's box by 1 / (1.25 x 1.4) = 0.57 when 25 %
 * wider and 40 % taller). A parked car driving off moves a few pixels per frame at
 * first, so it stays above the bar while its track stops being stationary. */
#define STATIONARY_MIN_IOU 0.6

static int classes_compatible(int a, int b) {
    return a < 0 || b < 0 || a == b;
}

/* Insertion sort: a frame's detections come sorted by score, few per frame. */
static void sort_sweep(vigil_sweep_entry *s, int n) {
    for (int i = 1; i < n; i++) {
        vigil_sweep_entry x = s[i];
        int j = i - 1;
        while (j >= 0 && s[j].x0 > x.x0) {
            s[j + 1] = s[j];
            j--;
        }
        s[j + 1] = x;
    }
}

/* First index whose x0 is at least x. */
static int lower_bound(const vigil_sweep_entry *s, int n, float x) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (s[mid].x0 < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

vigil_status vigil_tracker_associate(vigil_tracker *t, const vigil_tracker_detection *dets,
                                     const int *rows, int nr, const int *cols, int nc,
                                     vigil_track_box_kind box_kind, int fuse_score, double limit,
                                     int *row_match, vigil_error *err) {
    for (int r = 0; r < nr; r++)
        row_match[r] = -1;
    if (nr == 0 || nc == 0)
        return VIGIL_STATUS_OK;
    vigil_sweep_entry *sweep = t->sweep;
    float widest = 0;
    for (int c = 0; c < nc; c++) {
        const float *b = dets[cols[c]].box;
        sweep[c] = (vigil_sweep_entry){b[0], b[0] + b[2], c};
        widest = b[2] > widest ? b[2] : widest;
    }
    sort_sweep(sweep, nc);
    int n_edges = 0;
    for (int r = 0; r < nr; r++) {
        const vigil_track *track = &t->tracks[rows[r]];
        const float *box =
            box_kind == VIGIL_TRACK_BOX_LAST_OBSERVED ? t->filters[rows[r]].last_box : track->box;
        double min_iou = track->stationary ? STATIONARY_MIN_IOU : 0.0;
        /* A detection overlapping box starts left of its right edge and ends right of its
         * left edge, so it starts no further left than left edge - widest. */
        for (int k = lower_bound(sweep, nc, box[0] - widest);
             k < nc && sweep[k].x0 < box[0] + box[2]; k++) {
            if (sweep[k].x1 <= box[0])
                continue;
            const vigil_tracker_detection *d = &dets[cols[sweep[k].col]];
            if (t->opt.class_aware && !classes_compatible(track->class_id, d->class_id))
                continue;
            double sim = vigil_tracker_iou(box, d->box);
            if (sim < min_iou)
                continue;
            if (fuse_score)
                sim *= d->score;
            double cost = 1.0 - sim;
            if (cost <= limit)
                t->edges[n_edges++] = (vigil_lap_edge){r, sweep[k].col, cost};
        }
    }
    vigil_status status = vigil_lap_solve_sparse(&t->lap, t->edges, n_edges, nr, nc, limit,
                                                 row_match, t->col_match, err);
    if (status < 0)
        return status;
    for (int r = 0; r < nr; r++)
        if (row_match[r] >= 0)
            row_match[r] = cols[row_match[r]];
    return VIGIL_STATUS_OK;
}
