/* vigil synth — writes a synthetic labeled clip: a video, its MOT ground truth, the
 * output of a simulated detector, and a seqinfo.ini with the clip's rate and size. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "media.h"
#include "video_writer.h"
#include "vigil/synth.h"

static void usage(FILE *out) {
    fprintf(out, "usage: vigil synth [OPTIONS] --out DIR\n"
                 "\n"
                 "Makes a deterministic synthetic clip for the tracker and the trainer: textured\n"
                 "people, bicycles, cars and suitcases entering, leaving, crossing, stopping,\n"
                 "passing behind pillars and parking. Writes DIR/clip.avi (MPEG-4), DIR/gt.txt\n"
                 "(MOT ground truth: frame,id,x,y,w,h,consider,class,visibility), DIR/det.txt\n"
                 "(a simulated detector: frame,-1,x,y,w,h,score,class,-1) and DIR/seqinfo.ini.\n"
                 "\n"
                 "options:\n"
                 "  -p, --preset NAME       easy, medium (default), hard or crowd\n"
                 "  -s, --seed N            random seed (default 1); same seed, same clip\n"
                 "  -o, --out DIR           output directory (created if missing)\n"
                 "      --video FILE        video path (default DIR/clip.avi; .mp4/.mkv work too)\n"
                 "      --no-video          write only the text files (fast)\n"
                 "      --codec NAME        libavcodec encoder: mpeg4 (default), libx264, mjpeg\n"
                 "      --background VIDEO  draw over this video's frames (looped, resized)\n"
                 "                          instead of the procedural ground; its own people are\n"
                 "                          not in the ground truth\n"
                 "      --frames N          clip length (preset: 250 or 375)\n"
                 "      --fps F             frame rate (default 25)\n"
                 "      --size WxH          frame size, even numbers (default 640x480)\n"
                 "scene (preset values unless given):\n"
                 "      --walkers N         objects on random paths\n"
                 "      --crossings N       scripted pairs of people walking through each other\n"
                 "      --occluders N       pillars, each hiding a passer-by completely\n"
                 "      --occlusion-seconds S  how long a pillar hides its passer-by (1.0)\n"
                 "      --parked N          cars standing for the whole clip\n"
                 "      --blocker-seconds S a truck stops in front of each parked car this long\n"
                 "      --left-objects N    suitcases put down and left\n"
                 "      --stop-probability P   chance a walker pauses at a bend\n"
                 "      --speed-change F    speed varies by up to this factor between bends\n"
                 "simulated detector:\n"
                 "      --miss-rate P       chance a fully visible object is missed\n"
                 "      --fp-rate R         random false detections per frame (mean)\n"
                 "      --clutter N         spots where false detections recur\n"
                 "      --jitter F          box noise, standard deviation per box size\n"
                 "      --score-noise F     standard deviation added to scores\n"
                 "      --class-confusion P chance of a wrong class\n"
                 "      --min-visibility V  truth less visible than V is written conf 0 (0.15)\n"
                 "  -h, --help              this text\n");
}

enum {
    OPT_VIDEO = 256,
    OPT_NO_VIDEO,
    OPT_CODEC,
    OPT_BACKGROUND,
    OPT_FRAMES,
    OPT_FPS,
    OPT_SIZE,
    OPT_WALKERS,
    OPT_CROSSINGS,
    OPT_OCCLUDERS,
    OPT_OCCLUSION_SECONDS,
    OPT_PARKED,
    OPT_LEFT,
    OPT_STOP,
    OPT_SPEED_CHANGE,
    OPT_MISS,
    OPT_FP,
    OPT_CLUTTER,
    OPT_JITTER,
    OPT_SCORE_NOISE,
    OPT_CONFUSION,
    OPT_MIN_VIS,
    OPT_BLOCKER,
};

static int parse_double(const char *flag, const char *s, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= lo && v <= hi)) {
        fprintf(stderr, "vigil synth: %s wants a number in %g..%g, got '%s'\n", flag, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_count(const char *flag, const char *s, int hi, int *out) {
    double v;
    if (parse_double(flag, s, 0, hi, &v) < 0)
        return -1;
    if (v != (int)v) {
        fprintf(stderr, "vigil synth: %s wants a whole number, got '%s'\n", flag, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Values given on the command line, applied over the preset once it is known. */
typedef struct synth_overrides {
    int set[64];
    double value[64];
} synth_overrides;

static void apply(const synth_overrides *ov, vigil_synth_options *o) {
    for (int k = 0; k < 64; k++) {
        if (!ov->set[k])
            continue;
        double v = ov->value[k];
        switch (k + 256) {
        case OPT_FRAMES:
            o->frames = (int)v;
            break;
        case OPT_FPS:
            o->fps = v;
            break;
        case OPT_WALKERS:
            o->walkers = (int)v;
            break;
        case OPT_CROSSINGS:
            o->crossings = (int)v;
            break;
        case OPT_OCCLUDERS:
            o->occluders = (int)v;
            break;
        case OPT_OCCLUSION_SECONDS:
            o->occlusion_seconds = v;
            break;
        case OPT_PARKED:
            o->parked = (int)v;
            break;
        case OPT_LEFT:
            o->left_objects = (int)v;
            break;
        case OPT_STOP:
            o->stop_probability = v;
            break;
        case OPT_SPEED_CHANGE:
            o->speed_change = v;
            break;
        case OPT_MISS:
            o->miss_rate = v;
            break;
        case OPT_FP:
            o->false_positive_rate = v;
            break;
        case OPT_CLUTTER:
            o->clutter_spots = (int)v;
            break;
        case OPT_JITTER:
            o->jitter = v;
            break;
        case OPT_SCORE_NOISE:
            o->score_noise = v;
            break;
        case OPT_CONFUSION:
            o->class_confusion = v;
            break;
        case OPT_MIN_VIS:
            o->min_visibility = v;
            break;
        case OPT_BLOCKER:
            o->blocker_seconds = v;
            break;
        default:
            break;
        }
    }
}

/* mkdir -p: creates dir and any missing parents. */
static int make_dir(const char *dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "vigil synth: cannot create %s: %s\n", path, strerror(errno));
            return -1;
        }
        *p = saved;
        if (saved == '\0')
            return 0;
    }
}

/* Nearest-neighbour resize of a background frame to the clip size. */
static void resize_rgb(const vigil_media_frame *f, uint8_t *dst, int w, int h) {
    for (int y = 0; y < h; y++) {
        const uint8_t *src = f->rgb + (size_t)(y * f->height / h) * f->stride;
        for (int x = 0; x < w; x++)
            memcpy(dst + 3 * ((size_t)y * w + x), src + 3 * (x * f->width / w), 3);
    }
}

/* The next background frame, reopening the video at its end so short videos loop. */
static int next_background(vigil_media **media, const char *path, uint8_t *dst, int w, int h) {
    vigil_error err = {0};
    vigil_media_frame f;
    for (int attempt = 0; attempt < 2; attempt++) {
        vigil_status st = vigil_media_read(*media, &f, &err);
        if (st == VIGIL_STATUS_OK) {
            resize_rgb(&f, dst, w, h);
            return 0;
        }
        if (st != VIGIL_STATUS_END)
            break;
        vigil_media_close(*media);
        *media = NULL;
        if (vigil_media_open(path, media, &err) < 0)
            break;
    }
    fprintf(stderr, "vigil synth: background: %s\n", err.message[0] ? err.message : "no frames");
    return -1;
}

static int write_seqinfo(const char *dir, const vigil_synth_options *o, const char *video) {
    char path[1200];
    snprintf(path, sizeof path, "%s/seqinfo.ini", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "vigil synth: cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    const char *slash = strrchr(video ? video : "", '/');
    fprintf(f,
            "[Sequence]\nname=synth-seed%llu\nimDir=%s\nframeRate=%g\nseqLength=%d\nimWidth=%d\n"
            "imHeight=%d\n",
            (unsigned long long)o->seed, video ? (slash ? slash + 1 : video) : "", o->fps,
            o->frames, o->width, o->height);
    return fclose(f) == 0 ? 0 : -1;
}

static int render_video(const vigil_synth *clip, const vigil_synth_options *o, const char *path,
                        const char *codec, const char *background) {
    vigil_error err = {0};
    vigil_video_writer *writer = NULL;
    vigil_media *media = NULL;
    size_t size = (size_t)3 * o->width * o->height;
    uint8_t *rgb = malloc(size), *bg = background ? malloc(size) : NULL;
    int rc = 1;
    if (!rgb || (background && !bg)) {
        fprintf(stderr, "vigil synth: out of memory\n");
        goto done;
    }
    if (background && vigil_media_open(background, &media, &err) < 0) {
        fprintf(stderr, "vigil synth: %s\n", err.message);
        goto done;
    }
    if (vigil_video_writer_open(path, o->width, o->height, o->fps, codec, &writer, &err) < 0) {
        fprintf(stderr, "vigil synth: %s\n", err.message);
        goto done;
    }
    for (int f = 1; f <= o->frames; f++) {
        if (bg && next_background(&media, background, bg, o->width, o->height) < 0)
            goto done;
        if (vigil_synth_render(clip, f, bg, 3 * o->width, rgb, 3 * o->width, &err) < 0 ||
            vigil_video_writer_write(writer, rgb, 3 * o->width, &err) < 0) {
            fprintf(stderr, "vigil synth: %s\n", err.message);
            goto done;
        }
    }
    vigil_video_writer *w = writer;
    writer = NULL;
    if (vigil_video_writer_close(w, &err) < 0) {
        fprintf(stderr, "vigil synth: %s\n", err.message);
        goto done;
    }
    rc = 0;
done:
    if (writer)
        vigil_video_writer_close(writer, &err);
    vigil_media_close(media);
    free(rgb);
    free(bg);
    return rc;
}

int vigil_cmd_synth(int argc, char **argv) {
    static const struct option options[] = {
        {"preset", required_argument, NULL, 'p'},
        {"seed", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {"video", required_argument, NULL, OPT_VIDEO},
        {"no-video", no_argument, NULL, OPT_NO_VIDEO},
        {"codec", required_argument, NULL, OPT_CODEC},
        {"background", required_argument, NULL, OPT_BACKGROUND},
        {"frames", required_argument, NULL, OPT_FRAMES},
        {"fps", required_argument, NULL, OPT_FPS},
        {"size", required_argument, NULL, OPT_SIZE},
        {"walkers", required_argument, NULL, OPT_WALKERS},
        {"crossings", required_argument, NULL, OPT_CROSSINGS},
        {"occluders", required_argument, NULL, OPT_OCCLUDERS},
        {"occlusion-seconds", required_argument, NULL, OPT_OCCLUSION_SECONDS},
        {"parked", required_argument, NULL, OPT_PARKED},
        {"left-objects", required_argument, NULL, OPT_LEFT},
        {"stop-probability", required_argument, NULL, OPT_STOP},
        {"speed-change", required_argument, NULL, OPT_SPEED_CHANGE},
        {"miss-rate", required_argument, NULL, OPT_MISS},
        {"fp-rate", required_argument, NULL, OPT_FP},
        {"clutter", required_argument, NULL, OPT_CLUTTER},
        {"jitter", required_argument, NULL, OPT_JITTER},
        {"score-noise", required_argument, NULL, OPT_SCORE_NOISE},
        {"class-confusion", required_argument, NULL, OPT_CONFUSION},
        {"min-visibility", required_argument, NULL, OPT_MIN_VIS},
        {"blocker-seconds", required_argument, NULL, OPT_BLOCKER},
        {0, 0, 0, 0},
    };
    const char *preset_name = "medium", *out_dir = NULL, *video = NULL, *codec = NULL,
               *background = NULL;
    unsigned long long seed = 1;
    int no_video = 0, width = 0, height = 0;
    synth_overrides ov = {0};
    optind = 1;
    int c;
    int which = -1;
    while ((c = getopt_long(argc, argv, "p:s:o:h", options, &which)) != -1) {
        double v = 0;
        int n = 0, bad = 0;
        /* The long name, for messages (getopt_long sets which only for long options). */
        char flag[64];
        for (int k = 0; which < 0 && options[k].name; k++)
            if (options[k].val == c)
                which = k;
        snprintf(flag, sizeof flag, "--%s", which >= 0 ? options[which].name : "?");
        which = -1;
        switch (c) {
        case 'p':
            preset_name = optarg;
            break;
        case 's': {
            char *end;
            errno = 0;
            seed = strtoull(optarg, &end, 10);
            if (end == optarg || *end || errno) {
                fprintf(stderr, "vigil synth: --seed wants a whole number, got '%s'\n", optarg);
                return 2;
            }
            break;
        }
        case 'o':
            out_dir = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case OPT_VIDEO:
            video = optarg;
            break;
        case OPT_NO_VIDEO:
            no_video = 1;
            break;
        case OPT_CODEC:
            codec = optarg;
            break;
        case OPT_BACKGROUND:
            background = optarg;
            break;
        case OPT_SIZE:
            if (sscanf(optarg, "%dx%d%n", &width, &height, &n) != 2 || optarg[n] || width < 64 ||
                height < 64 || width % 2 || height % 2) {
                fprintf(stderr, "vigil synth: --size wants WxH, even, at least 64x64; got '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case OPT_FRAMES:
        case OPT_WALKERS:
        case OPT_CROSSINGS:
        case OPT_OCCLUDERS:
        case OPT_PARKED:
        case OPT_LEFT:
        case OPT_CLUTTER:
            bad = parse_count(flag, optarg, c == OPT_FRAMES ? 1000000 : 10000, &n);
            v = n;
            break;
        case OPT_FPS:
            bad = parse_double(flag, optarg, 0.1, 1000, &v);
            break;
        case OPT_OCCLUSION_SECONDS:
            bad = parse_double(flag, optarg, 0.01, 60, &v);
            break;
        case OPT_BLOCKER:
            bad = parse_double(flag, optarg, 0, 3600, &v);
            break;
        case OPT_FP:
            bad = parse_double(flag, optarg, 0, 100, &v);
            break;
        case OPT_JITTER:
        case OPT_SPEED_CHANGE:
            bad = parse_double(flag, optarg, 0, 0.9, &v);
            break;
        case OPT_SCORE_NOISE:
            bad = parse_double(flag, optarg, 0, 1, &v);
            break;
        case OPT_STOP:
        case OPT_MISS:
        case OPT_CONFUSION:
        case OPT_MIN_VIS:
            bad = parse_double(flag, optarg, 0, 1, &v);
            break;
        default:
            usage(stderr);
            return 2;
        }
        if (bad)
            return 2;
        if (c >= OPT_FRAMES && c - 256 < 64 && c != OPT_SIZE) {
            ov.set[c - 256] = 1;
            ov.value[c - 256] = v;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vigil synth: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!out_dir) {
        fprintf(stderr, "vigil synth: --out DIR is required (see vigil synth --help)\n");
        return 2;
    }
    vigil_error err = {0};
    vigil_synth_preset preset;
    if (vigil_synth_preset_from_name(preset_name, &preset, &err) < 0) {
        fprintf(stderr, "vigil synth: %s\n", err.message);
        return 2;
    }
    vigil_synth_options opt;
    vigil_synth_options_preset(preset, &opt);
    opt.seed = seed;
    apply(&ov, &opt);
    if (width) {
        opt.width = width;
        opt.height = height;
    }
    if (make_dir(out_dir) < 0)
        return 1;
    /* Our messages name the file and the problem; FFmpeg's own log would only repeat it. */
    vigil_media_set_verbose(false);
    vigil_synth *clip;
    if (vigil_synth_create(&opt, &clip, &err) < 0) {
        fprintf(stderr, "vigil synth: %s\n", err.message);
        return 2;
    }
    char gt_path[1200], det_path[1200], video_path[1200];
    snprintf(gt_path, sizeof gt_path, "%s/gt.txt", out_dir);
    snprintf(det_path, sizeof det_path, "%s/det.txt", out_dir);
    snprintf(video_path, sizeof video_path, "%s", video ? video : "");
    if (!video)
        snprintf(video_path, sizeof video_path, "%s/clip.avi", out_dir);
    const vigil_mot_records *truth = vigil_synth_truth(clip), *dets = vigil_synth_detections(clip);
    int rc = 0;
    if (vigil_mot_write_file(gt_path, truth->items, truth->count, &err) < 0 ||
        vigil_mot_write_file(det_path, dets->items, dets->count, &err) < 0) {
        fprintf(stderr, "vigil synth: %s\n", err.message);
        rc = 1;
    }
    if (rc == 0 && write_seqinfo(out_dir, &opt, no_video ? NULL : video_path) < 0)
        rc = 1;
    if (rc == 0 && !no_video)
        rc = render_video(clip, &opt, video_path, codec, background);
    if (rc == 0)
        fprintf(stderr, "vigil synth: %s seed %llu: %d frames, %d truth boxes, %d detections\n",
                preset_name, seed, opt.frames, truth->count, dets->count);
    vigil_synth_free(clip);
    return rc;
}
