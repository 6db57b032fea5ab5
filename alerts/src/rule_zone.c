/* Intrusion and loitering: a track's stay in a zone, with a grace time so that a box
 * jittering over the edge neither ends the stay nor starts a new one. */
#include <math.h>
#include <string.h>

#include "engine.h"

static double threshold(const vigil_rule *r, const track *t) {
    for (int i = 0; i < r->dwell.class_seconds_count; i++)
        if (!strcmp(r->dwell.class_seconds[i].label, t->label))
            return r->dwell.class_seconds[i].seconds;
    return r->seconds;
}

static cJSON *details(double dwell, double limit) {
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "dwell", round(dwell * 1000) / 1000);
    cJSON_AddNumberToObject(d, "threshold", limit);
    return d;
}

void rule_zone_frame(vigil_analytics *e, int ri) {
    const vigil_rule *r = &e->rules->rules[ri];
    double pts = e->frame->pts;
    for (int i = 0; i < e->track_count; i++) {
        track *t = e->tracks[i];
        if (!t->seen || !engine_track_eligible(e, r, t))
            continue;
        rule_track *rt = &t->per_rule[ri];
        engine_update_presence(e, r, t, r->dwell.grace);
        double limit = threshold(r, t);
        if (rt->incident < 0) {
            if (rt->present && rt->inside && pts - rt->entered >= limit - 1e-9 &&
                engine_cooldown_over(e, r, rt->last_end))
                rt->incident = engine_open(e, ri, t->id, t->confidence,
                                           details(pts - rt->entered, limit), NULL, 0);
            continue;
        }
        if (!rt->present) {
            rt->last_end = engine_close(e, rt->incident, "left_zone");
            rt->incident = -1;
            continue;
        }
        engine_set_objects(e, rt->incident, (const track *const *)&t, 1);
        engine_touch(e, rt->incident, t->confidence, details(pts - rt->entered, limit));
    }
}
