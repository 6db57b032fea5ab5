/* HOTA as TrackEval's HOTA class computes it (see vigil/mot_metrics.h). */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "metrics_internal.h"

typedef struct hota_pair {
    int g, h;
    double sim;
} hota_pair;

static int compare_pairs(const void *a, const void *b) {
    const hota_pair *x = a, *y = b;
    if (x->g != y->g)
        return (x->g > y->g) - (x->g < y->g);
    return (x->h > y->h) - (x->h < y->h);
}

static double alpha_value(int a) {
    return 0.05 + a * 0.05; /* numpy.arange(0.05, 0.99, 0.05), element by element */
}

static void hota_finish(vigil_mot_metrics *m, const double *tp, const double *fn, const double *fp,
                        const double *assa, const double *assre, const double *asspr,
                        const double *loca) {
    m->hota = m->deta = m->assa = m->loca = m->detre = m->detpr = m->assre = m->asspr = 0;
    for (int a = 0; a < VIGIL_HOTA_ALPHAS; a++) {
        double det_a = tp[a] / fmax(1.0, tp[a] + fn[a] + fp[a]);
        m->deta_alpha[a] = det_a;
        m->assa_alpha[a] = assa[a];
        m->loca_alpha[a] = loca[a];
        m->hota_alpha[a] = sqrt(det_a * assa[a]);
        m->hota += m->hota_alpha[a] / VIGIL_HOTA_ALPHAS;
        m->deta += det_a / VIGIL_HOTA_ALPHAS;
        m->assa += assa[a] / VIGIL_HOTA_ALPHAS;
        m->loca += loca[a] / VIGIL_HOTA_ALPHAS;
        m->detre += tp[a] / fmax(1.0, tp[a] + fn[a]) / VIGIL_HOTA_ALPHAS;
        m->detpr += tp[a] / fmax(1.0, tp[a] + fp[a]) / VIGIL_HOTA_ALPHAS;
        m->assre += assre[a] / VIGIL_HOTA_ALPHAS;
        m->asspr += asspr[a] / VIGIL_HOTA_ALPHAS;
    }
}

vigil_status vigil_eval_hota(vigil_eval_sequence *s, vigil_mot_metrics *m, vigil_error *err) {
    enum { A = VIGIL_HOTA_ALPHAS };
    double tp[A] = {0}, fn[A] = {0}, fp[A] = {0}, assa[A] = {0}, assre[A] = {0}, asspr[A] = {0},
           loca[A] = {0};
    if (s->n_gt == 0 || s->n_res == 0) {
        /* TrackEval's special cases: everything missed or everything false. */
        for (int a = 0; a < A; a++) {
            fn[a] = s->n_gt;
            fp[a] = s->n_res;
            loca[a] = 1.0;
        }
        hota_finish(m, tp, fn, fp, assa, assre, asspr, loca);
        return VIGIL_STATUS_OK;
    }
    int G = s->gt_ids, H = s->res_ids;
    double *potential = calloc((size_t)G * H, sizeof *potential);
    double *gt_count = calloc((size_t)G, sizeof *gt_count);
    double *res_count = calloc((size_t)H, sizeof *res_count);
    hota_pair *pairs = malloc((size_t)s->n_gt * sizeof *pairs);
    vigil_status status = VIGIL_STATUS_OK;
    if (!potential || !gt_count || !res_count || !pairs) {
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "HOTA: out of memory for %d x %d ids",
                                 G, H);
        goto done;
    }
    /* Pass 1: how much each pair of ids could be matched, each frame's similarity
     * normalised by the competition for it in that frame. */
    for (int f = 0; f < s->frames; f++) {
        int g0 = s->gt_start[f], ng = s->gt_start[f + 1] - g0;
        int r0 = s->res_start[f], nr = s->res_start[f + 1] - r0;
        const double *sim = vigil_eval_frame_similarity(s, f);
        double *row_sum = s->sums, *col_sum = s->sums + ng;
        for (int i = 0; i < ng; i++)
            row_sum[i] = 0;
        for (int j = 0; j < nr; j++)
            col_sum[j] = 0;
        for (int i = 0; i < ng; i++)
            for (int j = 0; j < nr; j++) {
                row_sum[i] += sim[(size_t)i * nr + j];
                col_sum[j] += sim[(size_t)i * nr + j];
            }
        for (int i = 0; i < ng; i++) {
            gt_count[s->gt[g0 + i].id] += 1;
            for (int j = 0; j < nr; j++) {
                double x = sim[(size_t)i * nr + j];
                double denom = row_sum[i] + col_sum[j] - x;
                if (denom > DBL_EPSILON)
                    potential[(size_t)s->gt[g0 + i].id * H + s->res[r0 + j].id] += x / denom;
            }
        }
        for (int j = 0; j < nr; j++)
            res_count[s->res[r0 + j].id] += 1;
    }
    for (int g = 0; g < G; g++)
        for (int h = 0; h < H; h++) {
            double *p = &potential[(size_t)g * H + h];
            *p = *p / (gt_count[g] + res_count[h] - *p);
        }
    /* Pass 2: per frame, the pairing that maximises alignment x similarity. */
    int n_pairs = 0;
    for (int f = 0; f < s->frames && status == VIGIL_STATUS_OK; f++) {
        int g0 = s->gt_start[f], ng = s->gt_start[f + 1] - g0;
        int r0 = s->res_start[f], nr = s->res_start[f + 1] - r0;
        const double *sim = vigil_eval_frame_similarity(s, f);
        if (ng > 0 && nr > 0) {
            for (int i = 0; i < ng; i++)
                for (int j = 0; j < nr; j++)
                    s->cost[(size_t)i * nr + j] =
                        -potential[(size_t)s->gt[g0 + i].id * H + s->res[r0 + j].id] *
                        sim[(size_t)i * nr + j];
            status = vigil_lap_solve(&s->lap, s->cost, ng, nr, s->row_match, NULL, err);
        }
        for (int a = 0; a < A; a++) {
            fn[a] += ng;
            fp[a] += nr;
        }
        for (int i = 0; status == VIGIL_STATUS_OK && nr > 0 && i < ng; i++) {
            int j = s->row_match[i];
            if (j < 0)
                continue;
            double x = sim[(size_t)i * nr + j];
            if (x < alpha_value(0) - DBL_EPSILON)
                continue;
            pairs[n_pairs++] = (hota_pair){s->gt[g0 + i].id, s->res[r0 + j].id, x};
            for (int a = 0; a < A; a++)
                if (x >= alpha_value(a) - DBL_EPSILON) {
                    tp[a] += 1;
                    fn[a] -= 1;
                    fp[a] -= 1;
                    loca[a] += x;
                }
        }
    }
    if (status < 0)
        goto done;
    /* Association: for each alpha, every matched id pair scores the Jaccard index of the
     * two id's frames, weighted by how often it was matched. */
    qsort(pairs, (size_t)n_pairs, sizeof *pairs, compare_pairs);
    for (int p = 0; p < n_pairs;) {
        int q = p;
        while (q < n_pairs && pairs[q].g == pairs[p].g && pairs[q].h == pairs[p].h)
            q++;
        double gc = gt_count[pairs[p].g], hc = res_count[pairs[p].h];
        for (int a = 0; a < A; a++) {
            double mc = 0;
            for (int k = p; k < q; k++)
                mc += pairs[k].sim >= alpha_value(a) - DBL_EPSILON;
            assa[a] += mc * mc / fmax(1.0, gc + hc - mc);
            assre[a] += mc * mc / fmax(1.0, gc);
            asspr[a] += mc * mc / fmax(1.0, hc);
        }
        p = q;
    }
    for (int a = 0; a < A; a++) {
        assa[a] /= fmax(1.0, tp[a]);
        assre[a] /= fmax(1.0, tp[a]);
        asspr[a] /= fmax(1.0, tp[a]);
        loca[a] = fmax(1e-10, loca[a]) / fmax(1e-10, tp[a]);
    }
    hota_finish(m, tp, fn, fp, assa, assre, asspr, loca);
done:
    free(potential);
    free(gt_count);
    free(res_count);
    free(pairs);
    return status;
}
