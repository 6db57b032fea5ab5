/* Tracker lifetime, options, and the buffers that grow to the largest frame seen. */
#include <stdlib.h>
#include <string.h>

#include "tracker_internal.h"

vigil_tracker_options vigil_tracker_options_default(void) {
    return (vigil_tracker_options){
        .high_threshold = 0.6f,
        .low_threshold = 0.1f,
        .new_track_threshold = 0.7f,
        .match_cost_high = 0.8f,
        .match_cost_low = 0.5f,
        .match_cost_tentative = 0.7f,
        .recovery_cost = 0.7f,
        .recovery_seconds = 0.5,
        .fuse_score = true,
        .class_aware = true,
        .confirm_hits = 2,
        .lost_seconds = 2.0,
        .stationary_seconds = 2.0,
        .stationary_lost_seconds = 600.0,
        .observation_reupdate = true,
        .observation_recovery = false,
        .lost_velocity_fit = true,
        .cascade = false,
        .reference_interval = 1.0 / 30.0,
    };
}

vigil_tracker_options vigil_tracker_options_bytetrack(void) {
    vigil_tracker_options opt = vigil_tracker_options_default();
    opt.observation_reupdate = false;
    opt.observation_recovery = false;
    opt.lost_velocity_fit = false;
    opt.cascade = false;
    opt.stationary_seconds = 0;
    return opt;
}

static vigil_status check_options(const vigil_tracker_options *o, vigil_error *err) {
    if (!(o->low_threshold >= 0 && o->low_threshold <= o->high_threshold && o->high_threshold <= 1))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "tracker: thresholds must satisfy 0 <= low (%g) <= high (%g) <= 1",
                               (double)o->low_threshold, (double)o->high_threshold);
    if (!(o->new_track_threshold >= 0 && o->new_track_threshold <= 1))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "tracker: new-track threshold %g is outside 0..1",
                               (double)o->new_track_threshold);
    const float costs[4] = {o->match_cost_high, o->match_cost_low, o->match_cost_tentative,
                            o->recovery_cost};
    for (int i = 0; i < 4; i++)
        if (!(costs[i] >= 0 && costs[i] < 1))
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "tracker: match cost %g is outside [0, 1): a cost of 1 would "
                                   "pair boxes that do not overlap",
                                   (double)costs[i]);
    if (o->confirm_hits < 1)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "tracker: confirm_hits must be at least 1, got %d", o->confirm_hits);
    if (!(o->lost_seconds >= 0) || !(o->stationary_seconds >= 0) || !(o->recovery_seconds >= 0) ||
        !(o->stationary_lost_seconds >= 0))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "tracker: durations must not be negative");
    if (!(o->reference_interval > 0))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "tracker: reference_interval must be positive");
    return VIGIL_STATUS_OK;
}

vigil_status vigil_tracker_create(const vigil_tracker_options *options, vigil_tracker **out,
                                  vigil_error *err) {
    *out = NULL;
    vigil_tracker_options opt = options ? *options : vigil_tracker_options_default();
    vigil_status status = check_options(&opt, err);
    if (status < 0)
        return status;
    vigil_tracker *t = calloc(1, sizeof *t);
    if (!t)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "tracker: out of memory");
    t->opt = opt;
    t->noise = (vigil_kalman_noise){
        .position = 1.0 / 20.0, .velocity = 1.0 / 160.0, .interval = opt.reference_interval};
    t->next_id = 1;
    *out = t;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_tracker_set_options(vigil_tracker *t, const vigil_tracker_options *options,
                                       vigil_error *err) {
    vigil_status status = check_options(options, err);
    if (status < 0)
        return status;
    t->opt = *options;
    /* The filters keep no state derived from the noise levels: the new reference
     * interval applies from the next prediction. */
    t->noise.interval = options->reference_interval;
    return VIGIL_STATUS_OK;
}

void vigil_tracker_free(vigil_tracker *t) {
    if (!t)
        return;
    free(t->tracks);
    free(t->filters);
    free(t->out);
    free(t->high);
    free(t->low);
    free(t->cols);
    free(t->det_used);
    free(t->col_match);
    free(t->rows);
    free(t->row_match);
    free(t->edges);
    free(t->sweep);
    vigil_lap_workspace_free(&t->lap);
    free(t);
}

void vigil_tracker_reset(vigil_tracker *t) {
    t->count = 0;
    t->out_count = 0;
    t->next_id = 1;
    t->started = 0;
    t->time = 0;
}

static int grow(void **p, size_t bytes) {
    void *q = realloc(*p, bytes);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

/* Makes room for tracks + n new ones and for n detections, before anything changes,
 * so that a failure leaves the tracker as it was. */
vigil_status vigil_tracker_reserve(vigil_tracker *t, int n, vigil_error *err) {
    int need = t->count + n;
    if (need > t->capacity) {
        int cap = t->capacity ? t->capacity : 64;
        while (cap < need)
            cap *= 2;
        if (grow((void **)&t->tracks, (size_t)cap * sizeof *t->tracks) ||
            grow((void **)&t->filters, (size_t)cap * sizeof *t->filters) ||
            grow((void **)&t->out, (size_t)cap * sizeof *t->out) ||
            grow((void **)&t->rows, (size_t)cap * sizeof *t->rows) ||
            grow((void **)&t->row_match, (size_t)cap * sizeof *t->row_match))
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY,
                                   "tracker: out of memory for %d tracks", cap);
        t->capacity = cap;
        t->allocations++;
    }
    if (n > t->det_capacity) {
        int cap = t->det_capacity ? t->det_capacity : 64;
        while (cap < n)
            cap *= 2;
        if (grow((void **)&t->high, (size_t)cap * sizeof *t->high) ||
            grow((void **)&t->low, (size_t)cap * sizeof *t->low) ||
            grow((void **)&t->cols, (size_t)cap * sizeof *t->cols) ||
            grow((void **)&t->det_used, (size_t)cap * sizeof *t->det_used) ||
            grow((void **)&t->col_match, (size_t)cap * sizeof *t->col_match) ||
            grow((void **)&t->sweep, (size_t)cap * sizeof(vigil_sweep_entry)))
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY,
                                   "tracker: out of memory for %d detections", cap);
        t->det_capacity = cap;
        t->allocations++;
    }
    size_t cells = (size_t)t->capacity * (size_t)t->det_capacity;
    if (cells > t->edge_capacity) {
        if (grow((void **)&t->edges, cells * sizeof *t->edges))
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY,
                                   "tracker: out of memory for %d x %d pairs", t->capacity,
                                   t->det_capacity);
        t->edge_capacity = cells;
        t->allocations++;
    }
    return VIGIL_STATUS_OK;
}

void vigil_tracker_tracks(const vigil_tracker *t, const vigil_track **tracks, int *count) {
    *tracks = t->tracks;
    *count = t->count;
}

long vigil_tracker_allocations(const vigil_tracker *t) {
    return t->allocations + t->lap.allocations;
}
