/*
 * vigiljsonsink with GstHarness: the alert metas of frames (made here as vigilanalytics
 * makes them) and the alert events become JSON lines in order, each one the alert's
 * JSON as it was given and valid against alerts/schema/alert.schema.json; per-frame
 * object records with objects=true; counters and the end-of-stream report; errors;
 * properties changed while buffers flow; state cycles without leaks.
 */
#include "plugin_test_alerts.h"
#include "plugin_test_leaks.h"

#include <gst/check/gstharness.h>

#define CAPS "video/x-raw,format=RGB,width=64,height=48,framerate=10/1"

static gchar *tmp;

static void setup(void) {
    tmp = alerts_test_tmpdir();
}

static void teardown(void) {
    alerts_test_rmdir(tmp);
}

typedef struct {
    GstHarness *h;
    GstElement *sink;
    GstBus *bus;
    gchar *path;
} jsonsink;

static jsonsink jsonsink_new(const char *props) {
    jsonsink j = {.bus = gst_bus_new(), .path = g_build_filename(tmp, "alerts.jsonl", NULL)};
    gchar *desc = g_strdup_printf("vigiljsonsink location=\"%s\" %s", j.path, props ? props : "");
    j.h = gst_harness_new_parse(desc);
    g_free(desc);
    j.sink = gst_harness_find_element(j.h, "vigiljsonsink");
    gst_element_set_bus(j.h->element, j.bus);
    gst_harness_set_src_caps_str(j.h, CAPS);
    return j;
}

static void jsonsink_free(jsonsink *j) {
    gst_bus_set_flushing(j->bus, TRUE); /* queued messages hold the element */
    gst_object_unref(j->sink);
    gst_harness_teardown(j->h);
    gst_object_unref(j->bus);
    g_free(j->path);
}

static gchar **read_lines(const char *path) {
    gchar *text = NULL;
    fail_unless(g_file_get_contents(path, &text, NULL, NULL), "no %s", path);
    gchar **lines = g_strsplit(text, "\n", -1);
    guint n = g_strv_length(lines);
    fail_unless(n > 0 && *lines[n - 1] == '\0', "the file does not end with a newline");
    g_free(lines[n - 1]);
    lines[n - 1] = NULL;
    g_free(text);
    return lines;
}

static guint64 counter(GstElement *sink, const char *name) {
    guint64 v = 0;
    g_object_get(sink, name, &v, NULL);
    return v;
}

/* The vigil-publisher report on the bus. */
static GstStructure *pop_report(GstBus *bus) {
    GstMessage *msg;
    GstStructure *report = NULL;
    while ((msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT)) != NULL) {
        const GstStructure *s = gst_message_get_structure(msg);
        if (s != NULL && gst_structure_has_name(s, "vigil-publisher") && report == NULL)
            report = gst_structure_copy(s);
        gst_message_unref(msg);
    }
    fail_unless(report != NULL, "no vigil-publisher message");
    return report;
}

GST_START_TEST(test_writes_alert_lines) {
    jsonsink j = jsonsink_new(NULL);
    GPtrArray *jsons = g_ptr_array_new_with_free_func(g_free);
    gst_harness_push(j.h, alerts_test_frame_with_alerts(0, 0, 0, jsons));
    gst_harness_push(j.h, alerts_test_frame_with_alerts(1, 0, 1, jsons));
    gst_harness_push(j.h, alerts_test_frame_with_alerts(2, 1, 2, jsons)); /* two on one frame */
    gst_harness_push(j.h, alerts_test_frame_with_alerts(3, 3, 0, jsons));
    /* an alert that has no frame left (vigilanalytics at EOS) comes as an event */
    gchar *json = alerts_test_json("alert-0003", "plaza", 3);
    gst_harness_push_event(
        j.h, gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM,
                                  gst_structure_new("vigil-alert", "json", G_TYPE_STRING, json,
                                                    "alert-id", G_TYPE_STRING, "alert-0003",
                                                    "camera-id", G_TYPE_STRING, "plaza", NULL)));
    g_ptr_array_add(jsons, json);
    fail_unless(gst_harness_push_event(j.h, gst_event_new_eos()));

    gchar **lines = read_lines(j.path);
    ck_assert_uint_eq(g_strv_length(lines), 4);
    for (guint k = 0; k < 4; k++)
        ck_assert_str_eq(lines[k], g_ptr_array_index(jsons, k));
    ck_assert_uint_eq(alerts_test_validate_file(j.path), 4);
    ck_assert_uint_eq(counter(j.sink, "published"), 4);
    ck_assert_uint_eq(counter(j.sink, "delivered"), 4);
    ck_assert_uint_eq(counter(j.sink, "pending"), 0);
    ck_assert_uint_eq(counter(j.sink, "spooled"), 0);
    GstStructure *report = pop_report(j.bus);
    ck_assert_str_eq(gst_structure_get_string(report, "when"), "eos");
    guint64 delivered = 0;
    fail_unless(gst_structure_get_uint64(report, "delivered", &delivered));
    ck_assert_uint_eq(delivered, 4);
    gst_structure_free(report);
    g_strfreev(lines);
    g_ptr_array_unref(jsons);
    jsonsink_free(&j);
}
GST_END_TEST;

GST_START_TEST(test_objects_records) {
    jsonsink j = jsonsink_new("objects=true camera-id=gate-3");
    GPtrArray *jsons = g_ptr_array_new_with_free_func(g_free);
    GstBuffer *b0 = alerts_test_frame_with_alerts(0, 0, 0, jsons);
    alerts_test_add_object(b0, "person", 0, 4, "confirmed", 10, 12, 20, 30);
    alerts_test_add_object(b0, "car", 2, -1, NULL, 30, 5, 25, 15);
    gst_harness_push(j.h, b0);
    gst_harness_push(j.h, alerts_test_frame_with_alerts(1, 0, 1, jsons)); /* an alert, no object */
    fail_unless(gst_harness_push_event(j.h, gst_event_new_eos()));
    gchar **lines = read_lines(j.path);
    ck_assert_uint_eq(g_strv_length(lines), 3);
    /* frame 0: its objects; frame 1: the alert, then its (empty) objects */
    fail_unless(g_str_has_prefix(lines[0], "{\"schema\":\"vigil.objects.v1\",\"camera_id\":"
                                           "\"gate-3\",\"timestamp\":\""),
                "%s", lines[0]);
    fail_unless(strstr(lines[0], "\"pts\":0,\"frame\":0,\"objects\":[{\"track_id\":4,\"label\":"
                                 "\"person\",\"box\":[10,12,20,30],\"confidence\":0.9},"
                                 "{\"track_id\":-1,\"label\":\"car\",\"box\":[30,5,25,15],"
                                 "\"confidence\":0.9}]}") != NULL,
                "%s", lines[0]);
    ck_assert_str_eq(lines[1], g_ptr_array_index(jsons, 0));
    fail_unless(strstr(lines[2], "\"pts\":0.1,\"frame\":1,\"objects\":[]}") != NULL, "%s",
                lines[2]);
    ck_assert_uint_eq(counter(j.sink, "published"), 3);
    g_strfreev(lines);
    g_ptr_array_unref(jsons);
    jsonsink_free(&j);
}
GST_END_TEST;

GST_START_TEST(test_unwritable_location) {
    GstElement *pipeline = gst_parse_launch(
        "videotestsrc num-buffers=1 ! vigiljsonsink location=/nonexistent/vigil/alerts.jsonl",
        NULL);
    ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    fail_unless(msg != NULL);
    GError *err = NULL;
    gst_message_parse_error(msg, &err, NULL);
    fail_unless(strstr(err->message, "/nonexistent/vigil/alerts.jsonl") != NULL, "%s",
                err->message);
    g_error_free(err);
    gst_message_unref(msg);
    gst_object_unref(bus);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
}
GST_END_TEST;

typedef struct {
    GstElement *sink;
    volatile gint stop;
    gint changes; /* atomic */
} prop_thread_data;

static gpointer change_properties(gpointer data) {
    prop_thread_data *d = data;
    while (!g_atomic_int_get(&d->stop)) {
        guint c = (guint)g_atomic_int_get(&d->changes);
        g_object_set(d->sink, "objects", (gboolean)(c % 2), "camera-id", (c % 3) ? "cam-b" : NULL,
                     "flush-timeout", (c % 2) ? 1.0 : 2.0, NULL);
        guint64 published, delivered, pending;
        g_object_get(d->sink, "delivered", &delivered, "published", &published, "pending", &pending,
                     NULL);
        fail_unless(delivered <= published); /* read in this order: both only grow */
        g_atomic_int_inc(&d->changes);
        g_usleep(200);
    }
    return NULL;
}

GST_START_TEST(test_properties_while_flowing) {
    jsonsink j = jsonsink_new(NULL);
    prop_thread_data d = {.sink = j.sink};
    GThread *thread = g_thread_new("props", change_properties, &d);
    GPtrArray *jsons = g_ptr_array_new_with_free_func(g_free);
    /* at least 300 frames, and on until the other thread made 20 changes */
    guint frames = 0;
    for (; frames < 300 || (g_atomic_int_get(&d.changes) < 20 && frames < 20000); frames++)
        gst_harness_push(j.h, alerts_test_frame_with_alerts(frames, frames, 1, jsons));
    g_atomic_int_set(&d.stop, 1);
    g_thread_join(thread);
    fail_unless(gst_harness_push_event(j.h, gst_event_new_eos()));
    fail_unless(d.changes > 10, "only %d changes", d.changes);
    gchar **lines = read_lines(j.path);
    guint alerts = 0, objects = 0;
    for (gchar **line = lines; *line != NULL; line++) {
        if (g_str_has_prefix(*line, "{\"schema\":\"vigil.alert.v1\""))
            ck_assert_str_eq(*line, g_ptr_array_index(jsons, alerts++));
        else if (g_str_has_prefix(*line, "{\"schema\":\"vigil.objects.v1\""))
            objects++;
        else
            fail("unexpected line %s", *line);
    }
    ck_assert_uint_eq(alerts, frames);
    ck_assert_uint_eq(counter(j.sink, "published"), alerts + objects);
    g_strfreev(lines);
    g_ptr_array_unref(jsons);
    jsonsink_free(&j);
}
GST_END_TEST;

static GstPadProbeReturn add_alert_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    gchar *json = alerts_test_json("alert-x", "plaza", 0);
    alerts_test_add_alert(buffer, "alert-x", "plaza", json);
    g_free(json);
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    return GST_PAD_PROBE_OK;
}

/* NULL -> PLAYING (until 5 frames with an alert each were written) -> NULL, count
 * times; each start empties the file. */
static void state_cycles(guint count) {
    gchar *path = g_build_filename(tmp, "cycles.jsonl", NULL);
    gchar *desc = g_strdup_printf("videotestsrc ! video/x-raw,width=64,height=48,framerate=50/1 ! "
                                  "identity name=tap ! vigiljsonsink name=sink location=\"%s\"",
                                  path);
    GstElement *pipeline = gst_parse_launch(desc, NULL);
    g_free(desc);
    GstElement *tap = plugin_test_get(pipeline, "tap");
    GstPad *pad = gst_element_get_static_pad(tap, "src");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, add_alert_probe, NULL, NULL);
    gst_object_unref(pad);
    gst_object_unref(tap);
    GstElement *sink = plugin_test_get(pipeline, "sink");
    for (guint i = 0; i < count; i++) {
        fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
        gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
        while (counter(sink, "published") < 5) {
            fail_unless(g_get_monotonic_time() < deadline, "cycle %u: no alerts", i);
            g_usleep(1000);
        }
        ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
        /* the counters stay readable after the stop */
        fail_unless(counter(sink, "delivered") >= 5);
    }
    gst_object_unref(sink);
    gst_check_object_destroyed_on_unref(pipeline);
    g_free(path);
}

GST_START_TEST(test_state_cycles_no_leaks) {
    plugin_test_assert_no_leaks(state_cycles, 10);
}
GST_END_TEST;

static Suite *vigiljsonsink_suite(void) {
    /* The leaks tracer counts live objects for test_state_cycles_no_leaks. */
    g_setenv("GST_TRACERS", "leaks", FALSE);
    plugin_test_init("vigil-test-vigiljsonsink.registry");
    Suite *s = suite_create("vigiljsonsink");
    TCase *tc = tcase_create("jsonsink");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_writes_alert_lines);
    tcase_add_test(tc, test_objects_records);
    tcase_add_test(tc, test_unwritable_location);
    tcase_add_test(tc, test_properties_while_flowing);
    tcase_add_test(tc, test_state_cycles_no_leaks);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(vigiljsonsink_suite)
