/* The evaluated sequence that the CLEAR, identity and HOTA metrics share: per frame the
 * truth and hypothesis boxes with dense ids, after filtering. */
#ifndef VIGIL_METRICS_INTERNAL_H
#define VIGIL_METRICS_INTERNAL_H

#include "vigil/assignment.h"
#include "vigil/mot_metrics.h"

typedef struct vigil_eval_box {
    int id; /* dense: 0 .. truth_ids-1 or hypothesis_ids-1 */
    int class_id;
    double box[4];
} vigil_eval_box;

typedef struct vigil_eval_sequence {
    int frames;
    int *gt_start, *res_start; /* frame f (0-based) holds gt[gt_start[f] .. gt_start[f+1]) */
    vigil_eval_box *gt, *res;
    int n_gt, n_res;
    int gt_ids, res_ids;
    bool class_aware;
    double *sim; /* one frame's truth x hypothesis IoU matrix */
    double *cost;
    double *sums;                                     /* a frame's row sums then column sums */
    int *row_match, *col_match, *rows, *cols, *pairs; /* per-frame scratch */
    vigil_lap_workspace lap;
} vigil_eval_sequence;

vigil_status vigil_eval_sequence_build(vigil_eval_sequence *s, const vigil_mot_records *gt,
                                       const vigil_mot_records *res,
                                       const vigil_mot_eval_options *options, vigil_error *err);
void vigil_eval_sequence_free(vigil_eval_sequence *s);

/* Fills s->sim with the IoU of every truth and hypothesis box of frame f (0 where the
 * classes may not pair); returns it, row-major truth x hypothesis. */
const double *vigil_eval_frame_similarity(vigil_eval_sequence *s, int f);

/* IoU in double precision, so that the 0.5 threshold is decided exactly as in Python. */
double vigil_eval_iou(const double a[4], const double b[4]);

vigil_status vigil_eval_clear(vigil_eval_sequence *s, double threshold, vigil_mot_metrics *m,
                              vigil_error *err);
vigil_status vigil_eval_identity(vigil_eval_sequence *s, double threshold, vigil_mot_metrics *m,
                                 vigil_error *err);
vigil_status vigil_eval_hota(vigil_eval_sequence *s, vigil_mot_metrics *m, vigil_error *err);

#endif
