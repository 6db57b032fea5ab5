/* Turns truth and tracker records into the evaluated sequence: class filter, removal
 * of "do not care" truth and of the hypotheses on it, dense ids, per-frame ranges. */
#include <stdlib.h>
#include <string.h>

#include "metrics_internal.h"

double vigil_eval_iou(const double a[4], const double b[4]) {
    double x0 = a[0] > b[0] ? a[0] : b[0];
    double y0 = a[1] > b[1] ? a[1] : b[1];
    double x1 = a[0] + a[2] < b[0] + b[2] ? a[0] + a[2] : b[0] + b[2];
    double y1 = a[1] + a[3] < b[1] + b[3] ? a[1] + a[3] : b[1] + b[3];
    if (x1 <= x0 || y1 <= y0)
        return 0.0;
    double inter = (x1 - x0) * (y1 - y0);
    double uni = a[2] * a[3] + b[2] * b[3] - inter;
    return uni > 0 ? inter / uni : 0.0;
}

static int classes_pair(const vigil_eval_sequence *s, int a, int b) {
    return !s->class_aware || a < 0 || b < 0 || a == b;
}

static int compare_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Sorted unique ids of boxes[n], written over ids[] (room for n); returns the count. */
static int unique_ids(const vigil_eval_box *boxes, int n, int *ids) {
    for (int i = 0; i < n; i++)
        ids[i] = boxes[i].id;
    qsort(ids, (size_t)n, sizeof *ids, compare_int);
    int u = 0;
    for (int i = 0; i < n; i++)
        if (u == 0 || ids[u - 1] != ids[i])
            ids[u++] = ids[i];
    return u;
}

static void densify(vigil_eval_box *boxes, int n, const int *ids, int u) {
    for (int i = 0; i < n; i++) {
        const int *p = bsearch(&boxes[i].id, ids, (size_t)u, sizeof *ids, compare_int);
        boxes[i].id = (int)(p - ids);
    }
}

static int keep_class(const vigil_mot_eval_options *o, int class_id) {
    return o->class_id < 0 || class_id == o->class_id;
}

static vigil_eval_box to_box(const vigil_mot_record *r) {
    vigil_eval_box b = {.id = r->id, .class_id = r->class_id};
    for (int k = 0; k < 4; k++)
        b.box[k] = r->box[k];
    return b;
}

/* For frame records gt[ga..gb) and res[ra..rb): marks in drop[] the hypotheses that the
 * IoU-maximising assignment pairs (at >= 0.5) with a "do not care" truth box. */
static vigil_status mark_on_ignored(vigil_eval_sequence *s, const vigil_mot_record *gt, int ng,
                                    const vigil_mot_record *res, int nr, char *drop,
                                    vigil_error *err) {
    int any_ignored = 0;
    for (int i = 0; i < ng; i++)
        any_ignored |= gt[i].score == 0;
    if (!any_ignored || nr == 0)
        return VIGIL_STATUS_OK;
    double *cost = malloc((size_t)ng * nr * sizeof *cost);
    int *r2c = malloc((size_t)ng * sizeof *r2c);
    if (!cost || !r2c) {
        free(cost);
        free(r2c);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "evaluation: out of memory");
    }
    for (int i = 0; i < ng; i++)
        for (int j = 0; j < nr; j++) {
            vigil_eval_box a = to_box(&gt[i]), b = to_box(&res[j]);
            double iou = vigil_eval_iou(a.box, b.box);
            cost[(size_t)i * nr + j] = iou >= 0.5 - 1e-12 ? -iou : 0;
        }
    vigil_status status = vigil_lap_solve(&s->lap, cost, ng, nr, r2c, NULL, err);
    for (int i = 0; status == VIGIL_STATUS_OK && i < ng; i++)
        if (gt[i].score == 0 && r2c[i] >= 0 && cost[(size_t)i * nr + r2c[i]] < 0)
            drop[r2c[i]] = 1;
    free(cost);
    free(r2c);
    return status;
}

vigil_status vigil_eval_sequence_build(vigil_eval_sequence *s, const vigil_mot_records *gt,
                                       const vigil_mot_records *res,
                                       const vigil_mot_eval_options *o, vigil_error *err) {
    memset(s, 0, sizeof *s);
    s->class_aware = o->class_aware;
    int last_gt = vigil_mot_last_frame(gt), last_res = vigil_mot_last_frame(res);
    s->frames = last_gt > last_res ? last_gt : last_res;
    s->gt_start = calloc((size_t)s->frames + 1, sizeof *s->gt_start);
    s->res_start = calloc((size_t)s->frames + 1, sizeof *s->res_start);
    s->gt = malloc(((size_t)gt->count + 1) * sizeof *s->gt);
    s->res = malloc(((size_t)res->count + 1) * sizeof *s->res);
    char *drop = calloc((size_t)res->count + 1, 1);
    int *ids =
        malloc(((size_t)(gt->count > res->count ? gt->count : res->count) + 1) * sizeof *ids);
    vigil_status status = VIGIL_STATUS_OK;
    if (!s->gt_start || !s->res_start || !s->gt || !s->res || !drop || !ids) {
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "evaluation: out of memory");
        goto done;
    }
    for (int i = 1; i < gt->count; i++)
        if (gt->items[i].frame < gt->items[i - 1].frame) {
            status = vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                     "evaluation: truth records are not sorted by frame");
            goto done;
        }
    for (int i = 1; i < res->count; i++)
        if (res->items[i].frame < res->items[i - 1].frame) {
            status = vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                     "evaluation: tracker records are not sorted by frame");
            goto done;
        }
    int gi = 0, ri = 0;
    for (int f = 1; f <= s->frames; f++) {
        int ga = gi, ra = ri;
        while (gi < gt->count && gt->items[gi].frame == f)
            gi++;
        while (ri < res->count && res->items[ri].frame == f)
            ri++;
        /* Class filtering first, so "do not care" boxes of other classes cannot remove
         * hypotheses of the class evaluated. */
        s->gt_start[f - 1] = s->n_gt;
        s->res_start[f - 1] = s->n_res;
        status =
            mark_on_ignored(s, gt->items + ga, gi - ga, res->items + ra, ri - ra, drop + ra, err);
        if (status < 0)
            goto done;
        for (int i = ga; i < gi; i++)
            if (gt->items[i].score != 0 && keep_class(o, gt->items[i].class_id))
                s->gt[s->n_gt++] = to_box(&gt->items[i]);
        for (int i = ra; i < ri; i++)
            if (!drop[i] && keep_class(o, res->items[i].class_id))
                s->res[s->n_res++] = to_box(&res->items[i]);
    }
    s->gt_start[s->frames] = s->n_gt;
    s->res_start[s->frames] = s->n_res;
    s->gt_ids = unique_ids(s->gt, s->n_gt, ids);
    densify(s->gt, s->n_gt, ids, s->gt_ids);
    s->res_ids = unique_ids(s->res, s->n_res, ids);
    densify(s->res, s->n_res, ids, s->res_ids);
    /* Scratch for the largest frame. */
    size_t cells = 1, side = 1;
    for (int f = 0; f < s->frames; f++) {
        size_t ng = (size_t)(s->gt_start[f + 1] - s->gt_start[f]);
        size_t nr = (size_t)(s->res_start[f + 1] - s->res_start[f]);
        cells = ng * nr > cells ? ng * nr : cells;
        side = ng > side ? ng : side;
        side = nr > side ? nr : side;
    }
    s->sim = malloc(cells * sizeof *s->sim);
    s->cost = malloc(cells * sizeof *s->cost);
    s->row_match = malloc(side * sizeof *s->row_match);
    s->col_match = malloc(side * sizeof *s->col_match);
    s->rows = malloc(side * sizeof *s->rows);
    s->sums = malloc(2 * side * sizeof *s->sums);
    s->cols = malloc(side * sizeof *s->cols);
    s->pairs = malloc(side * sizeof *s->pairs);
    if (!s->sim || !s->cost || !s->row_match || !s->col_match || !s->rows || !s->cols ||
        !s->pairs || !s->sums)
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "evaluation: out of memory");
done:
    free(drop);
    free(ids);
    return status;
}

void vigil_eval_sequence_free(vigil_eval_sequence *s) {
    free(s->gt_start);
    free(s->res_start);
    free(s->gt);
    free(s->res);
    free(s->sim);
    free(s->cost);
    free(s->row_match);
    free(s->col_match);
    free(s->rows);
    free(s->sums);
    free(s->cols);
    free(s->pairs);
    vigil_lap_workspace_free(&s->lap);
    memset(s, 0, sizeof *s);
}

const double *vigil_eval_frame_similarity(vigil_eval_sequence *s, int f) {
    int g0 = s->gt_start[f], ng = s->gt_start[f + 1] - g0;
    int r0 = s->res_start[f], nr = s->res_start[f + 1] - r0;
    for (int i = 0; i < ng; i++)
        for (int j = 0; j < nr; j++) {
            const vigil_eval_box *a = &s->gt[g0 + i], *b = &s->res[r0 + j];
            s->sim[(size_t)i * nr + j] =
                classes_pair(s, a->class_id, b->class_id) ? vigil_eval_iou(a->box, b->box) : 0.0;
        }
    return s->sim;
}
