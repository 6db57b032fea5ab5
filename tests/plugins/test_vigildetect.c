/*
 * vigildetect with GstHarness on real frames of vtest.avi: the metas it attaches (one
 * GstVideoRegionOfInterestMeta per object with the `detection` parameters DESIGN.md
 * specifies), every input format giving the same people, interval, classes, errors a
 * user can act on, latency, and two elements sharing one engine from two threads, with
 * and without batching their frames.
 *
 * Frame 0 of vtest.avi shows three walking people; `vigil detect --frames 0:1` (FFmpeg
 * decoding, then the same engine) boxes them at the PEOPLE coordinates below. The
 * element decodes with GStreamer and converts with videoconvert, so its boxes must
 * match those within an IoU of 0.7, whatever the pixel format it is given.
 */
#include "plugin_test_util.h"

#include <gst/app/gstappsink.h>
#include <gst/check/gstharness.h>

#define THREADS "2"

static const float PEOPLE[][4] = {
    {499.5f, 158.1f, 30.9f, 76.0f},
    {639.8f, 239.3f, 44.5f, 85.0f},
    {251.4f, 220.0f, 31.7f, 89.4f},
};
#define N_PEOPLE (sizeof PEOPLE / sizeof PEOPLE[0])

static gchar *model_path;
static gchar *video_path;

/* TRUE (and a note) when the model or the video is missing. */
static gboolean assets_missing(void) {
    return plugin_test_missing(model_path) || plugin_test_missing(video_path);
}

/* The first n frames of vtest.avi converted to format, as samples. */
static GstSample **decode_frames(const char *format, guint n) {
    gchar *desc = g_strdup_printf("filesrc location=\"%s\" ! decodebin ! videoconvert ! "
                                  "video/x-raw,format=%s ! appsink name=sink sync=false",
                                  video_path, format);
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(desc, &error);
    fail_unless(pipeline != NULL && error == NULL, "%s", error ? error->message : desc);
    g_free(desc);
    fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    GstElement *sink = plugin_test_get(pipeline, "sink");
    GstSample **samples = g_new0(GstSample *, n + 1);
    for (guint i = 0; i < n; i++) {
        samples[i] = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 20 * GST_SECOND);
        fail_unless(samples[i] != NULL, "vtest.avi gave no frame %u", i);
    }
    gst_object_unref(sink);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    return samples;
}

static void free_frames(GstSample **samples) {
    for (GstSample **s = samples; *s != NULL; s++)
        gst_sample_unref(*s);
    g_free(samples);
}

/* A harness around "vigildetect <props>" fed with caps. */
static GstHarness *detect_harness(const char *props, GstCaps *caps) {
    gchar *desc = g_strdup_printf("vigildetect model=\"%s\" threads=" THREADS " %s", model_path,
                                  props ? props : "");
    GstHarness *h = gst_harness_new_parse(desc);
    g_free(desc);
    gst_harness_set_src_caps(h, gst_caps_copy(caps));
    return h;
}

/* Runs one frame through the harness and returns the output buffer. */
static GstBuffer *detect(GstHarness *h, GstSample *sample) {
    GstBuffer *out = gst_harness_push_and_pull(h, gst_buffer_ref(gst_sample_get_buffer(sample)));
    fail_unless(out != NULL, "vigildetect gave no buffer");
    return out;
}

static float iou(const float a[4], const float b[4]) {
    float x0 = MAX(a[0], b[0]), y0 = MAX(a[1], b[1]);
    float x1 = MIN(a[0] + a[2], b[0] + b[2]), y1 = MIN(a[1] + a[3], b[1] + b[3]);
    float inter = MAX(0.0f, x1 - x0) * MAX(0.0f, y1 - y0);
    return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

typedef struct {
    guint count;
    guint people;
    gboolean matched[N_PEOPLE];
    gdouble confidence[N_PEOPLE]; /* of the person matched to PEOPLE[p] */
    GString *labels;              /* " label" per meta */
} metas_seen;

/* Checks every ROI meta of buffer against the contract and tallies them. */
static metas_seen check_metas(GstBuffer *buffer, gint width, gint height) {
    metas_seen seen = {.labels = g_string_new(NULL)};
    gpointer state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state,
                                                    GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
        GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
        seen.count++;
        ck_assert_int_eq(roi->id, -1);
        fail_unless(roi->w > 0 && roi->h > 0 && roi->x + roi->w <= (guint)width &&
                        roi->y + roi->h <= (guint)height,
                    "box %u,%u %ux%u is outside the frame", roi->x, roi->y, roi->w, roi->h);
        GstStructure *det = gst_video_region_of_interest_meta_get_param(roi, "detection");
        fail_unless(det != NULL, "no detection parameters");
        const gchar *label = gst_structure_get_string(det, "label");
        gint class_id = -1;
        gdouble confidence = -1;
        fail_unless(label != NULL && gst_structure_get_int(det, "class_id", &class_id) &&
                    gst_structure_get_double(det, "confidence", &confidence));
        ck_assert_str_eq(label, g_quark_to_string(roi->roi_type));
        fail_unless(confidence > 0.35 && confidence <= 1.0, "confidence %g", confidence);
        /* COCO's class indices: person 0, car 2, truck 7 */
        if (strcmp(label, "person") == 0)
            ck_assert_int_eq(class_id, 0);
        else if (strcmp(label, "car") == 0)
            ck_assert_int_eq(class_id, 2);
        else if (strcmp(label, "truck") == 0)
            ck_assert_int_eq(class_id, 7);
        g_string_append_printf(seen.labels, " %s", label);
        if (strcmp(label, "person") != 0)
            continue;
        seen.people++;
        float box[4] = {roi->x, roi->y, roi->w, roi->h};
        for (guint p = 0; p < N_PEOPLE; p++) {
            if (iou(box, PEOPLE[p]) >= 0.7f) {
                seen.matched[p] = TRUE;
                seen.confidence[p] = confidence;
            }
        }
    }
    return seen;
}

static void assert_people_found(const metas_seen *seen, const char *format) {
    for (guint p = 0; p < N_PEOPLE; p++)
        fail_unless(seen->matched[p], "%s: person %u (%.0f,%.0f) not found; metas:%s", format, p,
                    PEOPLE[p][0], PEOPLE[p][1], seen->labels->str);
}

GST_START_TEST(test_frame_metas) {
    if (assets_missing())
        return;
    GstSample **frames = decode_frames("RGB", 1);
    GstHarness *h = detect_harness(NULL, gst_sample_get_caps(frames[0]));
    GstBuffer *out = detect(h, frames[0]);
    /* the pixels pass untouched */
    GstBuffer *in = gst_sample_get_buffer(frames[0]);
    GstMapInfo a, b;
    fail_unless(gst_buffer_map(in, &a, GST_MAP_READ) && gst_buffer_map(out, &b, GST_MAP_READ));
    fail_unless(a.size == b.size && memcmp(a.data, b.data, a.size) == 0);
    gst_buffer_unmap(in, &a);
    gst_buffer_unmap(out, &b);
    fail_unless(GST_BUFFER_PTS(out) == GST_BUFFER_PTS(in));

    metas_seen seen = check_metas(out, 768, 576);
    assert_people_found(&seen, "RGB");
    fail_unless(seen.count >= N_PEOPLE && seen.count <= 100, "%u metas", seen.count);
    g_string_free(seen.labels, TRUE);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
    free_frames(frames);
}
GST_END_TEST;

GST_START_TEST(test_formats) {
    if (assets_missing())
        return;
    /* vtest.avi decodes to I420, so the packed RGB formats are exact reorderings of one
     * another and must give RGB's confidences to the last digit, while I420 and NV12
     * skip a colour conversion and land close by. A format mapped to the wrong layout
     * (channel order, planes, strides) moves them by far more. */
    static const struct {
        const char *format;
        gdouble tolerance;
    } formats[] = {{"RGB", 0},     {"BGR", 1e-4},  {"RGBx", 1e-4}, {"BGRx", 1e-4},
                   {"RGBA", 1e-4}, {"I420", 0.01}, {"NV12", 0.01}};
    gdouble reference[N_PEOPLE] = {0};
    for (gsize f = 0; f < G_N_ELEMENTS(formats); f++) {
        GstSample **frames = decode_frames(formats[f].format, 1);
        GstHarness *h = detect_harness(NULL, gst_sample_get_caps(frames[0]));
        GstBuffer *out = detect(h, frames[0]);
        metas_seen seen = check_metas(out, 768, 576);
        assert_people_found(&seen, formats[f].format);
        for (guint p = 0; p < N_PEOPLE; p++) {
            if (f == 0)
                reference[p] = seen.confidence[p];
            fail_unless(fabs(seen.confidence[p] - reference[p]) <= formats[f].tolerance,
                        "%s: person %u scores %.4f, in RGB %.4f", formats[f].format, p,
                        seen.confidence[p], reference[p]);
        }
        g_string_free(seen.labels, TRUE);
        gst_buffer_unref(out);
        gst_harness_teardown(h);
        free_frames(frames);
    }
}
GST_END_TEST;

static guint count_rois(GstBuffer *buffer) {
    guint n = 0;
    gpointer state = NULL;
    while (gst_buffer_iterate_meta_filtered(buffer, &state,
                                            GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))
        n++;
    return n;
}

GST_START_TEST(test_interval) {
    if (assets_missing())
        return;
    GstSample **frames = decode_frames("RGB", 4);
    GstHarness *h = detect_harness("interval=3", gst_sample_get_caps(frames[0]));
    for (guint i = 0; i < 4; i++) {
        GstBuffer *out = detect(h, frames[i]);
        if (i % 3 == 0)
            fail_unless(count_rois(out) >= N_PEOPLE, "frame %u: no metas", i);
        else
            ck_assert_uint_eq(count_rois(out), 0);
        gst_buffer_unref(out);
    }
    gst_harness_teardown(h);
    free_frames(frames);
}
GST_END_TEST;

GST_START_TEST(test_classes) {
    if (assets_missing())
        return;
    GstSample **frames = decode_frames("RGB", 2);
    GstHarness *h = detect_harness("classes=\"Car, truck\"", gst_sample_get_caps(frames[0]));
    GstBuffer *out = detect(h, frames[0]);
    metas_seen seen = check_metas(out, 768, 576);
    /* the parked van and cars of the plaza, no people */
    fail_unless(seen.count >= 1 && seen.people == 0, "metas:%s", seen.labels->str);
    g_string_free(seen.labels, TRUE);
    gst_buffer_unref(out);

    /* changed while playing: from the next frame on */
    GstElement *detect_element = gst_harness_find_element(h, "vigildetect");
    g_object_set(detect_element, "classes", "person", NULL);
    gst_object_unref(detect_element);
    out = detect(h, frames[1]);
    seen = check_metas(out, 768, 576);
    fail_unless(seen.people >= N_PEOPLE && seen.count == seen.people, "metas:%s", seen.labels->str);
    g_string_free(seen.labels, TRUE);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
    free_frames(frames);
}
GST_END_TEST;

/* Starting "videotestsrc ! vigildetect <props> ! fakesink" fails with an error whose
 * message contains words. */
static void expect_start_error(const char *props, const char *words) {
    gchar *desc = g_strdup_printf("videotestsrc num-buffers=1 ! video/x-raw,format=RGB ! "
                                  "vigildetect threads=" THREADS " %s ! fakesink",
                                  props);
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(desc, &error);
    fail_unless(pipeline != NULL && error == NULL, "%s", desc);
    ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    fail_unless(msg != NULL, "no error for %s", props);
    GError *err = NULL;
    gst_message_parse_error(msg, &err, NULL);
    fail_unless(strstr(err->message, words) != NULL, "error '%s' lacks '%s'", err->message, words);
    g_error_free(err);
    gst_message_unref(msg);
    gst_object_unref(bus);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    g_free(desc);
}

GST_START_TEST(test_errors) {
    if (assets_missing())
        return;
    expect_start_error("model=/nonexistent/vigil/model.safetensors",
                       "/nonexistent/vigil/model.safetensors");
    expect_start_error("model=no-such-model", "no-such-model.safetensors");
    gchar *props = g_strdup_printf("model=\"%s\" classes=person,unicorn", model_path);
    expect_start_error(props, "unicorn");
    g_free(props);
    props = g_strdup_printf("model=\"%s\" device=abacus", model_path);
    expect_start_error(props, "abacus");
    g_free(props);
}
GST_END_TEST;

GST_START_TEST(test_latency) {
    if (assets_missing())
        return;
    GstSample **frames = decode_frames("RGB", 1);
    GstHarness *h = detect_harness(NULL, gst_sample_get_caps(frames[0]));
    gst_harness_set_upstream_latency(h, 10 * GST_MSECOND);
    GstBuffer *out = detect(h, frames[0]);
    gst_buffer_unref(out);
    /* upstream's 10 ms plus the detection time, in 20 ms steps */
    GstClockTime latency = gst_harness_query_latency(h);
    fail_unless(latency >= 30 * GST_MSECOND &&
                    (latency - 10 * GST_MSECOND) % (20 * GST_MSECOND) == 0,
                "latency %" GST_TIME_FORMAT, GST_TIME_ARGS(latency));
    gst_harness_teardown(h);
    free_frames(frames);
}
GST_END_TEST;

typedef struct {
    GstHarness *h;
    GstSample **frames;
    guint n;
    metas_seen seen[4];
} stream_run;

static gpointer run_stream(gpointer data) {
    stream_run *run = data;
    for (guint i = 0; i < run->n; i++) {
        GstBuffer *out = detect(run->h, run->frames[i]);
        run->seen[i] = check_metas(out, 768, 576);
        gst_buffer_unref(out);
    }
    return NULL;
}

static void free_run(stream_run *run) {
    for (guint i = 0; i < run->n; i++)
        g_string_free(run->seen[i].labels, TRUE);
    gst_harness_teardown(run->h);
}

static guint64 engine_counter(GstHarness *h, const char *name) {
    GstElement *element = gst_harness_find_element(h, "vigildetect");
    guint64 value = 0;
    g_object_get(element, name, &value, NULL);
    gst_object_unref(element);
    return value;
}

/* Runs two elements with props on one engine from two threads at once and compares
 * each frame's people with those of one element alone (batch-size 1). Returns the
 * engine's batches and frames. */
static void run_two_streams(const char *props, gdouble tolerance, guint64 *batches,
                            guint64 *frames_run) {
    const guint n = 4;
    GstSample **frames = decode_frames("RGB", n);
    GstCaps *caps = gst_sample_get_caps(frames[0]);
    stream_run alone = {.h = detect_harness(NULL, caps), .frames = frames, .n = n};
    run_stream(&alone);

    stream_run a = {.h = detect_harness(props, caps), .frames = frames, .n = n};
    stream_run b = {.h = detect_harness(props, caps), .frames = frames, .n = n};
    GThread *ta = g_thread_new("stream-a", run_stream, &a);
    GThread *tb = g_thread_new("stream-b", run_stream, &b);
    g_thread_join(ta);
    g_thread_join(tb);
    for (guint i = 0; i < n; i++) {
        for (stream_run *r = &a; r; r = r == &a ? &b : NULL) {
            ck_assert_uint_eq(r->seen[i].people, alone.seen[i].people);
            for (guint p = 0; p < N_PEOPLE; p++) {
                ck_assert_int_eq(r->seen[i].matched[p], alone.seen[i].matched[p]);
                fail_unless(fabs(r->seen[i].confidence[p] - alone.seen[i].confidence[p]) <=
                                tolerance,
                            "frame %u person %u: %.5f, alone %.5f", i, p, r->seen[i].confidence[p],
                            alone.seen[i].confidence[p]);
            }
        }
    }
    /* both elements report the one engine they share */
    *batches = engine_counter(a.h, "engine-batches");
    *frames_run = engine_counter(a.h, "engine-frames");
    ck_assert_uint_eq(engine_counter(b.h, "engine-frames"), *frames_run);
    free_run(&alone);
    free_run(&a);
    free_run(&b);
    free_frames(frames);
}

GST_START_TEST(test_shared_engine) {
    if (assets_missing())
        return;
    guint64 batches, frames;
    /* the same engine as alone would give the same numbers to the last bit */
    run_two_streams("max-detections=99", 0.0, &batches, &frames);
    ck_assert_uint_eq(frames, 8);
    ck_assert_uint_eq(batches, 8);
}
GST_END_TEST;

GST_START_TEST(test_batched_streams) {
    if (assets_missing())
        return;
    guint64 batches, frames;
    /* a long timeout, so that a busy machine still pairs the two streams' frames */
    run_two_streams("batch-size=2 batch-timeout=1000", 1e-3, &batches, &frames);
    ck_assert_uint_eq(frames, 8);
    fail_unless(batches < frames, "%" G_GUINT64_FORMAT " batches for 8 frames: none was shared",
                batches);
    printf("batched: %" G_GUINT64_FORMAT " batches for %" G_GUINT64_FORMAT " frames\n", batches,
           frames);
}
GST_END_TEST;

static Suite *vigildetect_suite(void) {
    plugin_test_init("vigil-test-vigildetect.registry");
    model_path = plugin_test_asset("models/nanodet.safetensors");
    video_path = plugin_test_asset("vtest.avi");
    Suite *s = suite_create("vigildetect");
    TCase *tc = tcase_create("detect");
    tcase_set_timeout(tc, 150);
    tcase_add_test(tc, test_frame_metas);
    tcase_add_test(tc, test_formats);
    tcase_add_test(tc, test_interval);
    tcase_add_test(tc, test_classes);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_latency);
    tcase_add_test(tc, test_shared_engine);
    tcase_add_test(tc, test_batched_streams);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(vigildetect_suite)
