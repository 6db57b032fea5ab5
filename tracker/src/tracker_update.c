/* The per-frame steps: predict every track to the new time, the association stages,
 * track births and deaths, and the report. */
#include <math.h>
#include <stdlib.h>

#include "tracker_internal.h"

/* Brings every track's filter to timestamp. Lost tracks stop changing size (as in
 * ByteTrack), and lost stationary ones stop moving altogether. */
static void predict_all(vigil_tracker *t, double timestamp) {
    double dt = t->started ? timestamp - t->time : 0;
    for (int i = 0; i < t->count; i++) {
        vigil_track *track = &t->tracks[i];
        vigil_track_filter *f = &t->filters[i];
        if (track->state == VIGIL_TRACK_STATE_LOST) {
            f->kf.axis[2].v = f->kf.axis[3].v = 0;
            if (track->stationary)
                f->kf.axis[0].v = f->kf.axis[1].v = 0;
        }
        vigil_kalman_predict(&f->kf, dt, &t->noise);
        vigil_kalman_get_box(&f->kf, track->box);
        track->velocity[0] = (float)f->kf.axis[0].v;
        track->velocity[1] = (float)f->kf.axis[1].v;
        track->detection = -1;
        f->missed_steps++;
        f->paired = 0;
    }
    t->time = timestamp;
    t->started = 1;
}

/* OC-SORT's observation-centric re-update: rewind to the last observation and walk the
 * filter along evenly spaced virtual observations on the straight line to det. */
static void reupdate(vigil_tracker *t, vigil_track_filter *f, double last_seen,
                     const float det[4]) {
    int steps = f->missed_steps;
    double dt = (t->time - last_seen) / steps;
    f->kf = f->kf_at_observation;
    for (int s = 1; s < steps; s++) {
        float a = (float)s / (float)steps, box[4];
        for (int k = 0; k < 4; k++)
            box[k] = f->last_box[k] + a * (det[k] - f->last_box[k]);
        vigil_kalman_predict(&f->kf, dt, &t->noise);
        vigil_kalman_update(&f->kf, box, &t->noise);
    }
    vigil_kalman_predict(&f->kf, dt, &t->noise);
}

/* A stationary track has stayed within a quarter of its smaller side of one point for
 * stationary_seconds; moving further restarts the clock there. */
static void update_stationary(vigil_tracker *t, vigil_track *track, vigil_track_filter *f,
                              const float box[4]) {
    double cx = box[0] + 0.5 * box[2], cy = box[1] + 0.5 * box[3];
    double size = box[2] < box[3] ? box[2] : box[3];
    double dx = cx - f->anchor[0], dy = cy - f->anchor[1];
    if (dx * dx + dy * dy > 0.0625 * size * size) {
        f->anchor[0] = cx;
        f->anchor[1] = cy;
        f->anchor_time = t->time;
    }
    track->stationary =
        t->opt.stationary_seconds > 0 && t->time - f->anchor_time >= t->opt.stationary_seconds;
}

/* Remembers an observed centre for the velocity fit. */
static void remember(vigil_track_filter *f, double time, const float box[4]) {
    f->history_time[f->history_next] = time;
    f->history_x[f->history_next] = box[0] + 0.5f * box[2];
    f->history_y[f->history_next] = box[1] + 0.5f * box[3];
    f->history_next = (f->history_next + 1) % VIGIL_TRACK_HISTORY;
    if (f->history_count < VIGIL_TRACK_HISTORY)
        f->history_count++;
}

#define VELOCITY_FIT_SECONDS 1.0

/* The k-th smallest of a[0..n) (Hoare's selection; reorders a). */
static double select_kth(double *a, int n, int k) {
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = a[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                double t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return a[k];
    }
    return a[k];
}

static double median(double *a, int n) {
    double upper = select_kth(a, n, n / 2);
    if (n % 2)
        return upper;
    /* After selecting n/2, everything below it sits in a[0..n/2). */
    double lower = a[0];
    for (int i = 1; i < n / 2; i++)
        lower = a[i] > lower ? a[i] : lower;
    return 0.5 * (lower + upper);
}

/* Theil-Sen velocity of the centres observed in the last second before last_seen: the
 * median of the slopes between pairs of observations at least 0.1 s apart. Robust to
 * the few jittery boxes of a partly hidden object and to a motion that just changed
 * (a vehicle that stopped), where a least-squares fit follows both. 0 when fewer than
 * three observations or no pair qualifies. */
static int fit_velocity(const vigil_track_filter *f, double last_seen, double v[2]) {
    enum { MAX_PAIRS = VIGIL_TRACK_HISTORY * (VIGIL_TRACK_HISTORY - 1) / 2 };
    double sx[MAX_PAIRS], sy[MAX_PAIRS];
    int idx[VIGIL_TRACK_HISTORY], n = 0, pairs = 0;
    for (int k = 0; k < f->history_count; k++)
        if (last_seen - f->history_time[k] <= VELOCITY_FIT_SECONDS)
            idx[n++] = k;
    if (n < 3)
        return 0;
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++) {
            double dt = f->history_time[idx[b]] - f->history_time[idx[a]];
            if (dt > -0.1 && dt < 0.1)
                continue;
            sx[pairs] = (f->history_x[idx[b]] - f->history_x[idx[a]]) / dt;
            sy[pairs] = (f->history_y[idx[b]] - f->history_y[idx[a]]) / dt;
            pairs++;
        }
    if (pairs == 0)
        return 0;
    v[0] = median(sx, pairs);
    v[1] = median(sy, pairs);
    return 1;
}

/* A track just lost continues from its last observation at the fitted velocity. */
static void refit_lost(vigil_tracker *t, vigil_track *track, vigil_track_filter *f) {
    double v[2];
    if (!fit_velocity(f, track->last_seen, v))
        return;
    f->kf = f->kf_at_observation;
    f->kf.axis[0].v = v[0];
    f->kf.axis[1].v = v[1];
    f->kf.axis[2].v = f->kf.axis[3].v = 0;
    vigil_kalman_predict(&f->kf, t->time - track->last_seen, &t->noise);
    vigil_kalman_get_box(&f->kf, track->box);
    track->velocity[0] = (float)v[0];
    track->velocity[1] = (float)v[1];
}

static void pair_track(vigil_tracker *t, int i, const vigil_tracker_detection *dets, int j) {
    vigil_track *track = &t->tracks[i];
    vigil_track_filter *f = &t->filters[i];
    const vigil_tracker_detection *d = &dets[j];
    if (t->opt.observation_reupdate && f->missed_steps > 1)
        reupdate(t, f, track->last_seen, d->box);
    vigil_kalman_update(&f->kf, d->box, &t->noise);
    f->kf_at_observation = f->kf;
    for (int k = 0; k < 4; k++)
        f->last_box[k] = d->box[k];
    remember(f, t->time, d->box);
    f->missed_steps = 0;
    f->paired = 1;
    f->refitted = 0;
    vigil_kalman_get_box(&f->kf, track->box);
    track->velocity[0] = (float)f->kf.axis[0].v;
    track->velocity[1] = (float)f->kf.axis[1].v;
    track->score = d->score;
    track->detection = j;
    track->hits++;
    track->last_seen = t->time;
    if (track->state == VIGIL_TRACK_STATE_LOST)
        track->state = VIGIL_TRACK_STATE_CONFIRMED;
    update_stationary(t, track, f, d->box);
}

static void confirm(vigil_tracker *t, vigil_track *track) {
    track->state = VIGIL_TRACK_STATE_CONFIRMED;
    track->id = t->next_id++;
}

static void start_track(vigil_tracker *t, const vigil_tracker_detection *dets, int j) {
    int i = t->count++;
    vigil_track *track = &t->tracks[i];
    vigil_track_filter *f = &t->filters[i];
    const vigil_tracker_detection *d = &dets[j];
    *track = (vigil_track){.state = VIGIL_TRACK_STATE_TENTATIVE,
                           .score = d->score,
                           .class_id = d->class_id,
                           .detection = j,
                           .hits = 1,
                           .first_seen = t->time,
                           .last_seen = t->time};
    vigil_kalman_init(&f->kf, d->box, &t->noise);
    f->kf_at_observation = f->kf;
    for (int k = 0; k < 4; k++)
        f->last_box[k] = d->box[k];
    f->anchor[0] = d->box[0] + 0.5 * d->box[2];
    f->anchor[1] = d->box[1] + 0.5 * d->box[3];
    f->anchor_time = t->time;
    f->history_count = f->history_next = 0;
    remember(f, t->time, d->box);
    f->missed_steps = 0;
    f->paired = 1;
    f->refitted = 0;
    vigil_kalman_get_box(&f->kf, track->box);
    if (t->opt.confirm_hits <= 1)
        confirm(t, track);
}

/* Runs one stage between the unpaired tracks whose state is in mask (a bit per state)
 * and the unused detections among candidates, and pairs what it matches. */
static vigil_status stage(vigil_tracker *t, const vigil_tracker_detection *dets, unsigned mask,
                          const int *candidates, int n_candidates, vigil_track_box_kind box_kind,
                          int fuse, double limit, vigil_error *err) {
    int nr = 0, nc = 0;
    /* Recovery on the last observed box is for short gaps only. */
    double unseen_limit =
        box_kind == VIGIL_TRACK_BOX_LAST_OBSERVED ? t->opt.recovery_seconds : INFINITY;
    for (int i = 0; i < t->count; i++)
        if ((mask >> t->tracks[i].state & 1u) && !t->filters[i].paired &&
            t->time - t->tracks[i].last_seen <= unseen_limit)
            t->rows[nr++] = i;
    for (int c = 0; c < n_candidates; c++)
        if (!t->det_used[candidates[c]])
            t->cols[nc++] = candidates[c];
    vigil_status status = vigil_tracker_associate(t, dets, t->rows, nr, t->cols, nc, box_kind, fuse,
                                                  limit, t->row_match, err);
    if (status < 0)
        return status;
    for (int r = 0; r < nr; r++) {
        int j = t->row_match[r];
        if (j < 0)
            continue;
        t->det_used[j] = 1;
        vigil_track *track = &t->tracks[t->rows[r]];
        int was_tentative = track->state == VIGIL_TRACK_STATE_TENTATIVE;
        pair_track(t, t->rows[r], dets, j);
        if (was_tentative && track->hits >= t->opt.confirm_hits)
            confirm(t, track);
    }
    return VIGIL_STATUS_OK;
}

#define STATE_BIT(s) (1u << (s))

static vigil_status check_input(const vigil_tracker *t, double timestamp,
                                const vigil_tracker_detection *dets, int n, vigil_error *err) {
    if (!isfinite(timestamp))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "tracker: timestamp is not finite");
    if (t->started && timestamp < t->time)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "tracker: timestamp %.6f s is before the previous one (%.6f s)",
                               timestamp, t->time);
    if (n < 0 || (n > 0 && !dets))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "tracker: bad detection list (%d entries)", n);
    for (int j = 0; j < n; j++) {
        const float *b = dets[j].box;
        if (!isfinite(b[0]) || !isfinite(b[1]) || !(b[2] >= 0) || !(b[3] >= 0) || !isfinite(b[2]) ||
            !isfinite(b[3]) || !isfinite(dets[j].score))
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "tracker: detection %d has a bad box or score", j);
    }
    return VIGIL_STATUS_OK;
}

/* Drops removed tracks, keeping creation order, and collects the report. */
static void finish(vigil_tracker *t, int report_paired) {
    int kept = 0;
    for (int i = 0; i < t->count; i++) {
        if (t->tracks[i].state == VIGIL_TRACK_STATE_REMOVED)
            continue;
        if (kept != i) {
            t->tracks[kept] = t->tracks[i];
            t->filters[kept] = t->filters[i];
        }
        kept++;
    }
    t->count = kept;
    t->out_count = 0;
    for (int i = 0; i < t->count; i++)
        if (t->tracks[i].state == VIGIL_TRACK_STATE_CONFIRMED &&
            (!report_paired || t->filters[i].paired))
            t->out[t->out_count++] = t->tracks[i];
}

vigil_status vigil_tracker_update(vigil_tracker *t, double timestamp,
                                  const vigil_tracker_detection *dets, int n,
                                  const vigil_track **tracks, int *count, vigil_error *err) {
    *tracks = NULL;
    *count = 0;
    vigil_status status = check_input(t, timestamp, dets, n, err);
    if (status < 0 || (status = vigil_tracker_reserve(t, n, err)) < 0)
        return status;
    predict_all(t, timestamp);
    const vigil_tracker_options *o = &t->opt;
    int n_high = 0, n_low = 0;
    for (int j = 0; j < n; j++) {
        t->det_used[j] = 0;
        if (dets[j].score >= o->high_threshold)
            t->high[n_high++] = j;
        else if (dets[j].score >= o->low_threshold)
            t->low[n_low++] = j;
    }
    unsigned confirmed = STATE_BIT(VIGIL_TRACK_STATE_CONFIRMED);
    unsigned lost = STATE_BIT(VIGIL_TRACK_STATE_LOST);
    unsigned tentative = STATE_BIT(VIGIL_TRACK_STATE_TENTATIVE);
    /* 1: confident detections against every track that has been confirmed. */
    if (o->cascade) {
        status = stage(t, dets, confirmed, t->high, n_high, VIGIL_TRACK_BOX_PREDICTED,
                       o->fuse_score, o->match_cost_high, err);
        if (status == VIGIL_STATUS_OK)
            status = stage(t, dets, lost, t->high, n_high, VIGIL_TRACK_BOX_PREDICTED, o->fuse_score,
                           o->match_cost_high, err);
    } else {
        status = stage(t, dets, confirmed | lost, t->high, n_high, VIGIL_TRACK_BOX_PREDICTED,
                       o->fuse_score, o->match_cost_high, err);
    }
    /* 2: weak detections only continue tracks that were being followed. */
    if (status == VIGIL_STATUS_OK)
        status = stage(t, dets, confirmed, t->low, n_low, VIGIL_TRACK_BOX_PREDICTED, 0,
                       o->match_cost_low, err);
    if (status == VIGIL_STATUS_OK && o->observation_recovery)
        status = stage(t, dets, confirmed | lost, t->high, n_high, VIGIL_TRACK_BOX_LAST_OBSERVED, 0,
                       o->recovery_cost, err);
    /* 3: tentative tracks get one chance per frame to be seen again. */
    if (status == VIGIL_STATUS_OK)
        status = stage(t, dets, tentative, t->high, n_high, VIGIL_TRACK_BOX_PREDICTED,
                       o->fuse_score, o->match_cost_tentative, err);
    if (status < 0)
        return status;
    for (int i = 0; i < t->count; i++) {
        vigil_track *track = &t->tracks[i];
        if (t->filters[i].paired)
            continue;
        if (track->state == VIGIL_TRACK_STATE_TENTATIVE) {
            track->state = VIGIL_TRACK_STATE_REMOVED;
            continue;
        }
        if (track->state == VIGIL_TRACK_STATE_CONFIRMED) {
            track->state = VIGIL_TRACK_STATE_LOST;
        } else if (track->state == VIGIL_TRACK_STATE_LOST && o->lost_velocity_fit &&
                   !track->stationary && !t->filters[i].refitted) {
            /* Most misses last a frame, which the filter's own prediction bridges; fit
             * once the track is still unseen at the next update. */
            refit_lost(t, track, &t->filters[i]);
            t->filters[i].refitted = 1;
        }
        double keep = track->stationary ? o->stationary_lost_seconds : o->lost_seconds;
        if (timestamp - track->last_seen > keep)
            track->state = VIGIL_TRACK_STATE_REMOVED;
    }
    /* 4: what is left and confident enough starts a track. */
    for (int h = 0; h < n_high; h++) {
        int j = t->high[h];
        if (!t->det_used[j] && dets[j].score >= o->new_track_threshold)
            start_track(t, dets, j);
    }
    finish(t, 1);
    *tracks = t->out;
    *count = t->out_count;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_tracker_predict(vigil_tracker *t, double timestamp, const vigil_track **tracks,
                                   int *count, vigil_error *err) {
    *tracks = NULL;
    *count = 0;
    vigil_status status = check_input(t, timestamp, NULL, 0, err);
    if (status < 0)
        return status;
    predict_all(t, timestamp);
    finish(t, 0);
    *tracks = t->out;
    *count = t->out_count;
    return VIGIL_STATUS_OK;
}
