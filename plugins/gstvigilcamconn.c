/* One connection attempt of vigilcamsrc: a private decode pipeline (see gstvigilcamconn.h). */
#include "gstvigilcamconn.h"
#include "gstvigiluri.h"

#include <gst/app/gstappsink.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC(vigil_cam_conn_debug);
#define GST_CAT_DEFAULT vigil_cam_conn_debug

struct _GstVigilCamConn {
    GstElement *pipeline;
    GstElement *decode;
    GstElement *convert;
    GstBus *bus;
    gchar *uri; /* as configured, secrets included: needed to scrub messages */
    gchar *masked_uri;
    gchar *user;
    gchar *password;
    guint latency_ms;
    GstVigilCamConnSampleFunc on_sample;
    gpointer user_data;

    GMutex lock; /* guards the fields below, written by the streaming thread */
    gboolean video_linked;
    guint64 frames;
    gint64 last_activity_us; /* monotonic time of the last frame (or the start) */
    gint in_callback;
};

static void debug_init_once(void) {
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        GST_DEBUG_CATEGORY_INIT(vigil_cam_conn_debug, "vigilcamconn", 0,
                                "vigilcamsrc connections to a camera");
        g_once_init_leave(&done, 1);
    }
}

static gboolean has_property(GObject *object, const gchar *name) {
    return g_object_class_find_property(G_OBJECT_GET_CLASS(object), name) != NULL;
}

/* uridecodebin made its source (rtspsrc, filesrc, v4l2src, ...): give it the credentials
 * and the jitter-buffer latency through properties, never through the URI. */
static void on_source_setup(GstElement *decode, GstElement *source, gpointer data) {
    GstVigilCamConn *conn = data;
    GObject *object = G_OBJECT(source);
    if (has_property(object, "latency") &&
        G_PARAM_SPEC_VALUE_TYPE(
            g_object_class_find_property(G_OBJECT_GET_CLASS(object), "latency")) == G_TYPE_UINT)
        g_object_set(object, "latency", conn->latency_ms, NULL);
    if (conn->user != NULL && has_property(object, "user-id"))
        g_object_set(object, "user-id", conn->user, NULL);
    if (conn->password != NULL && has_property(object, "user-pw"))
        g_object_set(object, "user-pw", conn->password, NULL);
    GST_DEBUG("%s: source %s set up", conn->masked_uri, GST_OBJECT_NAME(source));
}

static gboolean pad_is_video(GstPad *pad) {
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (caps == NULL)
        caps = gst_pad_query_caps(pad, NULL);
    gboolean video = FALSE;
    if (caps != NULL && !gst_caps_is_empty(caps) && !gst_caps_is_any(caps))
        video = g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/");
    gst_clear_caps(&caps);
    return video;
}

/* Streams other than the first video stream end in a fakesink, so that they never
 * return not-linked and stop the source. */
static void link_to_fakesink(GstVigilCamConn *conn, GstPad *pad) {
    GstElement *sink = gst_element_factory_make("fakesink", NULL);
    if (sink == NULL)
        return;
    g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add(GST_BIN(conn->pipeline), sink);
    GstPad *sinkpad = gst_element_get_static_pad(sink, "sink");
    gst_pad_link(pad, sinkpad);
    gst_object_unref(sinkpad);
    gst_element_sync_state_with_parent(sink);
}

static void on_pad_added(GstElement *decode, GstPad *pad, gpointer data) {
    GstVigilCamConn *conn = data;
    gboolean take = FALSE;
    if (pad_is_video(pad)) {
        g_mutex_lock(&conn->lock);
        take = !conn->video_linked;
        conn->video_linked = TRUE;
        g_mutex_unlock(&conn->lock);
    }
    if (!take) {
        link_to_fakesink(conn, pad);
        return;
    }
    GstPad *sinkpad = gst_element_get_static_pad(conn->convert, "sink");
    GstPadLinkReturn ret = gst_pad_link(pad, sinkpad);
    gst_object_unref(sinkpad);
    if (GST_PAD_LINK_FAILED(ret))
        GST_WARNING("%s: could not link the video stream (%d)", conn->masked_uri, ret);
}

static void on_no_more_pads(GstElement *decode, gpointer data) {
    GstVigilCamConn *conn = data;
    g_mutex_lock(&conn->lock);
    gboolean linked = conn->video_linked;
    g_mutex_unlock(&conn->lock);
    if (linked)
        return;
    GError *err = g_error_new_literal(GST_STREAM_ERROR, GST_STREAM_ERROR_WRONG_TYPE,
                                      "The camera stream has no video.");
    gst_element_post_message(decode, gst_message_new_error(GST_OBJECT(decode), err, NULL));
    g_error_free(err);
}

static GstFlowReturn on_new_sample(GstAppSink *sink, gpointer data) {
    GstVigilCamConn *conn = data;
    GstSample *sample = gst_app_sink_pull_sample(sink);
    if (sample == NULL)
        return GST_FLOW_FLUSHING;
    g_mutex_lock(&conn->lock);
    conn->frames++;
    conn->in_callback++;
    g_mutex_unlock(&conn->lock);

    conn->on_sample(conn, sample, conn->user_data);

    g_mutex_lock(&conn->lock);
    conn->in_callback--;
    conn->last_activity_us = g_get_monotonic_time();
    g_mutex_unlock(&conn->lock);
    gst_sample_unref(sample);
    return GST_FLOW_OK;
}

static GstElement *make(const gchar *factory, const gchar *name, GError **error) {
    GstElement *element = gst_element_factory_make(factory, name);
    if (element == NULL && (error == NULL || *error == NULL))
        g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                    "The GStreamer element '%s' is missing; install gstreamer1.0-plugins-base.",
                    factory);
    return element;
}

GstVigilCamConn *gst_vigil_cam_conn_new(const GstVigilCamConnConfig *config, const gchar *name,
                                        GError **error) {
    debug_init_once();
    GstVigilCamConn *conn = g_new0(GstVigilCamConn, 1);
    g_mutex_init(&conn->lock);
    conn->uri = g_strdup(config->uri);
    conn->masked_uri = gst_vigil_uri_mask(config->uri);
    conn->latency_ms = config->latency_ms;
    conn->on_sample = config->on_sample;
    conn->user_data = config->user_data;
    gchar *bare_uri = NULL;
    if (!gst_vigil_uri_split_credentials(config->uri, &bare_uri, &conn->user, &conn->password)) {
        g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                    "'%s' is not a URI (expected rtsp://, file:// or v4l2://).", conn->masked_uri);
        goto fail;
    }

    conn->pipeline = gst_pipeline_new(name);
    conn->decode = make("uridecodebin", "decode", error);
    conn->convert = make("videoconvert", "convert", error);
    GstElement *scale = make("videoscale", "scale", error);
    GstElement *filter = make("capsfilter", "filter", error);
    GstElement *sink = make("appsink", "sink", error);
    if (!conn->decode || !conn->convert || !scale || !filter || !sink) {
        gst_clear_object(&conn->decode);
        gst_clear_object(&conn->convert);
        gst_clear_object(&scale);
        gst_clear_object(&filter);
        gst_clear_object(&sink);
        goto fail;
    }
    gst_bin_add_many(GST_BIN(conn->pipeline), conn->decode, conn->convert, scale, filter, sink,
                     NULL);
    if (!gst_element_link_many(conn->convert, scale, filter, sink, NULL)) {
        g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                    "Could not link videoconvert, videoscale and appsink.");
        goto fail;
    }

    g_object_set(conn->decode, "uri", bare_uri, NULL);
    g_signal_connect(conn->decode, "source-setup", G_CALLBACK(on_source_setup), conn);
    g_signal_connect(conn->decode, "pad-added", G_CALLBACK(on_pad_added), conn);
    g_signal_connect(conn->decode, "no-more-pads", G_CALLBACK(on_no_more_pads), conn);

    GstCaps *raw = gst_caps_new_empty_simple("video/x-raw");
    g_object_set(filter, "caps", config->caps ? config->caps : raw, NULL);
    /* The callback takes every frame at once, so the appsink never queues; live
     * connections let it wait for each frame's time so that files play in real time. */
    g_object_set(sink, "caps", raw, "sync", config->live, "enable-last-sample", FALSE,
                 "max-buffers", 1, "emit-signals", FALSE, NULL);
    gst_caps_unref(raw);
    GstAppSinkCallbacks callbacks = {.new_sample = on_new_sample};
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, conn, NULL);

    conn->bus = gst_element_get_bus(conn->pipeline);
    g_free(bare_uri);
    return conn;

fail:
    g_free(bare_uri);
    gst_vigil_cam_conn_free(conn);
    return NULL;
}

gboolean gst_vigil_cam_conn_start(GstVigilCamConn *conn, GError **error) {
    g_mutex_lock(&conn->lock);
    conn->last_activity_us = g_get_monotonic_time();
    g_mutex_unlock(&conn->lock);
    if (gst_element_set_state(conn->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        gchar *reason = NULL;
        /* The cause, when there is one, is an error message already on the bus. */
        if (gst_vigil_cam_conn_poll(conn, 0, &reason) != GST_VIGIL_CAM_CONN_ERROR)
            reason = g_strdup("the decoding pipeline did not start");
        g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, "%s", reason);
        g_free(reason);
        return FALSE;
    }
    return TRUE;
}

/* GStreamer debug strings read "file.c(123): function (): /Pipeline/element:\ndetail";
 * only the detail helps an operator. */
static const gchar *debug_detail(const gchar *debug) {
    if (debug == NULL)
        return NULL;
    const gchar *newline = strrchr(debug, '\n');
    return newline ? newline + 1 : debug;
}

static gchar *error_reason(GstVigilCamConn *conn, GstMessage *msg) {
    GError *err = NULL;
    gchar *debug = NULL;
    gst_message_parse_error(msg, &err, &debug);
    const gchar *detail = debug_detail(debug);
    gchar *text = detail && *detail ? g_strdup_printf("%s (%s)", err->message, detail)
                                    : g_strdup(err->message);
    gchar *reason = gst_vigil_uri_scrub(text, conn->uri);
    g_free(text);
    g_free(debug);
    g_error_free(err);
    return reason;
}

static void log_warning(GstVigilCamConn *conn, GstMessage *msg) {
    GError *err = NULL;
    gchar *debug = NULL;
    gst_message_parse_warning(msg, &err, &debug);
    gchar *text = gst_vigil_uri_scrub(err->message, conn->uri);
    gchar *detail = gst_vigil_uri_scrub(debug_detail(debug), conn->uri);
    GST_WARNING("%s: %s: %s (%s)", conn->masked_uri, GST_MESSAGE_SRC_NAME(msg), text,
                detail ? detail : "");
    g_free(text);
    g_free(detail);
    g_free(debug);
    g_error_free(err);
}

GstVigilCamConnEvent gst_vigil_cam_conn_poll(GstVigilCamConn *conn, GstClockTime timeout,
                                             gchar **reason) {
    GstMessageType types = GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_WARNING;
    gint64 deadline = g_get_monotonic_time() + (gint64)(timeout / GST_USECOND);
    for (;;) {
        gint64 left_us = deadline - g_get_monotonic_time();
        GstMessage *msg =
            gst_bus_timed_pop_filtered(conn->bus, left_us > 0 ? left_us * GST_USECOND : 0, types);
        if (msg == NULL)
            return GST_VIGIL_CAM_CONN_RUNNING;
        GstVigilCamConnEvent event = GST_VIGIL_CAM_CONN_RUNNING;
        switch (GST_MESSAGE_TYPE(msg)) {
        case GST_MESSAGE_ERROR:
            event = GST_VIGIL_CAM_CONN_ERROR;
            if (reason != NULL)
                *reason = error_reason(conn, msg);
            break;
        case GST_MESSAGE_EOS:
            event = GST_VIGIL_CAM_CONN_EOS;
            break;
        default:
            log_warning(conn, msg);
            break;
        }
        gst_message_unref(msg);
        if (event != GST_VIGIL_CAM_CONN_RUNNING)
            return event;
    }
}

guint64 gst_vigil_cam_conn_frames(GstVigilCamConn *conn) {
    g_mutex_lock(&conn->lock);
    guint64 frames = conn->frames;
    g_mutex_unlock(&conn->lock);
    return frames;
}

GstClockTime gst_vigil_cam_conn_idle(GstVigilCamConn *conn) {
    g_mutex_lock(&conn->lock);
    gint64 idle_us = conn->in_callback ? 0 : g_get_monotonic_time() - conn->last_activity_us;
    g_mutex_unlock(&conn->lock);
    return idle_us > 0 ? (GstClockTime)idle_us * GST_USECOND : 0;
}

GstClockTime gst_vigil_cam_conn_running_time(GstSample *sample) {
    GstBuffer *buffer = gst_sample_get_buffer(sample);
    const GstSegment *segment = gst_sample_get_segment(sample);
    if (buffer == NULL || segment == NULL || !GST_BUFFER_PTS_IS_VALID(buffer) ||
        segment->format != GST_FORMAT_TIME)
        return GST_CLOCK_TIME_NONE;
    return gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
}

GstClockTime gst_vigil_cam_conn_age(GstVigilCamConn *conn, GstSample *sample) {
    GstClockTime running_time = gst_vigil_cam_conn_running_time(sample);
    GstClock *clock = gst_element_get_clock(conn->pipeline);
    if (clock == NULL || !GST_CLOCK_TIME_IS_VALID(running_time)) {
        gst_clear_object(&clock);
        return 0;
    }
    GstClockTime due = running_time + gst_element_get_base_time(conn->pipeline);
    GstClockTime now = gst_clock_get_time(clock);
    gst_object_unref(clock);
    return now > due ? now - due : 0;
}

GstClockTime gst_vigil_cam_conn_latency(GstVigilCamConn *conn) {
    GstQuery *query = gst_query_new_latency();
    GstClockTime min = 0;
    gboolean live = FALSE;
    if (gst_element_query(conn->pipeline, query))
        gst_query_parse_latency(query, &live, &min, NULL);
    gst_query_unref(query);
    return live && GST_CLOCK_TIME_IS_VALID(min) ? min : 0;
}

void gst_vigil_cam_conn_free(GstVigilCamConn *conn) {
    if (conn == NULL)
        return;
    if (conn->pipeline != NULL)
        gst_element_set_state(conn->pipeline, GST_STATE_NULL);
    /* A message left on the bus holds its source, and so the pipeline: drop them all. */
    if (conn->bus != NULL)
        gst_bus_set_flushing(conn->bus, TRUE);
    gst_clear_object(&conn->pipeline);
    gst_clear_object(&conn->bus);
    g_free(conn->uri);
    g_free(conn->masked_uri);
    g_free(conn->user);
    if (conn->password != NULL) /* do not leave the password in freed memory */
        memset(conn->password, 0, strlen(conn->password));
    g_free(conn->password);
    g_mutex_clear(&conn->lock);
    g_free(conn);
}
