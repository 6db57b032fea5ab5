/* Ground truth and the simulated detector. Visibility is measured on a grid of sample
 * points over each box, against the boxes of nearer objects and the pillars. */
#include <math.h>
#include <stdlib.h>

#include "synth_internal.h"

#define VIS_SAMPLES 16

static int nearer(const vigil_synth_object *a, const vigil_synth_object *b) {
    return a->depth > b->depth || (a->depth == b->depth && a->id > b->id);
}

static int inside(const float b[4], double x, double y) {
    return x >= b[0] && x < b[0] + b[2] && y >= b[1] && y < b[1] + b[3];
}

double vigil_synth_visibility(const vigil_synth *clip, int k, int f) {
    const vigil_synth_object *o = &clip->objects[k];
    float box[4];
    if (!vigil_synth_object_box(o, f, box))
        return 0;
    /* The few objects that can hide this one, found once per call. */
    int n_cover = 0;
    float cover_box[64][4];
    for (int j = 0; j < clip->n_objects && n_cover < 64; j++) {
        const vigil_synth_object *q = &clip->objects[j];
        float b[4];
        if (j == k || !nearer(q, o) || !vigil_synth_object_box(q, f, b))
            continue;
        if (b[0] >= box[0] + box[2] || box[0] >= b[0] + b[2] || b[1] >= box[1] + box[3] ||
            box[1] >= b[1] + b[3])
            continue;
        for (int c = 0; c < 4; c++)
            cover_box[n_cover][c] = b[c];
        n_cover++;
    }
    int visible = 0;
    for (int sy = 0; sy < VIS_SAMPLES; sy++)
        for (int sx = 0; sx < VIS_SAMPLES; sx++) {
            double x = box[0] + (sx + 0.5) * box[2] / VIS_SAMPLES;
            double y = box[1] + (sy + 0.5) * box[3] / VIS_SAMPLES;
            if (x < 0 || y < 0 || x >= clip->opt.width || y >= clip->opt.height)
                continue;
            int hidden = 0;
            for (int p = 0; p < clip->n_pillars && !hidden; p++) {
                const vigil_synth_box *pb = &clip->pillars[p];
                float b[4] = {pb->x, pb->y, pb->w, pb->h};
                hidden = inside(b, x, y);
            }
            for (int c = 0; c < n_cover && !hidden; c++)
                hidden = inside(cover_box[c], x, y);
            visible += !hidden;
        }
    return (double)visible / (VIS_SAMPLES * VIS_SAMPLES);
}

/* Clips box to the frame; returns its remaining area. */
static double clip_box(const vigil_synth_options *opt, float box[4]) {
    float x0 = fmaxf(box[0], 0), y0 = fmaxf(box[1], 0);
    float x1 = fminf(box[0] + box[2], (float)opt->width);
    float y1 = fminf(box[1] + box[3], (float)opt->height);
    box[0] = x0;
    box[1] = y0;
    box[2] = x1 > x0 ? x1 - x0 : 0;
    box[3] = y1 > y0 ? y1 - y0 : 0;
    return (double)box[2] * box[3];
}

static float clamp_score(double s) {
    return (float)(s < 0.01 ? 0.01 : s > 0.99 ? 0.99 : s);
}

static const int classes[4] = {VIGIL_SYNTH_CLASS_PERSON, VIGIL_SYNTH_CLASS_BICYCLE,
                               VIGIL_SYNTH_CLASS_CAR, VIGIL_SYNTH_CLASS_SUITCASE};

static int other_class(vigil_synth_rng *rng, int class_id) {
    int c;
    do
        c = classes[(int)(vigil_synth_uniform(rng) * 4)];
    while (c == class_id);
    return c;
}

static int compare_score_desc(const void *a, const void *b) {
    float x = ((const vigil_mot_record *)a)->score, y = ((const vigil_mot_record *)b)->score;
    return (x < y) - (x > y);
}

/* What a detector reports for a truth box seen at visibility vis. */
static vigil_status detect_object(vigil_synth *clip, vigil_synth_rng *rng,
                                  const vigil_synth_object *o, const float truth[4], double vis,
                                  int frame, vigil_error *err) {
    const vigil_synth_options *opt = &clip->opt;
    /* Sure above 45 % visible (less the base miss rate), never below 10 %. */
    double ramp = (vis - 0.1) / 0.35;
    ramp = ramp < 0 ? 0 : ramp > 1 ? 1 : ramp;
    if (vigil_synth_uniform(rng) >= (1 - opt->miss_rate) * ramp)
        return VIGIL_STATUS_OK;
    vigil_mot_record d = {.frame = frame, .id = -1, .class_id = o->class_id, .visibility = -1};
    double spread = opt->jitter * (2.0 - vis);
    d.box[2] = truth[2] * (float)(1 + spread * vigil_synth_gauss(rng));
    d.box[3] = truth[3] * (float)(1 + spread * vigil_synth_gauss(rng));
    d.box[0] = truth[0] + 0.5f * (truth[2] - d.box[2]) +
               (float)(spread * truth[2] * vigil_synth_gauss(rng));
    d.box[1] = truth[1] + 0.5f * (truth[3] - d.box[3]) +
               (float)(spread * truth[3] * vigil_synth_gauss(rng));
    if (clip_box(opt, d.box) <= 0)
        return VIGIL_STATUS_OK;
    d.score = clamp_score(o->base_score * (0.55 + 0.45 * vis) +
                          opt->score_noise * vigil_synth_gauss(rng));
    if (vigil_synth_uniform(rng) < opt->class_confusion)
        d.class_id = other_class(rng, d.class_id);
    return vigil_mot_records_push(&clip->detections, &d, err);
}

static vigil_status false_detections(vigil_synth *clip, vigil_synth_rng *rng, int frame,
                                     vigil_error *err) {
    const vigil_synth_options *opt = &clip->opt;
    vigil_status status = VIGIL_STATUS_OK;
    int n = vigil_synth_poisson(rng, opt->false_positive_rate);
    for (int k = 0; k < n && status == VIGIL_STATUS_OK; k++) {
        vigil_mot_record d = {.frame = frame, .id = -1, .visibility = -1};
        int car = vigil_synth_uniform(rng) < 0.25;
        d.class_id = car ? VIGIL_SYNTH_CLASS_CAR : VIGIL_SYNTH_CLASS_PERSON;
        d.box[3] = (float)(opt->height * vigil_synth_range(rng, 0.08, 0.22));
        d.box[2] = d.box[3] * (car ? 2.0f : 0.45f);
        d.box[0] = (float)vigil_synth_range(rng, 0, opt->width - d.box[2]);
        d.box[1] = (float)vigil_synth_range(rng, 0, opt->height - d.box[3]);
        /* Mostly weak, sometimes confident, as a real detector's false alarms are. */
        d.score = clamp_score(vigil_synth_uniform(rng) < 0.7 ? vigil_synth_range(rng, 0.1, 0.45)
                                                             : vigil_synth_range(rng, 0.45, 0.8));
        if (clip_box(opt, d.box) > 0)
            status = vigil_mot_records_push(&clip->detections, &d, err);
    }
    for (int k = 0; k < clip->n_clutter && status == VIGIL_STATUS_OK; k++) {
        if (vigil_synth_uniform(rng) >= 0.35)
            continue;
        const vigil_synth_box *c = &clip->clutter[k];
        vigil_mot_record d = {.frame = frame, .id = -1, .class_id = c->class_id, .visibility = -1};
        float s = 0.03f;
        d.box[0] = c->x + (float)(s * c->w * vigil_synth_gauss(rng));
        d.box[1] = c->y + (float)(s * c->h * vigil_synth_gauss(rng));
        d.box[2] = c->w * (float)(1 + s * vigil_synth_gauss(rng));
        d.box[3] = c->h * (float)(1 + s * vigil_synth_gauss(rng));
        d.score = clamp_score(vigil_synth_range(rng, 0.3, 0.75));
        if (clip_box(opt, d.box) > 0)
            status = vigil_mot_records_push(&clip->detections, &d, err);
    }
    return status;
}

vigil_status vigil_synth_label(vigil_synth *clip, vigil_error *err) {
    const vigil_synth_options *opt = &clip->opt;
    vigil_synth_rng rng;
    vigil_synth_rng_seed(&rng, opt->seed, 2);
    vigil_status status = VIGIL_STATUS_OK;
    for (int f = 0; f < opt->frames && status == VIGIL_STATUS_OK; f++) {
        int first_det = clip->detections.count;
        for (int k = 0; k < clip->n_objects && status == VIGIL_STATUS_OK; k++) {
            const vigil_synth_object *o = &clip->objects[k];
            float box[4];
            if (!vigil_synth_object_box(o, f, box))
                continue;
            /* Everything drawn is in the truth, so a trainer is never taught that pixels of
             * an object are background; slivers at the border come out "do not care". */
            if (clip_box(opt, box) <= 0 || box[2] < 1 || box[3] < 1)
                continue;
            double vis = vigil_synth_visibility(clip, k, f);
            vigil_mot_record t = {.frame = f + 1,
                                  .id = o->id,
                                  .box = {box[0], box[1], box[2], box[3]},
                                  .score = vis >= opt->min_visibility ? 1.0f : 0.0f,
                                  .class_id = o->class_id,
                                  .visibility = (float)vis};
            status = vigil_mot_records_push(&clip->truth, &t, err);
            if (status == VIGIL_STATUS_OK)
                status = detect_object(clip, &rng, o, box, vis, f + 1, err);
        }
        if (status == VIGIL_STATUS_OK)
            status = false_detections(clip, &rng, f + 1, err);
        /* A detector's output comes sorted by score after NMS. */
        if (clip->detections.count > first_det)
            qsort(clip->detections.items + first_det, (size_t)(clip->detections.count - first_det),
                  sizeof(vigil_mot_record), compare_score_desc);
    }
    return status;
}
