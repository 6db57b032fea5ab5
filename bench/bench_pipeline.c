/* bench_pipeline — the whole GStreamer pipeline on vtest.avi, in one run.
 *
 * Rows, each a fresh pipeline, frames as fast as they go (fakesink sync=false):
 *
 *   decode only           filesrc ! decodebin ! identity ! videoconvert ! fakesink
 *   detect + track        ... ! videoconvert ! vigildetect interval=1|2|3 ! vigiltrack ! fakesink
 *   N streams             N such branches of the same file in one pipeline: decode only,
 *                         one shared engine batching the streams (batch-size=N), one shared
 *                         engine taking turns (batch-size=1), and N separate engines
 *
 * frames/s counts the frames reaching the sinks between PLAYING and EOS; the pipeline is
 * prerolled first, so model loading and the engine's first run (oneDNN builds its
 * primitives then) are not timed. CPU ms/frame is the process's CPU time over the same
 * span: on a shared machine it stays put when other users take cores away. Latency is
 * per frame, from the buffer entering vigildetect's sink pad to it leaving vigiltrack's
 * src pad (pad probes, monotonic clock); mean, median and p99 over all frames of all
 * streams, skipped frames included.
 *
 *     build/bench/bench_pipeline [--frames 200] [--threads 0] [--model nanodet]
 *                                [--device cpu] [--streams 4] [--repeat 1] [--video PATH]
 *
 * The plugin is loaded from the build tree it was built with (VIGIL_PLUGIN_DIR). */
#include <gst/gst.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_STREAMS 16
/* detect and track share the branch's streaming thread with no queue between them,
 * so at most one buffer is between the two probes; a small ring is plenty. */
#define RING 64
/* A run that takes longer than this has hung (a deadlock, a stalled decoder). */
#define RUN_TIMEOUT (600 * GST_SECOND)

typedef struct bench_options {
    int frames;  /* per stream */
    int threads; /* vigildetect threads, 0 = all cores */
    int streams;
    int repeat; /* passes over all rows; each row keeps its fastest run */
    char model[512];
    char device[64];
    char video[1024];
} bench_options;

/* One row of the table: what to build. */
typedef struct run_config {
    const char *name;
    int streams;
    int interval;   /* 0: decode only */
    int batch_size; /* vigildetect batch-size */
    bool separate;  /* give each element its own engine */
} run_config;

/* Per stream, written by its streaming thread. */
typedef struct branch {
    struct run_state *run;
    int cut_frames; /* frames decoded so far */
    bool eos_sent;
    gint64 in_ns[RING];
    GstClockTime in_pts[RING];
    guint64 n_in, n_out;
    guint pts_mismatches;
    double *latency_ms;
    size_t n_latency, cap_latency;
    gint sink_frames; /* atomic: read by the main thread */
} branch;

typedef struct run_state {
    int frames;  /* per stream: the rest of the file is cut off */
    gint timing; /* atomic: latencies are recorded only while timed */
    branch branches[MAX_STREAMS];
} run_state;

typedef struct run_result {
    const run_config *config;
    guint64 frames;
    double seconds;
    double cpu_seconds; /* user + system of the whole process while timed */
    size_t n_latency;
    double latency_mean_ms, latency_median_ms, latency_p99_ms;
    int engines;       /* inferred from the elements' engine-frames; 0 when no detector */
    double batch_fill; /* frames per engine batch, engine of stream 0 */
    char input[64];    /* the video vigildetect negotiated: "I420 768x576" */
    bool ok;
} run_result;

static gint64 now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CPU time of every thread of the process: what the run cost, whatever share of the
 * cores the other users of a shared machine left it. */
static double cpu_seconds(void) {
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u) != 0)
        return 0.0;
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

static void usage(FILE *out) {
    fprintf(
        out,
        "usage: bench_pipeline [--frames N] [--threads N] [--model NAME|PATH] [--device D]\n"
        "                      [--streams N] [--repeat N] [--video PATH]\n"
        "\n"
        "  --frames N    frames per stream, the first untimed (default 200; vtest.avi has 795)\n"
        "  --threads N   vigildetect threads per engine, 0 = all cores (default 0)\n"
        "  --model M     nanodet (default), centernet or a model file\n"
        "  --device D    vigildetect device: cpu (default), cpu-bf16, ref, cuda\n"
        "  --streams N   streams of the multi-stream rows, 2..16 (default 4)\n"
        "  --repeat N    passes over all rows, each row keeping its fastest (default 1)\n"
        "  --video PATH  default $VIGIL_HOME/vtest.avi (VIGIL_HOME: ~/.cache/vigil)\n");
}

static bool parse_args(int argc, char **argv, bench_options *o) {
    *o = (bench_options){.frames = 200, .threads = 0, .streams = 4, .repeat = 1};
    snprintf(o->model, sizeof o->model, "nanodet");
    snprintf(o->device, sizeof o->device, "cpu");
    const char *home = getenv("VIGIL_HOME");
    if (home && *home)
        snprintf(o->video, sizeof o->video, "%s/vtest.avi", home);
    else
        snprintf(o->video, sizeof o->video, "%s/.cache/vigil/vtest.avi",
                 getenv("HOME") ? getenv("HOME") : "/tmp");
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!value)
            return false;
        if (!strcmp(arg, "--frames"))
            o->frames = atoi(value);
        else if (!strcmp(arg, "--threads"))
            o->threads = atoi(value);
        else if (!strcmp(arg, "--streams"))
            o->streams = atoi(value);
        else if (!strcmp(arg, "--repeat"))
            o->repeat = atoi(value);
        else if (!strcmp(arg, "--device"))
            snprintf(o->device, sizeof o->device, "%s", value);
        else if (!strcmp(arg, "--model"))
            snprintf(o->model, sizeof o->model, "%s", value);
        else if (!strcmp(arg, "--video"))
            snprintf(o->video, sizeof o->video, "%s", value);
        else
            return false;
        i++;
    }
    return o->frames >= 1 && o->threads >= 0 && o->repeat >= 1 && o->streams >= 2 &&
           o->streams <= MAX_STREAMS && !strchr(o->model, '"') && !strchr(o->video, '"') &&
           !strchr(o->device, '"');
}

/* The launch description of a run: one branch per stream, elements named by stream. */
static gchar *describe(const bench_options *o, const run_config *c) {
    GString *d = g_string_new(NULL);
    for (int i = 0; i < c->streams; i++) {
        /* identity marks where on_cut ends the stream */
        g_string_append_printf(d,
                               "filesrc location=\"%s\" ! decodebin ! identity name=cut%d ! "
                               "videoconvert ! ",
                               o->video, i);
        if (c->interval > 0) {
            /* Engines are shared by elements with the same model and options; a
             * max-detections differing by one (no frame of vtest.avi has 100 objects)
             * gives each element its own engine without a property for it. */
            g_string_append_printf(
                d,
                "vigildetect name=detect%d model=\"%s\" device=\"%s\" threads=%d "
                "interval=%d batch-size=%d max-detections=%d ! "
                "vigiltrack name=track%d ! ",
                i, o->model, o->device, o->threads, c->interval, c->batch_size,
                100 + (c->separate ? i : 0), i);
        }
        g_string_append_printf(d, "fakesink name=sink%d sync=false ", i);
    }
    return g_string_free(d, FALSE);
}

/* Ends a stream after --frames frames. identity's eos-after is not enough: it returns
 * GST_FLOW_EOS once, and when the decoder pushes again anyway (decodebin's queue had the
 * next frame under way) it lets the rest of the file through. Here every later frame
 * is refused, and the end of stream is sent downstream at once. */
static GstPadProbeReturn on_cut(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    branch *b = data;
    if (++b->cut_frames <= b->run->frames)
        return GST_PAD_PROBE_OK;
    if (!b->eos_sent) {
        b->eos_sent = true;
        gst_pad_push_event(pad, gst_event_new_eos());
    }
    gst_buffer_unref(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_FLOW_RETURN(info) = GST_FLOW_EOS;
    return GST_PAD_PROBE_HANDLED;
}

static GstPadProbeReturn on_detect_in(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    (void)pad;
    branch *b = data;
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    b->in_ns[b->n_in % RING] = now_ns();
    b->in_pts[b->n_in % RING] = GST_BUFFER_PTS(buffer);
    b->n_in++;
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn on_track_out(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    (void)pad;
    branch *b = data;
    gint64 t = now_ns();
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    if (b->n_out >= b->n_in)
        return GST_PAD_PROBE_OK; /* a buffer track made itself: none expected */
    guint64 k = b->n_out++ % RING;
    /* the frames must come out in the order they went in, or the pairing is wrong */
    if (GST_BUFFER_PTS(buffer) != b->in_pts[k])
        b->pts_mismatches++;
    if (!g_atomic_int_get(&b->run->timing))
        return GST_PAD_PROBE_OK;
    if (b->n_latency == b->cap_latency) {
        size_t cap = b->cap_latency ? 2 * b->cap_latency : 1024;
        double *grown = realloc(b->latency_ms, cap * sizeof *grown);
        if (!grown)
            return GST_PAD_PROBE_OK;
        b->latency_ms = grown;
        b->cap_latency = cap;
    }
    b->latency_ms[b->n_latency++] = (double)(t - b->in_ns[k]) / 1e6;
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn on_sink(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    (void)pad;
    (void)info;
    branch *b = data;
    g_atomic_int_inc(&b->sink_frames);
    return GST_PAD_PROBE_OK;
}

static void add_probe(GstElement *pipeline, const char *name, int stream, const char *pad_name,
                      GstPadProbeCallback callback, branch *b) {
    gchar *element_name = g_strdup_printf("%s%d", name, stream);
    GstElement *element = gst_bin_get_by_name(GST_BIN(pipeline), element_name);
    GstPad *pad = gst_element_get_static_pad(element, pad_name);
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, callback, b, NULL);
    gst_object_unref(pad);
    gst_object_unref(element);
    g_free(element_name);
}

/* Prints the first error on the bus, if any. */
static void print_bus_error(GstElement *pipeline, const char *run) {
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    if (msg) {
        GError *error = NULL;
        gchar *debug = NULL;
        gst_message_parse_error(msg, &error, &debug);
        fprintf(stderr, "bench_pipeline: %s: %s: %s\n  %s\n", run, GST_OBJECT_NAME(msg->src),
                error->message, debug ? debug : "");
        g_error_free(error);
        g_free(debug);
        gst_message_unref(msg);
    } else {
        fprintf(stderr, "bench_pipeline: %s: the pipeline did not start\n", run);
    }
    gst_object_unref(bus);
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Engine statistics of the detectors, read while the pipeline still holds the engines:
 * how many engines there were (every element of a shared engine reports the frames of
 * all of them) and the frames per batch of stream 0's engine. */
static void read_engines(GstElement *pipeline, const run_config *c, const run_state *s,
                         run_result *r) {
    guint64 detected = 0, reported = 0, batches0 = 0, frames0 = 0;
    for (int i = 0; i < c->streams; i++) {
        /* vigildetect detects frame 0 and then every interval-th */
        detected += (s->branches[i].n_in + (guint64)c->interval - 1) / (guint64)c->interval;
        gchar *name = g_strdup_printf("detect%d", i);
        GstElement *detect = gst_bin_get_by_name(GST_BIN(pipeline), name);
        guint64 batches = 0, frames = 0;
        g_object_get(detect, "engine-batches", &batches, "engine-frames", &frames, NULL);
        gst_object_unref(detect);
        g_free(name);
        reported += frames;
        if (i == 0) {
            batches0 = batches;
            frames0 = frames;
        }
    }
    double mean = (double)reported / c->streams;
    r->engines = mean > 0 ? (int)lround((double)detected / mean) : 0;
    r->batch_fill = batches0 ? (double)frames0 / (double)batches0 : 0.0;
}

static void summarize_latency(const run_config *c, run_state *s, run_result *r) {
    size_t n = 0;
    for (int i = 0; i < c->streams; i++)
        n += s->branches[i].n_latency;
    r->n_latency = n;
    if (n == 0)
        return;
    double *all = malloc(n * sizeof *all);
    if (!all)
        return;
    size_t k = 0;
    for (int i = 0; i < c->streams; i++) {
        memcpy(all + k, s->branches[i].latency_ms, s->branches[i].n_latency * sizeof *all);
        k += s->branches[i].n_latency;
    }
    qsort(all, n, sizeof *all, compare_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += all[i];
    r->latency_mean_ms = sum / (double)n;
    r->latency_median_ms = n % 2 ? all[n / 2] : 0.5 * (all[n / 2 - 1] + all[n / 2]);
    /* nearest rank: the smallest value with 99% of the samples at or below it */
    size_t rank = (size_t)ceil(0.99 * (double)n);
    r->latency_p99_ms = all[rank > 0 ? rank - 1 : 0];
    free(all);
}

/* The format and size of stream 0's frames entering vigildetect. */
static void read_input(GstElement *pipeline, char *buf, size_t size) {
    GstElement *detect = gst_bin_get_by_name(GST_BIN(pipeline), "detect0");
    GstPad *pad = gst_element_get_static_pad(detect, "sink");
    GstCaps *caps = gst_pad_get_current_caps(pad);
    const GstStructure *st = caps ? gst_caps_get_structure(caps, 0) : NULL;
    int width = 0, height = 0;
    if (st && gst_structure_get_int(st, "width", &width) &&
        gst_structure_get_int(st, "height", &height))
        snprintf(buf, size, "%s %dx%d", gst_structure_get_string(st, "format"), width, height);
    if (caps)
        gst_caps_unref(caps);
    gst_object_unref(pad);
    gst_object_unref(detect);
}

/* Builds, prerolls, times and tears down one run. */
static void run_pipeline(const bench_options *o, const run_config *c, run_result *r) {
    *r = (run_result){.config = c};
    run_state *s = calloc(1, sizeof *s);
    gchar *description = describe(o, c);
    GError *error = NULL;
    GstElement *pipeline = s ? gst_parse_launch(description, &error) : NULL;
    if (!pipeline || error) {
        fprintf(stderr, "bench_pipeline: %s: %s\n  %s\n", c->name,
                error ? error->message : "cannot build", description);
        g_clear_error(&error);
        goto done;
    }
    s->frames = o->frames;
    for (int i = 0; i < c->streams; i++) {
        branch *b = &s->branches[i];
        b->run = s;
        add_probe(pipeline, "cut", i, "src", on_cut, b);
        add_probe(pipeline, "sink", i, "sink", on_sink, b);
        if (c->interval > 0) {
            add_probe(pipeline, "detect", i, "sink", on_detect_in, b);
            add_probe(pipeline, "track", i, "src", on_track_out, b);
        }
    }

    /* Preroll: each stream's first frame goes through the detector, so the model is
     * loaded and the engine warm before the clock starts. */
    gst_element_set_state(pipeline, GST_STATE_PAUSED);
    if (gst_element_get_state(pipeline, NULL, NULL, RUN_TIMEOUT) != GST_STATE_CHANGE_SUCCESS) {
        print_bus_error(pipeline, c->name);
        goto done;
    }
    if (c->interval > 0)
        read_input(pipeline, r->input, sizeof r->input);
    gint before = 0;
    for (int i = 0; i < c->streams; i++)
        before += g_atomic_int_get(&s->branches[i].sink_frames);
    g_atomic_int_set(&s->timing, 1);

    double cpu0 = cpu_seconds();
    gint64 t0 = now_ns();
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg =
        gst_bus_timed_pop_filtered(bus, RUN_TIMEOUT, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    gint64 t1 = now_ns();
    r->cpu_seconds = cpu_seconds() - cpu0;
    gst_object_unref(bus);
    if (!msg || GST_MESSAGE_TYPE(msg) != GST_MESSAGE_EOS) {
        if (msg) {
            GError *e = NULL;
            gchar *debug = NULL;
            gst_message_parse_error(msg, &e, &debug);
            fprintf(stderr, "bench_pipeline: %s: %s: %s\n  %s\n", c->name,
                    GST_OBJECT_NAME(msg->src), e->message, debug ? debug : "");
            g_error_free(e);
            g_free(debug);
            gst_message_unref(msg);
        } else {
            fprintf(stderr, "bench_pipeline: %s: no end of stream after %d s\n", c->name,
                    (int)(RUN_TIMEOUT / GST_SECOND));
        }
        goto done;
    }
    gst_message_unref(msg);

    gint after = 0;
    for (int i = 0; i < c->streams; i++) {
        gint got = g_atomic_int_get(&s->branches[i].sink_frames);
        after += got;
        if (got != o->frames)
            fprintf(stderr, "bench_pipeline: %s: stream %d gave %d frames, not %d\n", c->name, i,
                    got, o->frames);
    }
    r->frames = (guint64)(after - before);
    r->seconds = (double)(t1 - t0) / 1e9;
    if (c->interval > 0) {
        read_engines(pipeline, c, s, r);
        summarize_latency(c, s, r);
        guint mismatches = 0;
        for (int i = 0; i < c->streams; i++)
            mismatches += s->branches[i].pts_mismatches;
        if (mismatches)
            fprintf(stderr, "bench_pipeline: %s: %u frames left vigiltrack out of order\n", c->name,
                    mismatches);
    }
    r->ok = r->frames > 0 && r->seconds > 0;
done:
    if (pipeline) {
        gst_element_set_state(pipeline, GST_STATE_NULL);
        gst_object_unref(pipeline);
    }
    for (int i = 0; s && i < MAX_STREAMS; i++)
        free(s->branches[i].latency_ms);
    free(s);
    g_free(description);
}

static double fps(const run_result *r) {
    return r->ok ? (double)r->frames / r->seconds : 0.0;
}

static void print_row(const run_result *r, const char *ratio) {
    const run_config *c = r->config;
    char interval[16] = "-", engine[64] = "-", mean[16] = "-", median[16] = "-", p99[16] = "-";
    if (c->interval > 0) {
        snprintf(interval, sizeof interval, "%d", c->interval);
        if (c->streams == 1)
            snprintf(engine, sizeof engine, "1");
        else if (r->engines == 1)
            snprintf(engine, sizeof engine, "1 shared, batch %d (%.2f/batch)", c->batch_size,
                     r->batch_fill);
        else
            snprintf(engine, sizeof engine, "%d separate", r->engines);
    }
    if (r->n_latency > 0) {
        snprintf(mean, sizeof mean, "%.1f", r->latency_mean_ms);
        snprintf(median, sizeof median, "%.1f", r->latency_median_ms);
        snprintf(p99, sizeof p99, "%.1f", r->latency_p99_ms);
    }
    if (!r->ok) {
        printf("| %s | %d | %s | %s | failed | | | | | | | | | | |\n", c->name, c->streams,
               interval, engine);
        return;
    }
    printf("| %s | %d | %s | %s | %llu | %.2f | %.1f | %.1f | %.2f | %.2f | %.1f | %s | %s | %s | "
           "%s |\n",
           c->name, c->streams, interval, engine, (unsigned long long)r->frames, r->seconds, fps(r),
           fps(r) / c->streams, 1e3 * r->seconds / (double)r->frames,
           1e3 * r->cpu_seconds / (double)r->frames, r->cpu_seconds / r->seconds, mean, median, p99,
           ratio ? ratio : "");
}

/* "x1.85 (CPU x1.98) vs interval 1": frames/s over the base's, and the base's CPU time
 * per frame over this one's, or "" when either run failed. */
static const char *ratio_text(char *buf, size_t size, const run_result *r, const run_result *base,
                              const char *base_name) {
    buf[0] = '\0';
    if (r->ok && base && base->ok && fps(base) > 0 && r->cpu_seconds > 0)
        snprintf(buf, size, "x%.2f (CPU x%.2f) vs %s", fps(r) / fps(base),
                 (base->cpu_seconds / (double)base->frames) / (r->cpu_seconds / (double)r->frames),
                 base_name);
    return buf;
}

static void print_load(const char *when) {
    FILE *f = fopen("/proc/loadavg", "r");
    char line[128] = "";
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = '\0';
        fclose(f);
    }
    line[strcspn(line, "\n")] = '\0';
    printf("load average %s: %s\n", when, line[0] ? line : "unknown");
}

/* Points GStreamer at the plugin built next to this program, with a registry of its
 * own so that other builds' plugins (GST_PLUGIN_PATH of the shell) cannot shadow it. */
static void use_build_plugin(void) {
    const char *dir = getenv("VIGIL_PLUGIN_DIR") ? getenv("VIGIL_PLUGIN_DIR") : VIGIL_PLUGIN_DIR;
    setenv("GST_PLUGIN_PATH", dir, 1);
    if (!getenv("GST_REGISTRY"))
        setenv("GST_REGISTRY", VIGIL_BENCH_REGISTRY, 1);
}

int main(int argc, char **argv) {
    bench_options o;
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (!parse_args(argc, argv, &o)) {
        usage(stderr);
        return 2;
    }
    if (access(o.video, R_OK) != 0) {
        fprintf(stderr, "bench_pipeline: no video %s (scripts/fetch-assets.sh fetches vtest.avi)\n",
                o.video);
        return 1;
    }
    use_build_plugin();
    gst_init(NULL, NULL);
    const char *needed[] = {"vigildetect", "vigiltrack", "decodebin", "identity"};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
        GstElementFactory *factory = gst_element_factory_find(needed[i]);
        if (!factory) {
            fprintf(stderr, "bench_pipeline: no element %s (plugin path %s)\n", needed[i],
                    getenv("GST_PLUGIN_PATH"));
            return 1;
        }
        gst_object_unref(factory);
    }

    const int n = o.streams;
    const run_config configs[] = {
        {"decode only", 1, 0, 1, false},
        {"detect + track", 1, 1, 1, false},
        {"detect + track", 1, 2, 1, false},
        {"detect + track", 1, 3, 1, false},
        {"decode only", n, 0, 1, false},
        {"detect + track, shared batched", n, 1, n, false},
        {"detect + track, shared in turns", n, 1, 1, false},
        {"detect + track, separate", n, 1, 1, true},
    };
    enum { DECODE, INTERVAL1, INTERVAL2, INTERVAL3, DECODE_N, BATCHED, TURNS, SEPARATE, N_RUNS };

    printf(
        "bench_pipeline: %s, %d frames per stream (the first prerolls, untimed), model %s on %s, "
        "vigildetect threads %d%s, "
        "%ld cores, fastest of %d run(s) per row\n",
        o.video, o.frames, o.model, o.device, o.threads, o.threads == 0 ? " (all cores)" : "",
        sysconf(_SC_NPROCESSORS_ONLN), o.repeat);
    print_load("at start");
    fflush(stdout);
    /* Passes over all rows rather than repeats of one row: a burst of load from the
     * machine's other users then spoils one run of several rows, not every run of one. */
    run_result results[N_RUNS];
    for (int k = 0; k < o.repeat; k++) {
        for (int i = 0; i < N_RUNS; i++) {
            fprintf(stderr, "bench_pipeline: pass %d: %s, %d stream(s), interval %d ...\n", k + 1,
                    configs[i].name, configs[i].streams, configs[i].interval);
            run_result r;
            run_pipeline(&o, &configs[i], &r);
            if (k == 0 || (r.ok && (!results[i].ok || fps(&r) > fps(&results[i]))))
                results[i] = r;
        }
    }

    printf("\n| run | streams | interval | engines | frames | s | frames/s | frames/s per "
           "stream | ms/frame | CPU ms/frame | cores used | latency mean ms | latency median ms | "
           "latency p99 ms | ratio |\n");
    printf("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    char buf[64];
    for (int i = 0; i < N_RUNS; i++) {
        const char *ratio = NULL;
        if (i == INTERVAL2 || i == INTERVAL3)
            ratio = ratio_text(buf, sizeof buf, &results[i], &results[INTERVAL1], "interval 1");
        else if (i == BATCHED || i == TURNS)
            ratio = ratio_text(buf, sizeof buf, &results[i], &results[SEPARATE], "separate");
        print_row(&results[i], ratio);
    }
    printf("\nframes/s: frames reaching the sinks (all streams) per second of wall time; "
           "ms/frame = 1000 / frames/s.\n"
           "CPU ms/frame: user + system time of all the process's threads per frame; "
           "cores used = CPU s / wall s.\n"
           "ratio: frames/s over the base row's; CPU: the base row's CPU ms/frame over this "
           "row's.\n"
           "latency: vigildetect sink pad to vigiltrack src pad, every frame of every stream "
           "(skipped frames too).\n");
    printf("vigildetect input: %s\n",
           results[INTERVAL1].input[0] ? results[INTERVAL1].input : "unknown");
    print_load("at end");
    int failed = 0;
    for (int i = 0; i < N_RUNS; i++)
        failed += !results[i].ok;
    return failed ? 1 : 0;
}
