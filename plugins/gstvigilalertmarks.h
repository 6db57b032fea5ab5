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
 *
 * Alerts about no object in particular (camera tamper, a crowded zone) have no meta to
 * ride on, and their VigilAlertMeta is on one frame only; so apply also adds to the
 * frame one VigilActiveAlertMeta per active alert, every frame the alert is active: a
 * GstCustomMeta (no tags, video filters keep it) whose structure, named
 * `vigil-active-alert`, has `incident-id`, `type`, `rule`, `severity` (strings), `zone`
 * or `line` (strings, when the rule has one), `started-at` (double, UNIX seconds),
 * `count` (int: the details' `count` when the alert has one, as crowding does, else its
 * objects), `label` (string, the objects' class when they share one) and `reason`
 * (string, the details' `reason`, as tamper's "blackout"). The metas come most severe
 * first, then oldest first. vigiloverlay draws them as a banner:
 *
 *     gpointer state = NULL;
 *     const GstStructure *active;
 *     while ((active = gst_vigil_buffer_iterate_active_alerts(buffer, &state)) != NULL)
 *         show(gst_structure_get_string(active, "type"));
 */
#ifndef GST_VIGIL_ALERT_MARKS_H
#define GST_VIGIL_ALERT_MARKS_H

#include <gst/gst.h>

#include "vigil/alert.h"

G_BEGIN_DECLS

#define GST_VIGIL_ACTIVE_ALERT_META_NAME "VigilActiveAlertMeta"
#define GST_VIGIL_ACTIVE_ALERT_NAME "vigil-active-alert" /* the meta's structure */

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
 * metas of marked objects on a writable buffer (not to a meta that has one already),
 * and a VigilActiveAlertMeta per active alert (not for an incident the buffer has one
 * of already). */
void gst_vigil_alert_marks_apply(GstVigilAlertMarks *marks, GstBuffer *buffer, gdouble pts);

/* Registers VigilActiveAlertMeta (once per process; any thread; not again when someone
 * else registered the name already). */
void gst_vigil_active_alert_meta_register(void);

/* The next active alert on buffer (start with *state = NULL), NULL after the last. The
 * structure belongs to the buffer. */
const GstStructure *gst_vigil_buffer_iterate_active_alerts(GstBuffer *buffer, gpointer *state);

G_END_DECLS

#endif
