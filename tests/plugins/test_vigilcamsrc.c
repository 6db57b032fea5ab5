/*
 * vigilcamsrc without a network camera: URI masking, properties, caps, frames and
 * timestamps from vtest.avi (795 frames at 10 fps, so frame i is due at i * 100 ms),
 * looping, errors a user can act on, giving up on an unreachable camera without showing
 * its password, and repeated state changes without leaks. The reconnection to a real
 * RTSP camera is in test_camsrc_rtsp.c.
 */
#include "gstvigiluri.h"
#include "plugin_test_util.h"

#include <gst/app/gstappsink.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#define VTEST_FRAMES 795
#define VTEST_WIDTH 768
#define VTEST_HEIGHT 576
#define VTEST_FRAME_TIME (100 * GST_MSECOND)

static void check_mask(const char *uri, const char *expected) {
    gchar *masked = gst_vigil_uri_mask(uri);
    ck_assert_str_eq(masked, expected);
    g_free(masked);
}

GST_START_TEST(test_uri_mask) {
    check_mask("rtsp://admin:secret@10.0.0.7:554/Streaming/101",
               "rtsp://admin:***@10.0.0.7:554/Streaming/101");
    check_mask("rtsp://10.0.0.7/live", "rtsp://10.0.0.7/live");
    check_mask("rtsp://viewer@cam/live", "rtsp://viewer@cam/live");
    /* an unencoded '@' in the password: the last '@' before the path ends it */
    check_mask("rtsp://admin:p@ss@cam/live", "rtsp://admin:***@cam/live");
    check_mask("rtsp://admin:p%40ss@cam", "rtsp://admin:***@cam");
    check_mask("rtsp://admin:@cam/", "rtsp://admin:***@cam/");
    /* an '@' after the path is not user information */
    check_mask("rtsp://cam/live@2", "rtsp://cam/live@2");
    check_mask("rtsp://cam/live?user=admin&password=secret&channel=1",
               "rtsp://cam/live?user=admin&password=***&channel=1");
    check_mask("http://cam/mjpg?TOKEN=abc#frag?password=x",
               "http://cam/mjpg?TOKEN=***#frag?password=x");
    check_mask("rtsp://u:pw@cam/live?pwd=pw&keyframe=1",
               "rtsp://u:***@cam/live?pwd=***&keyframe=1");
    check_mask("file:///data/vtest.avi", "file:///data/vtest.avi");
    check_mask("v4l2:///dev/video0", "v4l2:///dev/video0");
    check_mask("not a uri", "not a uri");
    fail_unless(gst_vigil_uri_mask(NULL) == NULL);
}
GST_END_TEST;

GST_START_TEST(test_uri_split_credentials) {
    gchar *bare, *user, *password;
    fail_unless(gst_vigil_uri_split_credentials("rtsp://admin:p%40ss@cam:554/live?x=1", &bare,
                                                &user, &password));
    ck_assert_str_eq(bare, "rtsp://cam:554/live?x=1");
    ck_assert_str_eq(user, "admin");
    ck_assert_str_eq(password, "p@ss");
    g_free(bare), g_free(user), g_free(password);

    fail_unless(gst_vigil_uri_split_credentials("rtsp://viewer@cam/live", &bare, &user, &password));
    ck_assert_str_eq(bare, "rtsp://cam/live");
    ck_assert_str_eq(user, "viewer");
    fail_unless(password == NULL);
    g_free(bare), g_free(user);

    fail_unless(gst_vigil_uri_split_credentials("file:///a/b.avi", &bare, &user, &password));
    ck_assert_str_eq(bare, "file:///a/b.avi");
    fail_unless(user == NULL && password == NULL);
    g_free(bare);

    fail_if(gst_vigil_uri_split_credentials("/a/b.avi", &bare, &user, &password));
    fail_unless(bare == NULL && user == NULL && password == NULL);
}
GST_END_TEST;

GST_START_TEST(test_uri_scrub) {
    const char *uri = "rtsp://admin:p%40ss@cam/live?token=t0k3n";
    gchar *text = gst_vigil_uri_scrub(
        "auth failed for admin with p@ss (p%40ss) on rtsp://admin:p%40ss@cam/live?token=t0k3n",
        uri);
    ck_assert_str_eq(text,
                     "auth failed for admin with *** (***) on rtsp://admin:***@cam/live?token=***");
    g_free(text);
    text = gst_vigil_uri_scrub("nothing secret here", "rtsp://cam/live");
    ck_assert_str_eq(text, "nothing secret here");
    g_free(text);
    fail_unless(gst_vigil_uri_is_file("file:///x.avi"));
    fail_if(gst_vigil_uri_is_file("rtsp://cam/x.avi"));
}
GST_END_TEST;

static void check_double_spec(GObjectClass *klass, const char *name, double min, double max,
                              double def) {
    GParamSpecDouble *spec = G_PARAM_SPEC_DOUBLE(g_object_class_find_property(klass, name));
    fail_unless(spec->minimum == min && spec->maximum == max && spec->default_value == def,
                "%s: range %g..%g default %g", name, spec->minimum, spec->maximum,
                spec->default_value);
}

GST_START_TEST(test_properties) {
    GstElement *src = gst_element_factory_make("vigilcamsrc", NULL);
    fail_unless(src != NULL, "vigilcamsrc not found: is GST_PLUGIN_PATH the build's plugins?");
    GObjectClass *klass = G_OBJECT_GET_CLASS(src);
    /* the documented ranges and defaults */
    check_double_spec(klass, "stall-timeout", 0.1, 3600.0, 5.0);
    check_double_spec(klass, "retry-initial", 0.0, 3600.0, 1.0);
    check_double_spec(klass, "retry-max", 0.0, 3600.0, 30.0);
    GParamSpecInt *retries = G_PARAM_SPEC_INT(g_object_class_find_property(klass, "max-retries"));
    ck_assert_int_eq(retries->minimum, -1);
    ck_assert_int_eq(retries->default_value, -1);
    GParamSpecUInt *latency = G_PARAM_SPEC_UINT(g_object_class_find_property(klass, "latency"));
    ck_assert_uint_eq(latency->default_value, 200);
    ck_assert_uint_eq(latency->maximum, 60000);
    fail_if(g_object_class_find_property(klass, "state")->flags & G_PARAM_WRITABLE);
    fail_if(g_object_class_find_property(klass, "reconnects")->flags & G_PARAM_WRITABLE);

    gchar *uri = NULL;
    gint state = -1;
    guint reconnects = 1;
    gboolean live = FALSE;
    g_object_set(src, "uri", "rtsp://a:b@cam/x", "stall-timeout", 2.5, NULL);
    g_object_get(src, "uri", &uri, "state", &state, "reconnects", &reconnects, "is-live", &live,
                 NULL);
    ck_assert_str_eq(uri, "rtsp://a:b@cam/x");
    ck_assert_int_eq(state, 0); /* stopped */
    ck_assert_uint_eq(reconnects, 0);
    fail_unless(live);
    g_free(uri);

    /* one always src pad that only ever carries raw video */
    GstPad *pad = gst_element_get_static_pad(src, "src");
    fail_unless(pad != NULL);
    GstCaps *templ = gst_pad_get_pad_template_caps(pad);
    GstCaps *raw = gst_caps_from_string("video/x-raw");
    fail_unless(gst_caps_is_equal(templ, raw));
    gst_caps_unref(raw);
    gst_caps_unref(templ);
    gst_object_unref(pad);
    gst_object_unref(src);
}
GST_END_TEST;

/* The nick of the element's "state" property: "online", "ended", ... */
static const gchar *state_nick(GstElement *src) {
    GValue value = G_VALUE_INIT;
    g_value_init(&value, g_type_from_name("GstVigilCamSrcState"));
    g_object_get_property(G_OBJECT(src), "state", &value);
    GEnumClass *klass = g_type_class_peek(G_VALUE_TYPE(&value));
    const gchar *nick = g_enum_get_value(klass, g_value_get_enum(&value))->value_nick;
    g_value_unset(&value);
    return nick;
}

/* vigilcamsrc ! [capsfilter] ! appsink, the source named "src", the sink "sink". */
static GstElement *make_pipeline(const char *src_props, const char *filter) {
    gchar *desc = g_strdup_printf("vigilcamsrc name=src %s ! %s%s appsink name=sink sync=false "
                                  "max-buffers=4",
                                  src_props, filter ? filter : "", filter ? " !" : "");
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(desc, &error);
    fail_unless(pipeline != NULL && error == NULL, "%s: %s", desc, error ? error->message : "?");
    g_free(desc);
    return pipeline;
}

static GstSample *pull(GstElement *pipeline) {
    GstElement *sink = plugin_test_get(pipeline, "sink");
    GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 20 * GST_SECOND);
    gst_object_unref(sink);
    return sample;
}

GST_START_TEST(test_file_all_frames) {
    gchar *path = plugin_test_asset("vtest.avi");
    if (plugin_test_missing(path)) {
        g_free(path);
        return;
    }
    gchar *uri = plugin_test_file_uri(path);
    gchar *props = g_strdup_printf("uri=%s is-live=false", uri);
    GstElement *pipeline = make_pipeline(props, NULL);
    fail_unless(plugin_test_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);

    guint frames = 0;
    GstSample *sample;
    while ((sample = pull(pipeline)) != NULL) {
        GstBuffer *buffer = gst_sample_get_buffer(sample);
        if (frames == 0) {
            GstVideoInfo info;
            fail_unless(gst_video_info_from_caps(&info, gst_sample_get_caps(sample)));
            ck_assert_int_eq(GST_VIDEO_INFO_WIDTH(&info), VTEST_WIDTH);
            ck_assert_int_eq(GST_VIDEO_INFO_HEIGHT(&info), VTEST_HEIGHT);
            fail_unless(GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DISCONT));
        }
        /* the file's own timeline, rebased to start at 0 */
        ck_assert_uint_eq(GST_BUFFER_PTS(buffer), frames * VTEST_FRAME_TIME);
        frames++;
        gst_sample_unref(sample);
    }
    ck_assert_uint_eq(frames, VTEST_FRAMES);
    GstElement *sink = plugin_test_get(pipeline, "sink");
    fail_unless(gst_app_sink_is_eos(GST_APP_SINK(sink)));
    gst_object_unref(sink);
    GstElement *src = plugin_test_get(pipeline, "src");
    ck_assert_str_eq(state_nick(src), "ended");
    gst_object_unref(src);

    plugin_test_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    g_free(props);
    g_free(uri);
    g_free(path);
}
GST_END_TEST;

GST_START_TEST(test_downstream_caps) {
    gchar *path = plugin_test_asset("vtest.avi");
    if (plugin_test_missing(path)) {
        g_free(path);
        return;
    }
    gchar *uri = plugin_test_file_uri(path);
    gchar *props = g_strdup_printf("uri=%s is-live=false", uri);
    /* vigilcamsrc converts and scales to what downstream asks for */
    GstElement *pipeline = make_pipeline(props, "video/x-raw,format=RGB,width=384,height=288");
    fail_unless(plugin_test_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    GstSample *sample = pull(pipeline);
    fail_unless(sample != NULL);
    GstVideoInfo info;
    fail_unless(gst_video_info_from_caps(&info, gst_sample_get_caps(sample)));
    ck_assert_int_eq(GST_VIDEO_INFO_FORMAT(&info), GST_VIDEO_FORMAT_RGB);
    ck_assert_int_eq(GST_VIDEO_INFO_WIDTH(&info), 384);
    ck_assert_int_eq(GST_VIDEO_INFO_HEIGHT(&info), 288);
    ck_assert_uint_eq(gst_buffer_get_size(gst_sample_get_buffer(sample)), info.size);
    gst_sample_unref(sample);
    plugin_test_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    g_free(props);
    g_free(uri);
    g_free(path);
}
GST_END_TEST;

/* Pops every vigil-camera message now on the bus; counts "online" ones. */
static guint count_online(GstBus *bus, const char *secret) {
    guint online = 0;
    GstMessage *msg;
    while ((msg = gst_bus_pop(bus)) != NULL) {
        if (secret)
            plugin_test_assert_no_secret(msg, secret);
        const gchar *state = plugin_test_camera_field(msg, "state");
        if (state && strcmp(state, "online") == 0)
            online++;
        gst_message_unref(msg);
    }
    return online;
}

GST_START_TEST(test_file_loop) {
    gchar *path = plugin_test_asset("vtest.avi");
    if (plugin_test_missing(path)) {
        g_free(path);
        return;
    }
    gchar *uri = plugin_test_file_uri(path);
    gchar *props = g_strdup_printf("uri=%s is-live=false loop=true", uri);
    GstElement *pipeline = make_pipeline(props, NULL);
    fail_unless(plugin_test_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    /* past the end and 20 frames into the second pass: one unbroken timeline */
    for (guint i = 0; i < VTEST_FRAMES + 20; i++) {
        GstSample *sample = pull(pipeline);
        fail_unless(sample != NULL, "no frame %u", i);
        GstBuffer *buffer = gst_sample_get_buffer(sample);
        ck_assert_uint_eq(GST_BUFFER_PTS(buffer), i * VTEST_FRAME_TIME);
        if (i == VTEST_FRAMES)
            fail_unless(GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DISCONT));
        gst_sample_unref(sample);
    }
    GstBus *bus = gst_element_get_bus(pipeline);
    /* a file starting again is no news: one "online" only */
    ck_assert_uint_eq(count_online(bus, NULL), 1);
    gst_object_unref(bus);
    plugin_test_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    g_free(props);
    g_free(uri);
    g_free(path);
}
GST_END_TEST;

GST_START_TEST(test_live_file) {
    gchar *path = plugin_test_asset("vtest.avi");
    if (plugin_test_missing(path)) {
        g_free(path);
        return;
    }
    gchar *uri = plugin_test_file_uri(path);
    gchar *props = g_strdup_printf("uri=%s", uri);
    GstElement *pipeline = make_pipeline(props, NULL);
    /* a live source: nothing to preroll */
    ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_PAUSED),
                     GST_STATE_CHANGE_NO_PREROLL);
    fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);

    GstClockTime first = GST_CLOCK_TIME_NONE, last = GST_CLOCK_TIME_NONE;
    const guint n = 8;
    for (guint i = 0; i < n; i++) {
        GstSample *sample = pull(pipeline);
        fail_unless(sample != NULL);
        GstClockTime pts = GST_BUFFER_PTS(gst_sample_get_buffer(sample));
        fail_unless(GST_CLOCK_TIME_IS_VALID(pts));
        if (GST_CLOCK_TIME_IS_VALID(last))
            fail_unless(pts > last, "PTS went back");
        if (i == 0)
            first = pts;
        last = pts;
        gst_sample_unref(sample);
    }
    /* played at the file's 10 fps, stamped on the pipeline clock */
    GstClockTime span = last - first;
    fail_unless(span > (n - 1) * VTEST_FRAME_TIME * 8 / 10 &&
                    span < (n - 1) * VTEST_FRAME_TIME * 12 / 10,
                "8 frames spanned %" GST_TIME_FORMAT, GST_TIME_ARGS(span));
    GstElement *src = plugin_test_get(pipeline, "src");
    ck_assert_str_eq(state_nick(src), "online");
    gst_object_unref(src);
    GstBus *bus = gst_element_get_bus(pipeline);
    ck_assert_uint_eq(count_online(bus, NULL), 1);
    gst_object_unref(bus);
    plugin_test_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    g_free(props);
    g_free(uri);
    g_free(path);
}
GST_END_TEST;

/* Sets PLAYING, expects the change to fail and an error message containing words. */
static void expect_start_error(const char *uri, const char *words) {
    GstElement *pipeline = gst_pipeline_new(NULL);
    GstElement *src = gst_element_factory_make("vigilcamsrc", NULL);
    GstElement *sink = gst_element_factory_make("fakesink", NULL);
    gst_bin_add_many(GST_BIN(pipeline), src, sink, NULL);
    fail_unless(gst_element_link(src, sink));
    if (uri)
        g_object_set(src, "uri", uri, NULL);
    ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    fail_unless(msg != NULL, "no error message for %s", uri);
    GError *err = NULL;
    gst_message_parse_error(msg, &err, NULL);
    fail_unless(strstr(err->message, words) != NULL, "error '%s' lacks '%s'", err->message, words);
    if (uri && strstr(uri, "hunter2"))
        plugin_test_assert_no_secret(msg, "hunter2");
    g_error_free(err);
    gst_message_unref(msg);
    gst_object_unref(bus);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
}

GST_START_TEST(test_start_errors) {
    expect_start_error(NULL, "No camera URI");
    expect_start_error("file:///nonexistent/vigil/cam.avi", "/nonexistent/vigil/cam.avi");
    expect_start_error("cam-at-the-gate", "is not a camera URI");
    expect_start_error("nosuchproto://bob:hunter2@cam/x", "nosuchproto://");
}
GST_END_TEST;

GST_START_TEST(test_v4l2_missing_device) {
    GstElementFactory *v4l2 = gst_element_factory_find("v4l2src");
    if (v4l2 == NULL) {
        printf("skipped: no v4l2src (gstreamer1.0-plugins-good)\n");
        return;
    }
    gst_object_unref(v4l2);
    GstElement *pipeline =
        make_pipeline("uri=v4l2:///dev/vigil-no-such-camera max-retries=0", NULL);
    fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    GstBus *bus = gst_element_get_bus(pipeline);
    gchar *reason = NULL;
    gboolean error = FALSE;
    while (!error) {
        GstMessage *msg = gst_bus_timed_pop(bus, 10 * GST_SECOND);
        fail_unless(msg != NULL, "no error for a missing V4L2 device");
        const gchar *state = plugin_test_camera_field(msg, "state");
        if (state != NULL) {
            ck_assert_str_eq(state, "offline");
            reason = g_strdup(gst_structure_get_string(gst_message_get_structure(msg), "reason"));
        }
        error = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR;
        gst_message_unref(msg);
    }
    /* the offline message says which device is missing */
    fail_unless(reason && strstr(reason, "/dev/vigil-no-such-camera"), "reason: %s", reason);
    g_free(reason);
    gst_object_unref(bus);
    plugin_test_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
}
GST_END_TEST;

/* A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
static int closed_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    fail_unless(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    fail_unless(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
    close(fd);
    return ntohs(addr.sin_port);
}

GST_START_TEST(test_unreachable_gives_up) {
    gchar *props = g_strdup_printf(
        "uri=rtsp://bob:hunter2@127.0.0.1:%d/cam?token=s3kr1t max-retries=2 retry-initial=0.05 "
        "retry-max=0.08",
        closed_port());
    GstElement *pipeline = make_pipeline(props, NULL);
    /* no waiting for the state: the error when giving up fails the pending change */
    fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    GstBus *bus = gst_element_get_bus(pipeline);
    guint offline = 0;
    gdouble retry_in[3] = {0};
    gboolean error = FALSE;
    while (!error) {
        GstMessage *msg = gst_bus_timed_pop(bus, 20 * GST_SECOND);
        fail_unless(msg != NULL, "no error after %u offline messages", offline);
        plugin_test_assert_no_secret(msg, "hunter2");
        plugin_test_assert_no_secret(msg, "s3kr1t");
        const gchar *state = plugin_test_camera_field(msg, "state");
        if (state != NULL) {
            const GstStructure *s = gst_message_get_structure(msg);
            ck_assert_str_eq(state, "offline");
            fail_unless(g_str_has_prefix(gst_structure_get_string(s, "uri"), "rtsp://bob:***@"));
            fail_unless(g_str_has_suffix(gst_structure_get_string(s, "uri"), "/cam?token=***"));
            gint attempt = 0;
            fail_unless(gst_structure_get_int(s, "attempt", &attempt));
            ck_assert_int_eq(attempt, (gint)offline + 1);
            fail_unless(offline < 3, "more attempts than max-retries allows");
            gst_structure_get_double(s, "retry-in", &retry_in[offline]);
            offline++;
            /* the application's pipeline keeps running while the camera is away (a live
             * pipeline that never had a frame stays PAUSED on its way to PLAYING) */
            GstState current, pending;
            gst_element_get_state(pipeline, &current, &pending, 0);
            fail_unless(current == GST_STATE_PLAYING ||
                            (current == GST_STATE_PAUSED && pending == GST_STATE_PLAYING),
                        "pipeline %s -> %s", gst_element_state_get_name(current),
                        gst_element_state_get_name(pending));
        }
        if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
            GError *err = NULL;
            gst_message_parse_error(msg, &err, NULL);
            fail_unless(strstr(err->message, "Could not reach the camera") != NULL, "%s",
                        err->message);
            g_error_free(err);
            error = TRUE;
        }
        gst_message_unref(msg);
    }
    /* one first attempt and two retries, 0.05 s then 0.08 s (doubling, capped) apart */
    ck_assert_uint_eq(offline, 3);
    fail_unless(fabs(retry_in[0] - 0.05) < 1e-9, "first retry in %g s", retry_in[0]);
    fail_unless(fabs(retry_in[1] - 0.08) < 1e-9, "second retry in %g s", retry_in[1]);
    fail_unless(retry_in[2] == -1.0, "after giving up: retry in %g s", retry_in[2]);
    GstElement *src = plugin_test_get(pipeline, "src");
    ck_assert_str_eq(state_nick(src), "failed");
    gst_object_unref(src);
    gst_object_unref(bus);
    plugin_test_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    g_free(props);
}
GST_END_TEST;

/* The leaks tracer (GST_TRACERS=leaks), or NULL when it is off. */
static GstTracer *leaks_tracer(void) {
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
static void count_addresses(const GstStructure *info, const char *field, GHashTable *counts,
                            GHashTable *types, gint delta) {
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

/* Objects created since the last checkpoint and not destroyed since: their type names.
 * The tracer lists creations and destructions separately, by address. */
static guint leaks_checkpoint(GstTracer *leaks, GString *alive_types) {
    GstStructure *info = NULL;
    g_signal_emit_by_name(leaks, "activity-get-checkpoint", &info);
    fail_unless(info != NULL);
    GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTable *types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    count_addresses(info, "objects-created-list", counts, types, 1);
    count_addresses(info, "objects-removed-list", counts, types, -1);
    guint alive = 0;
    GHashTableIter iter;
    gpointer address, count;
    g_hash_table_iter_init(&iter, counts);
    while (g_hash_table_iter_next(&iter, &address, &count)) {
        if (GPOINTER_TO_INT(count) > 0) {
            alive++;
            g_string_append_printf(alive_types, " %s",
                                   (const gchar *)g_hash_table_lookup(types, address));
        }
    }
    g_hash_table_destroy(counts);
    g_hash_table_destroy(types);
    gst_structure_free(info);
    return alive;
}

/* NULL -> PLAYING (until a frame arrives) -> NULL, count times on one pipeline. */
static void cycle(const char *props, guint count) {
    GstElement *pipeline = make_pipeline(props, NULL);
    for (guint i = 0; i < count; i++) {
        fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
        GstSample *sample = pull(pipeline);
        fail_unless(sample != NULL, "no frame in cycle %u", i);
        gst_sample_unref(sample);
        ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
    }
    GstElement *src = plugin_test_get(pipeline, "src");
    gst_object_unref(src);
    /* nothing else (a connection, a thread, a message) may keep the pipeline alive */
    gst_check_object_destroyed_on_unref(pipeline);
}

GST_START_TEST(test_state_cycles_no_leaks) {
    gchar *path = plugin_test_asset("vtest.avi");
    if (plugin_test_missing(path)) {
        g_free(path);
        return;
    }
    gchar *uri = plugin_test_file_uri(path);
    gchar *props = g_strdup_printf("uri=%s", uri);
    cycle(props, 1); /* warm-up: plugins load, caches and the type system fill */
    GstTracer *leaks = leaks_tracer();
    if (leaks != NULL)
        g_signal_emit_by_name(leaks, "activity-start-tracking");
    cycle(props, 10);
    if (leaks != NULL) {
        GString *types = g_string_new(NULL);
        guint alive = leaks_checkpoint(leaks, types);
        if (alive != 0)
            printf("alive after 10 cycles:%s\n", types->str);
        fail_unless(alive == 0, "%u objects from 10 cycles are still alive (listed above)", alive);
        g_string_free(types, TRUE);
        g_signal_emit_by_name(leaks, "activity-stop-tracking");
        gst_object_unref(leaks);
    } else {
        printf("note: GST_TRACERS=leaks is off, only the pipeline's destruction is checked\n");
    }
    g_free(props);
    g_free(uri);
    g_free(path);
}
GST_END_TEST;

typedef struct {
    GstElement *src;
    volatile gint stop;
    guint changes;
} prop_thread_data;

static gpointer change_properties(gpointer data) {
    prop_thread_data *d = data;
    while (!g_atomic_int_get(&d->stop)) {
        gint state;
        guint reconnects;
        g_object_set(d->src, "stall-timeout", (d->changes % 2) ? 4.0 : 6.0, "retry-initial",
                     0.5 + (d->changes % 3), "retry-max", 10.0, "latency", d->changes % 500,
                     "max-retries", (gint)(d->changes % 5) - 1, NULL);
        g_object_get(d->src, "state", &state, "reconnects", &reconnects, NULL);
        d->changes++;
        g_usleep(200);
    }
    return NULL;
}

GST_START_TEST(test_properties_while_running) {
    gchar *path = plugin_test_asset("vtest.avi");
    if (plugin_test_missing(path)) {
        g_free(path);
        return;
    }
    gchar *uri = plugin_test_file_uri(path);
    gchar *props = g_strdup_printf("uri=%s", uri);
    GstElement *pipeline = make_pipeline(props, NULL);
    prop_thread_data d = {.src = plugin_test_get(pipeline, "src")};
    fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    GThread *thread = g_thread_new("props", change_properties, &d);
    GstClockTime last = GST_CLOCK_TIME_NONE;
    for (guint i = 0; i < 10; i++) {
        GstSample *sample = pull(pipeline);
        fail_unless(sample != NULL, "frames stopped while properties changed");
        GstClockTime pts = GST_BUFFER_PTS(gst_sample_get_buffer(sample));
        fail_unless(!GST_CLOCK_TIME_IS_VALID(last) || pts > last);
        last = pts;
        gst_sample_unref(sample);
    }
    g_atomic_int_set(&d.stop, 1);
    g_thread_join(thread);
    fail_unless(d.changes > 10);
    gst_object_unref(d.src);
    plugin_test_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    g_free(props);
    g_free(uri);
    g_free(path);
}
GST_END_TEST;

static Suite *vigilcamsrc_suite(void) {
    /* The leaks tracer counts live objects for test_state_cycles_no_leaks. */
    g_setenv("GST_TRACERS", "leaks", FALSE);
    plugin_test_init("vigil-test-vigilcamsrc.registry");
    Suite *s = suite_create("vigilcamsrc");
    TCase *tc = tcase_create("uri");
    tcase_add_test(tc, test_uri_mask);
    tcase_add_test(tc, test_uri_split_credentials);
    tcase_add_test(tc, test_uri_scrub);
    suite_add_tcase(s, tc);
    tc = tcase_create("element");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_properties);
    tcase_add_test(tc, test_file_all_frames);
    tcase_add_test(tc, test_downstream_caps);
    tcase_add_test(tc, test_file_loop);
    tcase_add_test(tc, test_live_file);
    tcase_add_test(tc, test_start_errors);
    tcase_add_test(tc, test_unreachable_gives_up);
    tcase_add_test(tc, test_v4l2_missing_device);
    tcase_add_test(tc, test_state_cycles_no_leaks);
    tcase_add_test(tc, test_properties_while_running);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(vigilcamsrc_suite)
