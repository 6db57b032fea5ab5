/* Presets, creation and accessors of synthetic clips. */
#include <stdlib.h>
#include <string.h>

#include "synth_internal.h"

static const char *const preset_names[VIGIL_SYNTH_PRESET_COUNT] = {"easy", "medium", "hard",
                                                                   "crowd"};

void vigil_synth_options_preset(vigil_synth_preset preset, vigil_synth_options *o) {
    *o = (vigil_synth_options){
        .seed = 1,
        .width = 640,
        .height = 480,
        .fps = 25,
        .frames = 250,
        .occlusion_seconds = 1.0,
        .min_visibility = 0.15,
    };
    switch (preset) {
    case VIGIL_SYNTH_PRESET_EASY:
        o->walkers = 6;
        o->crossings = 1;
        o->miss_rate = 0.02;
        o->false_positive_rate = 0.1;
        o->jitter = 0.02;
        o->score_noise = 0.03;
        o->speed_change = 0.1;
        break;
    case VIGIL_SYNTH_PRESET_MEDIUM:
    default:
        o->walkers = 10;
        o->crossings = 2;
        o->occluders = 1;
        o->parked = 1;
        o->blocker_seconds = 4.0;
        o->left_objects = 1;
        o->stop_probability = 0.2;
        o->speed_change = 0.3;
        o->miss_rate = 0.05;
        o->false_positive_rate = 0.4;
        o->clutter_spots = 1;
        o->jitter = 0.04;
        o->score_noise = 0.06;
        o->class_confusion = 0.01;
        break;
    case VIGIL_SYNTH_PRESET_HARD:
        o->width = 960;
        o->height = 540;
        o->frames = 375;
        o->walkers = 20;
        o->crossings = 4;
        o->occluders = 2;
        o->parked = 2;
        o->blocker_seconds = 4.0;
        o->left_objects = 1;
        o->stop_probability = 0.35;
        o->speed_change = 0.5;
        o->miss_rate = 0.1;
        o->false_positive_rate = 1.2;
        o->clutter_spots = 3;
        o->jitter = 0.06;
        o->score_noise = 0.1;
        o->class_confusion = 0.03;
        break;
    case VIGIL_SYNTH_PRESET_CROWD:
        o->width = 1280;
        o->height = 720;
        o->frames = 375;
        o->walkers = 45;
        o->crossings = 6;
        o->occluders = 2;
        o->parked = 1;
        o->blocker_seconds = 4.0;
        o->stop_probability = 0.25;
        o->speed_change = 0.4;
        o->miss_rate = 0.08;
        o->false_positive_rate = 0.8;
        o->clutter_spots = 2;
        o->jitter = 0.05;
        o->score_noise = 0.08;
        o->class_confusion = 0.02;
        break;
    }
}

vigil_status vigil_synth_preset_from_name(const char *name, vigil_synth_preset *preset,
                                          vigil_error *err) {
    for (int p = 0; p < VIGIL_SYNTH_PRESET_COUNT; p++)
        if (!strcmp(name, preset_names[p])) {
            *preset = (vigil_synth_preset)p;
            return VIGIL_STATUS_OK;
        }
    return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                           "unknown preset '%s' (easy, medium, hard, crowd)", name);
}

const char *vigil_synth_preset_name(vigil_synth_preset preset) {
    return preset >= 0 && preset < VIGIL_SYNTH_PRESET_COUNT ? preset_names[preset] : "?";
}

static vigil_status check_options(const vigil_synth_options *o, vigil_error *err) {
    if (o->width < 64 || o->height < 64 || o->width > 8192 || o->height > 8192)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "synth: size %dx%d is outside 64..8192", o->width, o->height);
    if (!(o->fps > 0 && o->fps <= 1000) || o->frames < 1 || o->frames > 1000000)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "synth: need fps in (0, 1000] and 1..1000000 frames");
    if (o->walkers < 0 || o->crossings < 0 || o->occluders < 0 || o->parked < 0 ||
        o->left_objects < 0 || o->clutter_spots < 0 ||
        o->walkers + 2 * o->crossings + o->occluders + o->parked + o->left_objects > 100000)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "synth: object counts must be 0 or more (and not absurd)");
    const double rates[] = {o->stop_probability, o->miss_rate, o->class_confusion,
                            o->min_visibility};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
        if (!(rates[i] >= 0 && rates[i] <= 1))
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "synth: probabilities must lie in 0..1 (got %g)", rates[i]);
    if (!(o->false_positive_rate >= 0 && o->false_positive_rate < 1000) || !(o->jitter >= 0) ||
        !(o->jitter < 1) || !(o->score_noise >= 0) || !(o->speed_change >= 0) ||
        !(o->speed_change < 1) || !(o->occlusion_seconds > 0) || !(o->blocker_seconds >= 0))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "synth: noise levels must be non-negative (jitter and speed "
                               "change below 1, occlusion seconds above 0)");
    return VIGIL_STATUS_OK;
}

vigil_status vigil_synth_create(const vigil_synth_options *options, vigil_synth **out,
                                vigil_error *err) {
    *out = NULL;
    vigil_status status = check_options(options, err);
    if (status < 0)
        return status;
    vigil_synth *clip = calloc(1, sizeof *clip);
    if (!clip)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "synth: out of memory");
    clip->opt = *options;
    status = vigil_synth_plan(clip, err);
    if (status == VIGIL_STATUS_OK)
        status = vigil_synth_label(clip, err);
    if (status < 0) {
        vigil_synth_free(clip);
        return status;
    }
    *out = clip;
    return VIGIL_STATUS_OK;
}

void vigil_synth_free(vigil_synth *clip) {
    if (!clip)
        return;
    for (int k = 0; k < clip->n_objects; k++) {
        free(clip->objects[k].cx);
        free(clip->objects[k].cy);
    }
    free(clip->objects);
    free(clip->pillars);
    free(clip->clutter);
    free(clip->crossing_ids);
    free(clip->occluded_ids);
    free(clip->parked_ids);
    free(clip->blocked_first);
    free(clip->blocked_last);
    vigil_mot_records_free(&clip->truth);
    vigil_mot_records_free(&clip->detections);
    free(clip);
}

const vigil_mot_records *vigil_synth_truth(const vigil_synth *clip) {
    return &clip->truth;
}

const vigil_mot_records *vigil_synth_detections(const vigil_synth *clip) {
    return &clip->detections;
}

int vigil_synth_crossing_id(const vigil_synth *clip, int k, int which) {
    if (k < 0 || k >= clip->opt.crossings || which < 0 || which > 1)
        return -1;
    return clip->crossing_ids[2 * k + which];
}

int vigil_synth_occluded_id(const vigil_synth *clip, int k) {
    return k >= 0 && k < clip->opt.occluders ? clip->occluded_ids[k] : -1;
}

int vigil_synth_parked_id(const vigil_synth *clip, int k) {
    return k >= 0 && k < clip->opt.parked ? clip->parked_ids[k] : -1;
}

void vigil_synth_blocked_frames(const vigil_synth *clip, int k, int *first, int *last) {
    *first = 0;
    *last = -1;
    if (k >= 0 && k < clip->opt.parked && clip->blocked_last[k] >= clip->blocked_first[k]) {
        *first = clip->blocked_first[k] + 1;
        *last = clip->blocked_last[k] + 1;
    }
}
