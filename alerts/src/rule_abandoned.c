/* Abandoned object: an object of a watched class (a bag) that stays put for `seconds`
 * while its owner is away. The owner is the nearest owner-class track (a person) when
 * the object is first seen; away means farther than owner_distance, or lost. */
#include <math.h>
#include <string.h>

#include "engine.h"
#include "geometry.h"

static bool owner_class(const vigil_rule *r, const track *t) {
    for (int i = 0; i < r->abandoned.owner_class_count; i++)
        if (!strcmp(r->abandoned.owner_classes[i], t->label))
            return true;
    return false;
}

static double distance(vigil_point a, vigil_point b) {
    return hypot(a.x - b.x, a.y - b.y);
}

static void choose_owner(vigil_analytics *e, const vigil_rule *r, track *bag, rule_track *rt) {
    vigil_point c = vigil_geometry_anchor(bag->box, VIGIL_ANCHOR_CENTER);
    double best = INFINITY;
    rt->owner = -1;
    for (int i = 0; i < e->track_count; i++) {
        const track *o = e->tracks[i];
        if (o == bag || !o->seen || !owner_class(r, o))
            continue;
        double d = distance(c, vigil_geometry_anchor(o->box, VIGIL_ANCHOR_CENTER));
        if (d < best) {
            best = d;
            rt->owner = o->id;
        }
    }
    rt->owner_chosen = true;
}

static cJSON *details(const rule_track *rt, double stationary, double owner_distance) {
    cJSON *d = cJSON_CreateObject();
    if (rt->owner >= 0)
        cJSON_AddNumberToObject(d, "owner", (double)rt->owner);
    else
        cJSON_AddNullToObject(d, "owner");
    if (isfinite(owner_distance))
        cJSON_AddNumberToObject(d, "owner_distance", round(owner_distance * 10) / 10);
    else
        cJSON_AddNullToObject(d, "owner_distance");
    cJSON_AddNumberToObject(d, "stationary", round(stationary * 1000) / 1000);
    return d;
}

void rule_abandoned_frame(vigil_analytics *e, int ri) {
    const vigil_rule *r = &e->rules->rules[ri];
    double pts = e->frame->pts;
    for (int i = 0; i < e->track_count; i++) {
        track *t = e->tracks[i];
        if (!t->seen || !engine_track_eligible(e, r, t))
            continue;
        rule_track *rt = &t->per_rule[ri];
        if (!rt->owner_chosen)
            choose_owner(e, r, t, rt);
        vigil_point c = vigil_geometry_anchor(t->box, VIGIL_ANCHOR_CENTER);
        bool moved = false;
        if (isnan(rt->still_since) || distance(c, rt->still_point) > r->abandoned.still_distance) {
            moved = !isnan(rt->still_since);
            rt->still_point = c;
            rt->still_since = pts;
        }
        const track *owner = rt->owner >= 0 ? engine_find_track(e, rt->owner) : NULL;
        double owner_distance = INFINITY;
        if (owner)
            owner_distance = distance(c, vigil_geometry_anchor(owner->box, VIGIL_ANCHOR_CENTER));
        bool away = owner_distance > r->abandoned.owner_distance;
        if (away && isnan(rt->away_since))
            rt->away_since = owner                    ? pts
                             : rt->owner < 0          ? t->first_pts
                             : !isnan(rt->owner_gone) ? rt->owner_gone
                                                      : pts;
        if (!away)
            rt->away_since = NAN;
        bool holds = away && engine_track_in_zone(e, r, t);
        double since = fmax(rt->still_since, rt->away_since);
        if (rt->incident < 0) {
            if (holds && pts - since >= r->seconds - 1e-9 &&
                engine_cooldown_over(e, r, rt->last_end)) {
                const track *objs[2] = {t, owner};
                rt->incident = engine_open(e, ri, t->id, t->confidence,
                                           details(rt, pts - rt->still_since, owner_distance), objs,
                                           owner ? 2 : 1);
            }
            continue;
        }
        if (!holds || moved) {
            rt->last_end = engine_close(e, rt->incident, moved ? "moved" : "owner_returned");
            rt->incident = -1;
            continue;
        }
        const track *objs[2] = {t, owner};
        engine_set_objects(e, rt->incident, objs, owner ? 2 : 1);
        engine_touch(e, rt->incident, t->confidence,
                     details(rt, pts - rt->still_since, owner_distance));
    }
}
