/* Helpers shared by the gst-check tests of the vigil plugin. */
#ifndef VIGIL_PLUGIN_TEST_UTIL_H
#define VIGIL_PLUGIN_TEST_UTIL_H

#include "test_util.h"

#include <gst/check/gstcheck.h>
#include <gst/video/video.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Points GStreamer at the plugin in the build tree (CTest sets these too; this covers
 * a test binary started by hand) and initialises gst-check, which turns every GLib
 * warning or critical into a test failure. Call once, before the suite runs. */
static inline void plugin_test_init(const char *registry_name) {
    const char *build = getenv("VIGIL_BUILD_DIR");
    if (build != NULL && getenv("GST_PLUGIN_PATH") == NULL) {
        gchar *plugins = g_build_filename(build, "plugins", NULL);
        g_setenv("GST_PLUGIN_PATH", plugins, TRUE);
        g_free(plugins);
    }
    if (getenv("GST_REGISTRY") == NULL) {
        gchar *registry = g_build_filename(g_get_tmp_dir(), registry_name, NULL);
        g_setenv("GST_REGISTRY", registry, TRUE);
        g_free(registry);
    }
    gst_check_init(NULL, NULL);
}

/* Full path of an asset, newly allocated. (test_asset() of test_util.h trips GCC's
 * -Wformat-truncation at -O2 when inlined with a constant name.) */
static inline gchar *plugin_test_asset(const char *name) {
    return g_build_filename(test_asset_dir(), name, NULL);
}

/* A file:// URI for path, newly allocated. */
static inline gchar *plugin_test_file_uri(const char *path) {
    gchar *uri = gst_filename_to_uri(path, NULL);
    fail_unless(uri != NULL, "no URI for %s", path);
    return uri;
}

/* TRUE (and a note on stdout) when the asset is absent, so the caller can skip. */
static inline gboolean plugin_test_missing(const char *path) {
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return FALSE;
    printf("skipped: %s is absent (run scripts/fetch-assets.sh)\n", path);
    return TRUE;
}

/* The element named name in pipeline, with a reference. */
static inline GstElement *plugin_test_get(GstElement *pipeline, const char *name) {
    GstElement *element = gst_bin_get_by_name(GST_BIN(pipeline), name);
    fail_unless(element != NULL, "no element %s", name);
    return element;
}

/* Sets the state and waits (up to 10 s) for it to complete. */
static inline GstStateChangeReturn plugin_test_set_state(GstElement *element, GstState state) {
    GstStateChangeReturn ret = gst_element_set_state(element, state);
    if (ret == GST_STATE_CHANGE_ASYNC)
        ret = gst_element_get_state(element, NULL, NULL, 10 * GST_SECOND);
    return ret;
}

/* The string field of a vigil-camera element message, NULL for any other message. */
static inline const gchar *plugin_test_camera_field(GstMessage *msg, const char *field) {
    if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ELEMENT)
        return NULL;
    const GstStructure *s = gst_message_get_structure(msg);
    if (s == NULL || !gst_structure_has_name(s, "vigil-camera"))
        return NULL;
    return gst_structure_get_string(s, field);
}

/* Fails the test when any text the message carries contains secret. */
static inline void plugin_test_assert_no_secret(GstMessage *msg, const char *secret) {
    gchar *text = NULL;
    const GstStructure *s = gst_message_get_structure(msg);
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR ||
        GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING) {
        GError *err = NULL;
        gchar *debug = NULL;
        if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
            gst_message_parse_error(msg, &err, &debug);
        else
            gst_message_parse_warning(msg, &err, &debug);
        text = g_strdup_printf("%s %s", err->message, debug ? debug : "");
        g_error_free(err);
        g_free(debug);
    } else if (s != NULL) {
        text = gst_structure_to_string(s);
    }
    if (text != NULL)
        fail_if(strstr(text, secret) != NULL, "a bus message shows the secret: %s", text);
    g_free(text);
}

#endif
