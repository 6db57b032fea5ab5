/*
 * gstvigiltrack.h — vigiltrack, the multi-object tracker as an in-place video filter.
 *
 * Runs vigil's ByteTrack-class tracker (vigil/tracker.h) over the
 * GstVideoRegionOfInterestMeta that vigildetect attaches: writes each object's track id
 * into the meta and adds a `track` parameter structure. See the element documentation
 * in gstvigiltrack.c and docs/plugins.md.
 */
#ifndef GST_VIGIL_TRACK_H
#define GST_VIGIL_TRACK_H

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_VIGIL_TRACK (gst_vigil_track_get_type())
G_DECLARE_FINAL_TYPE(GstVigilTrack, gst_vigil_track, GST, VIGIL_TRACK, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE(vigiltrack);

G_END_DECLS

#endif
