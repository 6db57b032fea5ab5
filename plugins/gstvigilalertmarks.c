/* The objects of active alerts, marked on their metas (see gstvigilalertmarks.h). */
#include "gstvigilalertmarks.h"

#include <gst/video/video.h>

typedef struct {
    gchar *type, *rule, *severity, *zone, *line;
    vigil_severity rank;
    guint64 order;  /* when it started: of equally severe alerts the newest is shown */
    GArray *tracks; /* gint64 track ids */
    gdouble until;  /* pts after which it is dropped; G_MAXDOUBLE while open */
} alert_mark;

struct _GstVigilAlertMarks {
    GHashTable *marks; /* incident id -> alert_mark */
    guint64 order;
};

static void alert_mark_free(gpointer data) {
    alert_mark *m = data;
    g_free(m->type);
    g_free(m->rule);
    g_free(m->severity);
    g_free(m->zone);
    g_free(m->line);
    g_array_unref(m->tracks);
    g_free(m);
}

GstVigilAlertMarks *gst_vigil_alert_marks_new(void) {
    GstVigilAlertMarks *marks = g_new0(GstVigilAlertMarks, 1);
    marks->marks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, alert_mark_free);
    return marks;
}

void gst_vigil_alert_marks_free(GstVigilAlertMarks *marks) {
    if (marks == NULL)
        return;
    g_hash_table_destroy(marks->marks);
    g_free(marks);
}

void gst_vigil_alert_marks_clear(GstVigilAlertMarks *marks) {
    g_hash_table_remove_all(marks->marks);
}

void gst_vigil_alert_marks_update(GstVigilAlertMarks *marks, const vigil_alert *alert) {
    if (alert->event == VIGIL_ALERT_EVENT_END) {
        g_hash_table_remove(marks->marks, alert->incident_id);
        return;
    }
    alert_mark *m = g_hash_table_lookup(marks->marks, alert->incident_id);
    if (m == NULL) {
        m = g_new0(alert_mark, 1);
        m->type = g_strdup(vigil_rule_type_name(alert->type));
        m->rule = g_strdup(alert->rule);
        m->severity = g_strdup(vigil_severity_name(alert->severity));
        m->zone = g_strdup(alert->zone);
        m->line = g_strdup(alert->line);
        m->rank = alert->severity;
        m->order = ++marks->order;
        m->tracks = g_array_new(FALSE, FALSE, sizeof(gint64));
        g_hash_table_insert(marks->marks, g_strdup(alert->incident_id), m);
    }
    m->until = alert->event == VIGIL_ALERT_EVENT_INSTANT
                   ? alert->pts + GST_VIGIL_ALERT_MARK_INSTANT_SECONDS
                   : G_MAXDOUBLE;
    if (alert->object_count > 0) {
        g_array_set_size(m->tracks, 0);
        for (gint i = 0; i < alert->object_count; i++)
            g_array_append_val(m->tracks, alert->objects[i].track_id);
    }
}

static gboolean mark_has_track(const alert_mark *m, gint64 id) {
    for (guint i = 0; i < m->tracks->len; i++)
        if (g_array_index(m->tracks, gint64, i) == id)
            return TRUE;
    return FALSE;
}

static gboolean mark_expired(gpointer key, gpointer value, gpointer pts) {
    return ((alert_mark *)value)->until < *(gdouble *)pts;
}

/* The mark to show on the object with track id, or NULL. */
static const alert_mark *best_mark(GstVigilAlertMarks *marks, gint64 id) {
    const alert_mark *best = NULL;
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init(&iter, marks->marks);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        const alert_mark *m = value;
        if (mark_has_track(m, id) && (best == NULL || m->rank > best->rank ||
                                      (m->rank == best->rank && m->order > best->order)))
            best = m;
    }
    return best;
}

void gst_vigil_alert_marks_apply(GstVigilAlertMarks *marks, GstBuffer *buffer, gdouble pts) {
    g_hash_table_foreach_remove(marks->marks, mark_expired, &pts);
    if (g_hash_table_size(marks->marks) == 0)
        return;
    gpointer state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state,
                                                    GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
        GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
        if (roi->id < 0 || gst_video_region_of_interest_meta_get_param(roi, "alert") != NULL)
            continue;
        const alert_mark *best = best_mark(marks, roi->id);
        if (best == NULL)
            continue;
        GstStructure *s =
            gst_structure_new("alert", "type", G_TYPE_STRING, best->type, "rule", G_TYPE_STRING,
                              best->rule, "severity", G_TYPE_STRING, best->severity, NULL);
        if (best->zone != NULL)
            gst_structure_set(s, "zone", G_TYPE_STRING, best->zone, NULL);
        if (best->line != NULL)
            gst_structure_set(s, "line", G_TYPE_STRING, best->line, NULL);
        gst_video_region_of_interest_meta_add_param(roi, s);
    }
}
