/* IDF1, IDP, IDR: the id pairing that shares the most boxes (see vigil/mot_metrics.h). */
#include <stdlib.h>

#include "metrics_internal.h"

vigil_status vigil_eval_identity(vigil_eval_sequence *s, double threshold, vigil_mot_metrics *m,
                                 vigil_error *err) {
    int G = s->gt_ids, H = s->res_ids;
    if (G == 0 || H == 0) {
        m->idtp = 0;
    } else {
        /* shared[g][h]: frames where truth g and hypothesis h overlap at the threshold. */
        double *shared = calloc((size_t)G * H, sizeof *shared);
        int *g2h = malloc((size_t)G * sizeof *g2h);
        if (!shared || !g2h) {
            free(shared);
            free(g2h);
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY,
                                   "IDF1: out of memory for %d x %d ids", G, H);
        }
        for (int f = 0; f < s->frames; f++) {
            int g0 = s->gt_start[f], ng = s->gt_start[f + 1] - g0;
            int r0 = s->res_start[f], nr = s->res_start[f + 1] - r0;
            const double *sim = vigil_eval_frame_similarity(s, f);
            for (int i = 0; i < ng; i++)
                for (int j = 0; j < nr; j++)
                    if (sim[(size_t)i * nr + j] >= threshold)
                        shared[(size_t)s->gt[g0 + i].id * H + s->res[r0 + j].id] -= 1.0;
        }
        /* Leaving an id unpaired costs its boxes as misses or false positives either
         * way, so the best pairing is the one that maximises the shared boxes. */
        vigil_status status = vigil_lap_solve(&s->lap, shared, G, H, g2h, NULL, err);
        int idtp = 0;
        for (int g = 0; status == VIGIL_STATUS_OK && g < G; g++)
            if (g2h[g] >= 0)
                idtp += (int)-shared[(size_t)g * H + g2h[g]];
        free(shared);
        free(g2h);
        if (status < 0)
            return status;
        m->idtp = idtp;
    }
    m->idfn = m->truth_boxes - m->idtp;
    m->idfp = m->hypothesis_boxes - m->idtp;
    m->idp = m->hypothesis_boxes ? (double)m->idtp / m->hypothesis_boxes : 0;
    m->idr = m->truth_boxes ? (double)m->idtp / m->truth_boxes : 0;
    int both = m->truth_boxes + m->hypothesis_boxes;
    m->idf1 = both ? 2.0 * m->idtp / both : 0;
    return VIGIL_STATUS_OK;
}
