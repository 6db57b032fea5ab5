/* bench_tracker — the tracker's speed and accuracy in one run.
 *
 * Speed: frames per second of vigil_tracker_update alone at 10, 50 and 200 objects per
 * frame (a synthetic crowd of walkers with a noisy detector, clip generation not timed).
 * Accuracy: MOTA, IDF1, HOTA and ID switches on each synthetic preset (several seeds,
 * detections from the simulated detector), for ByteTrack's association alone and with
 * each addition on its own, then all together.
 *
 * usage: bench_tracker [--seeds N] [--quick]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vigil/mot_metrics.h"
#include "vigil/synth.h"
#include "vigil/tracker.h"

typedef struct variant {
    const char *name;
    double lost_seconds;
    int oru, ocr, fit, stationary, cascade;
} variant;

/* ByteTrack as published keeps lost tracks 30 frames (1 s at 30 fps); the others use the
 * default 2 s so that each addition is measured on its own. */
static const variant variants[] = {
    {"ByteTrack, 1 s buffer", 1.0, 0, 0, 0, 0, 0},
    {"ByteTrack", 2.0, 0, 0, 0, 0, 0},
    {"+ ORU", 2.0, 1, 0, 0, 0, 0},
    {"+ OCR", 2.0, 0, 1, 0, 0, 0},
    {"+ cascade", 2.0, 0, 0, 0, 0, 1},
    {"+ velocity fit", 2.0, 0, 0, 1, 0, 0},
    {"+ stationary", 2.0, 0, 0, 0, 1, 0},
    {"default: fit + ORU + stationary", 2.0, 1, 0, 1, 1, 0},
    {"default + OCR", 2.0, 1, 1, 1, 1, 0},
    {"default + cascade", 2.0, 1, 0, 1, 1, 1},
};
#define N_VARIANTS (int)(sizeof variants / sizeof variants[0])

static vigil_tracker_options variant_options(const variant *v) {
    vigil_tracker_options d = vigil_tracker_options_default();
    vigil_tracker_options o = vigil_tracker_options_bytetrack();
    o.lost_seconds = v->lost_seconds;
    o.observation_reupdate = v->oru;
    o.observation_recovery = v->ocr;
    o.lost_velocity_fit = v->fit;
    o.stationary_seconds = v->stationary ? d.stationary_seconds : 0;
    o.cascade = v->cascade;
    return o;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Runs the tracker over a clip's detections; appends its output to tracks if not NULL.
 * Returns the seconds spent inside the tracker. */
static double run_tracker(const vigil_tracker_options *opt, const vigil_mot_records *dets,
                          int frames, double fps, vigil_mot_records *tracks) {
    vigil_error err = {0};
    vigil_tracker *t;
    if (vigil_tracker_create(opt, &t, &err) < 0) {
        fprintf(stderr, "bench_tracker: %s\n", err.message);
        exit(1);
    }
    vigil_tracker_detection *in = malloc(((size_t)dets->count + 1) * sizeof *in);
    double spent = 0;
    int i = 0;
    for (int f = 1; f <= frames; f++) {
        int n = 0;
        for (; i < dets->count && dets->items[i].frame == f; i++, n++) {
            const vigil_mot_record *r = &dets->items[i];
            in[n] = (vigil_tracker_detection){
                {r->box[0], r->box[1], r->box[2], r->box[3]}, r->score, r->class_id};
        }
        const vigil_track *out;
        int count;
        double t0 = now();
        if (vigil_tracker_update(t, (f - 1) / fps, in, n, &out, &count, &err) < 0) {
            fprintf(stderr, "bench_tracker: frame %d: %s\n", f, err.message);
            exit(1);
        }
        spent += now() - t0;
        for (int k = 0; tracks && k < count; k++) {
            vigil_mot_record r = {.frame = f,
                                  .id = out[k].id,
                                  .score = out[k].score,
                                  .class_id = out[k].class_id,
                                  .visibility = -1};
            memcpy(r.box, out[k].box, sizeof r.box);
            vigil_mot_records_push(tracks, &r, NULL);
        }
    }
    free(in);
    vigil_tracker_free(t);
    return spent;
}

static vigil_synth *make_clip(const vigil_synth_options *o) {
    vigil_error err = {0};
    vigil_synth *clip;
    if (vigil_synth_create(o, &clip, &err) < 0) {
        fprintf(stderr, "bench_tracker: %s\n", err.message);
        exit(1);
    }
    return clip;
}

/* Detections of n objects drifting over a 1920x1080 frame for the speed table: every
 * object is detected (5 % missed) with jitter, plus two false alarms per frame, so the
 * tracker sees about n boxes each frame. The scene generator is not used here because
 * its occlusions would hide most of a 200-object crowd. */
static void random_walk_detections(int n, int frames, uint64_t seed, vigil_mot_records *out) {
    typedef struct walker {
        double x, y, vx, vy, w, h;
    } walker;
    walker *obj = malloc((size_t)n * sizeof *obj);
    uint64_t state = seed * 2654435761u + 1;
#define RAND01()                                                                                   \
    ((double)((state = state * 6364136223846793005ull + 1442695040888963407ull) >> 11) * 0x1.0p-53)
    for (int k = 0; k < n; k++) {
        obj[k].h = 40 + 80 * RAND01();
        obj[k].w = obj[k].h * (0.35 + 0.3 * RAND01());
        obj[k].x = RAND01() * (1920 - obj[k].w);
        obj[k].y = RAND01() * (1080 - obj[k].h);
        obj[k].vx = (RAND01() - 0.5) * 6;
        obj[k].vy = (RAND01() - 0.5) * 3;
    }
    for (int f = 1; f <= frames; f++) {
        for (int k = 0; k < n; k++) {
            walker *o = &obj[k];
            o->x += o->vx;
            o->y += o->vy;
            if (o->x < 0 || o->x + o->w > 1920)
                o->vx = -o->vx;
            if (o->y < 0 || o->y + o->h > 1080)
                o->vy = -o->vy;
            if (RAND01() < 0.05)
                continue;
            vigil_mot_record r = {.frame = f, .id = -1, .class_id = 1, .visibility = -1};
            r.box[0] = (float)(o->x + (RAND01() - 0.5) * 0.1 * o->w);
            r.box[1] = (float)(o->y + (RAND01() - 0.5) * 0.1 * o->h);
            r.box[2] = (float)(o->w * (0.95 + 0.1 * RAND01()));
            r.box[3] = (float)(o->h * (0.95 + 0.1 * RAND01()));
            r.score = (float)(0.3 + 0.65 * RAND01());
            vigil_mot_records_push(out, &r, NULL);
        }
        for (int k = 0; k < 2; k++) {
            vigil_mot_record r = {.frame = f, .id = -1, .class_id = 1, .visibility = -1};
            r.box[2] = 40;
            r.box[3] = 90;
            r.box[0] = (float)(RAND01() * 1880);
            r.box[1] = (float)(RAND01() * 990);
            r.score = (float)(0.1 + 0.6 * RAND01());
            vigil_mot_records_push(out, &r, NULL);
        }
    }
#undef RAND01
    free(obj);
}

static void speed_table(int quick) {
    static const int targets[] = {10, 50, 200};
    printf("Tracker speed (vigil_tracker_update only, default options, one core)\n\n");
    printf("| objects/frame | detections/frame | frames | frames/s | us/frame |\n");
    printf("|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k < 3; k++) {
        int frames = quick ? 300 : 1500;
        vigil_mot_records dets = {0};
        random_walk_detections(targets[k], frames, 7, &dets);
        vigil_tracker_options opt = vigil_tracker_options_default();
        run_tracker(&opt, &dets, frames, 30.0, NULL); /* warm caches */
        double best = 1e30;
        for (int rep = 0; rep < 3; rep++) {
            double spent = run_tracker(&opt, &dets, frames, 30.0, NULL);
            best = spent < best ? spent : best;
        }
        printf("| %d | %.1f | %d | %.0f | %.1f |\n", targets[k], (double)dets.count / frames,
               frames, frames / best, 1e6 * best / frames);
        vigil_mot_records_free(&dets);
    }
    printf("\n");
}

static void accuracy_table(int seeds) {
    printf("Accuracy on synthetic presets (simulated detector, seeds 1000..%d; MOTA, IDF1, HOTA, "
           "DetA, AssA: mean over the seeds; IDSW, Frag: totals)\n\n",
           999 + seeds);
    printf("| preset | tracker | MOTA | IDF1 | HOTA | DetA | AssA | IDSW | Frag |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int p = 0; p < VIGIL_SYNTH_PRESET_COUNT; p++) {
        for (int v = 0; v < N_VARIANTS; v++) {
            double mota = 0, idf1 = 0, hota = 0, deta = 0, assa = 0;
            int idsw = 0, frag = 0;
            for (int s = 0; s < seeds; s++) {
                vigil_synth_options o;
                vigil_synth_options_preset((vigil_synth_preset)p, &o);
                o.seed = 1000 + s;
                vigil_synth *clip = make_clip(&o);
                vigil_mot_records tracks = {0};
                vigil_tracker_options opt = variant_options(&variants[v]);
                run_tracker(&opt, vigil_synth_detections(clip), o.frames, o.fps, &tracks);
                vigil_mot_eval_options eo = vigil_mot_eval_options_default();
                vigil_mot_metrics m;
                vigil_error err = {0};
                if (vigil_mot_evaluate(vigil_synth_truth(clip), &tracks, &eo, &m, &err) < 0) {
                    fprintf(stderr, "bench_tracker: %s\n", err.message);
                    exit(1);
                }
                mota += m.mota / seeds;
                idf1 += m.idf1 / seeds;
                hota += m.hota / seeds;
                deta += m.deta / seeds;
                assa += m.assa / seeds;
                idsw += m.id_switches;
                frag += m.fragmentations;
                vigil_mot_records_free(&tracks);
                vigil_synth_free(clip);
            }
            printf("| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %d |\n",
                   vigil_synth_preset_name((vigil_synth_preset)p), variants[v].name, 100 * mota,
                   100 * idf1, 100 * hota, 100 * deta, 100 * assa, idsw, frag);
        }
    }
    printf("\n");
}

int main(int argc, char **argv) {
    int seeds = 5, quick = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seeds") && i + 1 < argc) {
            seeds = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--quick")) {
            quick = 1;
        } else {
            fprintf(stderr, "usage: bench_tracker [--seeds N] [--quick]\n");
            return 2;
        }
    }
    if (seeds < 1)
        seeds = 1;
    speed_table(quick);
    accuracy_table(seeds);
    return 0;
}
