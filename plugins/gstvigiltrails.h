/*
 * gstvigiltrails.h — the recent positions of each track, for vigiloverlay's trails.
 *
 * Plain GLib, no GObject type: one short list of points per track id, the oldest
 * dropped beyond a length, and tracks unseen for a while forgotten.
 */
#ifndef GST_VIGIL_TRAILS_H
#define GST_VIGIL_TRAILS_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GstVigilTrails GstVigilTrails;

GstVigilTrails *gst_vigil_trails_new(void);
void gst_vigil_trails_free(GstVigilTrails *trails);

/* Appends (x, y) to track id, seen in frame; keeps the last length points. */
void gst_vigil_trails_add(GstVigilTrails *trails, gint id, gfloat x, gfloat y, guint64 frame,
                          guint length);

/* Forgets the tracks last seen more than max_age frames before frame. */
void gst_vigil_trails_prune(GstVigilTrails *trails, guint64 frame, guint64 max_age);

/* The points of track id as x, y pairs, oldest first, and their number; NULL when the
 * track has none. Valid until the next call that changes trails. */
const gfloat *gst_vigil_trails_points(GstVigilTrails *trails, gint id, guint *count);

/* Number of tracks remembered. */
guint gst_vigil_trails_size(GstVigilTrails *trails);

G_END_DECLS

#endif
