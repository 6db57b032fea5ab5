/* The base class of the alert sinks (see gstvigilpublishsink.h). */
#include "gstvigilpublishsink.h"
#include "gstvigilalertmeta.h"

#include <gst/video/video.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC(vigil_publish_sink_debug);
#define GST_CAT_DEFAULT vigil_publish_sink_debug

#define DEFAULT_PROP_CAMERA_ID NULL
#define DEFAULT_PROP_OBJECTS FALSE
#define DEFAULT_PROP_FLUSH_TIMEOUT 10.0
#define DEFAULT_OBJECTS_CAMERA "camera"

enum {
    PROP_0,
    PROP_CAMERA_ID,
    PROP_OBJECTS,
    PROP_FLUSH_TIMEOUT,
    PROP_PUBLISHED,
    PROP_DELIVERED,
    PROP_FAILED,
    PROP_REFUSED,
    PROP_SPOOLED,
    PROP_PENDING,
    PROP_REPLAYED,
};

typedef struct {
    /* Properties, under GST_OBJECT_LOCK. */
    gchar *camera_id;
    gboolean objects;
    gdouble flush_timeout;

    /* The publisher and the counters of the last one, under lock: property reads come
     * from other threads. Only start and stop replace the publisher, while no data
     * flows, so the streaming thread may flush without holding lock. */
    GMutex lock;
    vigil_publisher *publisher;
    gboolean spooled;
    vigil_publisher_stats last_stats;

    /* Streaming state. */
    gboolean flushed;  /* nothing was published since the last flush */
    gboolean refusing; /* the last publish was refused: warn again only after a success */
    guint64 frame;     /* frames rendered since start */
} GstVigilPublishSinkPrivate;

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

#define gst_vigil_publish_sink_parent_class parent_class
G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE(GstVigilPublishSink, gst_vigil_publish_sink,
                                    GST_TYPE_BASE_SINK);

static GstVigilPublishSinkPrivate *priv_of(GstVigilPublishSink *self) {
    return gst_vigil_publish_sink_get_instance_private(self);
}

static void get_stats(GstVigilPublishSink *self, vigil_publisher_stats *stats) {
    GstVigilPublishSinkPrivate *priv = priv_of(self);
    g_mutex_lock(&priv->lock);
    if (priv->publisher != NULL)
        vigil_publisher_get_stats(priv->publisher, stats);
    else
        *stats = priv->last_stats;
    g_mutex_unlock(&priv->lock);
}

/* Hands one record to the publisher. A refused record (spool or disk full) is a warning
 * the first time, then counted, until a record goes through again; the video goes on. */
static void publish(GstVigilPublishSink *self, const gchar *id, const gchar *key,
                    const gchar *value) {
    GstVigilPublishSinkPrivate *priv = priv_of(self);
    vigil_error err = {0};
    g_mutex_lock(&priv->lock);
    vigil_status st = vigil_publisher_publish(priv->publisher, id, key, value, strlen(value), &err);
    g_mutex_unlock(&priv->lock);
    priv->flushed = FALSE;
    if (st >= 0) {
        priv->refusing = FALSE;
        GST_LOG_OBJECT(self, "published %s (key %s)", id, key);
        return;
    }
    if (!priv->refusing) {
        GST_ELEMENT_WARNING(self, RESOURCE, WRITE,
                            ("Record %s was refused (%s); later refusals are only counted.", id,
                             vigil_status_to_string(st)),
                            ("%s", err.message));
    }
    GST_WARNING_OBJECT(self, "refused %s: %s", id, err.message);
    priv->refusing = TRUE;
}

static void publish_alert(GstVigilPublishSink *self, const GstStructure *alert,
                          const gchar *camera_id) {
    const gchar *json = gst_structure_get_string(alert, "json");
    const gchar *id = gst_structure_get_string(alert, "alert-id");
    const gchar *key = camera_id ? camera_id : gst_structure_get_string(alert, "camera-id");
    if (json == NULL || id == NULL) {
        GST_WARNING_OBJECT(self, "an alert without json or alert-id: %" GST_PTR_FORMAT, alert);
        return;
    }
    publish(self, id, key ? key : "", json);
}

static void json_append_string(GString *out, const gchar *s) {
    g_string_append_c(out, '"');
    for (const guchar *p = (const guchar *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(out, "\\%c", *p);
        else if (*p < 0x20)
            g_string_append_printf(out, "\\u%04x", *p);
        else
            g_string_append_c(out, (gchar)*p);
    }
    g_string_append_c(out, '"');
}

/* The frame's objects as a `vigil.objects.v1` record: camera_id, timestamp (when it was
 * published), pts (running time, seconds), frame, objects [{track_id, label, box,
 * confidence}] in the alert JSON's form. */
static gchar *objects_record(GstVigilPublishSink *self, GstBuffer *buffer, const gchar *camera_id) {
    GstBaseSink *sink = GST_BASE_SINK(self);
    gdouble pts = -1;
    if (GST_BUFFER_PTS_IS_VALID(buffer) && sink->segment.format == GST_FORMAT_TIME) {
        GstClockTime running =
            gst_segment_to_running_time(&sink->segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
        if (GST_CLOCK_TIME_IS_VALID(running))
            pts = (gdouble)running / GST_SECOND;
    }
    char now[32];
    vigil_alert_format_time((gdouble)g_get_real_time() / G_USEC_PER_SEC, now);
    GString *out = g_string_new("{\"schema\":\"vigil.objects.v1\",\"camera_id\":");
    json_append_string(out, camera_id);
    g_string_append_printf(out, ",\"timestamp\":\"%s\",\"pts\":", now);
    gchar number[G_ASCII_DTOSTR_BUF_SIZE];
    if (pts >= 0) /* g_ascii_formatd: a decimal point whatever the locale */
        g_string_append(out, g_ascii_formatd(number, sizeof number, "%.9g", pts));
    else
        g_string_append(out, "null");
    g_string_append_printf(out, ",\"frame\":%" G_GUINT64_FORMAT ",\"objects\":[",
                           priv_of(self)->frame);
    gpointer state = NULL;
    GstMeta *meta;
    gboolean first = TRUE;
    while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state,
                                                    GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
        GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
        const gchar *label = g_quark_to_string(roi->roi_type);
        gdouble confidence = 1.0;
        GstStructure *det = gst_video_region_of_interest_meta_get_param(roi, "detection");
        if (det != NULL)
            gst_structure_get_double(det, "confidence", &confidence);
        g_string_append_printf(out, "%s{\"track_id\":%d,\"label\":", first ? "" : ",", roi->id);
        json_append_string(out, label ? label : "object");
        g_string_append_printf(out, ",\"box\":[%u,%u,%u,%u],\"confidence\":%s}", roi->x, roi->y,
                               roi->w, roi->h,
                               g_ascii_formatd(number, sizeof number, "%.4g", confidence));
        first = FALSE;
    }
    g_string_append(out, "]}");
    return g_string_free(out, FALSE);
}

static GstFlowReturn render(GstBaseSink *sink, GstBuffer *buffer) {
    GstVigilPublishSink *self = GST_VIGIL_PUBLISH_SINK(sink);
    GstVigilPublishSinkPrivate *priv = priv_of(self);
    GST_OBJECT_LOCK(self);
    gchar *camera_id = g_strdup(priv->camera_id);
    gboolean objects = priv->objects;
    GST_OBJECT_UNLOCK(self);
    gpointer state = NULL;
    const GstStructure *alert;
    while ((alert = gst_vigil_buffer_iterate_alerts(buffer, &state)) != NULL)
        publish_alert(self, alert, camera_id);
    if (objects) {
        const gchar *camera = camera_id ? camera_id : DEFAULT_OBJECTS_CAMERA;
        gchar *record = objects_record(self, buffer, camera);
        gchar *id = g_strdup_printf("%s/objects/%" G_GUINT64_FORMAT, camera, priv->frame);
        publish(self, id, camera, record);
        g_free(id);
        g_free(record);
    }
    priv->frame++;
    g_free(camera_id);
    return GST_FLOW_OK;
}

/* Waits up to flush-timeout for delivery and reports: a `vigil-publisher` message with
 * the counters, and a warning when records are left. */
static void flush_and_report(GstVigilPublishSink *self, const gchar *when) {
    GstVigilPublishSinkPrivate *priv = priv_of(self);
    GST_OBJECT_LOCK(self);
    gdouble timeout = priv->flush_timeout;
    GST_OBJECT_UNLOCK(self);
    vigil_error err = {0};
    vigil_status st = vigil_publisher_flush(priv->publisher, (int)(timeout * 1000), &err);
    priv->flushed = TRUE;
    vigil_publisher_stats s;
    get_stats(self, &s);
    guint64 spooled = priv->spooled ? s.accepted : 0;
    gst_element_post_message(
        GST_ELEMENT(self),
        gst_message_new_element(
            GST_OBJECT(self),
            gst_structure_new(
                "vigil-publisher", "when", G_TYPE_STRING, when, "published", G_TYPE_UINT64,
                s.accepted, "delivered", G_TYPE_UINT64, s.delivered, "failed", G_TYPE_UINT64,
                s.failed, "refused", G_TYPE_UINT64, s.refused, "spooled", G_TYPE_UINT64, spooled,
                "pending", G_TYPE_UINT64, s.pending, "replayed", G_TYPE_UINT64, s.replayed, NULL)));
    gchar *where = GST_VIGIL_PUBLISH_SINK_GET_CLASS(self)->describe(self);
    if (st < 0 || s.pending > 0) {
        GST_ELEMENT_WARNING(self, RESOURCE, WRITE,
                            ("%" G_GUINT64_FORMAT
                             " records were not delivered to %s within %.1f s%s.",
                             s.pending, where, timeout,
                             priv->spooled ? "; they stay in the spool and go out at the next start"
                                           : " and are lost (no spool-dir)"),
                            ("%s", st < 0 ? err.message : "flush"));
    } else {
        GST_INFO_OBJECT(self,
                        "%s: %" G_GUINT64_FORMAT " published, %" G_GUINT64_FORMAT
                        " delivered to %s, %" G_GUINT64_FORMAT
                        " failed attempts, %" G_GUINT64_FORMAT " refused",
                        when, s.accepted, s.delivered, where, s.failed, s.refused);
    }
    g_free(where);
}

static gboolean event(GstBaseSink *sink, GstEvent *ev) {
    GstVigilPublishSink *self = GST_VIGIL_PUBLISH_SINK(sink);
    const GstStructure *alert = gst_vigil_alert_event_parse(ev);
    if (alert != NULL) {
        GST_OBJECT_LOCK(self);
        gchar *camera_id = g_strdup(priv_of(self)->camera_id);
        GST_OBJECT_UNLOCK(self);
        publish_alert(self, alert, camera_id);
        g_free(camera_id);
    } else if (GST_EVENT_TYPE(ev) == GST_EVENT_EOS) {
        flush_and_report(self, "eos");
    }
    return GST_BASE_SINK_CLASS(parent_class)->event(sink, ev);
}

static gboolean start(GstBaseSink *sink) {
    GstVigilPublishSink *self = GST_VIGIL_PUBLISH_SINK(sink);
    GstVigilPublishSinkPrivate *priv = priv_of(self);
    gboolean spooled = FALSE;
    vigil_publisher *publisher = GST_VIGIL_PUBLISH_SINK_GET_CLASS(self)->open(self, &spooled);
    if (publisher == NULL)
        return FALSE;
    g_mutex_lock(&priv->lock);
    priv->publisher = publisher;
    priv->spooled = spooled;
    memset(&priv->last_stats, 0, sizeof priv->last_stats);
    g_mutex_unlock(&priv->lock);
    priv->flushed = TRUE;
    priv->refusing = FALSE;
    priv->frame = 0;
    return TRUE;
}

static gboolean stop(GstBaseSink *sink) {
    GstVigilPublishSink *self = GST_VIGIL_PUBLISH_SINK(sink);
    GstVigilPublishSinkPrivate *priv = priv_of(self);
    if (priv->publisher == NULL)
        return TRUE;
    if (!priv->flushed)
        flush_and_report(self, "stop");
    g_mutex_lock(&priv->lock);
    vigil_publisher_get_stats(priv->publisher, &priv->last_stats);
    vigil_publisher_free(priv->publisher);
    priv->publisher = NULL;
    g_mutex_unlock(&priv->lock);
    return TRUE;
}

static void set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec) {
    GstVigilPublishSinkPrivate *priv = priv_of(GST_VIGIL_PUBLISH_SINK(object));
    GST_OBJECT_LOCK(object);
    switch (prop_id) {
    case PROP_CAMERA_ID:
        g_free(priv->camera_id);
        priv->camera_id = g_value_dup_string(value);
        break;
    case PROP_OBJECTS:
        priv->objects = g_value_get_boolean(value);
        break;
    case PROP_FLUSH_TIMEOUT:
        priv->flush_timeout = g_value_get_double(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(object);
}

static void get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec) {
    GstVigilPublishSink *self = GST_VIGIL_PUBLISH_SINK(object);
    GstVigilPublishSinkPrivate *priv = priv_of(self);
    if (prop_id >= PROP_PUBLISHED) {
        vigil_publisher_stats s;
        get_stats(self, &s);
        g_mutex_lock(&priv->lock);
        gboolean spooled = priv->spooled;
        g_mutex_unlock(&priv->lock);
        guint64 v = prop_id == PROP_PUBLISHED   ? s.accepted
                    : prop_id == PROP_DELIVERED ? s.delivered
                    : prop_id == PROP_FAILED    ? s.failed
                    : prop_id == PROP_REFUSED   ? s.refused
                    : prop_id == PROP_SPOOLED   ? (spooled ? s.accepted : 0)
                    : prop_id == PROP_PENDING   ? s.pending
                                                : s.replayed;
        g_value_set_uint64(value, v);
        return;
    }
    GST_OBJECT_LOCK(object);
    switch (prop_id) {
    case PROP_CAMERA_ID:
        g_value_set_string(value, priv->camera_id);
        break;
    case PROP_OBJECTS:
        g_value_set_boolean(value, priv->objects);
        break;
    case PROP_FLUSH_TIMEOUT:
        g_value_set_double(value, priv->flush_timeout);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(object);
}

static void finalize(GObject *object) {
    GstVigilPublishSinkPrivate *priv = priv_of(GST_VIGIL_PUBLISH_SINK(object));
    g_free(priv->camera_id);
    g_mutex_clear(&priv->lock);
    G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void gst_vigil_publish_sink_init(GstVigilPublishSink *self) {
    GstVigilPublishSinkPrivate *priv = priv_of(self);
    priv->camera_id = g_strdup(DEFAULT_PROP_CAMERA_ID);
    priv->objects = DEFAULT_PROP_OBJECTS;
    priv->flush_timeout = DEFAULT_PROP_FLUSH_TIMEOUT;
    g_mutex_init(&priv->lock);
    /* Alerts go out as soon as they arrive, not when the clock reaches their frame. */
    gst_base_sink_set_sync(GST_BASE_SINK(self), FALSE);
    /* and no frame is kept alive for the last-sample property */
    gst_base_sink_set_last_sample_enabled(GST_BASE_SINK(self), FALSE);
}

/* A read-only counter property. */
static GParamSpec *counter(const gchar *name, const gchar *nick, const gchar *blurb) {
    return g_param_spec_uint64(name, nick, blurb, 0, G_MAXUINT64, 0,
                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void gst_vigil_publish_sink_class_init(GstVigilPublishSinkClass *klass) {
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstBaseSinkClass *sink_class = GST_BASE_SINK_CLASS(klass);
    GST_DEBUG_CATEGORY_INIT(vigil_publish_sink_debug, "vigilpublishsink", 0, "vigil alert sinks");
    gst_vigil_alert_meta_register();

    gobject_class->set_property = set_property;
    gobject_class->get_property = get_property;
    gobject_class->finalize = finalize;
    sink_class->render = render;
    sink_class->event = event;
    sink_class->start = start;
    sink_class->stop = stop;

    GParamFlags playing = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;
    /**
     * GstVigilPublishSink:camera-id:
     *
     * The key of every record (instead of the camera id each alert carries) and the
     * `camera_id` of object records. Can change while playing. Default: unset (alerts
     * keep their own; object records say "camera").
     */
    g_object_class_install_property(
        gobject_class, PROP_CAMERA_ID,
        g_param_spec_string("camera-id", "Camera id",
                            "Key of every record (unset = each alert's camera id)",
                            DEFAULT_PROP_CAMERA_ID, playing));
    /**
     * GstVigilPublishSink:objects:
     *
     * Also publish each frame's objects (its region-of-interest metas) as one
     * `vigil.objects.v1` record per frame, empty frames included. Can change while
     * playing. Default: false.
     */
    g_object_class_install_property(gobject_class, PROP_OBJECTS,
                                    g_param_spec_boolean("objects", "Objects",
                                                         "Publish every frame's objects too",
                                                         DEFAULT_PROP_OBJECTS, playing));
    /**
     * GstVigilPublishSink:flush-timeout:
     *
     * Seconds to wait at EOS and on stop for every record to be delivered, 0 to 3600;
     * what is left is reported (and stays in the spool, if any). Default: 10.
     */
    g_object_class_install_property(
        gobject_class, PROP_FLUSH_TIMEOUT,
        g_param_spec_double("flush-timeout", "Flush timeout",
                            "Seconds to wait for delivery at EOS and stop", 0.0, 3600.0,
                            DEFAULT_PROP_FLUSH_TIMEOUT, playing));
    /**
     * GstVigilPublishSink:published:
     *
     * Records accepted since start (read-only).
     */
    g_object_class_install_property(gobject_class, PROP_PUBLISHED,
                                    counter("published", "Published", "Records accepted"));
    /**
     * GstVigilPublishSink:delivered:
     *
     * Records delivered (acknowledged by Kafka, or written) since start (read-only).
     */
    g_object_class_install_property(gobject_class, PROP_DELIVERED,
                                    counter("delivered", "Delivered", "Records delivered"));
    /**
     * GstVigilPublishSink:failed:
     *
     * Failed delivery attempts (each is retried from the spool or memory) (read-only).
     */
    g_object_class_install_property(gobject_class, PROP_FAILED,
                                    counter("failed", "Failed", "Delivery attempts that failed"));
    /**
     * GstVigilPublishSink:refused:
     *
     * Records refused because the spool or the disk was full (lost) (read-only).
     */
    g_object_class_install_property(gobject_class, PROP_REFUSED,
                                    counter("refused", "Refused", "Records refused (full)"));
    /**
     * GstVigilPublishSink:spooled:
     *
     * Records written to the disk spool since start; 0 without a spool (read-only).
     */
    g_object_class_install_property(gobject_class, PROP_SPOOLED,
                                    counter("spooled", "Spooled", "Records written to the spool"));
    /**
     * GstVigilPublishSink:pending:
     *
     * Records accepted (or replayed from the spool) and not yet delivered (read-only).
     */
    g_object_class_install_property(gobject_class, PROP_PENDING,
                                    counter("pending", "Pending", "Records not yet delivered"));
    /**
     * GstVigilPublishSink:replayed:
     *
     * Undelivered records of an earlier run found in the spool at start (read-only).
     */
    g_object_class_install_property(
        gobject_class, PROP_REPLAYED,
        counter("replayed", "Replayed", "Records of an earlier run found in the spool"));

    gst_element_class_add_static_pad_template(element_class, &sink_template);
}
