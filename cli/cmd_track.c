/* vigil track — runs the tracker over detections (MOT text) or over a video through the
 * detector, and writes tracks as MOT text. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "media.h"
#include "vigil/detect.h"
#include "vigil/mot.h"
#include "vigil/tracker.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: vigil track --dets FILE [OPTIONS]\n"
            "       vigil track --video INPUT [--model MODEL] [OPTIONS]\n"
            "\n"
            "Tracks objects and writes MOT text: frame,id,x,y,w,h,score,class,-1 (frames from\n"
            "1, ids from 1, class = COCO index + 1). Only confirmed tracks are written.\n"
            "\n"
            "input:\n"
            "  -d, --dets FILE          detections, MOT text: frame,-1,x,y,w,h,score,class,...\n"
            "      --fps F              frame rate of the detections; default: frameRate of a\n"
            "                           seqinfo.ini next to FILE or one directory up, else 30\n"
            "      --frames N           track frames 1..N (default: the last frame in FILE)\n"
            "  -i, --video INPUT        run the detector on a video (file or URL) instead\n"
            "  -m, --model MODEL        nanodet (default), centernet, or a model file\n"
            "      --det-threshold T    detector score threshold (default: the --low value)\n"
            "  -j, --threads N          detector CPU threads (default: all cores)\n"
            "      --detect-every N     detect on every Nth frame only; the tracker predicts\n"
            "                           the frames between, which are written too (default 1)\n"
            "output:\n"
            "  -o, --out FILE           write tracks here (default: standard output)\n"
            "tracker (defaults in brackets):\n"
            "      --high T             first-stage detections score at least T [0.6]\n"
            "      --low T              second-stage detections score at least T [0.1]\n"
            "      --new T              an unmatched detection starts a track at T [0.7]\n"
            "      --match-cost C       first stage: highest 1 - IoU x score paired [0.8]\n"
            "      --match-cost-low C   second stage: highest 1 - IoU paired [0.5]\n"
            "      --match-cost-tentative C  new tracks' second sighting [0.7]\n"
            "      --recovery-cost C    OCR: highest 1 - IoU with a track's last box [0.7]\n"
            "      --no-fuse-score      plain IoU cost in the first stage\n"
            "      --class-agnostic     let detections of any class continue a track\n"
            "      --confirm-hits N     sightings in a row that confirm a track [2]\n"
            "      --lost-seconds S     how long a lost track can be found again [2.0]\n"
            "      --stationary-seconds S   still this long = stationary, 0 = off [2.0]\n"
            "      --stationary-lost-seconds S  how long a lost stationary track is kept [600]\n"
            "      --no-oru             no observation-centric re-update (OC-SORT)\n"
            "      --ocr                observation-centric recovery (OC-SORT), off by default\n"
            "      --no-velocity-fit    lost tracks keep the filter's velocity\n"
            "      --no-cascade         lost tracks compete with followed ones in stage 1\n"
            "      --bytetrack          ByteTrack's association alone (no ORU, OCR, cascade,\n"
            "                           velocity fit, stationary handling); later flags apply\n"
            "  -h, --help               this text\n"
            "\n"
            "Exit status: 0 on success, 1 when an input cannot be read (bad lines are reported\n"
            "with their line number), 2 on a usage error.\n");
}

typedef struct track_args {
    const char *dets, *video, *model, *out;
    double fps;
    int frames, every, threads;
    float det_threshold;
    vigil_tracker_options tracker;
} track_args;

enum {
    OPT_FPS = 256,
    OPT_FRAMES,
    OPT_DET_THRESHOLD,
    OPT_EVERY,
    OPT_HIGH,
    OPT_LOW,
    OPT_NEW,
    OPT_MATCH,
    OPT_MATCH_LOW,
    OPT_MATCH_TENTATIVE,
    OPT_RECOVERY,
    OPT_NO_FUSE,
    OPT_AGNOSTIC,
    OPT_CONFIRM,
    OPT_LOST,
    OPT_STATIONARY,
    OPT_STATIONARY_LOST,
    OPT_NO_ORU,
    OPT_OCR,
    OPT_NO_FIT,
    OPT_NO_CASCADE,
    OPT_BYTETRACK,
};

static int number(const char *flag, const char *s, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= lo && v <= hi)) {
        fprintf(stderr, "vigil track: %s wants a number in %g..%g, got '%s'\n", flag, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int whole(const char *flag, const char *s, int lo, int hi, int *out) {
    double v;
    if (number(flag, s, lo, hi, &v) < 0)
        return -1;
    if (v != (int)v) {
        fprintf(stderr, "vigil track: %s wants a whole number, got '%s'\n", flag, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Returns 0, or the exit status to leave with. */
static int parse_args(int argc, char **argv, track_args *a) {
    static const struct option options[] = {
        {"dets", required_argument, NULL, 'd'},
        {"video", required_argument, NULL, 'i'},
        {"model", required_argument, NULL, 'm'},
        {"threads", required_argument, NULL, 'j'},
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {"fps", required_argument, NULL, OPT_FPS},
        {"frames", required_argument, NULL, OPT_FRAMES},
        {"det-threshold", required_argument, NULL, OPT_DET_THRESHOLD},
        {"detect-every", required_argument, NULL, OPT_EVERY},
        {"high", required_argument, NULL, OPT_HIGH},
        {"low", required_argument, NULL, OPT_LOW},
        {"new", required_argument, NULL, OPT_NEW},
        {"match-cost", required_argument, NULL, OPT_MATCH},
        {"match-cost-low", required_argument, NULL, OPT_MATCH_LOW},
        {"match-cost-tentative", required_argument, NULL, OPT_MATCH_TENTATIVE},
        {"recovery-cost", required_argument, NULL, OPT_RECOVERY},
        {"no-fuse-score", no_argument, NULL, OPT_NO_FUSE},
        {"class-agnostic", no_argument, NULL, OPT_AGNOSTIC},
        {"confirm-hits", required_argument, NULL, OPT_CONFIRM},
        {"lost-seconds", required_argument, NULL, OPT_LOST},
        {"stationary-seconds", required_argument, NULL, OPT_STATIONARY},
        {"stationary-lost-seconds", required_argument, NULL, OPT_STATIONARY_LOST},
        {"no-oru", no_argument, NULL, OPT_NO_ORU},
        {"ocr", no_argument, NULL, OPT_OCR},
        {"no-velocity-fit", no_argument, NULL, OPT_NO_FIT},
        {"no-cascade", no_argument, NULL, OPT_NO_CASCADE},
        {"bytetrack", no_argument, NULL, OPT_BYTETRACK},
        {0, 0, 0, 0},
    };
    *a = (track_args){.model = "nanodet", .every = 1, .det_threshold = -1};
    a->tracker = vigil_tracker_options_default();
    vigil_tracker_options *t = &a->tracker;
    optind = 1;
    int c;
    int which = -1;
    while ((c = getopt_long(argc, argv, "d:i:m:j:o:h", options, &which)) != -1) {
        /* The long name, for messages (getopt_long sets which only for long options). */
        char flag[64];
        for (int k = 0; which < 0 && options[k].name; k++)
            if (options[k].val == c)
                which = k;
        snprintf(flag, sizeof flag, "--%s", which >= 0 ? options[which].name : "?");
        which = -1;
        double v = 0;
        int bad = 0;
        switch (c) {
        case 'd':
            a->dets = optarg;
            break;
        case 'i':
            a->video = optarg;
            break;
        case 'm':
            a->model = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case 'j':
            bad = whole(flag, optarg, 1, 1024, &a->threads);
            break;
        case OPT_FPS:
            bad = number(flag, optarg, 0.01, 10000, &a->fps);
            break;
        case OPT_FRAMES:
            bad = whole(flag, optarg, 1, 100000000, &a->frames);
            break;
        case OPT_EVERY:
            bad = whole(flag, optarg, 1, 10000, &a->every);
            break;
        case OPT_DET_THRESHOLD:
            bad = number(flag, optarg, 0, 1, &v);
            a->det_threshold = (float)v;
            break;
        case OPT_HIGH:
            bad = number(flag, optarg, 0, 1, &v);
            t->high_threshold = (float)v;
            break;
        case OPT_LOW:
            bad = number(flag, optarg, 0, 1, &v);
            t->low_threshold = (float)v;
            break;
        case OPT_NEW:
            bad = number(flag, optarg, 0, 1, &v);
            t->new_track_threshold = (float)v;
            break;
        case OPT_MATCH:
            bad = number(flag, optarg, 0, 1, &v);
            t->match_cost_high = (float)v;
            break;
        case OPT_MATCH_LOW:
            bad = number(flag, optarg, 0, 1, &v);
            t->match_cost_low = (float)v;
            break;
        case OPT_MATCH_TENTATIVE:
            bad = number(flag, optarg, 0, 1, &v);
            t->match_cost_tentative = (float)v;
            break;
        case OPT_RECOVERY:
            bad = number(flag, optarg, 0, 1, &v);
            t->recovery_cost = (float)v;
            break;
        case OPT_NO_FUSE:
            t->fuse_score = false;
            break;
        case OPT_AGNOSTIC:
            t->class_aware = false;
            break;
        case OPT_CONFIRM:
            bad = whole(flag, optarg, 1, 1000, &t->confirm_hits);
            break;
        case OPT_LOST:
            bad = number(flag, optarg, 0, 1e6, &t->lost_seconds);
            break;
        case OPT_STATIONARY:
            bad = number(flag, optarg, 0, 1e6, &t->stationary_seconds);
            break;
        case OPT_STATIONARY_LOST:
            bad = number(flag, optarg, 0, 1e9, &t->stationary_lost_seconds);
            break;
        case OPT_NO_ORU:
            t->observation_reupdate = false;
            break;
        case OPT_OCR:
            t->observation_recovery = true;
            break;
        case OPT_NO_FIT:
            t->lost_velocity_fit = false;
            break;
        case OPT_NO_CASCADE:
            t->cascade = false;
            break;
        case OPT_BYTETRACK: {
            vigil_tracker_options b = vigil_tracker_options_bytetrack();
            t->observation_reupdate = b.observation_reupdate;
            t->observation_recovery = b.observation_recovery;
            t->lost_velocity_fit = b.lost_velocity_fit;
            t->cascade = b.cascade;
            t->stationary_seconds = b.stationary_seconds;
            break;
        }
        case 'h':
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return 2;
        }
        if (bad)
            return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "vigil track: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!a->dets == !a->video) {
        fprintf(stderr, "vigil track: give either --dets FILE or --video INPUT (see --help)\n");
        return 2;
    }
    return 0;
}

/* frameRate from a MOT seqinfo.ini in dir or its parent; 0 when there is none. */
static double seqinfo_fps(const char *dets) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", dets);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    const char *candidates[2] = {"%s/seqinfo.ini", "%s/../seqinfo.ini"};
    for (int k = 0; k < 2; k++) {
        char path[1100], line[256];
        snprintf(path, sizeof path, candidates[k], dir);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        double fps = 0;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, " frameRate = %lf", &fps) == 1)
                break;
        fclose(f);
        if (fps > 0)
            return fps;
    }
    return 0;
}

static int compare_tracks(const void *a, const void *b) {
    const vigil_mot_record *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* Writes one frame's tracks, sorted by id. */
static int write_tracks(FILE *out, int frame, const vigil_track *tracks, int n,
                        vigil_mot_record *buf) {
    for (int k = 0; k < n; k++) {
        buf[k] = (vigil_mot_record){.frame = frame,
                                    .id = tracks[k].id,
                                    .score = tracks[k].score,
                                    .class_id = tracks[k].class_id,
                                    .visibility = -1};
        memcpy(buf[k].box, tracks[k].box, sizeof buf[k].box);
    }
    if (n > 1)
        qsort(buf, (size_t)n, sizeof *buf, compare_tracks);
    vigil_error err = {0};
    if (vigil_mot_write(out, buf, n, &err) < 0) {
        fprintf(stderr, "vigil track: %s\n", err.message);
        return -1;
    }
    return 0;
}

/* Grows the output buffer to n records; returns 0, or -1 when out of memory. */
static int reserve(vigil_mot_record **buf, int *cap, int n) {
    if (n <= *cap)
        return 0;
    int c = *cap ? *cap : 256;
    while (c < n)
        c *= 2;
    vigil_mot_record *p = realloc(*buf, (size_t)c * sizeof *p);
    if (!p)
        return -1;
    *buf = p;
    *cap = c;
    return 0;
}

static int track_dets(const track_args *a, vigil_tracker *tracker, FILE *out) {
    vigil_mot_records dets = {0};
    vigil_error err = {0};
    if (vigil_mot_read(a->dets, VIGIL_MOT_DETECTIONS, &dets, &err) < 0) {
        fprintf(stderr, "vigil track: %s\n", err.message);
        return 1;
    }
    double fps = a->fps > 0 ? a->fps : seqinfo_fps(a->dets);
    if (!(fps > 0)) {
        fps = 30;
        fprintf(stderr, "vigil track: no --fps and no seqinfo.ini; assuming 30 frames/s\n");
    }
    int last = a->frames ? a->frames : vigil_mot_last_frame(&dets);
    vigil_tracker_detection *in = malloc(((size_t)dets.count + 1) * sizeof *in);
    vigil_mot_record *buf = NULL;
    int cap = 0, rc = 0, i = 0;
    if (!in) {
        fprintf(stderr, "vigil track: out of memory\n");
        rc = 1;
    }
    for (int f = 1; rc == 0 && f <= last; f++) {
        int n = 0;
        for (; i < dets.count && dets.items[i].frame == f; i++) {
            const vigil_mot_record *r = &dets.items[i];
            in[n++] = (vigil_tracker_detection){
                {r->box[0], r->box[1], r->box[2], r->box[3]}, r->score, r->class_id};
        }
        const vigil_track *tracks;
        int count;
        double ts = (f - 1) / fps;
        vigil_status st = (f - 1) % a->every == 0
                              ? vigil_tracker_update(tracker, ts, in, n, &tracks, &count, &err)
                              : vigil_tracker_predict(tracker, ts, &tracks, &count, &err);
        if (st < 0) {
            fprintf(stderr, "vigil track: frame %d: %s\n", f, err.message);
            rc = 1;
        } else if (reserve(&buf, &cap, count) < 0) {
            fprintf(stderr, "vigil track: out of memory\n");
            rc = 1;
        } else if (write_tracks(out, f, tracks, count, buf) < 0) {
            rc = 1;
        }
    }
    free(in);
    free(buf);
    vigil_mot_records_free(&dets);
    return rc;
}

/* A model file path as given, else $VIGIL_HOME/models/NAME.safetensors. */
static void model_path(const char *model, char *path, size_t size) {
    struct stat st;
    if (stat(model, &st) == 0 || strchr(model, '/') || strstr(model, ".safetensors")) {
        snprintf(path, size, "%s", model);
        return;
    }
    const char *home = getenv("VIGIL_HOME");
    if (home && *home)
        snprintf(path, size, "%s/models/%s.safetensors", home, model);
    else
        snprintf(path, size, "%s/.cache/vigil/models/%s.safetensors",
                 getenv("HOME") ? getenv("HOME") : ".", model);
}

static int track_video(const track_args *a, vigil_tracker *tracker, FILE *out) {
    vigil_error err = {0};
    char path[1200];
    model_path(a->model, path, sizeof path);
    vigil_detector_options dopt = vigil_detector_options_default();
    dopt.score_threshold = a->det_threshold >= 0 ? a->det_threshold : a->tracker.low_threshold;
    dopt.threads = a->threads;
    vigil_detector *detector = NULL;
    vigil_media *media = NULL;
    vigil_detections dets = {0};
    vigil_tracker_detection *in = NULL;
    vigil_mot_record *buf = NULL;
    int cap = 0, in_cap = 0, rc = 1;
    if (vigil_detector_create(path, &dopt, &detector, &err) < 0 ||
        vigil_media_open(a->video, &media, &err) < 0) {
        fprintf(stderr, "vigil track: %s\n", err.message);
        goto done;
    }
    double fps = vigil_media_get_info(media)->fps;
    if (!(fps > 0))
        fps = a->fps > 0 ? a->fps : 30;
    vigil_media_frame frame;
    vigil_status st;
    double last_ts = -1;
    while ((st = vigil_media_next(media, &frame, &err)) == VIGIL_STATUS_OK) {
        int f = (int)frame.index + 1;
        if (a->frames && f > a->frames)
            break;
        /* Presentation times drive the tracker; fall back to the frame rate if a
         * container gives none or goes backwards. */
        double ts = frame.pts > last_ts ? frame.pts : frame.index / fps;
        ts = ts > last_ts ? ts : last_ts;
        last_ts = ts;
        const vigil_track *tracks;
        int count;
        if (frame.index % a->every == 0) {
            if (vigil_media_rgb(media, &frame, &err) < 0)
                break;
            vigil_image image = vigil_media_image(&frame);
            if (vigil_detector_run(detector, &image, 1, &dets, &err) < 0)
                break;
            if (dets.count > in_cap) {
                in_cap = dets.count * 2;
                vigil_tracker_detection *p = realloc(in, (size_t)in_cap * sizeof *in);
                if (!p) {
                    vigil_error_set(&err, VIGIL_STATUS_NO_MEMORY, "out of memory");
                    break;
                }
                in = p;
            }
            for (int k = 0; k < dets.count; k++) {
                const vigil_detection *d = &dets.items[k];
                /* The detector counts classes from 0, MOT text from 1. */
                in[k] = (vigil_tracker_detection){
                    {d->box[0], d->box[1], d->box[2], d->box[3]}, d->score, d->class_id + 1};
            }
            st = vigil_tracker_update(tracker, ts, in, dets.count, &tracks, &count, &err);
        } else {
            st = vigil_tracker_predict(tracker, ts, &tracks, &count, &err);
        }
        if (st < 0)
            break;
        if (reserve(&buf, &cap, count) < 0) {
            vigil_error_set(&err, VIGIL_STATUS_NO_MEMORY, "out of memory");
            st = VIGIL_STATUS_NO_MEMORY;
            break;
        }
        if (write_tracks(out, f, tracks, count, buf) < 0)
            goto done;
    }
    if (st != VIGIL_STATUS_END && st != VIGIL_STATUS_OK) {
        fprintf(stderr, "vigil track: %s\n", err.message);
        goto done;
    }
    rc = 0;
done:
    vigil_detections_free(&dets);
    vigil_detector_free(detector);
    vigil_media_close(media);
    free(in);
    free(buf);
    return rc;
}

int vigil_cmd_track(int argc, char **argv) {
    track_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    vigil_error err = {0};
    vigil_tracker *tracker;
    if (vigil_tracker_create(&a.tracker, &tracker, &err) < 0) {
        fprintf(stderr, "vigil track: %s\n", err.message);
        return 2;
    }
    FILE *out = stdout;
    if (a.out && !(out = fopen(a.out, "w"))) {
        fprintf(stderr, "vigil track: cannot create %s: %s\n", a.out, strerror(errno));
        vigil_tracker_free(tracker);
        return 1;
    }
    rc = a.dets ? track_dets(&a, tracker, out) : track_video(&a, tracker, out);
    if (out != stdout && fclose(out) != 0 && rc == 0) {
        fprintf(stderr, "vigil track: %s: %s\n", a.out, strerror(errno));
        rc = 1;
    }
    vigil_tracker_free(tracker);
    return rc;
}
