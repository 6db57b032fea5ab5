/*
 * vigil/mot_metrics.h — multi-object tracking metrics: CLEAR MOT, identity (IDF1) and
 * HOTA, computed from ground truth and tracker output in MOT text (vigil/mot.h).
 *
 * The definitions follow the two reference implementations that papers quote:
 *
 * - CLEAR MOT as py-motmetrics computes it: per frame, a truth object keeps the
 *   hypothesis it was paired with last time if their IoU is still >= 0.5; the others
 *   are paired by an assignment that first maximises the number of pairs with IoU
 *   >= 0.5, then minimises 1 - IoU. A truth object paired with another hypothesis than
 *   its last one is an identity switch; a truth object tracked again after a miss
 *   (within its tracked span) is a fragmentation; MT/PT/ML are the objects tracked in
 *   >= 80 %, between, and < 20 % of their frames. MOTA = 1 - (FN + FP + IDSW) / truth
 *   boxes. MOTP is reported as TrackEval does: the mean IoU of the pairs (py-motmetrics
 *   prints 1 minus this).
 * - IDF1 (Ristani et al. 2016), as both compute it: the one-to-one pairing of truth
 *   and hypothesis ids that maximises the boxes they share at IoU >= 0.5 (IDTP);
 *   IDP = IDTP / hypothesis boxes, IDR = IDTP / truth boxes, IDF1 = 2 IDTP / (both).
 * - HOTA (Luiten et al. 2021) as TrackEval computes it: per frame the pairing that
 *   maximises IoU weighted by the global alignment of the two ids, then for each
 *   alpha in 0.05, 0.10 .. 0.95 the pairs with IoU >= alpha count as true positives;
 *   DetA = TP / (TP + FN + FP), AssA the mean over TPs of the pair's association
 *   Jaccard, LocA the mean IoU of TPs, HOTA = sqrt(DetA AssA); the reported values are
 *   the means over the 19 alphas.
 *
 * Truth boxes whose conf column is 0 are "do not care": hypotheses paired with them
 * (IoU >= 0.5, as in TrackEval's MOT17 preprocessing) are removed before evaluation,
 * and they count neither as misses nor as false positives. With class_aware set, a
 * truth box and a hypothesis of different classes never pair (a class of -1 pairs with
 * any); class_id restricts the evaluation to one class.
 *
 *     vigil_mot_records gt = {0}, res = {0};
 *     vigil_mot_read("gt.txt", VIGIL_MOT_GROUND_TRUTH, &gt, &err);
 *     vigil_mot_read("tracks.txt", VIGIL_MOT_TRACKS, &res, &err);
 *     vigil_mot_eval_options opt = vigil_mot_eval_options_default();
 *     vigil_mot_metrics m;
 *     if (vigil_mot_evaluate(&gt, &res, &opt, &m, &err) < 0) ...
 *     printf("MOTA %.1f IDF1 %.1f HOTA %.1f\n", 100 * m.mota, 100 * m.idf1, 100 * m.hota);
 */
#ifndef VIGIL_MOT_METRICS_H
#define VIGIL_MOT_METRICS_H

#include <stdbool.h>

#include "vigil/mot.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_HOTA_ALPHAS 19

typedef struct vigil_mot_eval_options {
    double iou_threshold; /* CLEAR MOT and IDF1 pairing; default 0.5 */
    bool class_aware;     /* different classes never pair; default true */
    int class_id;         /* evaluate only this class (MOT numbering); -1 = all (default) */
} vigil_mot_eval_options;

typedef struct vigil_mot_metrics {
    int frames;           /* highest frame in either file */
    int truth_boxes;      /* after dropping "do not care" ones */
    int hypothesis_boxes; /* after dropping those on "do not care" truth */
    int truth_ids, hypothesis_ids;
    /* CLEAR MOT */
    int matches, false_positives, misses, id_switches, fragmentations;
    int mostly_tracked, partially_tracked, mostly_lost;
    double mota, motp;
    /* identity */
    int idtp, idfp, idfn;
    double idf1, idp, idr;
    /* HOTA, means over the alphas, and per alpha */
    double hota, deta, assa, loca, detre, detpr, assre, asspr;
    double hota_alpha[VIGIL_HOTA_ALPHAS], deta_alpha[VIGIL_HOTA_ALPHAS],
        assa_alpha[VIGIL_HOTA_ALPHAS], loca_alpha[VIGIL_HOTA_ALPHAS];
} vigil_mot_metrics;

vigil_mot_eval_options vigil_mot_eval_options_default(void);

/* Evaluates tracks res against truth gt (both sorted by frame, as the reader returns
 * them). Ratios with a zero denominator are reported as 0. */
vigil_status vigil_mot_evaluate(const vigil_mot_records *gt, const vigil_mot_records *res,
                                const vigil_mot_eval_options *options, vigil_mot_metrics *out,
                                vigil_error *err);

#ifdef __cplusplus
}
#endif
#endif
