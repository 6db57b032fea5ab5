/*
 * The demo pipeline end to end on real footage: vtest.avi (795 frames, 10 fps) through
 *
 *   filesrc ! decodebin ! videoconvert ! vigildetect interval=2 ! vigiltrack !
 *   vigilanalytics rules=pipelines/demo-rules.json ! tee
 *     ! queue ! vigilkafkasink (a `vigil broker` child process)
 *     ! queue ! vigiljsonsink
 *     ! queue ! vigiloverlay ! fakesink
 *
 * pipelines/demo-rules.json was tuned on this clip (docs/plugins.md, "The demo"): each
 * of its four rules must fire. What was checked by looking at the clip (`vigil track`
 * plus `vigil analyze`, and the annotated video): people step onto the lawn (intrusion),
 * the woman who crosses the lawn from the bottom edge from about frame 520 stays on it
 * for more than 10 s (loitering, about frame 620), people walk west along the path
 * across the `path` line (line crossing, several), and the plaza holds 6 or more people
 * for 2 s around frames 140 and 690 (crowding). Every alert is valid against the
 * schema, and the bus, Kafka and the JSON lines carry the same alerts.
 */
#include "plugin_test_alerts.h"

#define THREADS "2"

static GHashTable *count_types(GPtrArray *jsons, const char *event) {
    GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    gchar *pattern = g_strdup_printf("\"event\":\"%s\"", event);
    for (guint i = 0; i < jsons->len; i++) {
        const gchar *json = g_ptr_array_index(jsons, i);
        if (strstr(json, pattern) == NULL)
            continue;
        const gchar *type = strstr(json, "\"type\":\"") + strlen("\"type\":\"");
        gchar *name = g_strndup(type, strchr(type, '"') - type);
        gint n = GPOINTER_TO_INT(g_hash_table_lookup(counts, name));
        g_hash_table_insert(counts, name, GINT_TO_POINTER(n + 1));
    }
    g_free(pattern);
    return counts;
}

static gint type_count(GHashTable *counts, const char *type) {
    return GPOINTER_TO_INT(g_hash_table_lookup(counts, type));
}

/* The frame of the first alert of type and event. */
static gint64 first_frame(GPtrArray *jsons, const char *type, const char *event) {
    gchar *t = g_strdup_printf("\"type\":\"%s\",\"event\":\"%s\"", type, event);
    gint64 frame = -1;
    for (guint i = 0; i < jsons->len && frame < 0; i++) {
        const gchar *json = g_ptr_array_index(jsons, i);
        if (strstr(json, t) != NULL)
            frame = g_ascii_strtoll(strstr(json, "\"frame\":") + strlen("\"frame\":"), NULL, 10);
    }
    g_free(t);
    return frame;
}

/* Counts the metas reaching the overlay that carry an `alert` structure. */
static GstPadProbeReturn count_marked(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    gpointer state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state,
                                                    GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
        if (gst_video_region_of_interest_meta_get_param((GstVideoRegionOfInterestMeta *)meta,
                                                        "alert") != NULL)
            g_atomic_int_inc((gint *)data);
    return GST_PAD_PROBE_OK;
}

static gint compare_strings(gconstpointer a, gconstpointer b) {
    return strcmp(*(const gchar *const *)a, *(const gchar *const *)b);
}

/* The alert ids of JSON texts, sorted. */
static gchar *sorted_ids(GPtrArray *jsons) {
    GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < jsons->len; i++) {
        const gchar *at = strstr(g_ptr_array_index(jsons, i), "\"alert_id\":\"");
        fail_unless(at != NULL);
        at += strlen("\"alert_id\":\"");
        g_ptr_array_add(ids, g_strndup(at, strchr(at, '"') - at));
    }
    g_ptr_array_sort(ids, compare_strings);
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < ids->len; i++)
        g_string_append_printf(out, "%s ", (const gchar *)g_ptr_array_index(ids, i));
    g_ptr_array_unref(ids);
    return g_string_free(out, FALSE);
}

GST_START_TEST(test_vtest_demo_rules) {
    gchar *video = plugin_test_asset("vtest.avi");
    gchar *model = plugin_test_asset("models/nanodet.safetensors");
    static const char *const elements[] = {"vigildetect",    "vigiltrack",    "vigilanalytics",
                                           "vigilkafkasink", "vigiljsonsink", "vigiloverlay"};
    for (guint i = 0; i < G_N_ELEMENTS(elements); i++) {
        GstElementFactory *factory = gst_element_factory_find(elements[i]);
        if (factory == NULL) {
            printf("skipped: the plugin has no %s (its library is not built)\n", elements[i]);
            g_free(video);
            g_free(model);
            return;
        }
        gst_object_unref(factory);
    }
    alerts_test_broker broker;
    if (plugin_test_missing(video) || plugin_test_missing(model) ||
        !alerts_test_broker_start(&broker)) {
        g_free(video);
        g_free(model);
        return;
    }
    gchar *rules = alerts_test_source_path("pipelines/demo-rules.json");
    gchar *tmp = alerts_test_tmpdir();
    gchar *jsonl = g_build_filename(tmp, "alerts.jsonl", NULL);
    gchar *spool = g_build_filename(tmp, "spool", NULL);
    gchar *desc = g_strdup_printf(
        "filesrc location=\"%s\" ! decodebin ! videoconvert ! "
        "vigildetect model=\"%s\" interval=2 threads=" THREADS " ! vigiltrack ! "
        "vigilanalytics rules=\"%s\" snapshots=false ! tee name=t "
        "t. ! queue ! vigilkafkasink name=kafka brokers=%s topic=demo spool-dir=\"%s\" "
        "t. ! queue ! vigiljsonsink location=\"%s\" "
        "t. ! queue ! vigiloverlay name=overlay rules=\"%s\" ! fakesink",
        video, model, rules, broker.address, spool, jsonl, rules);
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(desc, &error);
    fail_unless(pipeline != NULL && error == NULL, "%s", error ? error->message : desc);
    GstElement *overlay = plugin_test_get(pipeline, "overlay");
    GstPad *pad = gst_element_get_static_pad(overlay, "sink");
    gint marked = 0;
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_marked, &marked, NULL);
    gst_object_unref(pad);
    gst_object_unref(overlay);

    gint64 t0 = g_get_monotonic_time();
    fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    GstBus *bus = gst_element_get_bus(pipeline);
    GPtrArray *messages = g_ptr_array_new_with_free_func(g_free);
    for (;;) {
        GstMessage *msg = gst_bus_timed_pop_filtered(
            bus, 150 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
        fail_unless(msg != NULL, "the pipeline did not finish in 150 s");
        if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
            GError *err = NULL;
            gchar *debug = NULL;
            gst_message_parse_error(msg, &err, &debug);
            fail("%s (%s)", err->message, debug);
        }
        const GstStructure *s = gst_message_get_structure(msg);
        if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ELEMENT &&
            gst_structure_has_name(s, "vigil-alert"))
            g_ptr_array_add(messages, g_strdup(gst_structure_get_string(s, "json")));
        gboolean eos = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
        gst_message_unref(msg);
        if (eos)
            break;
    }
    gdouble seconds = (g_get_monotonic_time() - t0) / 1e6;
    GstElement *kafka = plugin_test_get(pipeline, "kafka");
    guint64 delivered = 0, pending = 0;
    g_object_get(kafka, "delivered", &delivered, "pending", &pending, NULL);
    gst_object_unref(kafka);
    ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
    gst_object_unref(bus);
    gst_object_unref(pipeline);

    GHashTable *starts = count_types(messages, "start");
    GHashTable *instants = count_types(messages, "instant");
    printf("demo pipeline: %.1f s, %u alerts: intrusion %d, loitering %d, crowding %d started, "
           "%d line crossings; loitering from frame %" G_GINT64_FORMAT "\n",
           seconds, messages->len, type_count(starts, "intrusion"), type_count(starts, "loitering"),
           type_count(starts, "crowding"), type_count(instants, "line_crossing"),
           first_frame(messages, "loitering", "start"));
    fail_unless(type_count(starts, "intrusion") >= 3, "intrusions: %d",
                type_count(starts, "intrusion"));
    ck_assert_int_ge(type_count(starts, "loitering"), 1);
    ck_assert_int_ge(type_count(starts, "crowding"), 1);
    fail_unless(type_count(instants, "line_crossing") >= 3, "line crossings: %d",
                type_count(instants, "line_crossing"));
    gint64 loiter = first_frame(messages, "loitering", "start");
    fail_unless(loiter >= 580 && loiter <= 700, "loitering from frame %" G_GINT64_FORMAT, loiter);
    /* every incident that started also ended (by the end of the stream at the latest) */
    GHashTable *ends = count_types(messages, "end");
    static const char *const incident_types[] = {"intrusion", "loitering", "crowding"};
    for (guint i = 0; i < G_N_ELEMENTS(incident_types); i++)
        ck_assert_int_eq(type_count(ends, incident_types[i]),
                         type_count(starts, incident_types[i]));
    fail_unless(marked > 0, "no object reached the overlay marked with an alert");
    alerts_test_validate(messages);

    /* Kafka and the JSON lines carry the very same alerts */
    ck_assert_uint_eq(delivered, messages->len);
    ck_assert_uint_eq(pending, 0);
    gchar **lines = alerts_test_kcat(&broker, "demo");
    GPtrArray *kafka_values = g_ptr_array_new();
    for (gchar **line = lines; *line != NULL; line++) {
        fail_unless(g_str_has_prefix(*line, "plaza\t"), "key of %s", *line);
        g_ptr_array_add(kafka_values, strrchr(*line, '\t') + 1);
    }
    gchar *bus_ids = sorted_ids(messages);
    gchar *kafka_ids = sorted_ids(kafka_values);
    ck_assert_str_eq(kafka_ids, bus_ids);
    gchar *text = NULL;
    fail_unless(g_file_get_contents(jsonl, &text, NULL, NULL));
    gchar **jsonl_lines = g_strsplit(g_strchomp(text), "\n", -1);
    ck_assert_uint_eq(g_strv_length(jsonl_lines), messages->len);
    for (guint i = 0; i < messages->len; i++)
        ck_assert_str_eq(jsonl_lines[i], g_ptr_array_index(messages, i));
    fail_unless(seconds < 170, "the demo pipeline took %.1f s", seconds);

    g_strfreev(jsonl_lines);
    g_free(text);
    g_free(bus_ids);
    g_free(kafka_ids);
    g_ptr_array_unref(kafka_values);
    g_strfreev(lines);
    g_hash_table_destroy(starts);
    g_hash_table_destroy(instants);
    g_hash_table_destroy(ends);
    g_ptr_array_unref(messages);
    alerts_test_broker_stop(&broker);
    g_free(desc);
    g_free(spool);
    g_free(jsonl);
    alerts_test_rmdir(tmp);
    g_free(rules);
    g_free(video);
    g_free(model);
}
GST_END_TEST;

static Suite *demo_pipeline_suite(void) {
    plugin_test_init("vigil-test-demo-pipeline.registry");
    Suite *s = suite_create("demo_pipeline");
    TCase *tc = tcase_create("demo");
    tcase_set_timeout(tc, 170);
    tcase_add_test(tc, test_vtest_demo_rules);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(demo_pipeline_suite)
