/* Crowding: how many watched tracks are in a zone, with hysteresis in count and time so
 * that a count hovering at the threshold raises one alert, not a stream of them.
 * Tracks briefly unseen (within track_timeout) still count at their last place. */
#include <math.h>
#include <stdlib.h>

#include "engine.h"

static cJSON *details(int count, int peak, const vigil_rule *r) {
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "count", count);
    cJSON_AddNumberToObject(d, "peak", peak);
    cJSON_AddNumberToObject(d, "min_count", r->crowding.min_count);
    return d;
}

void rule_crowding_frame(vigil_analytics *e, int ri) {
    const vigil_rule *r = &e->rules->rules[ri];
    rule_state *s = &e->states[ri];
    double pts = e->frame->pts;
    const track **inside = malloc(((size_t)e->track_count + 1) * sizeof *inside);
    if (!inside) {
        engine_fail(e, VIGIL_STATUS_NO_MEMORY, "out of memory");
        return;
    }
    int count = 0;
    for (int i = 0; i < e->track_count; i++) {
        const track *t = e->tracks[i];
        if (engine_track_eligible(e, r, t) && engine_track_in_zone(e, r, t))
            inside[count++] = t;
    }
    if (s->incident < 0) {
        if (count >= r->crowding.min_count) {
            if (isnan(s->cond_since))
                s->cond_since = pts;
            if (pts - s->cond_since >= r->seconds - 1e-9 &&
                engine_cooldown_over(e, r, s->last_end)) {
                s->peak = s->last_count = count;
                s->clear_since = NAN;
                s->incident = engine_open(e, ri, -1, 1.0, details(count, count, r),
                                          (const track *const *)inside, count);
            }
        } else {
            s->cond_since = NAN;
        }
    } else {
        if (count <= r->crowding.clear_count) {
            if (isnan(s->clear_since))
                s->clear_since = pts;
            if (pts - s->clear_since >= r->crowding.clear_seconds - 1e-9) {
                s->last_end = engine_close(e, s->incident, "cleared");
                s->incident = -1;
                s->cond_since = NAN;
            }
        } else {
            s->clear_since = NAN;
        }
        if (s->incident >= 0 && count != s->last_count) {
            if (count > s->peak)
                s->peak = count;
            s->last_count = count;
            engine_set_objects(e, s->incident, (const track *const *)inside, count);
            engine_touch(e, s->incident, 1.0, details(count, s->peak, r));
        }
    }
    free(inside);
}
