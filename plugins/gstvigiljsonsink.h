/*
 * gstvigiljsonsink.h — vigiljsonsink, writes alerts as JSON lines.
 *
 * A vigilpublishsink (gstvigilpublishsink.h) over vigil_publisher_jsonl_create: one
 * alert JSON per line, to a file or standard output. See the element documentation in
 * gstvigiljsonsink.c and docs/plugins.md.
 */
#ifndef GST_VIGIL_JSON_SINK_H
#define GST_VIGIL_JSON_SINK_H

#include "gstvigilpublishsink.h"

G_BEGIN_DECLS

#define GST_TYPE_VIGIL_JSON_SINK (gst_vigil_json_sink_get_type())
G_DECLARE_FINAL_TYPE(GstVigilJsonSink, gst_vigil_json_sink, GST, VIGIL_JSON_SINK,
                     GstVigilPublishSink)

GST_ELEMENT_REGISTER_DECLARE(vigiljsonsink);

G_END_DECLS

#endif
