/* The engine's frame loop: track table, incidents and the events they emit. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "geometry.h"

static void reset_rule_track(rule_track *rt) {
    memset(rt, 0, sizeof *rt);
    rt->entered = rt->left = rt->cond_since = rt->clear_since = NAN;
    rt->owner_gone = rt->still_since = rt->away_since = rt->cell_entered = NAN;
    rt->incident = -1;
    rt->last_end = -INFINITY;
    rt->owner = -1;
    rt->cell = INT64_MIN;
    rt->scored_pts = NAN;
}

void engine_fail(vigil_analytics *e, vigil_status status, const char *format, ...) {
    if (e->failure < 0)
        return; /* keep the first failure */
    e->failure = status;
    if (e->err) {
        va_list args;
        va_start(args, format);
        vsnprintf(e->err->message, sizeof e->err->message, format, args);
        va_end(args);
        e->err->status = status;
    }
}

vigil_status vigil_analytics_create(const vigil_rules *rules, vigil_analytics **out,
                                    vigil_error *err) {
    if (!rules || !out)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "analytics: no rules");
    vigil_analytics *e = calloc(1, sizeof *e);
    if (!e)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    e->rules = rules;
    e->states = calloc((size_t)rules->rule_count + 1, sizeof *e->states);
    if (!e->states) {
        free(e);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    for (int i = 0; i < rules->rule_count; i++) {
        rule_state *s = &e->states[i];
        s->incident = -1;
        s->last_end = -INFINITY;
        s->cond_since = s->clear_since = NAN;
        if (rules->rules[i].type == VIGIL_RULE_ANOMALY) {
            vigil_status st = rule_anomaly_init(e, i, err);
            if (st < 0) {
                vigil_analytics_free(e);
                return st;
            }
        }
    }
    *out = e;
    return VIGIL_STATUS_OK;
}

static void clear_output(vigil_analytics *e) {
    for (int i = 0; i < e->out_count; i++)
        vigil_alert_release(&e->out[i]);
    e->out_count = 0;
}

void vigil_analytics_free(vigil_analytics *e) {
    if (!e)
        return;
    clear_output(e);
    free(e->out);
    for (int i = 0; i < e->track_count; i++) {
        free(e->tracks[i]->per_rule);
        free(e->tracks[i]);
    }
    free(e->tracks);
    for (int i = 0; i < e->incident_count; i++) {
        free(e->incidents[i].objects);
        free(e->incidents[i].details);
    }
    free(e->incidents);
    for (int i = 0; i < e->rules->rule_count; i++)
        vigil_anomaly_free(e->states[i].model);
    free(e->states);
    free(e);
}

track *engine_find_track(const vigil_analytics *e, int64_t id) {
    for (int i = 0; i < e->track_count; i++)
        if (e->tracks[i]->id == id)
            return e->tracks[i];
    return NULL;
}

static track *add_track(vigil_analytics *e, int64_t id) {
    if (e->track_count == e->track_capacity) {
        int cap = e->track_capacity ? e->track_capacity * 2 : 64;
        track **grown = realloc(e->tracks, (size_t)cap * sizeof *grown);
        if (!grown)
            return NULL;
        e->tracks = grown;
        e->track_capacity = cap;
    }
    track *t = calloc(1, sizeof *t);
    rule_track *rt = calloc((size_t)e->rules->rule_count + 1, sizeof *rt);
    if (!t || !rt) {
        free(t);
        free(rt);
        return NULL;
    }
    t->id = id;
    t->per_rule = rt;
    for (int i = 0; i < e->rules->rule_count; i++)
        reset_rule_track(&rt[i]);
    e->tracks[e->track_count++] = t;
    return t;
}

static void observe(vigil_analytics *e, track *t, const vigil_track_object *o, double pts) {
    if (t->hits == 0)
        t->first_pts = pts;
    t->hits++;
    t->last_pts = pts;
    t->seen = true;
    t->class_id = o->class_id;
    snprintf(t->label, sizeof t->label, "%s", o->label ? o->label : vigil_coco_label(o->class_id));
    memcpy(t->box, o->box, sizeof t->box);
    t->confidence = o->confidence;
    t->tracker_confirmed = o->confirmed;
    track_sample *s = &t->history[t->history_head];
    s->pts = pts;
    s->bottom = vigil_geometry_anchor(o->box, VIGIL_ANCHOR_BOTTOM);
    s->center = vigil_geometry_anchor(o->box, VIGIL_ANCHOR_CENTER);
    t->history_head = (t->history_head + 1) % TRACK_HISTORY;
    if (t->history_count < TRACK_HISTORY)
        t->history_count++;
}

bool engine_track_eligible(const vigil_analytics *e, const vigil_rule *r, const track *t) {
    if (!t->tracker_confirmed || t->hits < e->rules->min_hits)
        return false;
    return engine_track_matches(r, t);
}

bool engine_track_matches(const vigil_rule *r, const track *t) {
    if (t->confidence < r->min_confidence)
        return false;
    if (r->class_count == 0)
        return true;
    for (int i = 0; i < r->class_count; i++)
        if (!strcmp(r->classes[i], t->label))
            return true;
    return false;
}

vigil_point engine_track_anchor(const vigil_analytics *e, const vigil_rule *r, const track *t) {
    vigil_anchor a = r->zone >= 0 ? e->rules->zones[r->zone].anchor : VIGIL_ANCHOR_BOTTOM;
    return vigil_geometry_anchor(t->box, a);
}

bool engine_track_in_zone(const vigil_analytics *e, const vigil_rule *r, const track *t) {
    if (r->zone < 0)
        return true;
    const vigil_zone *z = &e->rules->zones[r->zone];
    return vigil_geometry_polygon_contains(z->points, z->count,
                                           vigil_geometry_anchor(t->box, z->anchor));
}

bool engine_track_velocity(const vigil_analytics *e, const track *t, vigil_anchor anchor,
                           double window, bool world, vigil_point *v) {
    if (t->history_count < 2)
        return false;
    int newest = (t->history_head + TRACK_HISTORY - 1) % TRACK_HISTORY;
    const track_sample *now = &t->history[newest], *old = NULL;
    for (int k = 1; k < t->history_count; k++) {
        const track_sample *s = &t->history[(newest + TRACK_HISTORY - k) % TRACK_HISTORY];
        old = s;
        if (now->pts - s->pts >= window - 1e-9)
            break;
    }
    double dt = now->pts - old->pts;
    /* Too short a span gives jitter, not motion. */
    if (dt < 0.8 * window || dt <= 0)
        return false;
    vigil_point a = anchor == VIGIL_ANCHOR_CENTER ? old->center : old->bottom;
    vigil_point b = anchor == VIGIL_ANCHOR_CENTER ? now->center : now->bottom;
    if (world) {
        a = vigil_rules_to_world(e->rules, a);
        b = vigil_rules_to_world(e->rules, b);
    }
    v->x = (b.x - a.x) / dt;
    v->y = (b.y - a.y) / dt;
    return true;
}

void engine_update_presence(vigil_analytics *e, const vigil_rule *r, track *t, double grace) {
    rule_track *rt = &t->per_rule[r - e->rules->rules];
    double pts = e->frame->pts;
    rt->inside = engine_track_in_zone(e, r, t);
    if (rt->inside) {
        if (isnan(rt->entered))
            rt->entered = pts;
        rt->left = NAN;
    } else if (!isnan(rt->entered)) {
        if (isnan(rt->left))
            rt->left = pts;
        /* A short excursion (box jitter at the edge) keeps the stay going. */
        if (pts - rt->left >= grace - 1e-9)
            rt->entered = NAN;
    }
    rt->present = !isnan(rt->entered);
}

bool engine_cooldown_over(const vigil_analytics *e, const vigil_rule *r, double last_end) {
    return e->frame->pts - last_end >= r->cooldown - 1e-9;
}

static bool grow_output(vigil_analytics *e) {
    if (e->out_count < e->out_capacity)
        return true;
    int cap = e->out_capacity ? e->out_capacity * 2 : 16;
    vigil_alert *grown = realloc(e->out, (size_t)cap * sizeof *grown);
    if (!grown)
        return false;
    e->out = grown;
    e->out_capacity = cap;
    return true;
}

static void fill_ids(vigil_analytics *e, vigil_alert *a, const char *incident_id) {
    char text[256];
    snprintf(a->incident_id, sizeof a->incident_id, "%s", incident_id);
    snprintf(text, sizeof text, "%s|%s|%d", incident_id, vigil_alert_event_name(a->event), a->seq);
    vigil_alerts_hash_hex(text, a->alert_id);
}

static void emit(vigil_analytics *e, int rule, vigil_alert_event event, int seq,
                 const char *incident_id, double started_time, double started_pts, double score,
                 const vigil_alert_object *objects, int object_count, const char *details) {
    if (!grow_output(e)) {
        engine_fail(e, VIGIL_STATUS_NO_MEMORY, "out of memory");
        return;
    }
    const vigil_rule *r = &e->rules->rules[rule];
    vigil_alert *a = &e->out[e->out_count];
    memset(a, 0, sizeof *a);
    a->camera_id = e->rules->camera_id;
    a->rule = r->name;
    a->type = r->type;
    a->zone = r->zone >= 0 ? e->rules->zones[r->zone].name : NULL;
    a->line = r->line >= 0 ? e->rules->lines[r->line].name : NULL;
    a->event = event;
    a->seq = seq;
    a->severity = r->severity;
    a->score = score < 0 ? 0 : score > 1 ? 1 : score;
    a->started_at = started_time;
    a->timestamp = e->frame->time;
    a->pts = e->frame->pts;
    a->frame = e->frame->frame;
    fill_ids(e, a, incident_id);
    if (object_count > 0) {
        a->objects = malloc((size_t)object_count * sizeof *a->objects);
        if (!a->objects) {
            engine_fail(e, VIGIL_STATUS_NO_MEMORY, "out of memory");
            return;
        }
        memcpy(a->objects, objects, (size_t)object_count * sizeof *objects);
        a->object_count = object_count;
    }
    if (details && !(a->details = strdup(details))) {
        free(a->objects);
        engine_fail(e, VIGIL_STATUS_NO_MEMORY, "out of memory");
        return;
    }
    (void)started_pts;
    bool first = event == VIGIL_ALERT_EVENT_START || event == VIGIL_ALERT_EVENT_INSTANT;
    if (first && r->snapshot && e->frame->image) {
        vigil_error err = {0};
        /* A failed snapshot loses a picture, not the alert. */
        if (vigil_alert_snapshot(e->frame->image, a->objects, a->object_count,
                                 e->rules->snapshot_quality, &a->snapshot, &a->snapshot_size,
                                 &err) < 0) {
            a->snapshot = NULL;
            a->snapshot_size = 0;
        }
    }
    e->out_count++;
}

static char *print_details(cJSON *details) {
    if (!details)
        return NULL;
    char *text = cJSON_PrintUnformatted(details);
    cJSON_Delete(details);
    return text;
}

int engine_open(vigil_analytics *e, int rule, int64_t subject, double score, cJSON *details,
                const track *const *objects, int object_count) {
    int index = -1;
    for (int i = 0; i < e->incident_count; i++)
        if (!e->incidents[i].open) {
            index = i;
            break;
        }
    if (index < 0) {
        if (e->incident_count == e->incident_capacity) {
            int cap = e->incident_capacity ? e->incident_capacity * 2 : 16;
            incident *grown = realloc(e->incidents, (size_t)cap * sizeof *grown);
            if (!grown) {
                cJSON_Delete(details);
                engine_fail(e, VIGIL_STATUS_NO_MEMORY, "out of memory");
                return -1;
            }
            e->incidents = grown;
            e->incident_capacity = cap;
        }
        index = e->incident_count++;
        memset(&e->incidents[index], 0, sizeof e->incidents[index]);
    }
    incident *inc = &e->incidents[index];
    free(inc->details);
    inc->details = print_details(details);
    inc->open = true;
    inc->rule = rule;
    inc->subject = subject;
    inc->started_time = e->frame->time;
    inc->started_pts = e->frame->pts;
    inc->started_frame = e->frame->frame;
    inc->seq = 0;
    inc->last_emit_pts = e->frame->pts;
    inc->dirty = false;
    inc->score = score;
    char text[512];
    snprintf(text, sizeof text, "%s|%s|%lld|%lld|%.3f", e->rules->camera_id,
             e->rules->rules[rule].name, (long long)subject, (long long)inc->started_frame,
             inc->started_time);
    vigil_alerts_hash_hex(text, inc->id);
    inc->object_count = 0;
    if (objects) {
        engine_set_objects(e, index, objects, object_count);
    } else if (subject >= 0) {
        track *t = engine_find_track(e, subject);
        if (t)
            engine_set_objects(e, index, (const track *const *)&t, 1);
    }
    emit(e, rule, VIGIL_ALERT_EVENT_START, 0, inc->id, inc->started_time, inc->started_pts, score,
         inc->objects, inc->object_count, inc->details);
    return index;
}

void engine_touch(vigil_analytics *e, int index, double score, cJSON *details) {
    incident *inc = &e->incidents[index];
    inc->score = score;
    if (details) {
        free(inc->details);
        inc->details = print_details(details);
    }
    inc->dirty = true;
}

double engine_close(vigil_analytics *e, int index, const char *reason) {
    incident *inc = &e->incidents[index];
    cJSON *details = inc->details ? cJSON_Parse(inc->details) : NULL;
    if (!details)
        details = cJSON_CreateObject();
    cJSON_DeleteItemFromObjectCaseSensitive(details, "end_reason");
    cJSON_AddStringToObject(details, "end_reason", reason);
    cJSON_AddNumberToObject(details, "duration", e->frame->pts - inc->started_pts);
    char *text = print_details(details);
    inc->seq++;
    emit(e, inc->rule, VIGIL_ALERT_EVENT_END, inc->seq, inc->id, inc->started_time,
         inc->started_pts, inc->score, inc->objects, inc->object_count, text);
    free(text);
    inc->open = false;
    return e->frame->pts;
}

void engine_instant(vigil_analytics *e, int rule, int64_t subject, double score, cJSON *details,
                    const track *const *objects, int object_count) {
    char text[512], id[VIGIL_ALERT_ID_SIZE];
    snprintf(text, sizeof text, "%s|%s|%lld|%lld|%.3f", e->rules->camera_id,
             e->rules->rules[rule].name, (long long)subject, (long long)e->frame->frame,
             e->frame->time);
    vigil_alerts_hash_hex(text, id);
    vigil_alert_object objs[16];
    int n = object_count < 16 ? object_count : 16;
    for (int i = 0; i < n; i++) {
        objs[i].track_id = objects[i]->id;
        snprintf(objs[i].label, sizeof objs[i].label, "%s", objects[i]->label);
        memcpy(objs[i].box, objects[i]->box, sizeof objs[i].box);
        objs[i].confidence = objects[i]->confidence;
    }
    char *d = print_details(details);
    emit(e, rule, VIGIL_ALERT_EVENT_INSTANT, 0, id, e->frame->time, e->frame->pts, score, objs, n,
         d);
    free(d);
}

void engine_set_objects(vigil_analytics *e, int index, const track *const *objects, int n) {
    incident *inc = &e->incidents[index];
    if (n > inc->object_capacity) {
        vigil_alert_object *grown = realloc(inc->objects, (size_t)n * sizeof *grown);
        if (!grown) {
            engine_fail(e, VIGIL_STATUS_NO_MEMORY, "out of memory");
            return;
        }
        inc->objects = grown;
        inc->object_capacity = n;
    }
    for (int i = 0; i < n; i++) {
        vigil_alert_object *o = &inc->objects[i];
        o->track_id = objects[i]->id;
        snprintf(o->label, sizeof o->label, "%s", objects[i]->label);
        memcpy(o->box, objects[i]->box, sizeof o->box);
        o->confidence = objects[i]->confidence;
    }
    inc->object_count = n;
}

/* Ends what a track held and forgets it. */
static void drop_track(vigil_analytics *e, int index) {
    track *t = e->tracks[index];
    for (int r = 0; r < e->rules->rule_count; r++) {
        if (e->rules->rules[r].type == VIGIL_RULE_ANOMALY)
            rule_anomaly_track_gone(e, r, t);
        if (t->per_rule[r].incident >= 0)
            engine_close(e, t->per_rule[r].incident, "track_lost");
    }
    /* Owners of left objects: remember when they went. */
    for (int i = 0; i < e->track_count; i++)
        for (int r = 0; r < e->rules->rule_count; r++) {
            rule_track *rt = &e->tracks[i]->per_rule[r];
            if (rt->owner == t->id && isnan(rt->owner_gone))
                rt->owner_gone = t->last_pts;
        }
    free(t->per_rule);
    free(t);
    e->tracks[index] = e->tracks[--e->track_count];
}

static void emit_updates(vigil_analytics *e) {
    for (int i = 0; i < e->incident_count; i++) {
        incident *inc = &e->incidents[i];
        const vigil_rule *r = &e->rules->rules[inc->rule];
        if (!inc->open || !inc->dirty || r->update_seconds <= 0 ||
            e->frame->pts - inc->last_emit_pts < r->update_seconds - 1e-9)
            continue;
        inc->seq++;
        inc->dirty = false;
        inc->last_emit_pts = e->frame->pts;
        emit(e, inc->rule, VIGIL_ALERT_EVENT_UPDATE, inc->seq, inc->id, inc->started_time,
             inc->started_pts, inc->score, inc->objects, inc->object_count, inc->details);
    }
}

static void evaluate(vigil_analytics *e, int r) {
    switch (e->rules->rules[r].type) {
    case VIGIL_RULE_INTRUSION:
    case VIGIL_RULE_LOITERING:
        rule_zone_frame(e, r);
        break;
    case VIGIL_RULE_CROWDING:
        rule_crowding_frame(e, r);
        break;
    case VIGIL_RULE_LINE_CROSSING:
        rule_crossing_frame(e, r);
        break;
    case VIGIL_RULE_WRONG_WAY:
    case VIGIL_RULE_SPEED:
        rule_motion_frame(e, r);
        break;
    case VIGIL_RULE_ABANDONED_OBJECT:
        rule_abandoned_frame(e, r);
        break;
    case VIGIL_RULE_TAMPER:
        rule_tamper_frame(e, r);
        break;
    case VIGIL_RULE_ANOMALY:
        rule_anomaly_frame(e, r);
        break;
    }
}

static vigil_status begin(vigil_analytics *e, const vigil_analytics_frame *frame,
                          vigil_error *err) {
    if (!frame)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "analytics: no frame");
    if (e->started && frame->pts < e->last_pts)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "analytics: frame %lld goes back in time (pts %.3f after %.3f)",
                               (long long)frame->frame, frame->pts, e->last_pts);
    clear_output(e);
    e->frame = frame;
    e->err = err;
    e->failure = VIGIL_STATUS_OK;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_analytics_update(vigil_analytics *e, const vigil_analytics_frame *frame,
                                    const vigil_track_object *objects, int object_count,
                                    const vigil_alert **alerts, int *count, vigil_error *err) {
    if (!e || (object_count > 0 && !objects))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "analytics: no objects");
    vigil_status st = begin(e, frame, err);
    if (st < 0)
        return st;
    for (int i = 0; i < e->track_count; i++)
        e->tracks[i]->seen = false;
    for (int i = 0; i < object_count; i++) {
        const vigil_track_object *o = &objects[i];
        if (o->track_id < 0)
            continue;
        track *t = engine_find_track(e, o->track_id);
        if (t && t->seen)
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "analytics: track %lld appears twice in frame %lld",
                                   (long long)o->track_id, (long long)frame->frame);
        if (!t && !(t = add_track(e, o->track_id)))
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
        observe(e, t, o, frame->pts);
    }
    for (int r = 0; r < e->rules->rule_count; r++)
        evaluate(e, r);
    for (int i = e->track_count - 1; i >= 0; i--)
        if (frame->pts - e->tracks[i]->last_pts > e->rules->track_timeout + 1e-9)
            drop_track(e, i);
    emit_updates(e);
    e->started = true;
    e->last_pts = frame->pts;
    for (int r = 0; r < e->rules->rule_count; r++) {
        rule_state *s = &e->states[r];
        if (s->model && frame->pts - s->saved_pts >= 60 && e->failure >= 0) {
            s->saved_pts = frame->pts;
            vigil_error save_err = {0};
            if (rule_anomaly_save(e, r, &save_err) < 0)
                engine_fail(e, save_err.status, "%s", save_err.message);
        }
    }
    *alerts = e->out;
    *count = e->out_count;
    return e->failure;
}

vigil_status vigil_analytics_finish(vigil_analytics *e, const vigil_analytics_frame *frame,
                                    const vigil_alert **alerts, int *count, vigil_error *err) {
    vigil_status st = begin(e, frame, err);
    if (st < 0)
        return st;
    for (int i = 0; i < e->incident_count; i++)
        if (e->incidents[i].open)
            engine_close(e, i, "stream_end");
    for (int i = 0; i < e->track_count; i++)
        for (int r = 0; r < e->rules->rule_count; r++) {
            e->tracks[i]->per_rule[r].incident = -1;
            if (e->rules->rules[r].type == VIGIL_RULE_ANOMALY)
                rule_anomaly_track_gone(e, r, e->tracks[i]);
        }
    for (int r = 0; r < e->rules->rule_count; r++)
        e->states[r].incident = -1;
    if (e->failure >= 0) {
        vigil_error save_err = {0};
        if (vigil_analytics_save_state(e, &save_err) < 0)
            engine_fail(e, save_err.status, "%s", save_err.message);
    }
    *alerts = e->out;
    *count = e->out_count;
    return e->failure;
}

vigil_status vigil_analytics_save_state(vigil_analytics *e, vigil_error *err) {
    for (int r = 0; r < e->rules->rule_count; r++)
        if (e->states[r].model) {
            vigil_status st = rule_anomaly_save(e, r, err);
            if (st < 0)
                return st;
        }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_analytics_track_score(const vigil_analytics *e, int rule, int64_t track_id,
                                         double *score, const char **reason) {
    if (rule < 0 || rule >= e->rules->rule_count ||
        e->rules->rules[rule].type != VIGIL_RULE_ANOMALY)
        return VIGIL_STATUS_INVALID_ARGUMENT;
    track *t = engine_find_track(e, track_id);
    if (!t || isnan(t->per_rule[rule].scored_pts))
        return VIGIL_STATUS_NOT_FOUND;
    *score = t->per_rule[rule].score;
    if (reason)
        *reason = vigil_anomaly_feature_name(t->per_rule[rule].last.reason);
    return VIGIL_STATUS_OK;
}
