/*
 * gstvigilkafkasink.h — vigilkafkasink, publishes alerts to Kafka through a disk spool.
 *
 * A vigilpublishsink (gstvigilpublishsink.h) over vigil_publisher_kafka_create: an
 * idempotent librdkafka producer (acks=all), key = camera id, delivered at least once.
 * See the element documentation in gstvigilkafkasink.c and docs/plugins.md.
 */
#ifndef GST_VIGIL_KAFKA_SINK_H
#define GST_VIGIL_KAFKA_SINK_H

#include "gstvigilpublishsink.h"

G_BEGIN_DECLS

#define GST_TYPE_VIGIL_KAFKA_SINK (gst_vigil_kafka_sink_get_type())
G_DECLARE_FINAL_TYPE(GstVigilKafkaSink, gst_vigil_kafka_sink, GST, VIGIL_KAFKA_SINK,
                     GstVigilPublishSink)

GST_ELEMENT_REGISTER_DECLARE(vigilkafkasink);

/* Splits a "name=value,name=value" list (a backslash escapes a comma or a backslash)
 * into a NULL-terminated array of "name=value" strings. Empty entries are skipped. On an
 * entry without a name and '=' returns NULL and sets *bad to its number (from 1). */
gchar **gst_vigil_kafka_sink_split_properties(const gchar *list, guint *bad);

/* The list with the values of secret properties replaced by "***", for showing. */
gchar *gst_vigil_kafka_sink_mask_properties(const gchar *list);

G_END_DECLS

#endif
