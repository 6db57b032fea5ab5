/* Line crossing. A track's side of the line settles only once its anchor is more than
 * the line's margin away, and a crossing needs the path between two settled points to
 * cut the segment itself; a track that jitters on the line therefore changes side at
 * most once per real crossing, and once_per_track counts it once whatever it does. */
#include <math.h>

#include "engine.h"
#include "geometry.h"

void rule_crossing_frame(vigil_analytics *e, int ri) {
    const vigil_rule *r = &e->rules->rules[ri];
    const vigil_line *l = &e->rules->lines[r->line];
    rule_state *s = &e->states[ri];
    /* The normal's sign that counts as forward: along the arrow when there is one. */
    double nx = -(l->b.y - l->a.y), ny = l->b.x - l->a.x;
    int forward = 1;
    if (l->directed)
        forward = nx * l->direction.x + ny * l->direction.y > 0 ? 1 : -1;
    for (int i = 0; i < e->track_count; i++) {
        track *t = e->tracks[i];
        if (!t->seen || !engine_track_matches(r, t))
            continue;
        rule_track *rt = &t->per_rule[ri];
        vigil_point p = vigil_geometry_anchor(t->box, l->anchor);
        double d = vigil_geometry_side(l->a, l->b, p);
        int side = d > l->margin ? 1 : d < -l->margin ? -1 : 0;
        if (side == 0)
            continue; /* within the margin: no evidence either way */
        if (rt->side == 0 || side == rt->side) {
            rt->side = side;
            rt->side_point = p;
            continue;
        }
        bool through = vigil_geometry_segments_intersect(rt->side_point, p, l->a, l->b);
        rt->side = side;
        rt->side_point = p;
        if (!through)
            continue; /* went round the end of the line */
        bool along = side == forward;
        /* Tentative tracks are often false detections: their crossings never count. */
        if (!engine_track_eligible(e, r, t) || (l->directed && !along) ||
            (r->crossing.once_per_track && rt->counted) ||
            !engine_cooldown_over(e, r, rt->last_end))
            continue;
        rt->counted = true;
        rt->last_end = e->frame->pts;
        if (along)
            s->forward++;
        else
            s->backward++;
        cJSON *details = cJSON_CreateObject();
        cJSON_AddStringToObject(details, "direction", along ? "forward" : "backward");
        cJSON_AddNumberToObject(details, "forward_count", (double)s->forward);
        cJSON_AddNumberToObject(details, "backward_count", (double)s->backward);
        engine_instant(e, ri, t->id, t->confidence, details, (const track *const *)&t, 1);
    }
}
