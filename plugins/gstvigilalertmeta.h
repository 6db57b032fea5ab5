/*
 * gstvigilalertmeta.h — alerts as buffer metadata, bus messages and events.
 *
 * vigilanalytics raises alerts (vigil/alert.h) on frames. Each alert travels in three
 * forms that carry the same fields (the alert JSON of DESIGN.md plus the fields a
 * consumer filters on without parsing it):
 *
 * - VigilAlertMeta: a GstCustomMeta on the frame the alert was raised on, one per
 *   alert. It has no tags, so video filters (videoconvert, videoscale, tee) keep it.
 * - an element message named `vigil-alert` posted on the bus by vigilanalytics;
 * - a serialized custom downstream event named `vigil-alert`, for alerts that have no
 *   frame to ride on (those that end open incidents at the end of the stream, before
 *   EOS).
 *
 * Fields: `json` (string, the alert JSON), `alert-id`, `incident-id`, `camera-id`,
 * `type`, `event`, `rule`, `severity` (strings), `zone` / `line` (strings, when the
 * rule has one), `seq` (int), `score` (double), `pts` (double, seconds of running
 * time), `frame` (int64). Code outside the plugin reads them by name:
 *
 *     gpointer state = NULL;
 *     const GstStructure *alert;
 *     while ((alert = gst_vigil_buffer_iterate_alerts(buffer, &state)) != NULL)
 *         publish(gst_structure_get_string(alert, "alert-id"),
 *                 gst_structure_get_string(alert, "json"));
 *
 * or, without linking this file, by finding the metas whose info is
 * gst_meta_get_info("VigilAlertMeta").
 */
#ifndef GST_VIGIL_ALERT_META_H
#define GST_VIGIL_ALERT_META_H

#include <gst/gst.h>

#include "vigil/alert.h"

G_BEGIN_DECLS

#define GST_VIGIL_ALERT_META_NAME "VigilAlertMeta"
#define GST_VIGIL_ALERT_NAME "vigil-alert" /* the bus message and the event */

/* Registers the meta (once per process; any thread). */
void gst_vigil_alert_meta_register(void);

/* The fields of one alert, in a new structure named `name`. json is the alert's JSON
 * (vigil_alert_to_json), stored as it is. */
GstStructure *gst_vigil_alert_structure_new(const gchar *name, const vigil_alert *alert,
                                            const gchar *json);

/* Attaches a VigilAlertMeta carrying a copy of the fields to a writable buffer. */
void gst_vigil_buffer_add_alert(GstBuffer *buffer, const GstStructure *fields);

/* The next alert on buffer (start with *state = NULL), NULL after the last. The
 * structure belongs to the buffer. */
const GstStructure *gst_vigil_buffer_iterate_alerts(GstBuffer *buffer, gpointer *state);

/* The serialized downstream event carrying one alert (a copy of fields). */
GstEvent *gst_vigil_alert_event_new(const GstStructure *fields);

/* The alert an event carries, or NULL when it is no alert event. Belongs to the event. */
const GstStructure *gst_vigil_alert_event_parse(GstEvent *event);

G_END_DECLS

#endif
