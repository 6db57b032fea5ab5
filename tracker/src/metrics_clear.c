/* CLEAR MOT as py-motmetrics' MOTAccumulator computes it (see vigil/mot_metrics.h). */
#include <stdlib.h>

#include "metrics_internal.h"

/* Per truth object across the sequence. */
typedef struct clear_object {
    int last_hyp; /* hypothesis paired last time, -1 before the first pairing */
    int present, tracked;
    int ever_tracked, missed_since;
} clear_object;

vigil_status vigil_eval_clear(vigil_eval_sequence *s, double threshold, vigil_mot_metrics *m,
                              vigil_error *err) {
    clear_object *obj = calloc((size_t)s->gt_ids + 1, sizeof *obj);
    int *frame_hyp = malloc(((size_t)s->res_ids + 1) * sizeof *frame_hyp);
    if (!obj || !frame_hyp) {
        free(obj);
        free(frame_hyp);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "CLEAR MOT: out of memory");
    }
    for (int g = 0; g < s->gt_ids; g++)
        obj[g].last_hyp = -1;
    for (int h = 0; h < s->res_ids; h++)
        frame_hyp[h] = -1;
    double iou_sum = 0;
    vigil_status status = VIGIL_STATUS_OK;
    for (int f = 0; f < s->frames && status == VIGIL_STATUS_OK; f++) {
        int g0 = s->gt_start[f], ng = s->gt_start[f + 1] - g0;
        int r0 = s->res_start[f], nr = s->res_start[f + 1] - r0;
        const double *sim = vigil_eval_frame_similarity(s, f);
        int *gt_match = s->row_match, *res_match = s->col_match;
        for (int i = 0; i < ng; i++)
            gt_match[i] = -1;
        for (int j = 0; j < nr; j++) {
            res_match[j] = -1;
            frame_hyp[s->res[r0 + j].id] = j;
        }
        /* 1: pairs from last time that still overlap enough are kept. */
        for (int i = 0; i < ng; i++) {
            int h = obj[s->gt[g0 + i].id].last_hyp;
            int j = h >= 0 ? frame_hyp[h] : -1;
            if (j >= 0 && res_match[j] < 0 && sim[(size_t)i * nr + j] >= threshold) {
                gt_match[i] = j;
                res_match[j] = i;
            }
        }
        /* 2: the rest by assignment: most pairs first (an invalid pair costs more than
         * all valid ones together), then least total 1 - IoU. */
        int *rows = s->rows, *cols = s->cols, nrow = 0, ncol = 0;
        for (int i = 0; i < ng; i++)
            if (gt_match[i] < 0)
                rows[nrow++] = i;
        for (int j = 0; j < nr; j++)
            if (res_match[j] < 0)
                cols[ncol++] = j;
        if (nrow > 0 && ncol > 0) {
            double invalid = (nrow < ncol ? nrow : ncol) + 1.0;
            for (int a = 0; a < nrow; a++)
                for (int b = 0; b < ncol; b++) {
                    double x = sim[(size_t)rows[a] * nr + cols[b]];
                    s->cost[(size_t)a * ncol + b] = x >= threshold ? 1.0 - x : invalid;
                }
            int *r2c = s->pairs;
            status = vigil_lap_solve(&s->lap, s->cost, nrow, ncol, r2c, NULL, err);
            for (int a = 0; status == VIGIL_STATUS_OK && a < nrow; a++) {
                if (r2c[a] < 0 || s->cost[(size_t)a * ncol + r2c[a]] >= invalid)
                    continue;
                int i = rows[a], j = cols[r2c[a]];
                clear_object *o = &obj[s->gt[g0 + i].id];
                if (o->last_hyp >= 0 && o->last_hyp != s->res[r0 + j].id)
                    m->id_switches++;
                gt_match[i] = j;
                res_match[j] = i;
            }
        }
        for (int i = 0; i < ng; i++) {
            clear_object *o = &obj[s->gt[g0 + i].id];
            o->present++;
            if (gt_match[i] >= 0) {
                int j = gt_match[i];
                o->last_hyp = s->res[r0 + j].id;
                o->tracked++;
                m->matches++;
                iou_sum += sim[(size_t)i * nr + j];
                /* A fragmentation is a return to tracked after a miss. */
                if (o->ever_tracked && o->missed_since)
                    m->fragmentations++;
                o->ever_tracked = 1;
                o->missed_since = 0;
            } else {
                m->misses++;
                o->missed_since = 1;
            }
        }
        for (int j = 0; j < nr; j++) {
            if (res_match[j] < 0)
                m->false_positives++;
            frame_hyp[s->res[r0 + j].id] = -1;
        }
    }
    for (int g = 0; g < s->gt_ids; g++) {
        double ratio = obj[g].present ? (double)obj[g].tracked / obj[g].present : 0;
        if (ratio >= 0.8)
            m->mostly_tracked++;
        else if (ratio < 0.2)
            m->mostly_lost++;
        else
            m->partially_tracked++;
    }
    if (m->truth_boxes > 0)
        m->mota = 1.0 - (double)(m->misses + m->false_positives + m->id_switches) / m->truth_boxes;
    m->motp = m->matches > 0 ? iou_sum / m->matches : 0;
    free(obj);
    free(frame_hyp);
    return status;
}
