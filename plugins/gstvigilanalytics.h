/*
 * gstvigilanalytics.h — vigilanalytics, the rule engine and anomaly score as an in-place
 * video filter.
 *
 * Reads the tracked objects of each frame (the GstVideoRegionOfInterestMeta that
 * vigiltrack fills in), runs them through a rules file (vigil/analytics.h) and attaches
 * the alerts it raises as VigilAlertMeta (gstvigilalertmeta.h), posts them as
 * `vigil-alert` element messages, and marks the objects of active alerts with an
 * `alert` parameter structure. See the element documentation in gstvigilanalytics.c
 * and docs/plugins.md.
 */
#ifndef GST_VIGIL_ANALYTICS_H
#define GST_VIGIL_ANALYTICS_H

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_VIGIL_ANALYTICS (gst_vigil_analytics_get_type())
G_DECLARE_FINAL_TYPE(GstVigilAnalytics, gst_vigil_analytics, GST, VIGIL_ANALYTICS, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE(vigilanalytics);

G_END_DECLS

#endif
