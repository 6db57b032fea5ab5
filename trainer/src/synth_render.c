/* Drawing a frame: ground (procedural or a supplied image), objects far to near, each
 * a class silhouette filled with its own striped texture, then the pillars. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth_internal.h"

static void put(uint8_t *p, double r, double g, double b) {
    p[0] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
    p[1] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
    p[2] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
}

/* Paving: tiles of varying shade with darker joints, brighter towards the top. */
static void draw_ground(const vigil_synth *clip, uint8_t *rgb, int stride) {
    const vigil_synth_options *o = &clip->opt;
    int tile = o->width / 16 > 8 ? o->width / 16 : 8;
    for (int y = 0; y < o->height; y++) {
        uint8_t *row = rgb + (size_t)y * stride;
        double light = 0.8 + 0.3 * (1.0 - (double)y / o->height);
        for (int x = 0; x < o->width; x++) {
            int tx = x / tile, ty = y / tile;
            double shade = 0.85 + 0.3 * vigil_synth_hash01(o->seed, (uint64_t)tx, (uint64_t)ty);
            double grain = 12.0 * (vigil_synth_hash01(o->seed + 1, (uint64_t)x, (uint64_t)y) - 0.5);
            int joint = x % tile < 2 || y % tile < 2;
            double base = joint ? 70 : 150 * shade;
            put(row + 3 * x, (base + grain) * light, (base * 0.95 + grain) * light,
                (base * 0.85 + grain) * light);
        }
    }
}

static double sq(double x) {
    return x * x;
}

/* Whether normalised point (u, v) in 0..1 of an object's box belongs to its silhouette;
 * *part tells body (0), dark detail (1) and light detail (2) apart. */
static int silhouette(int class_id, double u, double v, double aspect, int *part) {
    *part = 0;
    switch (class_id) {
    case VIGIL_SYNTH_CLASS_PERSON: {
        if (sq((u - 0.5) / 0.24) + sq((v - 0.1) / 0.1) <= 1) {
            *part = 2;
            return 1;
        }
        if (v >= 0.2 && v < 0.62)
            return fabs(u - 0.5) <= 0.5 - 0.2 * (0.62 - v);
        if (v >= 0.62) {
            double a = fabs(u - 0.5);
            *part = 1;
            return a >= 0.04 && a <= 0.38;
        }
        return 0;
    }
    case VIGIL_SYNTH_CLASS_CAR: {
        double r = 0.16; /* wheel radius in height units */
        for (int w = 0; w < 2; w++)
            if (sq((u - (w ? 0.8 : 0.2)) * aspect) + sq(v - 0.84) <= r * r) {
                *part = 1;
                return 1;
            }
        if (v >= 0.38 && v < 0.84)
            return 1;
        if (v < 0.38 && u >= 0.22 + 0.1 * (0.38 - v) && u <= 0.78 - 0.1 * (0.38 - v)) {
            *part = v > 0.06 && fabs(u - 0.5) > 0.03 ? 2 : 0;
            return 1;
        }
        return 0;
    }
    case VIGIL_SYNTH_CLASS_BICYCLE: {
        double r = 0.3;
        for (int w = 0; w < 2; w++) {
            double d = sqrt(sq((u - (w ? 0.8 : 0.2)) * aspect) + sq(v - 0.68));
            if (d <= r && d >= r - 0.07) {
                *part = 1;
                return 1;
            }
        }
        /* Frame: a bar between the wheel hubs and a post up to the saddle. */
        if (fabs(v - 0.5) < 0.05 && u > 0.2 && u < 0.8)
            return 1;
        if (fabs(u - 0.45) * aspect < 0.05 && v > 0.1 && v < 0.68)
            return 1;
        return 0;
    }
    default: /* suitcase: a box with a handle */
        if (v >= 0.16)
            return 1;
        if (u >= 0.35 && u <= 0.65 && (v < 0.05 || fabs(u - 0.5) > 0.1)) {
            *part = 1;
            return 1;
        }
        return 0;
    }
}

static void draw_object(const vigil_synth *clip, const vigil_synth_object *o, int f, uint8_t *rgb,
                        int stride) {
    float box[4];
    if (!vigil_synth_object_box(o, f, box))
        return;
    int x0 = (int)floorf(box[0]), y0 = (int)floorf(box[1]);
    int x1 = (int)ceilf(box[0] + box[2]), y1 = (int)ceilf(box[1] + box[3]);
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > clip->opt.width ? clip->opt.width : x1;
    y1 = y1 > clip->opt.height ? clip->opt.height : y1;
    double ca = cos(o->stripe_angle), sa = sin(o->stripe_angle);
    double aspect = (double)o->w / o->h;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            double u = (x + 0.5 - box[0]) / box[2], v = (y + 0.5 - box[1]) / box[3];
            int part;
            if (u < 0 || u >= 1 || v < 0 || v >= 1 || !silhouette(o->class_id, u, v, aspect, &part))
                continue;
            uint8_t *p = rgb + (size_t)y * stride + 3 * x;
            double shade = 1.05 - 0.3 * v;
            if (part == 1) {
                put(p, 35 * shade, 35 * shade, 40 * shade);
                continue;
            }
            if (part == 2) {
                put(p, 0.5 * o->color[0][0] + 110, 0.5 * o->color[0][1] + 100,
                    0.5 * o->color[0][2] + 90);
                continue;
            }
            /* Texture in object coordinates, so it moves with the object. */
            double t = (u * ca * aspect + v * sa) * o->stripe_freq;
            const uint8_t *c = o->color[(int)floor(t * 2) & 1];
            put(p, c[0] * shade, c[1] * shade, c[2] * shade);
        }
}

static void draw_pillar(const vigil_synth *clip, const vigil_synth_box *b, uint8_t *rgb,
                        int stride) {
    int x0 = (int)floorf(b->x), x1 = (int)ceilf(b->x + b->w);
    x0 = x0 < 0 ? 0 : x0;
    x1 = x1 > clip->opt.width ? clip->opt.width : x1;
    int brick = clip->opt.height / 24 > 4 ? clip->opt.height / 24 : 4;
    int y0 = (int)floorf(b->y), y1 = (int)ceilf(b->y + b->h);
    y0 = y0 < 0 ? 0 : y0;
    y1 = y1 > clip->opt.height ? clip->opt.height : y1;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            double edge = (x - x0 < 3 || x1 - x < 3 || y - y0 < 3 || y1 - y < 3) ? 0.6 : 1.0;
            double mortar = y % brick < 2 ? 0.7 : 1.0;
            double grain = 10 * vigil_synth_hash01(clip->opt.seed + 7, (uint64_t)x, (uint64_t)y);
            double g = (150 + grain) * edge * mortar;
            put(rgb + (size_t)y * stride + 3 * x, g * 1.05, g, g * 0.9);
        }
}

static int drawn_before(const vigil_synth_object *x, const vigil_synth_object *y) {
    return x->depth < y->depth || (x->depth == y->depth && x->id < y->id);
}

/* Far to near; insertion sort, as objects come mostly in order and are few. */
static void sort_by_depth(const vigil_synth_object *objects, int *order, int n) {
    for (int i = 1; i < n; i++) {
        int k = order[i], j = i - 1;
        while (j >= 0 && drawn_before(&objects[k], &objects[order[j]])) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = k;
    }
}

vigil_status vigil_synth_render(const vigil_synth *clip, int frame, const uint8_t *background,
                                int background_stride, uint8_t *rgb, int stride, vigil_error *err) {
    const vigil_synth_options *o = &clip->opt;
    if (frame < 1 || frame > o->frames)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "synth: frame %d is outside 1..%d", frame, o->frames);
    if (stride < 3 * o->width || (background && background_stride < 3 * o->width))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "synth: row stride below 3 x width %d", o->width);
    if (background)
        for (int y = 0; y < o->height; y++)
            memcpy(rgb + (size_t)y * stride, background + (size_t)y * background_stride,
                   (size_t)3 * o->width);
    else
        draw_ground(clip, rgb, stride);
    int *order = malloc(((size_t)clip->n_objects + 1) * sizeof *order);
    if (!order)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "synth: out of memory");
    for (int k = 0; k < clip->n_objects; k++)
        order[k] = k;
    sort_by_depth(clip->objects, order, clip->n_objects);
    for (int k = 0; k < clip->n_objects; k++)
        draw_object(clip, &clip->objects[order[k]], frame - 1, rgb, stride);
    for (int p = 0; p < clip->n_pillars; p++)
        draw_pillar(clip, &clip->pillars[p], rgb, stride);
    free(order);
    return VIGIL_STATUS_OK;
}
