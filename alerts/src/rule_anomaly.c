/* The anomaly rule: feeds tracks to the statistical model, learns from normal motion,
 * and alerts on tracks whose smoothed score stays above the threshold. */
#include <math.h>

#include "engine.h"

static const double HYSTERESIS = 0.1; /* an alert ends when the score falls this far below */
static const double VELOCITY_WINDOW = 0.5;

static vigil_anomaly_options options_of(const vigil_rule *r) {
    vigil_anomaly_options o = vigil_anomaly_options_default();
    o.cell_size = r->anomaly.cell_size;
    o.hour_buckets = r->anomaly.hour_buckets;
    o.min_samples = r->anomaly.min_samples;
    o.utc_offset = r->anomaly.utc_offset;
    return o;
}

vigil_status rule_anomaly_init(vigil_analytics *e, int ri, vigil_error *err) {
    const vigil_rule *r = &e->rules->rules[ri];
    rule_state *s = &e->states[ri];
    if (r->anomaly.state_file) {
        vigil_status st = vigil_anomaly_load(r->anomaly.state_file, &s->model, err);
        if (st == VIGIL_STATUS_OK)
            return st;
        if (st != VIGIL_STATUS_NOT_FOUND)
            return vigil_error_prefix(err, "rule '%s': ", r->name);
    }
    vigil_anomaly_options o = options_of(r);
    return vigil_anomaly_create(&o, &s->model, err);
}

vigil_status rule_anomaly_save(vigil_analytics *e, int ri, vigil_error *err) {
    const vigil_rule *r = &e->rules->rules[ri];
    if (!r->anomaly.state_file || !e->states[ri].model)
        return VIGIL_STATUS_OK;
    return vigil_anomaly_save(e->states[ri].model, r->anomaly.state_file, err);
}

static bool learning(const vigil_analytics *e, const vigil_rule *r, const rule_state *s) {
    return vigil_anomaly_learned_seconds(s->model) < r->anomaly.learn_seconds;
}

static void learn_dwell(vigil_analytics *e, const vigil_rule *r, rule_state *s, track *t,
                        rule_track *rt) {
    if (rt->cell == INT64_MIN || isnan(rt->cell_entered))
        return;
    if (!learning(e, r, s) && rt->last.score >= r->anomaly.threshold)
        return; /* unusual stays do not become the norm */
    vigil_anomaly_learn_dwell(s->model, t->class_id, rt->cell_point.x, rt->cell_point.y,
                              e->frame->time, t->last_pts - rt->cell_entered);
}

void rule_anomaly_track_gone(vigil_analytics *e, int ri, track *t) {
    rule_track *rt = &t->per_rule[ri];
    learn_dwell(e, &e->rules->rules[ri], &e->states[ri], t, rt);
    rt->cell = INT64_MIN;
}

static cJSON *details(const vigil_anomaly_score *sc, double score) {
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "reason", vigil_anomaly_feature_name(sc->reason));
    cJSON_AddNumberToObject(d, "score", round(score * 1000) / 1000);
    cJSON *f = cJSON_AddObjectToObject(d, "features");
    cJSON_AddNumberToObject(f, "speed", round(sc->speed * 1000) / 1000);
    cJSON_AddNumberToObject(f, "direction", round(sc->direction * 1000) / 1000);
    cJSON_AddNumberToObject(f, "dwell", round(sc->dwell * 1000) / 1000);
    return d;
}

void rule_anomaly_frame(vigil_analytics *e, int ri) {
    const vigil_rule *r = &e->rules->rules[ri];
    rule_state *s = &e->states[ri];
    double pts = e->frame->pts;
    bool learn_phase = learning(e, r, s);
    if (learn_phase && e->started)
        vigil_anomaly_add_learned_seconds(s->model, pts - e->last_pts);
    double cell = r->anomaly.cell_size;
    for (int i = 0; i < e->track_count; i++) {
        track *t = e->tracks[i];
        if (!t->seen || !engine_track_eligible(e, r, t))
            continue;
        rule_track *rt = &t->per_rule[ri];
        if (!engine_track_in_zone(e, r, t))
            continue;
        vigil_point p = engine_track_anchor(e, r, t);
        int64_t key = ((int64_t)floor(p.x / cell) << 32) ^ (int64_t)(uint32_t)floor(p.y / cell);
        if (key != rt->cell) {
            learn_dwell(e, r, s, t, rt);
            rt->cell = key;
            rt->cell_entered = pts;
            rt->cell_point = p;
        }
        vigil_point v;
        if (!engine_track_velocity(e, t, VIGIL_ANCHOR_BOTTOM, VELOCITY_WINDOW, false, &v))
            continue;
        vigil_anomaly_sample sample = {.class_id = t->class_id,
                                       .x = p.x,
                                       .y = p.y,
                                       .vx = v.x,
                                       .vy = v.y,
                                       .dwell = pts - rt->cell_entered,
                                       .time = e->frame->time};
        vigil_anomaly_score sc = vigil_anomaly_evaluate(s->model, &sample);
        double k = 1;
        if (r->anomaly.smoothing > 0)
            k = isnan(rt->scored_pts) ? 0 : 1 - exp(-(pts - rt->scored_pts) / r->anomaly.smoothing);
        rt->score += k * (sc.score - rt->score);
        rt->last = sc;
        rt->scored_pts = pts;
        if (learn_phase || sc.score < r->anomaly.threshold)
            vigil_anomaly_learn(s->model, &sample);
        if (learn_phase)
            continue;
        if (rt->incident < 0) {
            if (rt->score >= r->anomaly.threshold && engine_cooldown_over(e, r, rt->last_end))
                rt->incident =
                    engine_open(e, ri, t->id, rt->score, details(&sc, rt->score), NULL, 0);
        } else if (rt->score < r->anomaly.threshold - HYSTERESIS) {
            rt->last_end = engine_close(e, rt->incident, "normal");
            rt->incident = -1;
        } else {
            engine_set_objects(e, rt->incident, (const track *const *)&t, 1);
            engine_touch(e, rt->incident, rt->score, details(&sc, rt->score));
        }
    }
}
