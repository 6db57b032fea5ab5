/* Helpers for the tests of vigilanalytics and the alert sinks: frames with hand-made
 * tracked objects, alert metas made by hand, the alert JSON checked against the repo's
 * JSON Schema (python3-jsonschema), and a `vigil broker` child process read back with
 * kcat. */
#ifndef VIGIL_PLUGIN_TEST_ALERTS_H
#define VIGIL_PLUGIN_TEST_ALERTS_H

#include "plugin_test_util.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The source tree: VIGIL_SOURCE_DIR (CTest sets it), else where this file was compiled. */
static inline gchar *alerts_test_source_path(const char *relative) {
    const char *root = getenv("VIGIL_SOURCE_DIR");
    if (root != NULL && *root)
        return g_build_filename(root, relative, NULL);
    gchar *here = g_path_get_dirname(__FILE__); /* <root>/tests/plugins */
    gchar *path = g_build_filename(here, "..", "..", relative, NULL);
    g_free(here);
    return path;
}

/* The vigil command of the build tree, or NULL (with a note) when it is not built. */
static inline gchar *alerts_test_vigil_bin(void) {
    const char *build = getenv("VIGIL_BUILD_DIR");
    gchar *bin = build ? g_build_filename(build, "cli", "vigil", NULL) : NULL;
    if (bin == NULL || !g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE)) {
        printf("note: no vigil command (VIGIL_BUILD_DIR=%s)\n", build ? build : "(unset)");
        g_free(bin);
        return NULL;
    }
    return bin;
}

/* A fresh temporary folder (removed by alerts_test_rmdir). */
static inline gchar *alerts_test_tmpdir(void) {
    GError *error = NULL;
    gchar *dir = g_dir_make_tmp("vigil-alerts-test-XXXXXX", &error);
    fail_unless(dir != NULL, "%s", error ? error->message : "no temporary folder");
    return dir;
}

static inline void alerts_test_rmdir(gchar *dir) {
    gchar *argv[] = {"rm", "-rf", dir, NULL};
    g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    g_free(dir);
}

/* Writes text to dir/name and returns the path. */
static inline gchar *alerts_test_write(const char *dir, const char *name, const char *text) {
    gchar *path = g_build_filename(dir, name, NULL);
    fail_unless(g_file_set_contents(path, text, -1, NULL), "cannot write %s", path);
    return path;
}

/* A frame of the given format with PTS i x 100 ms (10 frames/s): a checkerboard of 8 px
 * squares, or black. */
static inline GstBuffer *alerts_test_frame(const char *format, gint width, gint height, guint i,
                                           gboolean black) {
    GstVideoInfo info;
    gst_video_info_set_format(&info, gst_video_format_from_string(format), width, height);
    GstBuffer *buffer = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
    GstVideoFrame frame;
    fail_unless(gst_video_frame_map(&frame, &info, buffer, GST_MAP_WRITE));
    gboolean yuv = GST_VIDEO_INFO_IS_YUV(&info);
    for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&frame); p++) {
        guint8 *data = GST_VIDEO_FRAME_PLANE_DATA(&frame, p);
        gint stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, p);
        gint rows = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, p == 0 ? 0 : 1);
        for (gint y = 0; y < rows; y++) {
            for (gint x = 0; x < stride; x++) {
                guint8 v;
                if (p > 0 && yuv)
                    v = 128; /* no colour */
                else if (black)
                    v = yuv ? 16 : 0;
                else
                    v = ((x / (yuv ? 8 : 24) + y / 8) % 2) ? 200 : 50;
                data[y * stride + x] = v;
            }
        }
    }
    gst_video_frame_unmap(&frame);
    GST_BUFFER_PTS(buffer) = i * 100 * GST_MSECOND;
    GST_BUFFER_DURATION(buffer) = 100 * GST_MSECOND;
    return buffer;
}

static inline gchar *alerts_test_caps(const char *format, gint width, gint height) {
    return g_strdup_printf("video/x-raw,format=%s,width=%d,height=%d,framerate=10/1", format, width,
                           height);
}

/* A tracked object as vigiltrack leaves it: id, `detection` and `track` structures. */
static inline GstVideoRegionOfInterestMeta *
alerts_test_add_object(GstBuffer *buffer, const char *label, gint class_id, gint track_id,
                       const char *state, guint x, guint y, guint w, guint h) {
    GstVideoRegionOfInterestMeta *roi =
        gst_buffer_add_video_region_of_interest_meta(buffer, label, x, y, w, h);
    roi->id = track_id;
    gst_video_region_of_interest_meta_add_param(
        roi, gst_structure_new("detection", "label", G_TYPE_STRING, label, "class_id", G_TYPE_INT,
                               class_id, "confidence", G_TYPE_DOUBLE, 0.9, NULL));
    if (state != NULL)
        gst_video_region_of_interest_meta_add_param(
            roi, gst_structure_new("track", "id", G_TYPE_INT, track_id, "age", G_TYPE_DOUBLE, 1.0,
                                   "state", G_TYPE_STRING, state, NULL));
    return roi;
}

/* The alert structures of VigilAlertMeta on buffer, found by the meta's registered name
 * (as code outside the plugin does), copied. */
static inline GPtrArray *alerts_test_buffer_alerts(GstBuffer *buffer) {
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)gst_structure_free);
    const GstMetaInfo *info = gst_meta_get_info("VigilAlertMeta");
    if (info == NULL)
        return out; /* not registered: no element made one yet */
    gpointer state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state, info->api)))
        g_ptr_array_add(out,
                        gst_structure_copy(gst_custom_meta_get_structure((GstCustomMeta *)meta)));
    return out;
}

/* Attaches an alert meta by hand (what vigilanalytics would), for the sink tests. The
 * plugin registers the meta when it loads; a test registers the same name, tags and
 * (default) transform, so either may come first. */
static inline void alerts_test_add_alert(GstBuffer *buffer, const char *id, const char *camera,
                                         const char *json) {
    if (gst_meta_get_info("VigilAlertMeta") == NULL) {
        static const gchar *tags[] = {NULL};
        gst_meta_register_custom("VigilAlertMeta", tags, NULL, NULL, NULL);
    }
    GstCustomMeta *meta = gst_buffer_add_custom_meta(buffer, "VigilAlertMeta");
    gst_structure_set(gst_custom_meta_get_structure(meta), "json", G_TYPE_STRING, json, "alert-id",
                      G_TYPE_STRING, id, "camera-id", G_TYPE_STRING, camera, NULL);
}

/* A minimal alert JSON that follows the schema, with the given id. */
static inline gchar *alerts_test_json(const char *id, const char *camera, guint frame) {
    return g_strdup_printf(
        "{\"schema\":\"vigil.alert.v1\",\"alert_id\":\"%s\",\"incident_id\":\"%s\","
        "\"camera_id\":\"%s\",\"type\":\"intrusion\",\"event\":\"start\",\"seq\":0,"
        "\"severity\":\"warning\",\"score\":0.9,\"rule\":\"keep-out\",\"zone\":\"yard\","
        "\"started_at\":\"2026-11-29T08:00:00.000Z\",\"timestamp\":\"2026-11-29T08:00:00.000Z\","
        "\"pts\":%u.0,\"frame\":%u,\"objects\":[],\"details\":{}}",
        id, id, camera, frame, frame);
}

/* Checks every line of a JSON-lines file against alerts/schema/alert.schema.json
 * (draft 2020-12, formats checked) and returns the number of lines. */
static inline guint alerts_test_validate_file(const char *jsonl) {
    gchar *schema = alerts_test_source_path("alerts/schema/alert.schema.json");
    static const char *script =
        "import json, sys, jsonschema\n"
        "schema = json.load(open(sys.argv[1]))\n"
        "v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())\n"
        "n = 0\n"
        "for k, line in enumerate(open(sys.argv[2])):\n"
        "    errors = sorted(v.iter_errors(json.loads(line)), key=str)\n"
        "    if errors:\n"
        "        sys.exit('line %d: %s' % (k + 1, errors[0].message))\n"
        "    n += 1\n"
        "print(n)\n";
    gchar *argv[] = {"python3", "-c", (gchar *)script, schema, (gchar *)jsonl, NULL};
    gchar *out = NULL, *err = NULL;
    gint status = -1;
    GError *error = NULL;
    fail_unless(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                             &error),
                "python3: %s", error ? error->message : "?");
    fail_unless(g_spawn_check_wait_status(status, NULL), "alert JSON against the schema: %s", err);
    guint n = (guint)g_ascii_strtoull(out, NULL, 10);
    g_free(out);
    g_free(err);
    g_free(schema);
    return n;
}

/* Checks alert JSON texts against the schema. */
static inline void alerts_test_validate(GPtrArray *jsons) {
    gchar *dir = alerts_test_tmpdir();
    GString *text = g_string_new(NULL);
    for (guint i = 0; i < jsons->len; i++)
        g_string_append_printf(text, "%s\n", (const gchar *)g_ptr_array_index(jsons, i));
    gchar *path = alerts_test_write(dir, "alerts.jsonl", text->str);
    ck_assert_uint_eq(alerts_test_validate_file(path), jsons->len);
    g_string_free(text, TRUE);
    g_free(path);
    alerts_test_rmdir(dir);
}

/* A `vigil broker` child process (librdkafka's mock cluster on loopback). */
typedef struct {
    GPid pid;
    gint in, out; /* its stdin (commands) and stdout (address, replies) */
    gchar address[256];
} alerts_test_broker;

static inline void alerts_test_child_setup(gpointer data) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the test */
}

/* Reads one line from fd (up to 20 s). */
static inline gchar *alerts_test_read_line(gint fd) {
    GString *line = g_string_new(NULL);
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    for (;;) {
        fail_unless(g_get_monotonic_time() < deadline, "no line from the broker in 20 s");
        char c;
        ssize_t n = read(fd, &c, 1);
        fail_unless(n == 1, "the broker closed its output");
        if (c == '\n')
            break;
        g_string_append_c(line, c);
    }
    return g_string_free(line, FALSE);
}

/* Starts a broker; FALSE (with a note) when the vigil command is not built. */
static inline gboolean alerts_test_broker_start(alerts_test_broker *b) {
    gchar *bin = alerts_test_vigil_bin();
    if (bin == NULL)
        return FALSE;
    gchar *argv[] = {bin, "broker", NULL};
    GError *error = NULL;
    fail_unless(g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                         alerts_test_child_setup, NULL, &b->pid, &b->in, &b->out,
                                         NULL, &error),
                "vigil broker: %s", error ? error->message : "?");
    gchar *line = alerts_test_read_line(b->out);
    fail_unless(g_str_has_prefix(line, "127.0.0.1:"), "vigil broker printed '%s'", line);
    g_strlcpy(b->address, line, sizeof b->address);
    g_free(line);
    g_free(bin);
    return TRUE;
}

/* Sends one command ("down", "up") and returns the reply line. */
static inline gchar *alerts_test_broker_command(alerts_test_broker *b, const char *command) {
    gchar *line = g_strdup_printf("%s\n", command);
    fail_unless(write(b->in, line, strlen(line)) == (ssize_t)strlen(line));
    g_free(line);
    return alerts_test_read_line(b->out);
}

static inline void alerts_test_broker_stop(alerts_test_broker *b) {
    kill(b->pid, SIGTERM);
    waitpid(b->pid, NULL, 0);
    g_spawn_close_pid(b->pid);
    close(b->in);
    close(b->out);
}

/* Every message on topic, as "key<TAB>alert_id header<TAB>value" lines, read with kcat. */
static inline gchar **alerts_test_kcat(const alerts_test_broker *b, const char *topic) {
    gchar *argv[] = {"kcat", "-C", "-b", (gchar *)b->address, "-t", (gchar *)topic,
                     "-e",   "-q", "-f", "%k\t%h\t%s\n",      NULL};
    gchar *out = NULL, *err = NULL;
    gint status = -1;
    GError *error = NULL;
    fail_unless(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                             &error),
                "kcat: %s", error ? error->message : "?");
    fail_unless(g_spawn_check_wait_status(status, NULL), "kcat failed: %s", err);
    gchar **lines = g_strsplit(g_strchomp(out), "\n", -1);
    if (*out == '\0') {
        g_strfreev(lines);
        lines = g_new0(gchar *, 1);
    }
    g_free(out);
    g_free(err);
    return lines;
}

/* An RGB 64x48 frame `i` carrying `count` alerts of camera "plaza" named alert-<first>...;
 * their JSON texts are appended to jsons (which owns them). */
static inline GstBuffer *alerts_test_frame_with_alerts(guint i, guint first, guint count,
                                                       GPtrArray *jsons) {
    GstBuffer *buffer = alerts_test_frame("RGB", 64, 48, i, FALSE);
    for (guint k = 0; k < count; k++) {
        gchar *id = g_strdup_printf("alert-%04u", first + k);
        gchar *json = alerts_test_json(id, "plaza", i);
        alerts_test_add_alert(buffer, id, "plaza", json);
        g_ptr_array_add(jsons, json);
        g_free(id);
    }
    return buffer;
}

#endif
