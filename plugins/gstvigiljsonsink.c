/**
 * SECTION:element-vigiljsonsink
 * @title: vigiljsonsink
 *
 * Writes the alerts that vigilanalytics attaches to frames (VigilAlertMeta, and the
 * `vigil-alert` events it sends at the end of the stream) as JSON lines: one alert JSON
 * (DESIGN.md) per line, in the order they were raised, to a file (created, or emptied
 * if it exists) or to standard output. With `objects=true` each frame's objects are
 * written too, as `vigil.objects.v1` lines. The same format as `vigil analyze --jsonl`,
 * so the tools that read one read the other.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=vtest.avi ! decodebin ! videoconvert ! vigildetect !
 * vigiltrack ! vigilanalytics rules=pipelines/demo-rules.json ! vigiljsonsink
 * location=alerts.jsonl
 * ]| Writes the alerts of a recording to alerts.jsonl.
 */
#include "gstvigiljsonsink.h"

GST_DEBUG_CATEGORY_STATIC(vigil_json_sink_debug);
#define GST_CAT_DEFAULT vigil_json_sink_debug

#define DEFAULT_PROP_LOCATION "-"
#define DEFAULT_PROP_SYNC_WRITES FALSE

enum {
    PROP_0,
    PROP_LOCATION,
    PROP_SYNC_WRITES,
};

struct _GstVigilJsonSink {
    GstVigilPublishSink parent;

    /* Properties, under GST_OBJECT_LOCK; used from the next start. */
    gchar *location;
    gboolean sync_writes;
};

#define gst_vigil_json_sink_parent_class parent_class
G_DEFINE_TYPE(GstVigilJsonSink, gst_vigil_json_sink, GST_TYPE_VIGIL_PUBLISH_SINK);
GST_ELEMENT_REGISTER_DEFINE(vigiljsonsink, "vigiljsonsink", GST_RANK_NONE,
                            GST_TYPE_VIGIL_JSON_SINK);

static vigil_publisher *open_publisher(GstVigilPublishSink *sink, gboolean *spooled) {
    GstVigilJsonSink *self = GST_VIGIL_JSON_SINK(sink);
    GST_OBJECT_LOCK(self);
    gchar *location = g_strdup(self->location && *self->location ? self->location : "-");
    gboolean sync_writes = self->sync_writes;
    GST_OBJECT_UNLOCK(self);
    vigil_publisher *publisher = NULL;
    vigil_error err = {0};
    if (vigil_publisher_jsonl_create(location, sync_writes, &publisher, &err) < 0) {
        GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE,
                          ("Could not open %s for writing alerts.", location), ("%s", err.message));
        publisher = NULL;
    } else {
        GST_INFO_OBJECT(self, "writing alerts to %s", location);
    }
    *spooled = FALSE;
    g_free(location);
    return publisher;
}

static gchar *describe(GstVigilPublishSink *sink) {
    GstVigilJsonSink *self = GST_VIGIL_JSON_SINK(sink);
    GST_OBJECT_LOCK(self);
    gchar *where = g_strdup_printf("%s", g_strcmp0(self->location, "-") == 0 || !self->location
                                             ? "standard output"
                                             : self->location);
    GST_OBJECT_UNLOCK(self);
    return where;
}

static void set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec) {
    GstVigilJsonSink *self = GST_VIGIL_JSON_SINK(object);
    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_LOCATION:
        g_free(self->location);
        self->location = g_value_dup_string(value);
        break;
    case PROP_SYNC_WRITES:
        self->sync_writes = g_value_get_boolean(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec) {
    GstVigilJsonSink *self = GST_VIGIL_JSON_SINK(object);
    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_LOCATION:
        g_value_set_string(value, self->location);
        break;
    case PROP_SYNC_WRITES:
        g_value_set_boolean(value, self->sync_writes);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void finalize(GObject *object) {
    g_free(GST_VIGIL_JSON_SINK(object)->location);
    G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void gst_vigil_json_sink_init(GstVigilJsonSink *self) {
    self->location = g_strdup(DEFAULT_PROP_LOCATION);
    self->sync_writes = DEFAULT_PROP_SYNC_WRITES;
}

static void gst_vigil_json_sink_class_init(GstVigilJsonSinkClass *klass) {
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstVigilPublishSinkClass *publish_class = GST_VIGIL_PUBLISH_SINK_CLASS(klass);
    GST_DEBUG_CATEGORY_INIT(vigil_json_sink_debug, "vigiljsonsink", 0,
                            "vigil JSON-lines alert writer");

    gobject_class->set_property = set_property;
    gobject_class->get_property = get_property;
    gobject_class->finalize = finalize;
    publish_class->open = open_publisher;
    publish_class->describe = describe;

    GParamFlags ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
    /**
     * GstVigilJsonSink:location:
     *
     * The file to write (created, or emptied if it exists); "-" is standard output.
     * Default: "-".
     */
    g_object_class_install_property(gobject_class, PROP_LOCATION,
                                    g_param_spec_string("location", "Location",
                                                        "File to write (- = standard output)",
                                                        DEFAULT_PROP_LOCATION, ready));
    /**
     * GstVigilJsonSink:sync-writes:
     *
     * fdatasync the file after every line, so that a power cut loses no alert already
     * written. Default: false.
     */
    g_object_class_install_property(gobject_class, PROP_SYNC_WRITES,
                                    g_param_spec_boolean("sync-writes", "Sync writes",
                                                         "fdatasync after every line",
                                                         DEFAULT_PROP_SYNC_WRITES, ready));

    gst_element_class_set_static_metadata(element_class, "vigil JSON-lines alert sink", "Sink/File",
                                          "Writes vigil alerts as JSON lines", "vigil");
}
