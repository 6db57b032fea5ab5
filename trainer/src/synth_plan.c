/* Planning a clip: every object's centre in every frame, the pillars, the clutter spots.
 * All draws come from the scene stream of the seed. */
#include <math.h>
#include <stdlib.h>

#include "synth_internal.h"

typedef struct class_shape {
    int class_id;
    double h_lo, h_hi; /* height as a fraction of the frame height */
    double aspect;     /* width / height */
    double v_lo, v_hi; /* speed as a fraction of the frame width per second */
} class_shape;

static const class_shape shapes[] = {
    {VIGIL_SYNTH_CLASS_PERSON, 0.15, 0.24, 0.4, 0.07, 0.14},
    {VIGIL_SYNTH_CLASS_BICYCLE, 0.12, 0.17, 1.6, 0.16, 0.26},
    {VIGIL_SYNTH_CLASS_CAR, 0.12, 0.18, 2.2, 0.2, 0.36},
    {VIGIL_SYNTH_CLASS_SUITCASE, 0.06, 0.09, 0.7, 0, 0},
};

enum { SHAPE_PERSON, SHAPE_BICYCLE, SHAPE_CAR, SHAPE_SUITCASE };

static vigil_synth_object *new_object(vigil_synth *clip, vigil_synth_rng *rng, int shape, int depth,
                                      vigil_error *err) {
    if (clip->n_objects == clip->cap_objects) {
        int cap = clip->cap_objects ? 2 * clip->cap_objects : 32;
        vigil_synth_object *p = realloc(clip->objects, (size_t)cap * sizeof *p);
        if (!p) {
            vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "synth: out of memory for objects");
            return NULL;
        }
        clip->objects = p;
        clip->cap_objects = cap;
    }
    vigil_synth_object *o = &clip->objects[clip->n_objects];
    const class_shape *s = &shapes[shape];
    *o = (vigil_synth_object){.id = clip->n_objects + 1, .class_id = s->class_id, .depth = depth};
    o->h = (float)(clip->opt.height * vigil_synth_range(rng, s->h_lo, s->h_hi));
    o->w = (float)(o->h * s->aspect);
    for (int c = 0; c < 2; c++)
        for (int k = 0; k < 3; k++)
            o->color[c][k] = (uint8_t)vigil_synth_range(rng, c ? 20 : 90, c ? 150 : 250);
    o->stripe_freq = (float)vigil_synth_range(rng, 2, 7);
    o->stripe_angle = (float)vigil_synth_range(rng, 0, M_PI);
    o->base_score = (float)vigil_synth_range(rng, 0.72, 0.95);
    o->cx = malloc((size_t)clip->opt.frames * sizeof *o->cx);
    o->cy = malloc((size_t)clip->opt.frames * sizeof *o->cy);
    if (!o->cx || !o->cy) {
        free(o->cx);
        free(o->cy);
        vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "synth: out of memory for paths");
        return NULL;
    }
    o->first = 0;
    o->last = -1;
    clip->n_objects++;
    return o;
}

static double shape_speed(vigil_synth *clip, vigil_synth_rng *rng, int shape) {
    return clip->opt.width * vigil_synth_range(rng, shapes[shape].v_lo, shapes[shape].v_hi);
}

/* Walks o along the polyline pts[n] from frame start (may be negative: already on its
 * way when the clip begins) until the end of the line or of the clip. Speed varies
 * per segment by speed_change; with stops, the walker may pause at inner points. */
static void walk(vigil_synth *clip, vigil_synth_rng *rng, vigil_synth_object *o,
                 const double (*pts)[2], int n, double speed, int start, int stops) {
    const vigil_synth_options *opt = &clip->opt;
    double dt = 1.0 / opt->fps;
    double x = pts[0][0], y = pts[0][1];
    double factor =
        stops ? vigil_synth_range(rng, 1 - opt->speed_change, 1 + opt->speed_change) : 1.0;
    double pause = 0;
    int seg = 0;
    o->first = start > 0 ? start : 0;
    o->last = o->first - 1;
    for (int f = start; f < opt->frames; f++) {
        if (f >= 0) {
            o->cx[f - o->first] = (float)x;
            o->cy[f - o->first] = (float)y;
            o->last = f;
        }
        if (seg >= n - 1)
            break;
        if (pause > 0) {
            pause -= dt;
            continue;
        }
        double step = speed * factor * dt;
        while (step > 0 && seg < n - 1) {
            double dx = pts[seg + 1][0] - x, dy = pts[seg + 1][1] - y;
            double d = sqrt(dx * dx + dy * dy);
            if (d > step) {
                x += dx / d * step;
                y += dy / d * step;
                step = 0;
            } else {
                x = pts[seg + 1][0];
                y = pts[seg + 1][1];
                step -= d;
                seg++;
                if (stops && seg < n - 1) {
                    factor = vigil_synth_range(rng, 1 - opt->speed_change, 1 + opt->speed_change);
                    if (vigil_synth_uniform(rng) < opt->stop_probability) {
                        pause = vigil_synth_range(rng, 1.0, 4.0);
                        step = 0;
                    }
                }
            }
        }
    }
}

/* A point just outside the frame on side (0 left, 1 right, 2 top, 3 bottom) so that
 * the object is wholly outside there. */
static void border_point(vigil_synth *clip, vigil_synth_rng *rng, const vigil_synth_object *o,
                         int side, double y_lo, double y_hi, double p[2]) {
    double W = clip->opt.width, H = clip->opt.height;
    switch (side) {
    case 0:
    case 1:
        p[0] = side == 0 ? -0.5 * o->w - 1 : W + 0.5 * o->w + 1;
        p[1] = H * vigil_synth_range(rng, y_lo, y_hi);
        break;
    default:
        p[0] = W * vigil_synth_range(rng, 0.1, 0.9);
        p[1] = side == 2 ? H * 0.3 - 0.5 * o->h : H + 0.5 * o->h + 1;
        break;
    }
}

static vigil_status plan_walker(vigil_synth *clip, vigil_synth_rng *rng, vigil_error *err) {
    double u = vigil_synth_uniform(rng);
    int shape = u < 0.62 ? SHAPE_PERSON : u < 0.8 ? SHAPE_BICYCLE : SHAPE_CAR;
    vigil_synth_object *o =
        new_object(clip, rng, shape, 1 + (int)(vigil_synth_uniform(rng) * 999), err);
    if (!o)
        return VIGIL_STATUS_NO_MEMORY;
    double W = clip->opt.width, H = clip->opt.height;
    double pts[4][2];
    int n = 0;
    if (shape == SHAPE_CAR) {
        /* Cars keep to a road band and cross from side to side. */
        int side = vigil_synth_uniform(rng) < 0.5;
        border_point(clip, rng, o, side, 0.5, 0.85, pts[n++]);
        pts[n][0] = W * vigil_synth_range(rng, 0.35, 0.65);
        pts[n][1] = pts[0][1] + H * vigil_synth_range(rng, -0.05, 0.05);
        n++;
        border_point(clip, rng, o, !side, 0.5, 0.85, pts[n]);
        pts[n][1] = pts[1][1] + H * vigil_synth_range(rng, -0.05, 0.05);
        n++;
    } else {
        int in = (int)(vigil_synth_uniform(rng) * 4);
        int out = (in + 1 + (int)(vigil_synth_uniform(rng) * 3)) % 4;
        border_point(clip, rng, o, in, 0.35, 0.9, pts[n++]);
        int inner = 1 + (int)(vigil_synth_uniform(rng) * 2);
        for (int k = 0; k < inner; k++, n++) {
            pts[n][0] = W * vigil_synth_range(rng, 0.1, 0.9);
            pts[n][1] = H * vigil_synth_range(rng, 0.35, 0.9);
        }
        border_point(clip, rng, o, out, 0.35, 0.9, pts[n++]);
    }
    int frames = clip->opt.frames;
    int start = (int)(vigil_synth_range(rng, -0.25, 0.85) * frames);
    walk(clip, rng, o, (const double(*)[2])pts, n, shape_speed(clip, rng, shape), start, 1);
    return VIGIL_STATUS_OK;
}

/* A person walking a horizontal line at speed v that reaches x_at at frame f_at. */
static void walk_line(vigil_synth *clip, vigil_synth_rng *rng, vigil_synth_object *o, double y,
                      double v, int dir, double x_at, double f_at) {
    double seconds = f_at / clip->opt.fps;
    double pts[2][2] = {{x_at - dir * v * seconds, y},
                        {dir > 0 ? clip->opt.width + o->w + 1 : -o->w - 1, y}};
    walk(clip, rng, o, (const double(*)[2])pts, 2, v, 0, 0);
}

static int overlaps_pillar(const vigil_synth *clip, double x, double y, double w, double h);

static vigil_status plan_crossing(vigil_synth *clip, vigil_synth_rng *rng, int k,
                                  vigil_error *err) {
    double W = clip->opt.width, H = clip->opt.height;
    double y = H * vigil_synth_range(rng, 0.45, 0.8);
    double f_meet = clip->opt.frames * vigil_synth_range(rng, 0.3, 0.7);
    /* Meet in the open: a crossing behind a pillar would test two things at once. */
    double x_meet = W * vigil_synth_range(rng, 0.3, 0.7);
    for (int attempt = 0;
         attempt < 20 && overlaps_pillar(clip, x_meet - 0.1 * W, y - 0.15 * H, 0.2 * W, 0.3 * H);
         attempt++)
        x_meet = W * vigil_synth_range(rng, 0.15, 0.85);
    for (int which = 0; which < 2; which++) {
        vigil_synth_object *o = new_object(clip, rng, SHAPE_PERSON, 2000 + 2 * k + which, err);
        if (!o)
            return VIGIL_STATUS_NO_MEMORY;
        double v = W * vigil_synth_range(rng, 0.09, 0.13);
        double oy = which ? y + o->h * vigil_synth_range(rng, -0.08, 0.08) : y;
        walk_line(clip, rng, o, oy, v, which ? -1 : 1, x_meet, f_meet);
        clip->crossing_ids[2 * k + which] = o->id;
    }
    return VIGIL_STATUS_OK;
}

/* A kiosk-like block that hides one passer-by completely for occlusion_seconds; it is
 * half a body taller than the person above and below, so people walking at other
 * heights are only partly hidden or pass clear. */
static vigil_status plan_occluder(vigil_synth *clip, vigil_synth_rng *rng, int k,
                                  vigil_error *err) {
    double W = clip->opt.width, H = clip->opt.height;
    vigil_synth_object *o = new_object(clip, rng, SHAPE_PERSON, 1500 + k, err);
    if (!o)
        return VIGIL_STATUS_NO_MEMORY;
    double v = W * vigil_synth_range(rng, 0.08, 0.12);
    /* Hidden while the pillar covers the whole person: (P - w) / v seconds. */
    double pillar_w = o->w + v * clip->opt.occlusion_seconds;
    double centre = W * (0.2 + (k + 0.5) * 0.6 / clip->opt.occluders);
    double y = H * vigil_synth_range(rng, 0.45, 0.8);
    double top = y - 0.75 * o->h, bottom = y + 0.75 * o->h;
    top = top < 0 ? 0 : top;
    bottom = bottom > H ? H : bottom;
    clip->pillars[k] = (vigil_synth_box){(float)(centre - 0.5 * pillar_w), (float)top,
                                         (float)pillar_w, (float)(bottom - top), 0};
    int dir = vigil_synth_uniform(rng) < 0.5 ? 1 : -1;
    double f_at = clip->opt.frames * vigil_synth_range(rng, 0.3, 0.7);
    walk_line(clip, rng, o, y, v, dir, centre, f_at);
    clip->occluded_ids[k] = o->id;
    return VIGIL_STATUS_OK;
}

static int overlaps_pillar(const vigil_synth *clip, double x, double y, double w, double h) {
    for (int p = 0; p < clip->n_pillars; p++) {
        const vigil_synth_box *b = &clip->pillars[p];
        if (x < b->x + b->w && b->x < x + w && y < b->y + b->h && b->y < y + h)
            return 1;
    }
    return 0;
}

/* An object that stays put from frame `from` to the end, clear of the pillars. */
static vigil_status plan_still(vigil_synth *clip, vigil_synth_rng *rng, int shape, int from,
                               int *id, vigil_error *err) {
    vigil_synth_object *o = new_object(clip, rng, shape, shape == SHAPE_CAR ? 0 : 1, err);
    if (!o)
        return VIGIL_STATUS_NO_MEMORY;
    double W = clip->opt.width, H = clip->opt.height, x = 0, y = 0;
    for (int attempt = 0; attempt < 50; attempt++) {
        x = vigil_synth_range(rng, 0.05 * W, 0.95 * W - o->w);
        y = vigil_synth_range(rng, 0.5 * H, 0.95 * H - o->h);
        if (!overlaps_pillar(clip, x, y, o->w, o->h))
            break;
    }
    o->first = from;
    o->last = clip->opt.frames - 1;
    for (int f = from; f < clip->opt.frames; f++) {
        o->cx[f - from] = (float)(x + 0.5 * o->w);
        o->cy[f - from] = (float)(y + 0.5 * o->h);
    }
    *id = o->id;
    return VIGIL_STATUS_OK;
}

/* A truck that drives in, stands in front of parked car k for blocker_seconds, hiding it
 * completely, and drives on. */
static vigil_status plan_blocker(vigil_synth *clip, vigil_synth_rng *rng, int k, vigil_error *err) {
    const vigil_synth_object *car = &clip->objects[clip->parked_ids[k] - 1];
    double car_cx = car->cx[0], car_cy = car->cy[0], car_w = car->w, car_h = car->h;
    vigil_synth_object *o = new_object(clip, rng, SHAPE_CAR, 3000 + k, err);
    if (!o)
        return VIGIL_STATUS_NO_MEMORY;
    /* Big enough to cover the car with a margin, standing slightly nearer the camera. */
    o->h = (float)(car_h * 1.4);
    o->w = (float)(car_w * 1.25);
    const vigil_synth_options *opt = &clip->opt;
    double v = opt->width * vigil_synth_range(rng, 0.2, 0.3);
    double stop_x = car_cx, y = car_cy + 0.05 * car_h;
    int dir = vigil_synth_uniform(rng) < 0.5 ? 1 : -1;
    double start_x = dir > 0 ? -0.5 * o->w - 1 : opt->width + 0.5 * o->w + 1;
    double end_x = dir > 0 ? opt->width + 0.5 * o->w + 1 : -0.5 * o->w - 1;
    /* Not before the car has been in view for 3 s: a tracker cannot know a car is parked
     * before it has seen it stand still. */
    int arrive = (int)(opt->frames * vigil_synth_range(rng, 0.3, 0.5));
    int earliest = (int)(3.0 * opt->fps);
    arrive = arrive > earliest ? arrive : earliest;
    int drive_in = (int)ceil(fabs(stop_x - start_x) / v * opt->fps);
    int stand = (int)lround(opt->blocker_seconds * opt->fps);
    int first = arrive - drive_in;
    o->first = first > 0 ? first : 0;
    o->last = o->first - 1;
    for (int f = o->first; f < opt->frames; f++) {
        double x;
        if (f < arrive)
            x = stop_x - dir * v * (arrive - f) / opt->fps;
        else if (f < arrive + stand)
            x = stop_x;
        else
            x = stop_x + dir * v * (f - arrive - stand + 1) / opt->fps;
        if ((dir > 0 && x > end_x) || (dir < 0 && x < end_x))
            break;
        o->cx[f - o->first] = (float)x;
        o->cy[f - o->first] = (float)y;
        o->last = f;
    }
    clip->blocked_first[k] = arrive;
    clip->blocked_last[k] =
        arrive + stand - 1 < opt->frames - 1 ? arrive + stand - 1 : opt->frames - 1;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_synth_plan(vigil_synth *clip, vigil_error *err) {
    const vigil_synth_options *opt = &clip->opt;
    vigil_synth_rng rng;
    vigil_synth_rng_seed(&rng, opt->seed, 1);
    clip->crossing_ids = calloc((size_t)2 * opt->crossings + 1, sizeof(int));
    clip->occluded_ids = calloc((size_t)opt->occluders + 1, sizeof(int));
    clip->parked_ids = calloc((size_t)opt->parked + 1, sizeof(int));
    clip->blocked_first = calloc((size_t)opt->parked + 1, sizeof(int));
    clip->blocked_last = calloc((size_t)opt->parked + 1, sizeof(int));
    clip->pillars = calloc((size_t)opt->occluders + 1, sizeof *clip->pillars);
    clip->clutter = calloc((size_t)opt->clutter_spots + 1, sizeof *clip->clutter);
    if (!clip->crossing_ids || !clip->occluded_ids || !clip->parked_ids || !clip->pillars ||
        !clip->clutter || !clip->blocked_first || !clip->blocked_last)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "synth: out of memory");
    vigil_status status = VIGIL_STATUS_OK;
    clip->n_pillars = opt->occluders;
    for (int k = 0; k < opt->occluders && status == VIGIL_STATUS_OK; k++)
        status = plan_occluder(clip, &rng, k, err);
    for (int k = 0; k < opt->crossings && status == VIGIL_STATUS_OK; k++)
        status = plan_crossing(clip, &rng, k, err);
    for (int k = 0; k < opt->parked && status == VIGIL_STATUS_OK; k++) {
        status = plan_still(clip, &rng, SHAPE_CAR, 0, &clip->parked_ids[k], err);
        clip->blocked_last[k] = -1;
        if (status == VIGIL_STATUS_OK && opt->blocker_seconds > 0)
            status = plan_blocker(clip, &rng, k, err);
    }
    for (int k = 0; k < opt->left_objects && status == VIGIL_STATUS_OK; k++) {
        int id, from = (int)(opt->frames * vigil_synth_range(&rng, 0.2, 0.6));
        status = plan_still(clip, &rng, SHAPE_SUITCASE, from, &id, err);
    }
    for (int k = 0; k < opt->walkers && status == VIGIL_STATUS_OK; k++)
        status = plan_walker(clip, &rng, err);
    for (int k = 0; k < opt->clutter_spots; k++) {
        const class_shape *s = &shapes[vigil_synth_uniform(&rng) < 0.7 ? SHAPE_PERSON : SHAPE_CAR];
        vigil_synth_box *b = &clip->clutter[k];
        b->h = (float)(opt->height * vigil_synth_range(&rng, s->h_lo, s->h_hi));
        b->w = (float)(b->h * s->aspect);
        b->x = (float)vigil_synth_range(&rng, 0, opt->width - b->w);
        b->y = (float)vigil_synth_range(&rng, 0.3 * opt->height, opt->height - b->h);
        b->class_id = s->class_id;
    }
    clip->n_clutter = opt->clutter_spots;
    return status;
}

int vigil_synth_object_box(const vigil_synth_object *o, int f, float box[4]) {
    if (f < o->first || f > o->last)
        return 0;
    box[0] = o->cx[f - o->first] - 0.5f * o->w;
    box[1] = o->cy[f - o->first] - 0.5f * o->h;
    box[2] = o->w;
    box[3] = o->h;
    return 1;
}
