/*
 * gstvigilalertmarks.h — which objects are in an active alert, marked on their metas.
 *
 * vigilanalytics feeds every alert it raises into a GstVigilAlertMarks and, on each
 * frame, has it add to the GstVideoRegionOfInterestMeta of every object an active
 * alert involves a parameter structure `alert` {`type`, `rule`, `severity`, and `zone`
 * or `line`} — the contract vigiloverlay draws (docs/plugins.md, "Alert contract"):
 *
 *     GstVigilAlertMarks *marks = gst_vigil_alert_marks_new();
 *     for each alert of the frame: gst_vigil_alert_marks_update(marks, &alert);
 *     gst_vigil_alert_marks_apply(marks, buffer, pts);
 *
 * An alert is active from its `start` to its `end`; an `instant` alert (a line
 * crossing) marks its objects for GST_VIGIL_ALERT_MARK_INSTANT_SECONDS. An object in
 * several alerts gets the most severe, of equally severe ones the newest. Not
 * thread-safe: one per stream.
 */
#ifndef GST_VIGIL_ALERT_MARKS_H
#define GST_VIGIL_ALERT_MARKS_H

#include <gst/gst.h>

#include "vigil/alert.h"

G_BEGIN_DECLS

/* Long enough for a display to show the crossing, short enough not to linger. */
#define GST_VIGIL_ALERT_MARK_INSTANT_SECONDS 1.0

typedef struct _GstVigilAlertMarks GstVigilAlertMarks;

GstVigilAlertMarks *gst_vigil_alert_marks_new(void);
void gst_vigil_alert_marks_free(GstVigilAlertMarks *marks);

/* Forgets every alert (the engine restarted). */
void gst_vigil_alert_marks_clear(GstVigilAlertMarks *marks);

/* Start and update (re)place an alert's objects (an update without objects keeps the
 * previous ones), end removes it, instant marks until pts + the instant duration. */
void gst_vigil_alert_marks_update(GstVigilAlertMarks *marks, const vigil_alert *alert);

/* Drops the instant marks that expired by pts and adds the `alert` structure to the
 * metas of marked objects on a writable buffer (not to a meta that has one already). */
void gst_vigil_alert_marks_apply(GstVigilAlertMarks *marks, GstBuffer *buffer, gdouble pts);

G_END_DECLS

#endif
