/* vigil detect — runs the object detector on an image or a video and writes one JSON
 * line per frame on stdout (the format in DESIGN.md, boxes in frame pixels). */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "frame_list.h"
#include "media.h"
#include "detect_annotate.h"
#include "vigil/detect.h"

static const char *const builtin_models[] = {"nanodet", "centernet"};
#define N_BUILTIN_MODELS (sizeof builtin_models / sizeof builtin_models[0])

static void usage(FILE *out) {
    fprintf(
        out,
        "usage: vigil detect [OPTIONS] INPUT\n"
        "\n"
        "Runs the object detector on INPUT and writes one JSON object per frame and line:\n"
        "  {\"frame\":N,\"pts\":S,\"width\":W,\"height\":H,\"detections\":[{\"label\":\"person\",\n"
        "   \"class_id\":0,\"score\":0.83,\"box\":[x,y,w,h]}]}\n"
        "with boxes in frame pixels (x, y the top-left corner).\n"
        "\n"
        "INPUT is an image (JPEG, PPM, PNG, ...) or a video file or URL that FFmpeg reads\n"
        "(file.mp4, rtsp://camera/stream, ...).\n"
        "\n"
        "options:\n"
        "  -m, --model MODEL    nanodet (default), centernet, or a model file path;\n"
        "                       names are looked up in $VIGIL_HOME/models/NAME.safetensors\n"
        "                       (VIGIL_HOME defaults to ~/.cache/vigil)\n"
        "  -t, --threshold T    keep detections scoring above T (default 0.35)\n"
        "      --nms T          drop a box overlapping a better one of its class by IoU\n"
        "                       above T (default 0.5)\n"
        "      --agnostic       suppress overlaps across classes too\n"
        "      --max N          at most N detections per frame (default 100)\n"
        "  -f, --frames LIST    only these 0-based frames: comma-separated indices and\n"
        "                       A:B ranges with B excluded (Python-style), A: to the end,\n"
        "                       :B from the start; e.g. 0:3 is frames 0, 1, 2 and\n"
        "                       \"0,10:20,100:\" is 0, 10-19 and 100 onwards. Decoding\n"
        "                       stops after the last listed frame.\n"
        "  -j, --threads N      CPU threads (default: all cores)\n"
        "  -b, --backend NAME   cpu (oneDNN, default), cpu-bf16 (convolutions in bfloat16)\n"
        "                       or ref (plain C, slow)\n"
        "  -a, --annotate FILE  also write the frames with their boxes drawn to a video\n"
        "                       (container from the name: .mp4, .avi, .mkv)\n"
        "      --progress       report frames/s on stderr (default when it is a terminal)\n"
        "  -v, --verbose        let FFmpeg print its warnings\n"
        "  -h, --help           this text\n"
        "\n"
        "Exit status: 0 on success, 1 when the input or model cannot be read (or the video\n"
        "ends early), 2 on a usage error. Corrupt video frames are skipped and counted.\n");
}

typedef struct detect_args {
    const char *model;
    const char *input;
    const char *frames;
    const char *annotate;
    vigil_detector_options options;
    bool progress;
    bool verbose;
} detect_args;

static bool parse_float(const char *s, float lo, float hi, float *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return false;
    *out = (float)v;
    return true;
}

static bool parse_int(const char *s, int lo, int hi, int *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

/* Returns 0 to go on, or the exit status (0 after --help, 2 on a usage error). */
static int parse_args(int argc, char **argv, detect_args *a, bool *stop) {
    enum { OPT_NMS = 256, OPT_AGNOSTIC, OPT_MAX, OPT_PROGRESS };
    static const struct option long_options[] = {
        {"model", required_argument, NULL, 'm'},
        {"threshold", required_argument, NULL, 't'},
        {"nms", required_argument, NULL, OPT_NMS},
        {"agnostic", no_argument, NULL, OPT_AGNOSTIC},
        {"max", required_argument, NULL, OPT_MAX},
        {"frames", required_argument, NULL, 'f'},
        {"threads", required_argument, NULL, 'j'},
        {"backend", required_argument, NULL, 'b'},
        {"annotate", required_argument, NULL, 'a'},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *stop = true;
    a->model = "nanodet";
    a->options = vigil_detector_options_default();
    optind = 1;
    opterr = 0;
    int c, which = -1;
    while ((c = getopt_long(argc, argv, ":m:t:f:j:b:a:vh", long_options, &which)) != -1) {
        bool ok = true;
        switch (c) {
        case 'm':
            a->model = optarg;
            break;
        case 't':
            ok = parse_float(optarg, 0.0f, 1.0f, &a->options.score_threshold);
            break;
        case OPT_NMS:
            ok = parse_float(optarg, 0.0f, 1.0f, &a->options.nms_threshold);
            break;
        case OPT_AGNOSTIC:
            a->options.class_agnostic = true;
            break;
        case OPT_MAX:
            ok = parse_int(optarg, 1, 1000000, &a->options.max_detections);
            break;
        case 'f':
            a->frames = optarg;
            break;
        case 'j':
            ok = parse_int(optarg, 0, 4096, &a->options.threads);
            break;
        case 'b':
            a->options.backend = optarg;
            break;
        case 'a':
            a->annotate = optarg;
            break;
        case OPT_PROGRESS:
            a->progress = true;
            break;
        case 'v':
            a->verbose = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, "vigil detect: %s needs a value\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "vigil detect: unknown option '%s' (see vigil detect --help)\n",
                    argv[optind - 1]);
            return 2;
        }
        if (!ok) {
            /* which is set for a long option only; a short one is the letter. */
            const char *name = "";
            for (const struct option *o = long_options; o->name; o++)
                if (o->val == c)
                    name = o->name;
            fprintf(stderr, "vigil detect: bad value '%s' for --%s\n", optarg, name);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, optind >= argc ? "vigil detect: no INPUT given\n"
                                       : "vigil detect: one INPUT expected\n");
        usage(stderr);
        return 2;
    }
    a->input = argv[optind];
    *stop = false;
    return 0;
}

static const char *asset_dir(char *buf, size_t size) {
    const char *home = getenv("VIGIL_HOME");
    if (home && *home)
        snprintf(buf, size, "%s", home);
    else
        snprintf(buf, size, "%s/.cache/vigil", getenv("HOME") ? getenv("HOME") : ".");
    return buf;
}

static bool is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A file path as given, else a built-in (or installed) model name. */
static bool resolve_model(const char *model, char *path, size_t size) {
    if (is_file(model)) {
        snprintf(path, size, "%s", model);
        return true;
    }
    char dir[1024];
    asset_dir(dir, sizeof dir);
    bool is_name = !strchr(model, '/') && !strstr(model, ".safetensors");
    if (is_name) {
        snprintf(path, size, "%s/models/%s.safetensors", dir, model);
        if (is_file(path))
            return true;
    }
    for (size_t i = 0; i < N_BUILTIN_MODELS; i++)
        if (!strcmp(model, builtin_models[i])) {
            fprintf(stderr,
                    "vigil detect: model '%s' is not installed (no %s); run "
                    "scripts/fetch-assets.sh to fetch and import the built-in models\n",
                    model, path);
            return false;
        }
    if (is_name)
        fprintf(stderr,
                "vigil detect: unknown model '%s': not a file, and not a built-in model "
                "name (nanodet, centernet)\n",
                model);
    else
        fprintf(stderr, "vigil detect: %s: no such model file\n", model);
    return false;
}

/* Writes v with at most `decimals` decimals and no trailing zeros ("0.83", "12"). */
static void put_number(FILE *out, double v, int decimals) {
    char buf[64];
    if (!isfinite(v))
        v = 0.0;
    snprintf(buf, sizeof buf, "%.*f", decimals, v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *end = buf + strlen(buf) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *end = '\0';
    }
    fputs(strcmp(buf, "-0") ? buf : "0", out);
}

static void put_json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

static void put_frame(FILE *out, const vigil_detector *d, const vigil_media_frame *f,
                      const vigil_detections *dets) {
    fprintf(out, "{\"frame\":%lld,\"pts\":", (long long)f->index);
    put_number(out, f->pts, 6);
    fprintf(out, ",\"width\":%d,\"height\":%d,\"detections\":[", f->width, f->height);
    for (int i = 0; i < dets->count; i++) {
        const vigil_detection *det = &dets->items[i];
        const char *label = vigil_detector_label(d, det->class_id);
        char fallback[32];
        if (!label) {
            snprintf(fallback, sizeof fallback, "class_%d", det->class_id);
            label = fallback;
        }
        fputs(i ? ",{\"label\":" : "{\"label\":", out);
        put_json_string(out, label);
        fprintf(out, ",\"class_id\":%d,\"score\":", det->class_id);
        put_number(out, det->score, 4);
        fputs(",\"box\":[", out);
        for (int k = 0; k < 4; k++) {
            if (k)
                fputc(',', out);
            put_number(out, det->box[k], 1);
        }
        fputs("]}", out);
    }
    fputs("]}\n", out);
    fflush(out); /* one whole line at a time for whoever reads the pipe */
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct run_stats {
    int64_t frames, detections;
    int64_t total; /* index one past the last frame to process; 0 when unknown (streams) */
    double start, detect_seconds, last_report;
} run_stats;

static void report_progress(run_stats *s, int64_t index, bool final) {
    double t = now_seconds();
    if (!final && t - s->last_report < 0.5)
        return;
    s->last_report = t;
    double elapsed = t - s->start;
    char eta[32] = "";
    /* The ETA follows the frame index, since listed-out frames still cost their decode. */
    if (!final && s->total > 0 && index >= 0 && elapsed > 0) {
        double left = (double)(s->total - index - 1) * elapsed / (double)(index + 1);
        snprintf(eta, sizeof eta, ", ETA %d:%02d", (int)left / 60, (int)left % 60);
    }
    fprintf(stderr,
            "\rvigil detect: frame %lld, %lld done, %lld detections, %.1f frames/s, %.1f "
            "ms/frame in the detector%s%s",
            (long long)index, (long long)s->frames, (long long)s->detections,
            elapsed > 0 ? s->frames / elapsed : 0.0,
            s->frames ? 1e3 * s->detect_seconds / s->frames : 0.0, eta, final ? "\n" : "   ");
}

/* Decodes INPUT and detects on the listed frames. Returns the exit status. */
static int detect_frames(vigil_media *media, vigil_detector *d, const vigil_frame_list *frames,
                         detect_annotator *annotator, bool progress) {
    vigil_error err = {0};
    vigil_detections dets = {0};
    run_stats stats = {.start = now_seconds()};
    int64_t end = vigil_frame_list_end(frames), last = -1;
    int64_t declared = vigil_media_get_info(media)->frame_count;
    stats.total = declared > 0 && declared < end ? declared : (end < INT64_MAX ? end : 0);
    int status = 0;
    vigil_media_frame f;
    vigil_status st;
    while ((st = vigil_media_next(media, &f, &err)) == VIGIL_STATUS_OK) {
        if (f.index >= end)
            break;
        if (!vigil_frame_list_contains(frames, f.index))
            continue;
        if ((st = vigil_media_rgb(media, &f, &err)) < 0)
            break;
        vigil_image image = vigil_media_image(&f);
        double t0 = now_seconds();
        if (vigil_detector_run(d, &image, 1, &dets, &err) < 0) {
            fprintf(stderr, "vigil detect: %s: frame %lld: %s\n", vigil_media_path(media),
                    (long long)f.index, err.message);
            status = 1;
            break;
        }
        stats.detect_seconds += now_seconds() - t0;
        stats.frames++;
        stats.detections += dets.count;
        put_frame(stdout, d, &f, &dets);
        if (annotator && detect_annotator_write(annotator, d, &f, &dets, &err) < 0) {
            fprintf(stderr, "vigil detect: %s\n", err.message);
            status = 1;
            break;
        }
        last = f.index;
        if (progress)
            report_progress(&stats, last, false);
    }
    if (progress)
        report_progress(&stats, last, true);
    if (status == 0 && st < 0 && st != VIGIL_STATUS_END) {
        fprintf(stderr, "vigil detect: %s\n", err.message);
        status = 1;
    }
    int64_t corrupt = vigil_media_corrupt_frames(media);
    if (corrupt > 0)
        fprintf(stderr, "vigil detect: %s: %lld corrupt frame%s skipped\n", vigil_media_path(media),
                (long long)corrupt, corrupt == 1 ? "" : "s");
    vigil_detections_free(&dets);
    return status;
}

int vigil_cmd_detect(int argc, char **argv) {
    detect_args args = {0};
    bool stop;
    int status = parse_args(argc, argv, &args, &stop);
    if (stop)
        return status;

    vigil_error err = {0};
    vigil_frame_list frames = {0};
    if (args.frames && vigil_frame_list_parse(args.frames, &frames, &err) < 0) {
        fprintf(stderr, "vigil detect: %s\n", err.message);
        return 2;
    }
    vigil_media_set_verbose(args.verbose);
    vigil_media *media = NULL;
    vigil_detector *detector = NULL;
    detect_annotator *annotator = NULL;
    char model_path[1200];
    status = 1;
    if (vigil_media_open(args.input, &media, &err) < 0) {
        fprintf(stderr, "vigil detect: %s\n", err.message);
        goto done;
    }
    if (!resolve_model(args.model, model_path, sizeof model_path))
        goto done;
    if (vigil_detector_create(model_path, &args.options, &detector, &err) < 0) {
        fprintf(stderr, "vigil detect: %s\n", err.message);
        goto done;
    }
    if (args.annotate) {
        annotator = detect_annotator_create(args.annotate, vigil_media_get_info(media)->fps);
        if (!annotator) {
            fprintf(stderr, "vigil detect: out of memory\n");
            goto done;
        }
    }
    status =
        detect_frames(media, detector, &frames, annotator, args.progress || isatty(STDERR_FILENO));
    if (detect_annotator_close(annotator, &err) < 0) {
        fprintf(stderr, "vigil detect: %s\n", err.message);
        status = 1;
    }
    annotator = NULL;
done:
    detect_annotator_close(annotator, NULL);
    vigil_detector_free(detector);
    vigil_media_close(media);
    vigil_frame_list_free(&frames);
    return status;
}
