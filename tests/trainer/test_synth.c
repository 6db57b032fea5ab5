/* The synthetic clip generator: determinism, the scripted events it promises (checked on
 * its own truth), the simulated detector's noise levels, and the rendering. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vigil/synth.h"

static vigil_synth *make(const vigil_synth_options *o) {
    vigil_synth *clip;
    vigil_error err = {0};
    ck_assert_msg(vigil_synth_create(o, &clip, &err) == VIGIL_STATUS_OK, "%s", err.message);
    return clip;
}

static int same_records(const vigil_mot_records *a, const vigil_mot_records *b) {
    return a->count == b->count &&
           (a->count == 0 || !memcmp(a->items, b->items, (size_t)a->count * sizeof *a->items));
}

START_TEST(test_same_seed_same_clip) {
    vigil_synth_options o;
    vigil_synth_options_preset(VIGIL_SYNTH_PRESET_MEDIUM, &o);
    o.frames = 60;
    vigil_synth *a = make(&o), *b = make(&o);
    ck_assert(vigil_synth_truth(a)->count > 100);
    ck_assert(same_records(vigil_synth_truth(a), vigil_synth_truth(b)));
    ck_assert(same_records(vigil_synth_detections(a), vigil_synth_detections(b)));
    size_t size = (size_t)3 * o.width * o.height;
    uint8_t *fa = malloc(size), *fb = malloc(size);
    vigil_error err = {0};
    ck_assert_int_eq(vigil_synth_render(a, 30, NULL, 0, fa, 3 * o.width, &err), VIGIL_STATUS_OK);
    ck_assert_int_eq(vigil_synth_render(b, 30, NULL, 0, fb, 3 * o.width, &err), VIGIL_STATUS_OK);
    ck_assert_int_eq(memcmp(fa, fb, size), 0);
    /* Another seed, another clip. */
    o.seed = 2;
    vigil_synth *c = make(&o);
    ck_assert(!same_records(vigil_synth_truth(a), vigil_synth_truth(c)));
    /* Detector noise has its own random stream: the scene does not move with it. */
    o.seed = 1;
    o.miss_rate = 0.3;
    o.jitter = 0.1;
    vigil_synth *d = make(&o);
    ck_assert(same_records(vigil_synth_truth(a), vigil_synth_truth(d)));
    ck_assert(!same_records(vigil_synth_detections(a), vigil_synth_detections(d)));
    free(fa);
    free(fb);
    vigil_synth_free(a);
    vigil_synth_free(b);
    vigil_synth_free(c);
    vigil_synth_free(d);
}
END_TEST

/* Visibility of object id per frame (1-based), -1 where it is not in the truth. */
static void visibility_of(const vigil_synth *clip, int id, int frames, float *vis) {
    for (int f = 0; f <= frames; f++)
        vis[f] = -1;
    const vigil_mot_records *t = vigil_synth_truth(clip);
    for (int i = 0; i < t->count; i++)
        if (t->items[i].id == id)
            vis[t->items[i].frame] = t->items[i].visibility;
}

START_TEST(test_pillar_hides_for_the_set_time) {
    for (int seed = 1; seed <= 5; seed++) {
        vigil_synth_options o;
        vigil_synth_options_preset(VIGIL_SYNTH_PRESET_EASY, &o);
        o.seed = (uint64_t)seed;
        o.walkers = o.crossings = 0;
        o.occluders = 1;
        o.occlusion_seconds = 1.0;
        vigil_synth *clip = make(&o);
        float vis[251];
        visibility_of(clip, vigil_synth_occluded_id(clip, 0), o.frames, vis);
        int hidden = 0, first_hidden = 0, last_hidden = 0, seen_before = 0, seen_after = 0;
        for (int f = 1; f <= o.frames; f++) {
            if (vis[f] == 0) {
                hidden++;
                first_hidden = first_hidden ? first_hidden : f;
                last_hidden = f;
            }
        }
        for (int f = 1; f <= o.frames; f++) {
            seen_before |= f < first_hidden && vis[f] == 1;
            seen_after |= f > last_hidden && vis[f] == 1;
        }
        /* One contiguous second (25 frames) at visibility 0, fully seen on both sides. */
        ck_assert_msg(abs(hidden - 25) <= 1, "seed %d: hidden %d frames", seed, hidden);
        ck_assert_int_eq(last_hidden - first_hidden + 1, hidden);
        ck_assert(seen_before && seen_after);
        vigil_synth_free(clip);
    }
}
END_TEST

START_TEST(test_crossing_and_parked_car) {
    vigil_synth_options o;
    vigil_synth_options_preset(VIGIL_SYNTH_PRESET_MEDIUM, &o);
    vigil_synth *clip = make(&o);
    const vigil_mot_records *t = vigil_synth_truth(clip);
    /* The crossing pair overlaps heavily at some frame (heights and paths differ a little). */
    int a = vigil_synth_crossing_id(clip, 0, 0), b = vigil_synth_crossing_id(clip, 0, 1);
    float best = 0;
    for (int i = 0; i < t->count; i++)
        for (int j = i + 1; j < t->count && t->items[j].frame == t->items[i].frame; j++)
            if ((t->items[i].id == a && t->items[j].id == b) ||
                (t->items[i].id == b && t->items[j].id == a)) {
                const float *p = t->items[i].box, *q = t->items[j].box;
                float x0 = fmaxf(p[0], q[0]), x1 = fminf(p[0] + p[2], q[0] + q[2]);
                float y0 = fmaxf(p[1], q[1]), y1 = fminf(p[1] + p[3], q[1] + q[3]);
                float inter = fmaxf(0, x1 - x0) * fmaxf(0, y1 - y0);
                float iou = inter / (p[2] * p[3] + q[2] * q[3] - inter);
                best = iou > best ? iou : best;
            }
    ck_assert_msg(best > 0.5f, "crossing pair overlaps at most %f", best);
    /* The parked car is in every frame at one place, and hidden while its truck stands. */
    int car = vigil_synth_parked_id(clip, 0), first, last, frames = 0;
    vigil_synth_blocked_frames(clip, 0, &first, &last);
    ck_assert_int_eq(last - first + 1, (int)lround(o.blocker_seconds * o.fps));
    float box0[4] = {0};
    for (int i = 0; i < t->count; i++) {
        const vigil_mot_record *r = &t->items[i];
        if (r->id != car)
            continue;
        if (!frames++)
            memcpy(box0, r->box, sizeof box0);
        ck_assert_int_eq(memcmp(r->box, box0, sizeof box0), 0);
        if (r->frame >= first && r->frame <= last) {
            ck_assert_float_eq(r->visibility, 0.0f);
            ck_assert_float_eq(r->score, 0.0f); /* "do not care" */
        }
    }
    ck_assert_int_eq(frames, o.frames);
    vigil_synth_free(clip);
}
END_TEST

/* With jitter, misses, false alarms and confusion off, the detector returns the visible
 * truth boxes exactly; with a miss rate of 0.2 it finds about 80 % of fully visible ones. */
START_TEST(test_detector_noise_levels) {
    vigil_synth_options o;
    vigil_synth_options_preset(VIGIL_SYNTH_PRESET_MEDIUM, &o);
    o.miss_rate = o.false_positive_rate = o.jitter = o.class_confusion = 0;
    o.clutter_spots = 0;
    vigil_synth *clip = make(&o);
    const vigil_mot_records *t = vigil_synth_truth(clip), *d = vigil_synth_detections(clip);
    int visible = 0, found = 0, di = 0;
    for (int i = 0; i < t->count; i++) {
        const vigil_mot_record *g = &t->items[i];
        if (g->visibility < 0.45f)
            continue;
        visible++;
        while (di < d->count && d->items[di].frame < g->frame)
            di++;
        for (int k = di; k < d->count && d->items[k].frame == g->frame; k++)
            if (!memcmp(d->items[k].box, g->box, sizeof g->box) &&
                d->items[k].class_id == g->class_id) {
                found++;
                ck_assert(d->items[k].score > 0 && d->items[k].score < 1);
                break;
            }
    }
    ck_assert_int_gt(visible, 1000);
    ck_assert_int_eq(found, visible);
    /* Nothing else: every detection is a truth box. */
    ck_assert_int_le(d->count, t->count);
    vigil_synth_free(clip);

    o.miss_rate = 0.2;
    o.jitter = 0.03;
    clip = make(&o);
    t = vigil_synth_truth(clip);
    d = vigil_synth_detections(clip);
    int full = 0, hit = 0;
    di = 0;
    for (int i = 0; i < t->count; i++) {
        const vigil_mot_record *g = &t->items[i];
        if (g->visibility < 0.999f)
            continue;
        full++;
        while (di < d->count && d->items[di].frame < g->frame)
            di++;
        for (int k = di; k < d->count && d->items[k].frame == g->frame; k++) {
            const float *p = d->items[k].box, *q = g->box;
            float x0 = fmaxf(p[0], q[0]), x1 = fminf(p[0] + p[2], q[0] + q[2]);
            float y0 = fmaxf(p[1], q[1]), y1 = fminf(p[1] + p[3], q[1] + q[3]);
            float inter = fmaxf(0, x1 - x0) * fmaxf(0, y1 - y0);
            if (inter / (p[2] * p[3] + q[2] * q[3] - inter) >= 0.5f) {
                hit++;
                break;
            }
        }
    }
    /* 0.8 with a binomial spread of well under 0.02 over these ~2000 boxes. */
    double ratio = (double)hit / full;
    ck_assert_msg(full > 1000 && ratio > 0.77 && ratio < 0.83, "ratio %f of %d", ratio, full);
    vigil_synth_free(clip);
}
END_TEST

/* Drawn over a flat gray background, a frame differs from it only inside truth boxes of
 * objects in the frame and pillars; and every fully visible object changes pixels. */
START_TEST(test_render_stays_in_boxes) {
    vigil_synth_options o;
    vigil_synth_options_preset(VIGIL_SYNTH_PRESET_EASY, &o);
    o.occluders = 1;
    o.width = 320;
    o.height = 240;
    vigil_synth *clip = make(&o);
    size_t size = (size_t)3 * o.width * o.height;
    uint8_t *bg = malloc(size), *rgb = malloc(size);
    char *inside = calloc((size_t)o.width * o.height, 1);
    memset(bg, 128, size);
    vigil_error err = {0};
    int frame = 120;
    ck_assert_int_eq(vigil_synth_render(clip, frame, bg, 3 * o.width, rgb, 3 * o.width, &err),
                     VIGIL_STATUS_OK);
    const vigil_mot_records *t = vigil_synth_truth(clip);
    int objects = 0;
    for (int i = 0; i < t->count; i++) {
        const vigil_mot_record *r = &t->items[i];
        if (r->frame != frame)
            continue;
        int changed = 0;
        for (int y = (int)floorf(r->box[1]); y < (int)ceilf(r->box[1] + r->box[3]); y++)
            for (int x = (int)floorf(r->box[0]); x < (int)ceilf(r->box[0] + r->box[2]); x++)
                if (x >= 0 && y >= 0 && x < o.width && y < o.height) {
                    inside[y * o.width + x] = 1;
                    changed |= memcmp(rgb + 3 * ((size_t)y * o.width + x), bg, 3) != 0;
                }
        if (r->visibility >= 0.999f) {
            ck_assert(changed);
            objects++;
        }
    }
    ck_assert_int_gt(objects, 0);
    int outside_changes = 0, pillar_pixels = 0;
    for (int y = 0; y < o.height; y++)
        for (int x = 0; x < o.width; x++)
            if (!inside[y * o.width + x] && memcmp(rgb + 3 * ((size_t)y * o.width + x), bg, 3)) {
                outside_changes++;
                /* Pillars are drawn in gray-brown stone: r >= g >= b. */
                const uint8_t *p = rgb + 3 * ((size_t)y * o.width + x);
                pillar_pixels += p[0] >= p[1] && p[1] >= p[2];
            }
    ck_assert_int_gt(outside_changes, 0);
    ck_assert_int_eq(pillar_pixels, outside_changes);
    /* Without a background, the procedural ground covers the frame. */
    ck_assert_int_eq(vigil_synth_render(clip, frame, NULL, 0, rgb, 3 * o.width, &err),
                     VIGIL_STATUS_OK);
    ck_assert_int_eq(vigil_synth_render(clip, o.frames + 1, NULL, 0, rgb, 3 * o.width, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    free(bg);
    free(rgb);
    free(inside);
    vigil_synth_free(clip);
}
END_TEST

START_TEST(test_presets_and_bad_options) {
    vigil_error err = {0};
    vigil_synth_preset p;
    ck_assert_int_eq(vigil_synth_preset_from_name("hard", &p, &err), VIGIL_STATUS_OK);
    ck_assert_int_eq(p, VIGIL_SYNTH_PRESET_HARD);
    ck_assert_str_eq(vigil_synth_preset_name(p), "hard");
    ck_assert_int_eq(vigil_synth_preset_from_name("insane", &p, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "insane"));
    vigil_synth_options o;
    vigil_synth_options_preset(VIGIL_SYNTH_PRESET_EASY, &o);
    o.miss_rate = 1.5;
    vigil_synth *clip;
    ck_assert_int_eq(vigil_synth_create(&o, &clip, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_null(clip);
    vigil_synth_options_preset(VIGIL_SYNTH_PRESET_EASY, &o);
    o.width = 10;
    ck_assert_int_eq(vigil_synth_create(&o, &clip, &err), VIGIL_STATUS_INVALID_ARGUMENT);
}
END_TEST

static Suite *synth_suite(void) {
    Suite *s = suite_create("synth");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_same_seed_same_clip);
    tcase_add_test(tc, test_pillar_hides_for_the_set_time);
    tcase_add_test(tc, test_crossing_and_parked_car);
    tcase_add_test(tc, test_detector_noise_levels);
    tcase_add_test(tc, test_render_stays_in_boxes);
    tcase_add_test(tc, test_presets_and_bad_options);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(synth_suite)
