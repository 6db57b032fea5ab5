/* Camera tamper from frame statistics: blackout or a covered lens (dark or flat frame),
 * blur (sharpness far below the learned baseline) and a sudden scene change (the
 * layout thumbnail no longer correlates with the baseline). The baseline is learned
 * over learn_seconds, then follows slow changes (daylight) while nothing is wrong. A
 * scene change that lasts RELEARN_SECONDS becomes the new baseline: the camera was
 * moved on purpose, or the operator has been told. */
#include <math.h>
#include <string.h>

#include "engine.h"

enum { RELEARN_SECONDS = 30 };
static const double FOLLOW_SECONDS = 60; /* time constant of the baseline's drift */

static const char *judge(const vigil_rule *r, const vigil_tamper_state *ts,
                         const vigil_frame_stats *fs, double *ratio, double *distance) {
    *ratio = ts->sharpness > 1e-6 ? fs->sharpness / ts->sharpness : 1;
    *distance = vigil_frame_stats_scene_distance(fs->thumb, ts->thumb);
    if (fs->mean < r->tamper.dark_level)
        return "blackout";
    if (fs->stddev < r->tamper.min_contrast)
        return "covered";
    if (ts->learned < r->tamper.learn_seconds)
        return NULL;
    if (*distance > r->tamper.scene_change)
        return "scene_change";
    if (ts->sharpness > 1e-6 && *ratio < r->tamper.blur_ratio)
        return "blur";
    return NULL;
}

static void learn(vigil_tamper_state *ts, const vigil_frame_stats *fs, double weight) {
    ts->sharpness += weight * (fs->sharpness - ts->sharpness);
    for (int i = 0; i < FRAME_THUMB; i++)
        ts->thumb[i] += (float)(weight * (fs->thumb[i] - ts->thumb[i]));
}

static cJSON *details(const char *reason, const vigil_frame_stats *fs, double ratio,
                      double distance) {
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "reason", reason);
    cJSON_AddNumberToObject(d, "mean", round(fs->mean * 10) / 10);
    cJSON_AddNumberToObject(d, "contrast", round(fs->stddev * 10) / 10);
    cJSON_AddNumberToObject(d, "sharpness_ratio", round(ratio * 1000) / 1000);
    cJSON_AddNumberToObject(d, "scene_distance", round(distance * 1000) / 1000);
    return d;
}

void rule_tamper_frame(vigil_analytics *e, int ri) {
    const vigil_rule *r = &e->rules->rules[ri];
    rule_state *s = &e->states[ri];
    vigil_tamper_state *ts = &s->tamper;
    if (!e->frame->image)
        return;
    double pts = e->frame->pts;
    vigil_frame_stats fs;
    vigil_frame_stats_compute(e->frame->image, &fs);
    double dt = ts->has_last ? pts - ts->last_pts : 0;
    ts->last_pts = pts;
    double ratio, distance;
    const char *cond = judge(r, ts, &fs, &ratio, &distance);
    if (!ts->has_last) {
        ts->has_last = true;
        ts->sharpness = fs.sharpness;
        memcpy(ts->thumb, fs.thumb, sizeof ts->thumb);
    } else if (!cond && ts->learned < r->tamper.learn_seconds) {
        ts->learned += dt;
        learn(ts, &fs, dt / fmax(ts->learned, 1e-9)); /* running mean */
    } else if (!cond) {
        learn(ts, &fs, 1 - exp(-dt / FOLLOW_SECONDS));
    }
    double score = cond && !strcmp(cond, "blur") ? fmin(1, 1 - ratio) : 1.0;
    if (s->incident < 0) {
        if (!cond || cond != ts->pending) {
            ts->pending = cond;
            s->cond_since = cond ? pts : NAN;
        }
        if (cond && pts - s->cond_since >= r->seconds - 1e-9 &&
            engine_cooldown_over(e, r, s->last_end)) {
            s->clear_since = NAN;
            ts->condition = cond;
            s->incident =
                engine_open(e, ri, -1, score, details(cond, &fs, ratio, distance), NULL, 0);
        }
        return;
    }
    if (cond) {
        s->clear_since = NAN;
        if (cond != ts->condition) {
            ts->condition = cond;
            engine_touch(e, s->incident, score, details(cond, &fs, ratio, distance));
        }
        if (!strcmp(cond, "scene_change") && pts - s->cond_since >= RELEARN_SECONDS) {
            memcpy(ts->thumb, fs.thumb, sizeof ts->thumb);
            ts->sharpness = fs.sharpness;
            s->last_end = engine_close(e, s->incident, "relearned");
            s->incident = -1;
            ts->pending = NULL;
        }
        return;
    }
    if (isnan(s->clear_since))
        s->clear_since = pts;
    if (pts - s->clear_since >= r->seconds - 1e-9) {
        s->last_end = engine_close(e, s->incident, "cleared");
        s->incident = -1;
        ts->pending = NULL;
        s->cond_since = NAN;
    }
}
