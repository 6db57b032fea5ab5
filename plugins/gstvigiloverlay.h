/*
 * gstvigiloverlay.h — vigiloverlay, drawing what vigil found onto the video.
 *
 * Draws the GstVideoRegionOfInterestMeta of each frame (boxes, labels, track ids,
 * confidences), the trail of each track, the zones and lines of a rules file, and
 * highlights objects whose meta carries an `alert` structure. See the element
 * documentation in gstvigiloverlay.c and docs/plugins.md.
 */
#ifndef GST_VIGIL_OVERLAY_H
#define GST_VIGIL_OVERLAY_H

#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_VIGIL_OVERLAY (gst_vigil_overlay_get_type())
G_DECLARE_FINAL_TYPE(GstVigilOverlay, gst_vigil_overlay, GST, VIGIL_OVERLAY, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE(vigiloverlay);

G_END_DECLS

#endif
