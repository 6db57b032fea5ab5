/* The tracker on synthetic clips (vigil/synth.h), judged by the MOT metrics: identities
 * through a crossing and through a one-second full occlusion, a parked car keeping one id
 * while a truck hides it for 4 s, and only confirmed tracks ever reported. Each check
 * prints how ByteTrack's association alone does on the same clips: it fails the
 * occlusion (1 s buffer) and the parked car (2 s buffer), which shows those clips test
 * what they claim; crossings with the easy preset's detector it passes too. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"
#include "vigil/mot_metrics.h"
#include "vigil/synth.h"
#include "vigil/tracker.h"

static vigil_synth *clip_make(const vigil_synth_options *o) {
    vigil_synth *clip;
    vigil_error err = {0};
    ck_assert_msg(vigil_synth_create(o, &clip, &err) == VIGIL_STATUS_OK, "%s", err.message);
    return clip;
}

/* The easy preset's detector, with only the scripted events asked for. */
static vigil_synth_options scene(uint64_t seed, int crossings, int occluders, int parked) {
    vigil_synth_options o;
    vigil_synth_options_preset(VIGIL_SYNTH_PRESET_EASY, &o);
    o.seed = seed;
    o.walkers = 0;
    o.crossings = crossings;
    o.occluders = occluders;
    o.parked = parked;
    o.blocker_seconds = parked ? 4.0 : 0;
    return o;
}

/* Tracks the clip's detections frame by frame; every reported track must be confirmed
 * and have been seen confirm_hits times. Appends the output to tracks. */
static void track_clip(const vigil_synth *clip, const vigil_synth_options *o,
                       const vigil_tracker_options *topt, vigil_mot_records *tracks) {
    vigil_tracker *t;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_tracker_create(topt, &t, &err), VIGIL_STATUS_OK);
    const vigil_mot_records *dets = vigil_synth_detections(clip);
    static vigil_tracker_detection in[4096];
    int i = 0;
    for (int f = 1; f <= o->frames; f++) {
        int n = 0;
        for (; i < dets->count && dets->items[i].frame == f; i++) {
            const vigil_mot_record *r = &dets->items[i];
            in[n++] = (vigil_tracker_detection){
                {r->box[0], r->box[1], r->box[2], r->box[3]}, r->score, r->class_id};
        }
        const vigil_track *out;
        int count;
        double time = (f - 1) / o->fps;
        ck_assert_int_eq(vigil_tracker_update(t, time, in, n, &out, &count, &err), VIGIL_STATUS_OK);
        for (int k = 0; k < count; k++) {
            ck_assert_int_eq(out[k].state, VIGIL_TRACK_STATE_CONFIRMED);
            ck_assert_int_ge(out[k].hits, topt->confirm_hits);
            ck_assert(out[k].first_seen < time);
            ck_assert_int_ge(out[k].detection, 0);
            vigil_mot_record r = {.frame = f,
                                  .id = out[k].id,
                                  .score = out[k].score,
                                  .class_id = out[k].class_id,
                                  .visibility = -1};
            memcpy(r.box, out[k].box, sizeof r.box);
            ck_assert_int_eq(vigil_mot_records_push(tracks, &r, NULL), VIGIL_STATUS_OK);
        }
    }
    vigil_tracker_free(t);
}

static vigil_mot_metrics evaluate(const vigil_mot_records *truth, const vigil_mot_records *tracks) {
    vigil_mot_eval_options eo = vigil_mot_eval_options_default();
    vigil_mot_metrics m;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_mot_evaluate(truth, tracks, &eo, &m, &err), VIGIL_STATUS_OK);
    return m;
}

/* Kept identity: no switch and every object followed most of its time. */
static int identities_kept(const vigil_synth_options *o, const vigil_tracker_options *topt) {
    vigil_synth *clip = clip_make(o);
    vigil_mot_records tracks = {0};
    track_clip(clip, o, topt, &tracks);
    vigil_mot_metrics m = evaluate(vigil_synth_truth(clip), &tracks);
    vigil_mot_records_free(&tracks);
    vigil_synth_free(clip);
    return m.id_switches == 0 && m.mostly_lost == 0 && m.partially_tracked == 0;
}

static vigil_tracker_options bytetrack_published(void) {
    vigil_tracker_options o = vigil_tracker_options_bytetrack();
    o.lost_seconds = 1.0; /* 30 frames at 30 frames/s */
    return o;
}

enum { SEEDS = 20 };

START_TEST(test_crossing_keeps_identities) {
    vigil_tracker_options def = vigil_tracker_options_default(), bt = bytetrack_published();
    int kept = 0, kept_bt = 0;
    for (int s = 1; s <= SEEDS; s++) {
        vigil_synth_options o = scene((uint64_t)s, 1, 0, 0);
        kept += identities_kept(&o, &def);
        kept_bt += identities_kept(&o, &bt);
    }
    printf("crossing: identities kept in %d/%d clips (ByteTrack, 1 s buffer: %d/%d)\n", kept, SEEDS,
           kept_bt, SEEDS);
    /* One clip in twenty (seed 8) has a one-frame swap at the instant the two people
     * overlap fully: one detection lies under both predictions and the hidden person's
     * track takes it; the next frame restores both ids, but CLEAR MOT counts the two
     * switches. IoU association cannot tell the two apart then. */
    ck_assert_int_ge(kept, SEEDS - 1);
}
END_TEST

START_TEST(test_full_occlusion_keeps_identity) {
    vigil_tracker_options def = vigil_tracker_options_default(), bt = bytetrack_published();
    int kept = 0, kept_bt = 0;
    for (int s = 1; s <= SEEDS; s++) {
        vigil_synth_options o = scene((uint64_t)s, 0, 1, 0);
        kept += identities_kept(&o, &def);
        kept_bt += identities_kept(&o, &bt);
    }
    printf("1 s full occlusion: identity kept in %d/%d clips (ByteTrack, 1 s buffer: %d/%d)\n",
           kept, SEEDS, kept_bt, SEEDS);
    ck_assert_int_ge(kept, SEEDS);
}
END_TEST

/* Distinct track ids reported on truth object `id`: per frame where at least half of it
 * is visible, the track overlapping it best, if by IoU >= 0.7. Other objects' tracks
 * may overlap it more loosely: the truck hiding the parked car by 0.57 at most. */
static int ids_on_object(const vigil_synth *clip, const vigil_mot_records *tracks, int id) {
    const vigil_mot_records *truth = vigil_synth_truth(clip);
    int seen[64], n = 0, ti = 0;
    for (int i = 0; i < truth->count; i++) {
        const vigil_mot_record *g = &truth->items[i];
        if (g->id != id || g->visibility < 0.5f)
            continue;
        while (ti < tracks->count && tracks->items[ti].frame < g->frame)
            ti++;
        float best = 0.7f;
        int best_id = -1;
        for (int k = ti; k < tracks->count && tracks->items[k].frame == g->frame; k++) {
            float v = vigil_tracker_iou(g->box, tracks->items[k].box);
            if (v >= best) {
                best = v;
                best_id = tracks->items[k].id;
            }
        }
        int known = best_id < 0;
        for (int s = 0; s < n; s++)
            known |= seen[s] == best_id;
        if (!known && n < 64)
            seen[n++] = best_id;
    }
    return n;
}

START_TEST(test_parked_car_keeps_its_id) {
    vigil_tracker_options def = vigil_tracker_options_default(),
                          bt = vigil_tracker_options_bytetrack();
    int kept = 0, kept_bt = 0;
    for (int s = 1; s <= SEEDS; s++) {
        vigil_synth_options o = scene((uint64_t)s, 0, 0, 1);
        o.walkers = 4; /* people pass in front of the car as well */
        vigil_synth *clip = clip_make(&o);
        int first, last;
        vigil_synth_blocked_frames(clip, 0, &first, &last);
        ck_assert_int_eq(last - first + 1, (int)(4.0 * o.fps));
        int car = vigil_synth_parked_id(clip, 0);
        vigil_mot_records a = {0}, b = {0};
        track_clip(clip, &o, &def, &a);
        track_clip(clip, &o, &bt, &b);
        kept += ids_on_object(clip, &a, car) == 1;
        kept_bt += ids_on_object(clip, &b, car) == 1;
        vigil_mot_records_free(&a);
        vigil_mot_records_free(&b);
        vigil_synth_free(clip);
    }
    printf("parked car hidden 4 s by a truck: one id in %d/%d clips (ByteTrack, 2 s buffer: "
           "%d/%d)\n",
           kept, SEEDS, kept_bt, SEEDS);
    ck_assert_int_ge(kept, SEEDS);
}
END_TEST

/* On a noisy clip full of one-frame false alarms, track_clip's checks see every reported
 * track confirmed; the clip must have produced tentative tracks that were dropped. */
START_TEST(test_unconfirmed_tracks_never_reported) {
    vigil_synth_options o;
    vigil_synth_options_preset(VIGIL_SYNTH_PRESET_HARD, &o);
    o.false_positive_rate = 3.0;
    vigil_synth *clip = clip_make(&o);
    vigil_mot_records tracks = {0};
    vigil_tracker_options def = vigil_tracker_options_default();
    track_clip(clip, &o, &def, &tracks);
    vigil_mot_metrics m = evaluate(vigil_synth_truth(clip), &tracks);
    /* Hundreds of confident false alarms, yet few false positive track boxes. */
    ck_assert_int_lt(m.false_positives, m.truth_boxes / 20);
    vigil_mot_records_free(&tracks);
    vigil_synth_free(clip);
}
END_TEST

static Suite *tracker_synth_suite(void) {
    Suite *s = suite_create("tracker_synth");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_crossing_keeps_identities);
    tcase_add_test(tc, test_full_occlusion_keeps_identity);
    tcase_add_test(tc, test_parked_car_keeps_its_id);
    tcase_add_test(tc, test_unconfirmed_tracks_never_reported);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(tracker_synth_suite)
