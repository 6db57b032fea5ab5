/**
 * SECTION:element-vigilkafkasink
 * @title: vigilkafkasink
 *
 * Publishes the alerts that vigilanalytics attaches to frames (VigilAlertMeta, and the
 * `vigil-alert` events it sends at the end of the stream) to a Kafka topic: the value
 * is the alert JSON, the key the camera id, with a header `alert_id`. The producer is
 * idempotent with acks=all; with #GstVigilKafkaSink:spool-dir every alert is written
 * to a crash-safe disk spool before it is produced and removed once Kafka has
 * acknowledged it, so alerts survive broker outages and restarts (at-least-once; a
 * consumer drops duplicates by `alert_id`). With `objects=true` each frame's objects go
 * to the same topic as `vigil.objects.v1` records.
 *
 * Any librdkafka property can be given in #GstVigilKafkaSink:properties (SASL, SSL,
 * timeouts); the values of secret ones (passwords, keys, tokens) never appear in logs,
 * messages or when the property is read back.
 *
 * At EOS and on stop the element waits up to `flush-timeout` for delivery, then posts a
 * `vigil-publisher` element message with its counters and, if records are left, a
 * warning saying how many (they stay in the spool for the next start).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -e vigilcamsrc uri=rtsp://cam/stream ! videoconvert ! vigildetect !
 * vigiltrack ! vigilanalytics rules=plaza.json ! vigilkafkasink brokers=kafka:9092
 * topic=alerts spool-dir=/var/spool/vigil/plaza
 * properties="security.protocol=SASL_SSL,sasl.mechanism=PLAIN,sasl.username=cam,sasl.password=..."
 * ]| Publishes the plaza camera's alerts to Kafka over SASL_SSL.
 */
#include "gstvigilkafkasink.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC(vigil_kafka_sink_debug);
#define GST_CAT_DEFAULT vigil_kafka_sink_debug

#define DEFAULT_PROP_BROKERS "localhost:9092"
#define DEFAULT_PROP_TOPIC "vigil-alerts"
#define DEFAULT_PROP_SPOOL_DIR NULL
#define DEFAULT_PROP_PROPERTIES NULL

enum {
    PROP_0,
    PROP_BROKERS,
    PROP_TOPIC,
    PROP_SPOOL_DIR,
    PROP_PROPERTIES,
};

struct _GstVigilKafkaSink {
    GstVigilPublishSink parent;

    /* Properties, under GST_OBJECT_LOCK; used from the next start. */
    gchar *brokers;
    gchar *topic;
    gchar *spool_dir;
    gchar *properties;
};

#define gst_vigil_kafka_sink_parent_class parent_class
G_DEFINE_TYPE(GstVigilKafkaSink, gst_vigil_kafka_sink, GST_TYPE_VIGIL_PUBLISH_SINK);
GST_ELEMENT_REGISTER_DEFINE(vigilkafkasink, "vigilkafkasink", GST_RANK_NONE,
                            GST_TYPE_VIGIL_KAFKA_SINK);

gchar **gst_vigil_kafka_sink_split_properties(const gchar *list, guint *bad) {
    *bad = 0;
    guint index = 0;
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    GString *entry = g_string_new(NULL);
    for (const gchar *p = list ? list : "";; p++) {
        if (*p == '\\' && (p[1] == ',' || p[1] == '\\')) {
            g_string_append_c(entry, *++p);
            continue;
        }
        if (*p != ',' && *p != '\0') {
            g_string_append_c(entry, *p);
            continue;
        }
        gchar *item = g_strstrip(g_strdup(entry->str));
        g_string_truncate(entry, 0);
        index++;
        if (*item == '\0') {
            g_free(item);
        } else if (strchr(item, '=') == NULL || *item == '=') {
            g_free(item);
            *bad = index;
            break;
        } else {
            /* spaces around '=' are the user's layout, not part of the name or value */
            gchar *eq = strchr(item, '=');
            *eq = '\0';
            gchar *joined = g_strdup_printf("%s=%s", g_strstrip(item), g_strchug(eq + 1));
            g_free(item);
            g_ptr_array_add(out, joined);
        }
        if (*p == '\0')
            break;
    }
    g_string_free(entry, TRUE);
    if (*bad != 0) {
        g_ptr_array_free(out, TRUE);
        return NULL;
    }
    g_ptr_array_add(out, NULL);
    return (gchar **)g_ptr_array_free(out, FALSE);
}

gchar *gst_vigil_kafka_sink_mask_properties(const gchar *list) {
    guint bad;
    gchar **items = gst_vigil_kafka_sink_split_properties(list, &bad);
    if (items == NULL)
        return g_strdup("(not name=value pairs)");
    GString *out = g_string_new(NULL);
    for (gchar **item = items; *item != NULL; item++) {
        gchar *eq = strchr(*item, '=');
        gchar *name = g_strndup(*item, eq - *item);
        g_string_append_printf(out, "%s%s=", out->len ? "," : "", name);
        if (vigil_kafka_property_is_secret(name)) {
            g_string_append(out, "***");
        } else {
            for (const gchar *v = eq + 1; *v; v++) {
                if (*v == ',' || *v == '\\')
                    g_string_append_c(out, '\\');
                g_string_append_c(out, *v);
            }
        }
        g_free(name);
    }
    g_strfreev(items);
    return g_string_free(out, FALSE);
}

/* librdkafka's and the publisher's log lines (secrets already masked by the library),
 * from its threads. */
static void log_line(void *opaque, int level, const char *message) {
    GstVigilKafkaSink *self = opaque;
    if (level <= 4)
        GST_WARNING_OBJECT(self, "%s", message);
    else if (level <= 6)
        GST_INFO_OBJECT(self, "%s", message);
    else
        GST_DEBUG_OBJECT(self, "%s", message);
}

static vigil_publisher *open_publisher(GstVigilPublishSink *sink, gboolean *spooled) {
    GstVigilKafkaSink *self = GST_VIGIL_KAFKA_SINK(sink);
    GST_OBJECT_LOCK(self);
    gchar *brokers = g_strdup(self->brokers);
    gchar *topic = g_strdup(self->topic);
    gchar *spool_dir = g_strdup(self->spool_dir);
    gchar *properties = g_strdup(self->properties);
    GST_OBJECT_UNLOCK(self);

    vigil_publisher *publisher = NULL;
    guint bad;
    gchar **items = gst_vigil_kafka_sink_split_properties(properties, &bad);
    if (items == NULL) {
        /* the entry may be part of a secret value (a comma in a password): only its
         * number is shown */
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS,
                          ("The properties of vigilkafkasink must be name=value pairs separated "
                           "by commas (entry %u is not).",
                           bad),
                          ("a comma inside a value is written \\,"));
        goto done;
    }
    if (brokers == NULL || *brokers == '\0' || topic == NULL || *topic == '\0') {
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("No Kafka brokers or topic given."),
                          ("set the brokers and topic properties"));
        goto done;
    }
    vigil_kafka_options o = vigil_kafka_options_default();
    o.brokers = brokers;
    o.topic = topic;
    o.properties = (const char *const *)items;
    o.property_count = (int)g_strv_length(items);
    o.spool_dir = spool_dir && *spool_dir ? spool_dir : NULL;
    o.log = log_line;
    o.log_opaque = self;
    vigil_error err = {0};
    if (vigil_publisher_kafka_create(&o, &publisher, &err) < 0) {
        GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE,
                          ("Could not start publishing to Kafka topic %s at %s.", topic, brokers),
                          ("%s", err.message));
        publisher = NULL;
        goto done;
    }
    *spooled = o.spool_dir != NULL;
    gchar *shown = gst_vigil_kafka_sink_mask_properties(properties);
    GST_INFO_OBJECT(self, "publishing to topic %s at %s, spool %s, properties: %s", topic, brokers,
                    o.spool_dir ? o.spool_dir : "(none, memory only)", shown);
    g_free(shown);
    if (o.spool_dir == NULL)
        GST_WARNING_OBJECT(self, "no spool-dir: alerts not yet delivered when the process "
                                 "ends are lost");
done:
    g_strfreev(items);
    g_free(brokers);
    g_free(topic);
    g_free(spool_dir);
    g_free(properties);
    return publisher;
}

static gchar *describe(GstVigilPublishSink *sink) {
    GstVigilKafkaSink *self = GST_VIGIL_KAFKA_SINK(sink);
    GST_OBJECT_LOCK(self);
    gchar *where = g_strdup_printf("Kafka topic %s at %s", self->topic, self->brokers);
    GST_OBJECT_UNLOCK(self);
    return where;
}

static void set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec) {
    GstVigilKafkaSink *self = GST_VIGIL_KAFKA_SINK(object);
    GST_OBJECT_LOCK(self);
    gchar **field = prop_id == PROP_BROKERS      ? &self->brokers
                    : prop_id == PROP_TOPIC      ? &self->topic
                    : prop_id == PROP_SPOOL_DIR  ? &self->spool_dir
                    : prop_id == PROP_PROPERTIES ? &self->properties
                                                 : NULL;
    if (field != NULL) {
        g_free(*field);
        *field = g_value_dup_string(value);
    } else {
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
    GST_OBJECT_UNLOCK(self);
}

static void get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec) {
    GstVigilKafkaSink *self = GST_VIGIL_KAFKA_SINK(object);
    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_BROKERS:
        g_value_set_string(value, self->brokers);
        break;
    case PROP_TOPIC:
        g_value_set_string(value, self->topic);
        break;
    case PROP_SPOOL_DIR:
        g_value_set_string(value, self->spool_dir);
        break;
    case PROP_PROPERTIES:
        /* secrets are never shown, not even to whoever set them */
        g_value_take_string(value, self->properties
                                       ? gst_vigil_kafka_sink_mask_properties(self->properties)
                                       : NULL);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void finalize(GObject *object) {
    GstVigilKafkaSink *self = GST_VIGIL_KAFKA_SINK(object);
    g_free(self->brokers);
    g_free(self->topic);
    g_free(self->spool_dir);
    if (self->properties != NULL) /* it may hold a password */
        memset(self->properties, 0, strlen(self->properties));
    g_free(self->properties);
    G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void gst_vigil_kafka_sink_init(GstVigilKafkaSink *self) {
    self->brokers = g_strdup(DEFAULT_PROP_BROKERS);
    self->topic = g_strdup(DEFAULT_PROP_TOPIC);
    self->spool_dir = g_strdup(DEFAULT_PROP_SPOOL_DIR);
    self->properties = g_strdup(DEFAULT_PROP_PROPERTIES);
}

static void gst_vigil_kafka_sink_class_init(GstVigilKafkaSinkClass *klass) {
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstVigilPublishSinkClass *publish_class = GST_VIGIL_PUBLISH_SINK_CLASS(klass);
    GST_DEBUG_CATEGORY_INIT(vigil_kafka_sink_debug, "vigilkafkasink", 0,
                            "vigil Kafka alert publisher");

    gobject_class->set_property = set_property;
    gobject_class->get_property = get_property;
    gobject_class->finalize = finalize;
    publish_class->open = open_publisher;
    publish_class->describe = describe;

    GParamFlags ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
    /**
     * GstVigilKafkaSink:brokers:
     *
     * Kafka bootstrap servers, "host:port,host:port". Default: "localhost:9092".
     */
    g_object_class_install_property(gobject_class, PROP_BROKERS,
                                    g_param_spec_string("brokers", "Brokers",
                                                        "Kafka bootstrap servers (host:port,...)",
                                                        DEFAULT_PROP_BROKERS, ready));
    /**
     * GstVigilKafkaSink:topic:
     *
     * The topic alerts go to. Default: "vigil-alerts".
     */
    g_object_class_install_property(
        gobject_class, PROP_TOPIC,
        g_param_spec_string("topic", "Topic", "Kafka topic", DEFAULT_PROP_TOPIC, ready));
    /**
     * GstVigilKafkaSink:spool-dir:
     *
     * Folder of the disk spool (created if needed; one element or process per folder).
     * Alerts wait there until Kafka acknowledges them, across outages and restarts.
     * Unset: alerts wait in memory and those undelivered when the process ends are lost.
     * Default: unset.
     */
    g_object_class_install_property(
        gobject_class, PROP_SPOOL_DIR,
        g_param_spec_string("spool-dir", "Spool folder",
                            "Disk spool for at-least-once delivery (unset = memory only)",
                            DEFAULT_PROP_SPOOL_DIR, ready));
    /**
     * GstVigilKafkaSink:properties:
     *
     * librdkafka properties, "name=value,name=value" (a comma inside a value is written
     * "\,"), passed to the producer as they are after vigil's defaults
     * (enable.idempotence=true, acks=all, linger.ms=5): SASL, SSL, timeouts. Reading the
     * property gives the list with secret values (names containing password, secret,
     * key, token, jaas, credential) as "***". Default: unset.
     */
    g_object_class_install_property(
        gobject_class, PROP_PROPERTIES,
        g_param_spec_string("properties", "librdkafka properties",
                            "name=value,... passed to librdkafka (secrets are never shown)",
                            DEFAULT_PROP_PROPERTIES, ready));

    gst_element_class_set_static_metadata(
        element_class, "vigil Kafka alert sink", "Sink/Network",
        "Publishes vigil alerts to Kafka with a disk spool (at-least-once, idempotent)", "vigil");
}
