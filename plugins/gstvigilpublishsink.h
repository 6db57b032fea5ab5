/*
 * gstvigilpublishsink.h — the base class of the alert sinks (vigilkafkasink,
 * vigiljsonsink): a GstBaseSink that hands every alert it receives to a publisher of
 * vigil/publisher.h.
 *
 * Alerts come as VigilAlertMeta on the frames (gstvigilalertmeta.h) and as `vigil-alert`
 * custom events (the alerts vigilanalytics raises at the end of the stream); with the
 * `objects` property on, each frame's region-of-interest metas are published too, as
 * one `vigil.objects.v1` record per frame. The base class owns the common properties
 * (camera-id, objects, flush-timeout) and the read-only delivery counters (published,
 * delivered, failed, refused, spooled, pending, replayed); at EOS and on stop it
 * flushes with the timeout and reports what is left, as a `vigil-publisher` element
 * message and, when something is undelivered, a warning.
 *
 * A subclass creates its publisher in `open` (posting an element error when it cannot)
 * and names its destination in `describe`.
 */
#ifndef GST_VIGIL_PUBLISH_SINK_H
#define GST_VIGIL_PUBLISH_SINK_H

#include <gst/base/gstbasesink.h>

#include "vigil/publisher.h"

G_BEGIN_DECLS

#define GST_TYPE_VIGIL_PUBLISH_SINK (gst_vigil_publish_sink_get_type())
G_DECLARE_DERIVABLE_TYPE(GstVigilPublishSink, gst_vigil_publish_sink, GST, VIGIL_PUBLISH_SINK,
                         GstBaseSink)

struct _GstVigilPublishSinkClass {
    GstBaseSinkClass parent_class;

    /* Creates the publisher from the subclass's properties (called in start). *spooled
     * tells whether accepted records are written to a disk spool. On failure posts an
     * element error and returns NULL. */
    vigil_publisher *(*open)(GstVigilPublishSink *sink, gboolean *spooled);
    /* Where the records go, for messages ("topic alerts at 127.0.0.1:9092"); newly
     * allocated. */
    gchar *(*describe)(GstVigilPublishSink *sink);
};

G_END_DECLS

#endif
