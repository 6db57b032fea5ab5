/*
 * gstvigildetect.h — vigildetect, the object detector as an in-place video filter.
 *
 * Runs a vigil detector (vigil/detect.h) on raw video frames and attaches one
 * GstVideoRegionOfInterestMeta per detected object, in frame pixels, as DESIGN.md
 * lays out. See the element documentation in gstvigildetect.c and docs/plugins.md.
 */
#ifndef GST_VIGIL_DETECT_H
#define GST_VIGIL_DETECT_H

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_VIGIL_DETECT (gst_vigil_detect_get_type())
G_DECLARE_FINAL_TYPE(GstVigilDetect, gst_vigil_detect, GST, VIGIL_DETECT, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE(vigildetect);

G_END_DECLS

#endif
