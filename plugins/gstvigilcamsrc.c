/**
 * SECTION:element-vigilcamsrc
 * @title: vigilcamsrc
 *
 * A camera source that keeps its pipeline running while the camera comes and goes.
 * It decodes an rtsp://, file:// or v4l2:// URI to video/x-raw and, when the camera
 * reports an error, ends its stream or stalls (no frame for #GstVigilCamSrc:stall-timeout
 * seconds), tears the decoding down and reconnects with exponential backoff. Downstream
 * never sees the camera go away: the caps fixed by the first frame stay, timestamps keep
 * increasing, and while the camera is offline no buffer is pushed.
 *
 * Every change is posted on the bus as an element message named `vigil-camera`:
 *
 * - `state` (string): "online" or "offline"
 * - `uri` (string): the URI with its password masked (rtsp://user:***@host/...)
 * - `reason` (string): why ("connected", the camera's error, "no frame for 5.0 s", ...)
 * - `attempt` (int): online: attempts it took (1 = first try); offline: failed attempts
 *   since the camera was last online, 0 when an established connection dropped
 * - `retry-in` (double): seconds until the next attempt, -1 when giving up
 * - `reconnects` (uint): the #GstVigilCamSrc:reconnects counter
 *
 * Credentials never appear in logs, messages or errors: the URI given to the decoder
 * has none (rtspsrc gets them through its user-id and user-pw properties), and every
 * text shown masks them.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -m vigilcamsrc uri=rtsp://admin:secret@192.168.1.20:554/stream latency=200 !
 * videoconvert ! autovideosink
 * ]| Shows an IP camera and prints the vigil-camera messages as it drops and comes back.
 * |[
 * gst-launch-1.0 vigilcamsrc uri=file:///data/vtest.avi is-live=false ! videoconvert !
 * video/x-raw,format=RGB ! fakesink
 * ]| Decodes a file as fast as downstream takes it, then ends.
 */
#include "gstvigilcamsrc.h"
#include "gstvigilcamconn.h"
#include "gstvigiluri.h"

#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

GST_DEBUG_CATEGORY_STATIC(vigil_cam_src_debug);
#define GST_CAT_DEFAULT vigil_cam_src_debug

#define DEFAULT_PROP_URI NULL
#define DEFAULT_PROP_LATENCY 200
#define DEFAULT_PROP_STALL_TIMEOUT 5.0
#define DEFAULT_PROP_RETRY_INITIAL 1.0
#define DEFAULT_PROP_RETRY_MAX 30.0
#define DEFAULT_PROP_MAX_RETRIES -1
#define DEFAULT_PROP_LOOP FALSE
#define DEFAULT_PROP_IS_LIVE TRUE
#define DEFAULT_PROP_STATE GST_VIGIL_CAM_SRC_STATE_STOPPED
#define DEFAULT_PROP_RECONNECTS 0

/* How often the supervisor looks at its connection for stalls and stop requests. */
#define POLL_INTERVAL (100 * GST_MSECOND)
/* Buffers the output may hold: live drops new frames beyond this, non-live blocks. */
#define LIVE_QUEUE_BUFFERS 4
#define PULL_QUEUE_BUFFERS 2

enum {
    PROP_0,
    PROP_URI,
    PROP_LATENCY,
    PROP_STALL_TIMEOUT,
    PROP_RETRY_INITIAL,
    PROP_RETRY_MAX,
    PROP_MAX_RETRIES,
    PROP_LOOP,
    PROP_IS_LIVE,
    PROP_STATE,
    PROP_RECONNECTS,
    N_PROPERTIES
};

static GParamSpec *properties[N_PROPERTIES];

struct _GstVigilCamSrc {
    GstBin parent;
    GstElement *appsrc; /* the stable output: lives as long as the element */
    GstPad *srcpad;     /* ghost pad of the appsrc's src pad */

    /* Properties, under GST_OBJECT_LOCK. */
    gchar *uri;
    guint latency;
    gdouble stall_timeout;
    gdouble retry_initial;
    gdouble retry_max;
    gint max_retries;
    gboolean loop;
    gboolean is_live;
    GstVigilCamSrcState state;
    guint reconnects;

    /* The supervisor thread, under lock. */
    GMutex lock;
    GCond cond;
    GThread *thread;
    gboolean stopping;

    /* The output timeline, under out_lock; written by the connections' streaming
     * threads, reset by the supervisor between connections. */
    GMutex out_lock;
    GstCaps *out_caps;          /* fixed by the first frame, kept across reconnects */
    GstClockTime last_pts;      /* PTS of the last buffer pushed */
    GstClockTime next_pts;      /* non-live: where the next connection's frames start */
    GstClockTime conn_first_rt; /* non-live: running time of the connection's first frame */
    GstClockTime conn_offset;   /* non-live: output PTS of that first frame */
    gboolean conn_discont;      /* the next buffer follows a gap (new connection, drop) */
};

/* A copy of the properties one connection attempt runs with. */
typedef struct {
    gchar *uri;
    gchar *masked_uri;
    guint latency;
    GstClockTime stall_timeout;
    GstClockTime retry_initial;
    GstClockTime retry_max;
    gint max_retries;
    gboolean loop;
    gboolean is_live;
} camsrc_settings;

/* What reaching the camera means for the bus: the first connection, a reconnection,
 * or a file that started again (not news to anyone). */
typedef enum {
    ONLINE_CONNECTED,
    ONLINE_RECONNECTED,
    ONLINE_SILENT,
} camsrc_online;

/* How one connection attempt ended. */
typedef enum {
    RUN_STOPPED, /* the element is stopping */
    RUN_ENDED,   /* a file ended and loop is off */
    RUN_LOOP,    /* a file ended and loop is on */
    RUN_DROPPED, /* an established connection failed */
    RUN_FAILED,  /* the attempt failed before any frame */
    RUN_FATAL,   /* something no retry can fix; an error was posted */
} camsrc_run;

static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-raw"));

#define gst_vigil_cam_src_parent_class parent_class
G_DEFINE_TYPE(GstVigilCamSrc, gst_vigil_cam_src, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE(vigilcamsrc, "vigilcamsrc", GST_RANK_NONE, GST_TYPE_VIGIL_CAM_SRC);

GType gst_vigil_cam_src_state_get_type(void) {
    static gsize type = 0;
    static const GEnumValue values[] = {
        {GST_VIGIL_CAM_SRC_STATE_STOPPED, "Not running", "stopped"},
        {GST_VIGIL_CAM_SRC_STATE_CONNECTING, "Connecting to the camera", "connecting"},
        {GST_VIGIL_CAM_SRC_STATE_ONLINE, "Frames are flowing", "online"},
        {GST_VIGIL_CAM_SRC_STATE_OFFLINE, "Waiting to reconnect", "offline"},
        {GST_VIGIL_CAM_SRC_STATE_ENDED, "The file ended", "ended"},
        {GST_VIGIL_CAM_SRC_STATE_FAILED, "Gave up reconnecting", "failed"},
        {0, NULL, NULL},
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstVigilCamSrcState", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

static GstClockTime seconds_to_time(gdouble seconds) {
    return (GstClockTime)(seconds * GST_SECOND + 0.5);
}

static void settings_read(GstVigilCamSrc *self, camsrc_settings *s) {
    GST_OBJECT_LOCK(self);
    s->uri = g_strdup(self->uri);
    s->latency = self->latency;
    s->stall_timeout = seconds_to_time(self->stall_timeout);
    s->retry_initial = seconds_to_time(self->retry_initial);
    s->retry_max = seconds_to_time(MAX(self->retry_max, self->retry_initial));
    s->max_retries = self->max_retries;
    s->loop = self->loop;
    s->is_live = self->is_live;
    GST_OBJECT_UNLOCK(self);
    s->masked_uri = gst_vigil_uri_mask(s->uri);
}

static void settings_clear(camsrc_settings *s) {
    g_free(s->uri);
    g_free(s->masked_uri);
    s->uri = s->masked_uri = NULL;
}

static void set_state(GstVigilCamSrc *self, GstVigilCamSrcState state) {
    GST_OBJECT_LOCK(self);
    gboolean changed = self->state != state;
    self->state = state;
    GST_OBJECT_UNLOCK(self);
    if (changed)
        g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_STATE]);
}

static gboolean is_stopping(GstVigilCamSrc *self) {
    g_mutex_lock(&self->lock);
    gboolean stopping = self->stopping;
    g_mutex_unlock(&self->lock);
    return stopping;
}

/* Sleeps for delay unless the element stops first; returns FALSE when it stops. */
static gboolean wait_unless_stopping(GstVigilCamSrc *self, GstClockTime delay) {
    gint64 end = g_get_monotonic_time() + (gint64)(delay / GST_USECOND);
    g_mutex_lock(&self->lock);
    while (!self->stopping && g_cond_wait_until(&self->cond, &self->lock, end))
        ;
    gboolean stopping = self->stopping;
    g_mutex_unlock(&self->lock);
    return !stopping;
}

static void post_camera_message(GstVigilCamSrc *self, const camsrc_settings *s, const gchar *state,
                                const gchar *reason, guint attempt, gdouble retry_in) {
    GST_OBJECT_LOCK(self);
    guint reconnects = self->reconnects;
    GST_OBJECT_UNLOCK(self);
    GstStructure *st = gst_structure_new(
        "vigil-camera", "state", G_TYPE_STRING, state, "uri", G_TYPE_STRING, s->masked_uri,
        "reason", G_TYPE_STRING, reason, "attempt", G_TYPE_INT, (gint)attempt, "retry-in",
        G_TYPE_DOUBLE, retry_in, "reconnects", G_TYPE_UINT, reconnects, NULL);
    gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), st));
}

/* video/x-raw caps that pin a reconnected camera to the first frame's format and size,
 * leaving the frame rate free so that any camera mode negotiates. */
static GstCaps *pinned_caps(const GstCaps *caps) {
    GstCaps *pinned = gst_caps_new_empty_simple("video/x-raw");
    const GstStructure *from = gst_caps_get_structure(caps, 0);
    GstStructure *to = gst_caps_get_structure(pinned, 0);
    static const gchar *const keep[] = {"format", "width", "height", "pixel-aspect-ratio"};
    for (gsize i = 0; i < G_N_ELEMENTS(keep); i++) {
        const GValue *value = gst_structure_get_value(from, keep[i]);
        if (value != NULL)
            gst_structure_set_value(to, keep[i], value);
    }
    return pinned;
}

/* The caps a new connection converts to: the pinned caps after the first frame, before
 * it whatever raw video downstream accepts, so that the conversion happens only once. */
static GstCaps *connection_caps(GstVigilCamSrc *self) {
    GstCaps *caps = NULL;
    g_mutex_lock(&self->out_lock);
    if (self->out_caps != NULL)
        caps = pinned_caps(self->out_caps);
    g_mutex_unlock(&self->out_lock);
    if (caps != NULL)
        return caps;
    GstCaps *raw = gst_static_pad_template_get_caps(&src_template);
    GstCaps *peer = gst_pad_peer_query_caps(self->srcpad, raw);
    gst_caps_unref(raw);
    if (peer == NULL || gst_caps_is_empty(peer) || gst_caps_is_any(peer)) {
        gst_clear_caps(&peer);
        return NULL;
    }
    return peer;
}

static void timeline_new_connection(GstVigilCamSrc *self) {
    g_mutex_lock(&self->out_lock);
    self->conn_first_rt = GST_CLOCK_TIME_NONE;
    self->conn_discont = TRUE;
    g_mutex_unlock(&self->out_lock);
}

static void timeline_reset(GstVigilCamSrc *self) {
    g_mutex_lock(&self->out_lock);
    gst_clear_caps(&self->out_caps);
    self->last_pts = GST_CLOCK_TIME_NONE;
    self->next_pts = 0;
    self->conn_first_rt = GST_CLOCK_TIME_NONE;
    self->conn_offset = 0;
    self->conn_discont = TRUE;
    g_mutex_unlock(&self->out_lock);
}

/* Live: the frame's capture time on the application's clock, i.e. now minus how long
 * ago the connection's clock says the frame was due. Both clocks are read at once, so
 * the two pipelines need not share a clock. NONE before PLAYING (no base time yet). */
static GstClockTime live_pts(GstVigilCamSrc *self, GstVigilCamConn *conn, GstSample *sample) {
    GstClock *clock = gst_element_get_clock(GST_ELEMENT(self));
    GST_OBJECT_LOCK(self);
    gboolean playing = GST_STATE(self) == GST_STATE_PLAYING;
    GstClockTime base = GST_ELEMENT(self)->base_time;
    GST_OBJECT_UNLOCK(self);
    if (clock == NULL || !playing) {
        gst_clear_object(&clock);
        return GST_CLOCK_TIME_NONE;
    }
    GstClockTime now = gst_clock_get_time(clock);
    gst_object_unref(clock);
    GstClockTime running = now > base ? now - base : 0;
    GstClockTime age = gst_vigil_cam_conn_age(conn, sample);
    return running > age ? running - age : 0;
}

/* Non-live: the connection's own running time, shifted so that each connection starts
 * where the previous one ended. Called with out_lock held. */
static GstClockTime pull_pts_locked(GstVigilCamSrc *self, GstSample *sample) {
    GstClockTime rt = gst_vigil_cam_conn_running_time(sample);
    if (!GST_CLOCK_TIME_IS_VALID(self->conn_first_rt)) {
        self->conn_first_rt = GST_CLOCK_TIME_IS_VALID(rt) ? rt : 0;
        self->conn_offset = self->next_pts;
    }
    if (!GST_CLOCK_TIME_IS_VALID(rt) || rt < self->conn_first_rt)
        return self->conn_offset;
    return rt - self->conn_first_rt + self->conn_offset;
}

/* Streaming thread of a connection: re-stamps the frame onto the output timeline and
 * pushes it through the appsrc. */
static void on_sample(GstVigilCamConn *conn, GstSample *sample, gpointer data) {
    GstVigilCamSrc *self = data;
    GstBuffer *in = gst_sample_get_buffer(sample);
    GstCaps *caps = gst_sample_get_caps(sample);
    if (in == NULL || caps == NULL)
        return;
    GST_OBJECT_LOCK(self);
    gboolean live = self->is_live;
    GST_OBJECT_UNLOCK(self);
    GstClockTime pts = GST_CLOCK_TIME_NONE;
    if (live) {
        pts = live_pts(self, conn, sample);
        if (!GST_CLOCK_TIME_IS_VALID(pts))
            return; /* not PLAYING: a live source drops what it cannot show */
        if (gst_app_src_get_current_level_buffers(GST_APP_SRC(self->appsrc)) >=
            LIVE_QUEUE_BUFFERS) {
            GST_LOG_OBJECT(self, "downstream is behind: dropping a frame");
            g_mutex_lock(&self->out_lock);
            self->conn_discont = TRUE; /* the next frame follows a gap */
            g_mutex_unlock(&self->out_lock);
            return;
        }
    }

    gboolean first_caps = FALSE;
    g_mutex_lock(&self->out_lock);
    if (!live)
        pts = pull_pts_locked(self, sample);
    if (GST_CLOCK_TIME_IS_VALID(self->last_pts) && pts <= self->last_pts)
        pts = self->last_pts + 1;
    self->last_pts = pts;
    GstClockTime duration = GST_BUFFER_DURATION(in);
    self->next_pts = pts + (GST_CLOCK_TIME_IS_VALID(duration) ? duration : 1);
    gboolean discont = self->conn_discont;
    self->conn_discont = FALSE;
    if (self->out_caps == NULL) {
        self->out_caps = gst_caps_ref(caps);
        first_caps = TRUE;
    }
    g_mutex_unlock(&self->out_lock);

    if (first_caps) {
        GST_INFO_OBJECT(self, "output caps %" GST_PTR_FORMAT, caps);
        gst_app_src_set_caps(GST_APP_SRC(self->appsrc), caps);
    }
    /* A shallow copy: new timestamps, the same video memory. */
    GstBuffer *out = gst_buffer_copy(in);
    GST_BUFFER_PTS(out) = pts;
    GST_BUFFER_DTS(out) = GST_CLOCK_TIME_NONE;
    if (discont)
        GST_BUFFER_FLAG_SET(out, GST_BUFFER_FLAG_DISCONT);
    else
        GST_BUFFER_FLAG_UNSET(out, GST_BUFFER_FLAG_DISCONT);
    GstFlowReturn ret = gst_app_src_push_buffer(GST_APP_SRC(self->appsrc), out);
    if (ret != GST_FLOW_OK)
        GST_DEBUG_OBJECT(self, "output refused a frame: %s", gst_flow_get_name(ret));
}

/* The connection delivered its first frame. */
static void went_online(GstVigilCamSrc *self, GstVigilCamConn *conn, const camsrc_settings *s,
                        guint attempt, camsrc_online kind) {
    if (s->is_live) {
        GstClockTime latency = gst_vigil_cam_conn_latency(conn);
        GST_DEBUG_OBJECT(self, "camera latency %" GST_TIME_FORMAT, GST_TIME_ARGS(latency));
        gst_app_src_set_latency(GST_APP_SRC(self->appsrc), latency, GST_CLOCK_TIME_NONE);
    }
    if (kind == ONLINE_RECONNECTED) {
        GST_OBJECT_LOCK(self);
        self->reconnects++;
        GST_OBJECT_UNLOCK(self);
        g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_RECONNECTS]);
    }
    set_state(self, GST_VIGIL_CAM_SRC_STATE_ONLINE);
    if (kind == ONLINE_SILENT)
        return;
    GST_INFO_OBJECT(self, "%s online after %u attempt(s)", s->masked_uri, attempt);
    post_camera_message(self, s, "online", kind == ONLINE_RECONNECTED ? "reconnected" : "connected",
                        attempt, 0.0);
}

/* Runs one connection attempt until it fails, ends or the element stops; *reason
 * (newly allocated) says why it failed. */
static camsrc_run run_connection(GstVigilCamSrc *self, const camsrc_settings *s, guint attempt,
                                 camsrc_online kind, gchar **reason) {
    GError *error = NULL;
    GstCaps *caps = connection_caps(self);
    GstVigilCamConnConfig config = {
        .uri = s->uri,
        .latency_ms = s->latency,
        .live = s->is_live,
        .caps = caps,
        .on_sample = on_sample,
        .user_data = self,
    };
    gchar *name = g_strdup_printf("%s-camera", GST_OBJECT_NAME(self));
    GstVigilCamConn *conn = gst_vigil_cam_conn_new(&config, name, &error);
    g_free(name);
    gst_clear_caps(&caps);
    if (conn == NULL) {
        GST_ELEMENT_ERROR(self, CORE, MISSING_PLUGIN, ("%s", error->message), (NULL));
        g_error_free(error);
        return RUN_FATAL;
    }

    timeline_new_connection(self);
    GST_DEBUG_OBJECT(self, "attempt %u to reach %s", attempt, s->masked_uri);
    camsrc_run result = RUN_STOPPED;
    gboolean online = FALSE;
    /* A camera gets twice the stall timeout for its first frame: RTSP setup and the
     * wait for a key frame come on top of the frame interval. */
    GstClockTime connect_timeout = 2 * s->stall_timeout;
    if (!gst_vigil_cam_conn_start(conn, &error)) {
        *reason = g_strdup(error->message);
        g_error_free(error);
        result = RUN_FAILED;
        goto done;
    }
    for (;;) {
        GstVigilCamConnEvent event = gst_vigil_cam_conn_poll(conn, POLL_INTERVAL, reason);
        if (is_stopping(self)) {
            result = RUN_STOPPED;
            break;
        }
        if (event == GST_VIGIL_CAM_CONN_ERROR) {
            result = online ? RUN_DROPPED : RUN_FAILED;
            break;
        }
        if (event == GST_VIGIL_CAM_CONN_EOS) {
            if (gst_vigil_uri_is_file(s->uri)) {
                result = s->loop ? RUN_LOOP : RUN_ENDED;
            } else {
                *reason = g_strdup("the camera ended its stream");
                result = online ? RUN_DROPPED : RUN_FAILED;
            }
            break;
        }
        if (!online && gst_vigil_cam_conn_frames(conn) > 0) {
            online = TRUE;
            went_online(self, conn, s, attempt, kind);
        }
        GstClockTime idle = gst_vigil_cam_conn_idle(conn);
        if (online && idle > s->stall_timeout) {
            *reason = g_strdup_printf("no frame for %.1f s", (gdouble)idle / GST_SECOND);
            result = RUN_DROPPED;
            break;
        }
        if (!online && idle > connect_timeout) {
            *reason =
                g_strdup_printf("no frame within %.1f s of connecting", (gdouble)idle / GST_SECOND);
            result = RUN_FAILED;
            break;
        }
    }
done:
    gst_vigil_cam_conn_free(conn);
    return result;
}

/* The supervisor thread: connects, watches, and reconnects with exponential backoff
 * until the element stops, the file ends, or max-retries is used up. */
static gpointer supervise(gpointer data) {
    GstVigilCamSrc *self = data;
    camsrc_settings s = {0};
    guint attempt = 0;                     /* attempts since the camera was last online */
    guint retries = 0;                     /* retries made in the current outage */
    camsrc_online kind = ONLINE_CONNECTED; /* what the next first frame means */
    gboolean retrying = FALSE;             /* the next attempt is a retry */
    GstClockTime delay = 0;

    for (;;) {
        settings_clear(&s);
        settings_read(self, &s);
        if (!retrying)
            delay = s.retry_initial;
        attempt++;
        if (kind != ONLINE_SILENT)
            set_state(self, GST_VIGIL_CAM_SRC_STATE_CONNECTING);
        gchar *reason = NULL;
        camsrc_run run = run_connection(self, &s, attempt, kind, &reason);
        if (run == RUN_STOPPED || run == RUN_FATAL) {
            g_free(reason);
            if (run == RUN_FATAL)
                set_state(self, GST_VIGIL_CAM_SRC_STATE_FAILED);
            break;
        }
        if (run == RUN_ENDED) {
            GST_INFO_OBJECT(self, "%s ended", s.masked_uri);
            /* the state first: whoever sees the EOS may read it */
            set_state(self, GST_VIGIL_CAM_SRC_STATE_ENDED);
            gst_app_src_end_of_stream(GST_APP_SRC(self->appsrc));
            g_free(reason);
            break;
        }
        if (run == RUN_LOOP) {
            GST_DEBUG_OBJECT(self, "%s ended, playing it again", s.masked_uri);
            kind = ONLINE_SILENT;
            attempt = 0;
            retries = 0;
            retrying = FALSE;
            continue;
        }
        guint failed = run == RUN_DROPPED ? 0 : attempt;
        /* Whatever failed, the next frame is news again. */
        kind = kind == ONLINE_CONNECTED ? ONLINE_CONNECTED : ONLINE_RECONNECTED;
        if (run == RUN_DROPPED) {
            kind = ONLINE_RECONNECTED;
            attempt = 0;
            retries = 0;
            delay = s.retry_initial;
        }
        /* At start the first attempt is not a retry; after a drop every attempt is. */
        gboolean give_up = s.max_retries >= 0 && retries >= (guint)s.max_retries;
        GST_WARNING_OBJECT(self, "%s offline: %s", s.masked_uri, reason);
        post_camera_message(self, &s, "offline", reason, failed,
                            give_up ? -1.0 : (gdouble)delay / GST_SECOND);
        if (give_up) {
            set_state(self, GST_VIGIL_CAM_SRC_STATE_FAILED);
            GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ,
                              ("Could not reach the camera %s (gave up after %d retries).",
                               s.masked_uri, s.max_retries),
                              ("last failure: %s", reason));
            g_free(reason);
            break;
        }
        g_free(reason);
        set_state(self, GST_VIGIL_CAM_SRC_STATE_OFFLINE);
        if (!wait_unless_stopping(self, delay))
            break;
        retries++;
        retrying = TRUE;
        delay = MIN(2 * delay, s.retry_max);
    }
    settings_clear(&s);
    return NULL;
}

/* Checks that the URI can work at all: mistakes no retry can fix fail the state change. */
static gboolean check_uri(GstVigilCamSrc *self) {
    GST_OBJECT_LOCK(self);
    gchar *uri = g_strdup(self->uri);
    GST_OBJECT_UNLOCK(self);
    gchar *masked = gst_vigil_uri_mask(uri);
    gchar *protocol = uri ? gst_uri_get_protocol(uri) : NULL;
    gboolean ok = FALSE;
    if (uri == NULL || *uri == '\0') {
        GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("No camera URI was given."),
                          ("set the uri property to an rtsp://, file:// or v4l2:// URI"));
    } else if (protocol == NULL) {
        GST_ELEMENT_ERROR(
            self, RESOURCE, NOT_FOUND,
            ("'%s' is not a camera URI (expected rtsp://, file:// or v4l2://).", masked), (NULL));
    } else if (!gst_uri_protocol_is_supported(GST_URI_SRC, protocol)) {
        GST_ELEMENT_ERROR(
            self, RESOURCE, NOT_FOUND,
            ("No installed GStreamer source reads %s:// URIs (%s).", protocol, masked),
            ("rtsp:// needs gstreamer1.0-plugins-good, v4l2:// needs the video4linux2 "
             "plugin"));
    } else if (gst_vigil_uri_is_file(uri)) {
        gchar *path = g_filename_from_uri(uri, NULL, NULL);
        if (path == NULL || !g_file_test(path, G_FILE_TEST_IS_REGULAR))
            GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND,
                              ("The video file %s does not exist.", path ? path : masked), (NULL));
        else
            ok = TRUE;
        g_free(path);
    } else {
        ok = TRUE;
    }
    g_free(protocol);
    g_free(masked);
    g_free(uri);
    return ok;
}

static void configure_output(GstVigilCamSrc *self) {
    GST_OBJECT_LOCK(self);
    gboolean live = self->is_live;
    GST_OBJECT_UNLOCK(self);
    /* Non-live: a full queue holds the decoder back, so that a file is read exactly
     * once. Live: on_sample drops the frames a slow consumer has no room for, as a real
     * camera would. The caps of a previous run stay set: appsrc 1.22.0 queues a NULL
     * caps when they are cleared, and aborts when its streaming thread meets it. */
    g_object_set(self->appsrc, "is-live", live, "block", !live, "max-bytes", (guint64)0,
                 "max-buffers", (guint64)(live ? 0 : PULL_QUEUE_BUFFERS), "min-latency", (gint64)0,
                 NULL);
}

static gboolean start_supervisor(GstVigilCamSrc *self) {
    GError *error = NULL;
    g_mutex_lock(&self->lock);
    self->stopping = FALSE;
    gchar *name = g_strdup_printf("%.10s-sup", GST_OBJECT_NAME(self));
    self->thread = g_thread_try_new(name, supervise, self, &error);
    g_free(name);
    g_mutex_unlock(&self->lock);
    if (self->thread == NULL) {
        GST_ELEMENT_ERROR(self, RESOURCE, FAILED, ("Could not start the camera thread."),
                          ("%s", error->message));
        g_error_free(error);
        return FALSE;
    }
    return TRUE;
}

static void stop_supervisor(GstVigilCamSrc *self) {
    g_mutex_lock(&self->lock);
    self->stopping = TRUE;
    g_cond_broadcast(&self->cond);
    GThread *thread = self->thread;
    self->thread = NULL;
    g_mutex_unlock(&self->lock);
    if (thread != NULL)
        g_thread_join(thread);
}

static GstStateChangeReturn change_state(GstElement *element, GstStateChange transition) {
    GstVigilCamSrc *self = GST_VIGIL_CAM_SRC(element);
    if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
        if (!check_uri(self))
            return GST_STATE_CHANGE_FAILURE;
        configure_output(self);
        timeline_reset(self);
        GST_OBJECT_LOCK(self);
        self->reconnects = 0;
        GST_OBJECT_UNLOCK(self);
    }

    /* Downward, the appsrc must flush first: a non-live push blocked in it would
     * otherwise keep the supervisor from stopping its connection. */
    GstStateChangeReturn ret = GST_ELEMENT_CLASS(parent_class)->change_state(element, transition);
    if (ret == GST_STATE_CHANGE_FAILURE)
        return ret;

    if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && !start_supervisor(self))
        return GST_STATE_CHANGE_FAILURE;
    if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
        stop_supervisor(self);
        set_state(self, GST_VIGIL_CAM_SRC_STATE_STOPPED);
    }
    return ret;
}

static void set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec) {
    GstVigilCamSrc *self = GST_VIGIL_CAM_SRC(object);
    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_URI:
        g_free(self->uri);
        self->uri = g_value_dup_string(value);
        break;
    case PROP_LATENCY:
        self->latency = g_value_get_uint(value);
        break;
    case PROP_STALL_TIMEOUT:
        self->stall_timeout = g_value_get_double(value);
        break;
    case PROP_RETRY_INITIAL:
        self->retry_initial = g_value_get_double(value);
        break;
    case PROP_RETRY_MAX:
        self->retry_max = g_value_get_double(value);
        break;
    case PROP_MAX_RETRIES:
        self->max_retries = g_value_get_int(value);
        break;
    case PROP_LOOP:
        self->loop = g_value_get_boolean(value);
        break;
    case PROP_IS_LIVE:
        self->is_live = g_value_get_boolean(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec) {
    GstVigilCamSrc *self = GST_VIGIL_CAM_SRC(object);
    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_URI:
        g_value_set_string(value, self->uri);
        break;
    case PROP_LATENCY:
        g_value_set_uint(value, self->latency);
        break;
    case PROP_STALL_TIMEOUT:
        g_value_set_double(value, self->stall_timeout);
        break;
    case PROP_RETRY_INITIAL:
        g_value_set_double(value, self->retry_initial);
        break;
    case PROP_RETRY_MAX:
        g_value_set_double(value, self->retry_max);
        break;
    case PROP_MAX_RETRIES:
        g_value_set_int(value, self->max_retries);
        break;
    case PROP_LOOP:
        g_value_set_boolean(value, self->loop);
        break;
    case PROP_IS_LIVE:
        g_value_set_boolean(value, self->is_live);
        break;
    case PROP_STATE:
        g_value_set_enum(value, self->state);
        break;
    case PROP_RECONNECTS:
        g_value_set_uint(value, self->reconnects);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void finalize(GObject *object) {
    GstVigilCamSrc *self = GST_VIGIL_CAM_SRC(object);
    g_free(self->uri);
    gst_clear_caps(&self->out_caps);
    g_mutex_clear(&self->lock);
    g_cond_clear(&self->cond);
    g_mutex_clear(&self->out_lock);
    G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void gst_vigil_cam_src_init(GstVigilCamSrc *self) {
    self->uri = DEFAULT_PROP_URI;
    self->latency = DEFAULT_PROP_LATENCY;
    self->stall_timeout = DEFAULT_PROP_STALL_TIMEOUT;
    self->retry_initial = DEFAULT_PROP_RETRY_INITIAL;
    self->retry_max = DEFAULT_PROP_RETRY_MAX;
    self->max_retries = DEFAULT_PROP_MAX_RETRIES;
    self->loop = DEFAULT_PROP_LOOP;
    self->is_live = DEFAULT_PROP_IS_LIVE;
    self->state = DEFAULT_PROP_STATE;
    self->reconnects = DEFAULT_PROP_RECONNECTS;
    g_mutex_init(&self->lock);
    g_cond_init(&self->cond);
    g_mutex_init(&self->out_lock);
    self->last_pts = GST_CLOCK_TIME_NONE;
    self->conn_first_rt = GST_CLOCK_TIME_NONE;

    self->appsrc = gst_element_factory_make("appsrc", "output");
    if (self->appsrc == NULL) {
        /* Reported at the first state change: GstBin fails it without children. */
        GST_ERROR_OBJECT(self, "appsrc is missing; install gstreamer1.0-plugins-base");
        return;
    }
    g_object_set(self->appsrc, "format", GST_FORMAT_TIME, "stream-type", GST_APP_STREAM_TYPE_STREAM,
                 "emit-signals", FALSE, NULL);
    gst_bin_add(GST_BIN(self), self->appsrc);
    GstPad *target = gst_element_get_static_pad(self->appsrc, "src");
    GstPadTemplate *templ = gst_static_pad_template_get(&src_template);
    self->srcpad = gst_ghost_pad_new_from_template("src", target, templ);
    gst_object_unref(templ);
    gst_object_unref(target);
    gst_element_add_pad(GST_ELEMENT(self), self->srcpad);
    GST_OBJECT_FLAG_SET(self, GST_ELEMENT_FLAG_SOURCE);
}

static void gst_vigil_cam_src_class_init(GstVigilCamSrcClass *klass) {
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GST_DEBUG_CATEGORY_INIT(vigil_cam_src_debug, "vigilcamsrc", 0,
                            "vigil camera source with reconnection");

    gobject_class->set_property = set_property;
    gobject_class->get_property = get_property;
    gobject_class->finalize = finalize;
    element_class->change_state = change_state;

    GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;
    GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
    /**
     * GstVigilCamSrc:uri:
     *
     * The camera: rtsp://[user:password@]host[:port]/path, file:///path/to/video or
     * v4l2:///dev/videoN (any URI an installed GStreamer source reads also works).
     * A change takes effect at the next connection. Default: none.
     */
    properties[PROP_URI] =
        g_param_spec_string("uri", "URI", "The camera's URI", DEFAULT_PROP_URI, rw);
    /**
     * GstVigilCamSrc:latency:
     *
     * Jitter buffer of network cameras in milliseconds (rtspsrc's latency), 0 to 60000.
     * Default: 200.
     */
    properties[PROP_LATENCY] =
        g_param_spec_uint("latency", "Latency", "Network jitter buffer in milliseconds", 0, 60000,
                          DEFAULT_PROP_LATENCY, rw);
    /**
     * GstVigilCamSrc:stall-timeout:
     *
     * Seconds without a frame after which an established camera counts as dropped
     * (a new connection gets twice as long for its first frame), 0.1 to 3600.
     * Default: 5.
     */
    properties[PROP_STALL_TIMEOUT] = g_param_spec_double(
        "stall-timeout", "Stall timeout", "Seconds without a frame before reconnecting", 0.1,
        3600.0, DEFAULT_PROP_STALL_TIMEOUT, rw);
    /**
     * GstVigilCamSrc:retry-initial:
     *
     * Seconds to wait before the first reconnection attempt; the wait doubles after each
     * failed attempt up to #GstVigilCamSrc:retry-max. 0 to 3600. Default: 1.
     */
    properties[PROP_RETRY_INITIAL] = g_param_spec_double(
        "retry-initial", "Initial retry delay", "Seconds before the first reconnection attempt",
        0.0, 3600.0, DEFAULT_PROP_RETRY_INITIAL, rw);
    /**
     * GstVigilCamSrc:retry-max:
     *
     * Longest wait between reconnection attempts in seconds, 0 to 3600. Default: 30.
     */
    properties[PROP_RETRY_MAX] = g_param_spec_double(
        "retry-max", "Maximum retry delay", "Longest wait between reconnection attempts (s)", 0.0,
        3600.0, DEFAULT_PROP_RETRY_MAX, rw);
    /**
     * GstVigilCamSrc:max-retries:
     *
     * Reconnection attempts in a row that may fail before the element gives up with an
     * error; -1 retries forever, 0 never retries. -1 to G_MAXINT. Default: -1.
     */
    properties[PROP_MAX_RETRIES] =
        g_param_spec_int("max-retries", "Maximum retries",
                         "Failed attempts in a row before giving up (-1 = retry forever)", -1,
                         G_MAXINT, DEFAULT_PROP_MAX_RETRIES, rw);
    /**
     * GstVigilCamSrc:loop:
     *
     * Play a file:// URI again from the start when it ends instead of sending EOS
     * (network cameras that end their stream are always reconnected). Default: false.
     */
    properties[PROP_LOOP] = g_param_spec_boolean(
        "loop", "Loop", "Restart file:// URIs at their end instead of sending EOS",
        DEFAULT_PROP_LOOP, rw);
    /**
     * GstVigilCamSrc:is-live:
     *
     * Act as a live source: frames are stamped with their capture time on the pipeline
     * clock, files play at their own speed, and a slow consumer loses the oldest frames.
     * When false, frames go out as fast as downstream takes them, stamped from 0.
     * Default: true.
     */
    properties[PROP_IS_LIVE] = g_param_spec_boolean(
        "is-live", "Is live", "Behave as a live source (capture-time timestamps, drop when late)",
        DEFAULT_PROP_IS_LIVE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
    /**
     * GstVigilCamSrc:state:
     *
     * What the connection is doing (read-only): stopped, connecting, online, offline,
     * ended or failed. Default: stopped.
     */
    properties[PROP_STATE] =
        g_param_spec_enum("state", "State", "What the camera connection is doing",
                          GST_TYPE_VIGIL_CAM_SRC_STATE, DEFAULT_PROP_STATE, ro);
    /**
     * GstVigilCamSrc:reconnects:
     *
     * Times the camera came back online after going offline since the element last
     * started (read-only), 0 to G_MAXUINT. Default: 0.
     */
    properties[PROP_RECONNECTS] =
        g_param_spec_uint("reconnects", "Reconnects", "Times the camera came back online", 0,
                          G_MAXUINT, DEFAULT_PROP_RECONNECTS, ro);
    g_object_class_install_properties(gobject_class, N_PROPERTIES, properties);

    gst_element_class_add_static_pad_template(element_class, &src_template);
    gst_element_class_set_static_metadata(
        element_class, "vigil camera source", "Source/Video/Network",
        "Decodes a camera URI and reconnects with backoff while the pipeline keeps running",
        "vigil");
    gst_type_mark_as_plugin_api(GST_TYPE_VIGIL_CAM_SRC_STATE, 0);
}
