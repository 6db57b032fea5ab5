/*
 * vigilkafkasink against a `vigil broker` child process (librdkafka's mock cluster on
 * 127.0.0.1), read back with kcat: every alert of the frames' metas and of the alert
 * events arrives once, with key = camera id, header alert_id and the JSON as it was
 * given; a broker outage leaves the alerts in the spool, reported at EOS, and the next
 * start delivers them; object records; a secret property never shown (property, bus,
 * debug log); errors; properties changed while buffers flow; state cycles without
 * leaks.
 */
#include "plugin_test_alerts.h"
#include "plugin_test_leaks.h"

#include <gst/check/gstharness.h>

#define CAPS "video/x-raw,format=RGB,width=64,height=48,framerate=10/1"
#define SECRET "NotARealSecret-7f3a"

static gchar *tmp;
static alerts_test_broker broker;
static gboolean have_broker;

static void setup(void) {
    tmp = alerts_test_tmpdir();
    have_broker = alerts_test_broker_start(&broker);
}

static void teardown(void) {
    if (have_broker)
        alerts_test_broker_stop(&broker);
    alerts_test_rmdir(tmp);
}

typedef struct {
    GstHarness *h;
    GstElement *sink;
    GstBus *bus;
} kafkasink;

static kafkasink kafkasink_new(const char *topic, const char *props) {
    gchar *desc = g_strdup_printf("vigilkafkasink brokers=%s topic=%s %s", broker.address, topic,
                                  props ? props : "");
    kafkasink k = {.h = gst_harness_new_parse(desc), .bus = gst_bus_new()};
    g_free(desc);
    k.sink = gst_harness_find_element(k.h, "vigilkafkasink");
    gst_element_set_bus(k.h->element, k.bus);
    gst_harness_set_src_caps_str(k.h, CAPS);
    return k;
}

static void kafkasink_free(kafkasink *k) {
    gst_bus_set_flushing(k->bus, TRUE); /* queued messages hold the element */
    gst_object_unref(k->sink);
    gst_harness_teardown(k->h);
    gst_object_unref(k->bus);
}

static guint64 counter(GstElement *sink, const char *name) {
    guint64 v = 0;
    g_object_get(sink, name, &v, NULL);
    return v;
}

/* Fails when any message on the bus shows text; returns the vigil-publisher report
 * (NULL when there is none) and, in *warning, the first warning's text. */
static GstStructure *scan_bus(GstBus *bus, const char *text, gchar **warning) {
    GstStructure *report = NULL;
    GstMessage *msg;
    while ((msg = gst_bus_pop(bus)) != NULL) {
        plugin_test_assert_no_secret(msg, text);
        const GstStructure *s = gst_message_get_structure(msg);
        if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ELEMENT && s != NULL &&
            gst_structure_has_name(s, "vigil-publisher") && report == NULL)
            report = gst_structure_copy(s);
        if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING && warning != NULL && *warning == NULL) {
            GError *err = NULL;
            gst_message_parse_warning(msg, &err, NULL);
            *warning = g_strdup(err->message);
            g_error_free(err);
        }
        gst_message_unref(msg);
    }
    return report;
}

/* Debug log lines of the vigil categories that show the secret. */
static volatile gint secret_in_log;

static void log_scan(GstDebugCategory *category, GstDebugLevel level, const gchar *file,
                     const gchar *function, gint line, GObject *object, GstDebugMessage *message,
                     gpointer data) {
    const gchar *text = gst_debug_message_get(message);
    if (text != NULL && strstr(text, SECRET) != NULL)
        g_atomic_int_inc(&secret_in_log);
}

GST_START_TEST(test_publish_and_read_back) {
    if (!have_broker)
        return;
    /* every log line of the vigil elements goes through log_scan, none to stderr */
    gst_debug_remove_log_function(gst_debug_log_default);
    gst_debug_add_log_function(log_scan, NULL, NULL);
    gst_debug_set_threshold_for_name("vigil*", GST_LEVEL_LOG);
    gchar *spool = g_build_filename(tmp, "spool", NULL);
    gchar *props = g_strdup_printf("spool-dir=\"%s\" properties=\"linger.ms=1, "
                                   "sasl.password=" SECRET ",client.id=vigil\\\\,test\"",
                                   spool);
    kafkasink k = kafkasink_new("alerts-a", props);
    gchar *shown = NULL;
    g_object_get(k.sink, "properties", &shown, NULL);
    ck_assert_str_eq(shown, "linger.ms=1,sasl.password=***,client.id=vigil\\,test");
    g_free(shown);

    GPtrArray *jsons = g_ptr_array_new_with_free_func(g_free);
    gst_harness_push(k.h, alerts_test_frame_with_alerts(0, 0, 1, jsons));
    gst_harness_push(k.h, alerts_test_frame_with_alerts(1, 1, 0, jsons));
    gst_harness_push(k.h, alerts_test_frame_with_alerts(2, 1, 3, jsons));
    gst_harness_push(k.h, alerts_test_frame_with_alerts(3, 4, 1, jsons));
    gchar *json = alerts_test_json("alert-0005", "plaza", 3);
    gst_harness_push_event(
        k.h, gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM,
                                  gst_structure_new("vigil-alert", "json", G_TYPE_STRING, json,
                                                    "alert-id", G_TYPE_STRING, "alert-0005",
                                                    "camera-id", G_TYPE_STRING, "plaza", NULL)));
    g_ptr_array_add(jsons, json);
    fail_unless(gst_harness_push_event(k.h, gst_event_new_eos()));
    /* EOS waited for every delivery */
    ck_assert_uint_eq(counter(k.sink, "published"), 6);
    ck_assert_uint_eq(counter(k.sink, "delivered"), 6);
    ck_assert_uint_eq(counter(k.sink, "spooled"), 6);
    ck_assert_uint_eq(counter(k.sink, "pending"), 0);
    ck_assert_uint_eq(counter(k.sink, "refused"), 0);
    gchar *warning = NULL;
    GstStructure *report = scan_bus(k.bus, SECRET, &warning);
    fail_unless(report != NULL && warning == NULL, "warning: %s", warning);
    guint64 delivered = 0, pending = 1;
    fail_unless(gst_structure_get_uint64(report, "delivered", &delivered) &&
                gst_structure_get_uint64(report, "pending", &pending));
    ck_assert_uint_eq(delivered, 6);
    ck_assert_uint_eq(pending, 0);
    gst_structure_free(report);
    kafkasink_free(&k);

    gchar **lines = alerts_test_kcat(&broker, "alerts-a");
    ck_assert_uint_eq(g_strv_length(lines), 6);
    /* one partition: Kafka keeps the order they were raised in */
    for (guint i = 0; i < 6; i++) {
        gchar **parts = g_strsplit(lines[i], "\t", 3);
        ck_assert_uint_eq(g_strv_length(parts), 3);
        ck_assert_str_eq(parts[0], "plaza");
        gchar *header = g_strdup_printf("alert_id=alert-%04u", i);
        ck_assert_str_eq(parts[1], header);
        ck_assert_str_eq(parts[2], g_ptr_array_index(jsons, i));
        g_free(header);
        g_strfreev(parts);
    }
    g_strfreev(lines);
    ck_assert_int_eq(g_atomic_int_get(&secret_in_log), 0);
    gst_debug_remove_log_function(log_scan);
    g_ptr_array_unref(jsons);
    g_free(props);
    g_free(spool);
}
GST_END_TEST;

/* With the broker down the alerts stay in the spool: EOS reports them after
 * flush-timeout, and the next start (broker up) delivers them. */
GST_START_TEST(test_outage_spool_replay) {
    if (!have_broker)
        return;
    gchar *spool = g_build_filename(tmp, "spool", NULL);
    gchar *props = g_strdup_printf("spool-dir=\"%s\" flush-timeout=1 camera-id=gate-3", spool);
    gchar *props2 = g_strdup_printf("spool-dir=\"%s\" camera-id=gate-3", spool);
    gchar *reply = alerts_test_broker_command(&broker, "down");
    ck_assert_str_eq(reply, "ok down all");
    g_free(reply);
    kafkasink k = kafkasink_new("alerts-b", props);
    GPtrArray *jsons = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < 5; i++)
        gst_harness_push(k.h, alerts_test_frame_with_alerts(i, i, 1, jsons));
    fail_unless(gst_harness_push_event(k.h, gst_event_new_eos()));
    ck_assert_uint_eq(counter(k.sink, "delivered"), 0);
    ck_assert_uint_eq(counter(k.sink, "pending"), 5);
    ck_assert_uint_eq(counter(k.sink, "spooled"), 5);
    gchar *warning = NULL;
    GstStructure *report = scan_bus(k.bus, "no secret here", &warning);
    fail_unless(report != NULL);
    fail_unless(warning != NULL && strstr(warning, "5 records were not delivered") != NULL &&
                    strstr(warning, "stay in the spool") != NULL,
                "warning: %s", warning);
    g_free(warning);
    gst_structure_free(report);
    kafkasink_free(&k);

    reply = alerts_test_broker_command(&broker, "up");
    ck_assert_str_eq(reply, "ok up all");
    g_free(reply);
    k = kafkasink_new("alerts-b", props2);
    fail_unless(gst_harness_push_event(k.h, gst_event_new_eos()));
    ck_assert_uint_eq(counter(k.sink, "replayed"), 5);
    ck_assert_uint_eq(counter(k.sink, "delivered"), 5);
    ck_assert_uint_eq(counter(k.sink, "pending"), 0);
    kafkasink_free(&k);

    gchar **lines = alerts_test_kcat(&broker, "alerts-b");
    ck_assert_uint_eq(g_strv_length(lines), 5);
    for (guint i = 0; i < 5; i++) {
        gchar *expected = g_strdup_printf("gate-3\talert_id=alert-%04u\t%s", i,
                                          (const gchar *)g_ptr_array_index(jsons, i));
        ck_assert_str_eq(lines[i], expected);
        g_free(expected);
    }
    g_strfreev(lines);
    g_ptr_array_unref(jsons);
    g_free(props2);
    g_free(props);
    g_free(spool);
}
GST_END_TEST;

GST_START_TEST(test_objects_records) {
    if (!have_broker)
        return;
    kafkasink k = kafkasink_new("objects", "objects=true camera-id=gate-3");
    GPtrArray *jsons = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < 3; i++) {
        GstBuffer *b = alerts_test_frame_with_alerts(i, 0, 0, jsons);
        alerts_test_add_object(b, "person", 0, 4, "confirmed", 10 + i, 12, 20, 30);
        gst_harness_push(k.h, b);
    }
    fail_unless(gst_harness_push_event(k.h, gst_event_new_eos()));
    ck_assert_uint_eq(counter(k.sink, "delivered"), 3);
    ck_assert_uint_eq(counter(k.sink, "spooled"), 0); /* no spool-dir */
    kafkasink_free(&k);
    gchar **lines = alerts_test_kcat(&broker, "objects");
    ck_assert_uint_eq(g_strv_length(lines), 3);
    for (guint i = 0; i < 3; i++) {
        gchar *box = g_strdup_printf("\"frame\":%u,\"objects\":[{\"track_id\":4,\"label\":"
                                     "\"person\",\"box\":[%u,12,20,30]",
                                     i, 10 + i);
        fail_unless(g_str_has_prefix(lines[i], "gate-3\talert_id=gate-3/objects/"), "%s", lines[i]);
        fail_unless(strstr(lines[i], box) != NULL, "%s lacks %s", lines[i], box);
        g_free(box);
    }
    g_strfreev(lines);
    g_ptr_array_unref(jsons);
}
GST_END_TEST;

/* Starting with props fails with an error whose text (message and details) contains
 * words and not the secret. */
static void expect_start_error(const char *props, const char *words) {
    gchar *desc = g_strdup_printf("videotestsrc num-buffers=1 ! vigilkafkasink %s", props);
    GstElement *pipeline = gst_parse_launch(desc, NULL);
    fail_unless(pipeline != NULL, "%s", desc);
    ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    fail_unless(msg != NULL, "no error for %s", props);
    plugin_test_assert_no_secret(msg, SECRET);
    GError *err = NULL;
    gchar *debug = NULL;
    gst_message_parse_error(msg, &err, &debug);
    gchar *text = g_strdup_printf("%s %s", err->message, debug ? debug : "");
    fail_unless(strstr(text, words) != NULL, "error '%s' lacks '%s'", text, words);
    g_free(text);
    g_error_free(err);
    g_free(debug);
    gst_message_unref(msg);
    gst_object_unref(bus);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    g_free(desc);
}

GST_START_TEST(test_errors) {
    /* a comma inside a secret value without its backslash: the tail is no name=value
     * pair, and only its number is shown */
    expect_start_error("properties=\"linger.ms=1,sasl.password=" SECRET ",tail\"", "entry 3");
    expect_start_error("properties=no.such.property=1", "no.such.property");
    expect_start_error("topic=\"\"", "No Kafka brokers or topic");
    gchar *file = alerts_test_write(tmp, "not-a-folder", "x");
    gchar *props = g_strdup_printf("spool-dir=\"%s\"", file);
    expect_start_error(props, "not-a-folder");
    g_free(props);
    g_free(file);
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
                     "flush-timeout", (c % 2) ? 10.0 : 20.0, NULL);
        guint64 published, delivered;
        g_object_get(d->sink, "delivered", &delivered, "published", &published, NULL);
        fail_unless(delivered <= published); /* read in this order: both only grow */
        gchar *shown;
        g_object_get(d->sink, "properties", &shown, NULL);
        g_free(shown);
        g_atomic_int_inc(&d->changes);
        g_usleep(200);
    }
    return NULL;
}

static gint compare_strings(gconstpointer a, gconstpointer b) {
    return strcmp(*(const gchar *const *)a, *(const gchar *const *)b);
}

GST_START_TEST(test_properties_while_flowing) {
    if (!have_broker)
        return;
    kafkasink k = kafkasink_new("busy", "properties=linger.ms=1");
    prop_thread_data d = {.sink = k.sink};
    GThread *thread = g_thread_new("props", change_properties, &d);
    GPtrArray *jsons = g_ptr_array_new_with_free_func(g_free);
    /* at least 200 frames, and on until the other thread made 20 changes (a loaded
     * machine may not schedule it for a while) */
    guint frames = 0;
    for (; frames < 200 || (g_atomic_int_get(&d.changes) < 20 && frames < 5000); frames++)
        gst_harness_push(k.h, alerts_test_frame_with_alerts(frames, frames, 1, jsons));
    g_atomic_int_set(&d.stop, 1);
    g_thread_join(thread);
    g_object_set(k.sink, "objects", FALSE, NULL);
    fail_unless(gst_harness_push_event(k.h, gst_event_new_eos()));
    fail_unless(d.changes > 10, "only %d changes", d.changes);
    guint64 published = counter(k.sink, "published");
    ck_assert_uint_eq(counter(k.sink, "delivered"), published);
    kafkasink_free(&k);
    /* every alert, once, whatever else went with it (the keys changed, so the alerts
     * are spread over partitions: compared in alert id order) */
    gchar **lines = alerts_test_kcat(&broker, "busy");
    ck_assert_uint_eq(g_strv_length(lines), published);
    GPtrArray *alerts = g_ptr_array_new();
    for (gchar **line = lines; *line != NULL; line++) {
        const gchar *value = strrchr(*line, '\t') + 1;
        if (g_str_has_prefix(value, "{\"schema\":\"vigil.alert.v1\""))
            g_ptr_array_add(alerts, (gpointer)value);
    }
    ck_assert_uint_eq(alerts->len, frames);
    g_ptr_array_sort(alerts, compare_strings);
    for (guint i = 0; i < alerts->len; i++)
        ck_assert_str_eq(g_ptr_array_index(alerts, i), g_ptr_array_index(jsons, i));
    g_ptr_array_unref(alerts);
    g_strfreev(lines);
    g_ptr_array_unref(jsons);
}
GST_END_TEST;

static GstPadProbeReturn add_alert_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    guint *n = data;
    gchar *id = g_strdup_printf("cycle-alert-%u", (*n)++);
    gchar *json = alerts_test_json(id, "plaza", 0);
    alerts_test_add_alert(buffer, id, "plaza", json);
    g_free(json);
    g_free(id);
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    return GST_PAD_PROBE_OK;
}

/* NULL -> PLAYING (until 3 alerts were delivered) -> NULL, count times. */
static void state_cycles(guint count) {
    gchar *desc = g_strdup_printf("videotestsrc ! video/x-raw,width=64,height=48,framerate=10/1 ! "
                                  "identity name=tap ! vigilkafkasink name=sink brokers=%s "
                                  "topic=cycles properties=linger.ms=1",
                                  broker.address);
    GstElement *pipeline = gst_parse_launch(desc, NULL);
    g_free(desc);
    GstElement *tap = plugin_test_get(pipeline, "tap");
    GstPad *pad = gst_element_get_static_pad(tap, "src");
    guint n = 0;
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, add_alert_probe, &n, NULL);
    gst_object_unref(pad);
    gst_object_unref(tap);
    GstElement *sink = plugin_test_get(pipeline, "sink");
    for (guint i = 0; i < count; i++) {
        fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
        gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
        while (counter(sink, "delivered") < 3) {
            fail_unless(g_get_monotonic_time() < deadline, "cycle %u: nothing delivered", i);
            g_usleep(2000);
        }
        ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
        ck_assert_uint_eq(counter(sink, "pending"), 0); /* the stop flushed */
    }
    gst_object_unref(sink);
    gst_check_object_destroyed_on_unref(pipeline);
}

GST_START_TEST(test_state_cycles_no_leaks) {
    if (!have_broker)
        return;
    plugin_test_assert_no_leaks(state_cycles, 10);
}
GST_END_TEST;

static Suite *vigilkafkasink_suite(void) {
    /* The leaks tracer counts live objects for test_state_cycles_no_leaks. */
    g_setenv("GST_TRACERS", "leaks", FALSE);
    plugin_test_init("vigil-test-vigilkafkasink.registry");
    Suite *s = suite_create("vigilkafkasink");
    TCase *tc = tcase_create("kafkasink");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_publish_and_read_back);
    tcase_add_test(tc, test_outage_spool_replay);
    tcase_add_test(tc, test_objects_records);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_properties_while_flowing);
    tcase_add_test(tc, test_state_cycles_no_leaks);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(vigilkafkasink_suite)
