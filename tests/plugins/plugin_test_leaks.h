/* GStreamer's leaks tracer for the plugin tests: objects created during a stretch of a
 * test and still alive at its end. Set GST_TRACERS=leaks before plugin_test_init (the
 * tests do, unless the environment already sets it). The same check as
 * test_vigilcamsrc.c's, shared by the tests of vigiltrack and vigiloverlay. */
#ifndef VIGIL_PLUGIN_TEST_LEAKS_H
#define VIGIL_PLUGIN_TEST_LEAKS_H

#include "plugin_test_util.h"

#include <gst/app/gstappsink.h>

/* The leaks tracer, or NULL when it is off. */
static inline GstTracer *plugin_test_leaks_tracer(void) {
    GstTracer *leaks = NULL;
    GList *tracers = gst_tracing_get_active_tracers();
    for (GList *l = tracers; l; l = l->next) {
        if (strcmp(G_OBJECT_TYPE_NAME(l->data), "GstLeaksTracer") == 0)
            leaks = gst_object_ref(l->data);
    }
    g_list_free_full(tracers, gst_object_unref);
    return leaks;
}

/* Adds delta to the count of every object (by address) in the checkpoint's list. */
static inline void plugin_test_leaks_count(const GstStructure *info, const char *field,
                                           GHashTable *counts, GHashTable *types, gint delta) {
    const GValue *list = gst_structure_get_value(info, field);
    fail_unless(list != NULL, "leaks tracer answered %" GST_PTR_FORMAT, info);
    for (guint i = 0; i < gst_value_list_get_size(list); i++) {
        const GstStructure *obj = gst_value_get_structure(gst_value_list_get_value(list, i));
        const gchar *address = gst_structure_get_string(obj, "address");
        gint count = GPOINTER_TO_INT(g_hash_table_lookup(counts, address)) + delta;
        g_hash_table_insert(counts, g_strdup(address), GINT_TO_POINTER(count));
        if (delta > 0)
            g_hash_table_insert(types, g_strdup(address),
                                g_strdup(gst_structure_get_string(obj, "type-name")));
    }
}

/* Objects created since tracking started and not destroyed: their number, and their
 * type names appended to alive_types. The tracer lists creations and destructions
 * separately, by address, per checkpoint. A streaming thread drops its last reference
 * to its GstTask a moment after the state change that stopped it returned, so the
 * count is taken again, for up to a second, until nothing is left. */
static inline guint plugin_test_leaks_alive(GstTracer *leaks, GString *alive_types) {
    GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTable *types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    guint alive = 0;
    for (guint attempt = 0; attempt < 50; attempt++) {
        if (attempt > 0)
            g_usleep(20 * 1000);
        GstStructure *info = NULL;
        g_signal_emit_by_name(leaks, "activity-get-checkpoint", &info);
        fail_unless(info != NULL);
        plugin_test_leaks_count(info, "objects-created-list", counts, types, 1);
        plugin_test_leaks_count(info, "objects-removed-list", counts, types, -1);
        gst_structure_free(info);
        alive = 0;
        GHashTableIter iter;
        gpointer address, count;
        g_hash_table_iter_init(&iter, counts);
        while (g_hash_table_iter_next(&iter, &address, &count))
            alive += GPOINTER_TO_INT(count) > 0;
        if (alive == 0)
            break;
    }
    GHashTableIter iter;
    gpointer address, count;
    g_hash_table_iter_init(&iter, counts);
    while (g_hash_table_iter_next(&iter, &address, &count))
        if (GPOINTER_TO_INT(count) > 0)
            g_string_append_printf(alive_types, " %s",
                                   (const gchar *)g_hash_table_lookup(types, address));
    g_hash_table_destroy(counts);
    g_hash_table_destroy(types);
    return alive;
}

/* Runs cycles(count) once to warm up (plugins load, caches fill), then again under the
 * tracker's watch, and fails if anything created in the watched run is still alive. */
static inline void plugin_test_assert_no_leaks(void (*cycles)(guint count), guint count) {
    cycles(1);
    GstTracer *leaks = plugin_test_leaks_tracer();
    if (leaks != NULL)
        g_signal_emit_by_name(leaks, "activity-start-tracking");
    cycles(count);
    if (leaks == NULL) {
        printf("note: GST_TRACERS=leaks is off, only the pipeline's destruction is checked\n");
        return;
    }
    GString *types = g_string_new(NULL);
    guint alive = plugin_test_leaks_alive(leaks, types);
    if (alive != 0)
        printf("alive after %u cycles:%s\n", count, types->str);
    fflush(stdout); /* a failing check ends a forked test without flushing */
    fail_unless(alive == 0, "%u objects from %u cycles are still alive (listed above)", alive,
                count);
    g_string_free(types, TRUE);
    g_signal_emit_by_name(leaks, "activity-stop-tracking");
    gst_object_unref(leaks);
}

/* Runs the pipeline `launch` NULL -> PLAYING (until 3 frames reached its appsink named
 * "sink") -> NULL, count times, with probe (if any) on the sink pad of the element named
 * `probed`; then checks that dropping the pipeline destroys it. */
static inline void plugin_test_state_cycles(const char *launch, const char *probed,
                                            GstPadProbeCallback probe, guint count) {
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(launch, &error);
    fail_unless(pipeline != NULL && error == NULL);
    if (probe) {
        GstElement *element = plugin_test_get(pipeline, probed);
        GstPad *sinkpad = gst_element_get_static_pad(element, "sink");
        gst_pad_add_probe(sinkpad, GST_PAD_PROBE_TYPE_BUFFER, probe, NULL, NULL);
        gst_object_unref(sinkpad);
        gst_object_unref(element);
    }
    GstElement *sink = plugin_test_get(pipeline, "sink");
    for (guint i = 0; i < count; i++) {
        fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
        for (guint f = 0; f < 3; f++) {
            GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND);
            fail_unless(sample != NULL, "no frame %u in cycle %u", f, i);
            gst_sample_unref(sample);
        }
        ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
    }
    gst_object_unref(sink);
    gst_check_object_destroyed_on_unref(pipeline);
}

#endif
