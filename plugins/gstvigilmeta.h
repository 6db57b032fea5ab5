/*
 * gstvigilmeta.h — buffer metadata shared by the vigil elements beyond DESIGN.md's
 * region-of-interest metas.
 *
 * VigilDetectionSkippedMeta: a GstCustomMeta that vigildetect attaches to the frames
 * its `interval` property makes it skip. Without it a frame with no region-of-interest
 * metas could mean "nothing was detected" as well as "the detector did not look", and
 * a tracker must tell the two apart: after a skipped frame its tracks are predicted,
 * after an empty one they are lost. Its structure (named like the meta) carries
 * `frame` (guint64, vigildetect's frame count). Code outside the plugin finds it by name:
 *
 *     if (gst_buffer_get_custom_meta(buffer, "VigilDetectionSkippedMeta") != NULL) ...
 *
 * It has no tags, so video filters (videoconvert, videoscale) keep it.
 */
#ifndef GST_VIGIL_META_H
#define GST_VIGIL_META_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_VIGIL_DETECTION_SKIPPED_META_NAME "VigilDetectionSkippedMeta"

/* Registers the meta (once per process; any thread). */
void gst_vigil_detection_skipped_meta_register(void);

/* Marks a writable buffer as a frame the detector skipped. */
void gst_vigil_buffer_mark_detection_skipped(GstBuffer *buffer, guint64 frame);

/* Whether the detector skipped this frame. */
gboolean gst_vigil_buffer_detection_skipped(GstBuffer *buffer);

G_END_DECLS

#endif
