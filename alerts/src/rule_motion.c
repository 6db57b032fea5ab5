/* Wrong way and speed: conditions on a track's velocity over a short window, which
 * must hold for `seconds` to start and fail for as long to end. */
#include <math.h>

#include "engine.h"

static const double PI = 3.14159265358979323846;

static bool condition(vigil_analytics *e, const vigil_rule *r, const track *t, cJSON **details,
                      double *score) {
    vigil_anchor anchor = r->zone >= 0 ? e->rules->zones[r->zone].anchor : VIGIL_ANCHOR_BOTTOM;
    vigil_point v;
    if (r->type == VIGIL_RULE_SPEED) {
        bool world = e->rules->has_homography;
        if (!engine_track_velocity(e, t, anchor, r->speed.window, world, &v))
            return false;
        double speed = hypot(v.x, v.y);
        *details = cJSON_CreateObject();
        cJSON_AddNumberToObject(*details, "speed", round(speed * 100) / 100);
        cJSON_AddNumberToObject(*details, "max_speed", r->speed.max_speed);
        cJSON_AddStringToObject(*details, "unit", world ? "m/s" : "px/s");
        *score = fmin(1.0, speed / (2 * r->speed.max_speed));
        return speed > r->speed.max_speed;
    }
    if (!engine_track_velocity(e, t, anchor, r->motion.window, false, &v))
        return false;
    double speed = hypot(v.x, v.y);
    vigil_point d = r->motion.direction;
    double dn = hypot(d.x, d.y);
    /* cos of the angle between the motion and the reverse of the expected flow */
    double against = speed > 0 ? -(v.x * d.x + v.y * d.y) / (speed * dn) : -1;
    *details = cJSON_CreateObject();
    cJSON_AddNumberToObject(*details, "speed", round(speed * 100) / 100);
    cJSON_AddNumberToObject(*details, "heading_deg", round(atan2(v.y, v.x) * 180 / PI));
    cJSON *expected = cJSON_AddArrayToObject(*details, "expected");
    cJSON_AddItemToArray(expected, cJSON_CreateNumber(d.x));
    cJSON_AddItemToArray(expected, cJSON_CreateNumber(d.y));
    *score = fmax(0, against);
    return speed >= r->motion.min_speed && against >= cos(r->motion.tolerance_deg * PI / 180);
}

void rule_motion_frame(vigil_analytics *e, int ri) {
    const vigil_rule *r = &e->rules->rules[ri];
    double pts = e->frame->pts;
    double window = r->type == VIGIL_RULE_SPEED ? r->speed.window : r->motion.window;
    const char *reason = r->type == VIGIL_RULE_SPEED ? "slowed" : "resumed_flow";
    for (int i = 0; i < e->track_count; i++) {
        track *t = e->tracks[i];
        if (!t->seen || !engine_track_eligible(e, r, t))
            continue;
        rule_track *rt = &t->per_rule[ri];
        if (!engine_track_in_zone(e, r, t)) {
            rt->cond_since = NAN;
            if (rt->incident >= 0) {
                rt->last_end = engine_close(e, rt->incident, "left_zone");
                rt->incident = -1;
            }
            continue;
        }
        cJSON *details = NULL;
        double score = 0;
        bool holds = condition(e, r, t, &details, &score);
        if (rt->incident < 0) {
            if (!holds) {
                rt->cond_since = NAN;
                cJSON_Delete(details);
                continue;
            }
            if (isnan(rt->cond_since))
                rt->cond_since = pts;
            if (pts - rt->cond_since >= r->seconds - 1e-9 &&
                engine_cooldown_over(e, r, rt->last_end)) {
                rt->clear_since = NAN;
                rt->incident = engine_open(e, ri, t->id, score, details, NULL, 0);
            } else {
                cJSON_Delete(details);
            }
            continue;
        }
        engine_set_objects(e, rt->incident, (const track *const *)&t, 1);
        if (holds) {
            rt->clear_since = NAN;
            engine_touch(e, rt->incident, score, details);
            continue;
        }
        cJSON_Delete(details);
        if (isnan(rt->clear_since))
            rt->clear_since = pts;
        if (pts - rt->clear_since >= fmax(r->seconds, window) - 1e-9) {
            rt->last_end = engine_close(e, rt->incident, reason);
            rt->incident = -1;
            rt->cond_since = NAN;
        }
    }
}
