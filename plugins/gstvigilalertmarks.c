/* The objects of active alerts, marked on their metas, and the active alerts themselves
 * on every frame (see gstvigilalertmarks.h). */
#include "gstvigilalertmarks.h"

#include <cjson/cJSON.h>
#include <gst/video/video.h>
#include <string.h>

typedef struct {
    gchar *type, *rule, *severity, *zone, *line;
    vigil_severity rank;
    guint64 order;  /* when it started: of equally severe alerts the newest is shown */
    GArray *tracks; /* gint64 track ids */
    gdouble until;  /* pts after which it is dropped; G_MAXDOUBLE while open */
    gdouble started_at;
    gint count;    /* what the banner counts: details.count, else the objects */
    gchar *label;  /* the objects' class when they share one, else NULL */
    gchar *reason; /* details.reason (tamper), else NULL */
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
    g_free(m->label);
    g_free(m->reason);
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

/* The objects' class when they all have the same one, else NULL (newly allocated). */
static gchar *common_label(const vigil_alert *alert) {
    for (gint i = 1; i < alert->object_count; i++)
        if (strcmp(alert->objects[i].label, alert->objects[0].label) != 0)
            return NULL;
    return g_strdup(alert->objects[0].label);
}

/* What the banner says about the alert, from its details: the count (crowding) and
 * the reason (tamper). An update without details keeps the previous ones. */
static void read_details(alert_mark *m, const vigil_alert *alert) {
    if (alert->object_count > 0) {
        m->count = alert->object_count;
        g_free(m->label);
        m->label = common_label(alert);
    }
    cJSON *details = alert->details ? cJSON_Parse(alert->details) : NULL;
    if (details == NULL)
        return;
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(details, "count");
    if (cJSON_IsNumber(count))
        m->count = count->valueint;
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(details, "reason");
    if (cJSON_IsString(reason)) {
        g_free(m->reason);
        m->reason = g_strdup(reason->valuestring);
    }
    cJSON_Delete(details);
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
        m->started_at = alert->started_at;
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
    read_details(m, alert);
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

static void mark_objects(GstVigilAlertMarks *marks, GstBuffer *buffer) {
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

typedef struct {
    const gchar *incident;
    const alert_mark *mark;
} active_entry;

/* Most severe first, then the oldest, so that a banner's lines stay where they are. */
static gint compare_active(gconstpointer a, gconstpointer b) {
    const alert_mark *x = ((const active_entry *)a)->mark, *y = ((const active_entry *)b)->mark;
    if (x->rank != y->rank)
        return x->rank > y->rank ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static gboolean buffer_has_active(GstBuffer *buffer, const gchar *incident) {
    gpointer state = NULL;
    const GstStructure *s;
    while ((s = gst_vigil_buffer_iterate_active_alerts(buffer, &state)) != NULL)
        if (g_strcmp0(gst_structure_get_string(s, "incident-id"), incident) == 0)
            return TRUE;
    return FALSE;
}

static void add_active(GstBuffer *buffer, const gchar *incident, const alert_mark *m) {
    GstCustomMeta *meta = gst_buffer_add_custom_meta(buffer, GST_VIGIL_ACTIVE_ALERT_META_NAME);
    GstStructure *s = gst_custom_meta_get_structure(meta);
    gst_structure_set_name(s, GST_VIGIL_ACTIVE_ALERT_NAME);
    gst_structure_set(s, "incident-id", G_TYPE_STRING, incident, "type", G_TYPE_STRING, m->type,
                      "rule", G_TYPE_STRING, m->rule ? m->rule : "", "severity", G_TYPE_STRING,
                      m->severity, "started-at", G_TYPE_DOUBLE, m->started_at, "count", G_TYPE_INT,
                      m->count, NULL);
    if (m->zone != NULL)
        gst_structure_set(s, "zone", G_TYPE_STRING, m->zone, NULL);
    if (m->line != NULL)
        gst_structure_set(s, "line", G_TYPE_STRING, m->line, NULL);
    if (m->label != NULL)
        gst_structure_set(s, "label", G_TYPE_STRING, m->label, NULL);
    if (m->reason != NULL)
        gst_structure_set(s, "reason", G_TYPE_STRING, m->reason, NULL);
}

static void mark_frame(GstVigilAlertMarks *marks, GstBuffer *buffer) {
    GArray *active =
        g_array_sized_new(FALSE, FALSE, sizeof(active_entry), g_hash_table_size(marks->marks));
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init(&iter, marks->marks);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        active_entry e = {key, value};
        g_array_append_val(active, e);
    }
    g_array_sort(active, compare_active);
    gst_vigil_active_alert_meta_register();
    for (guint i = 0; i < active->len; i++) {
        const active_entry *e = &g_array_index(active, active_entry, i);
        if (!buffer_has_active(buffer, e->incident))
            add_active(buffer, e->incident, e->mark);
    }
    g_array_unref(active);
}

void gst_vigil_alert_marks_apply(GstVigilAlertMarks *marks, GstBuffer *buffer, gdouble pts) {
    g_hash_table_foreach_remove(marks->marks, mark_expired, &pts);
    if (g_hash_table_size(marks->marks) == 0)
        return;
    mark_objects(marks, buffer);
    mark_frame(marks, buffer);
}

void gst_vigil_active_alert_meta_register(void) {
    static gsize registered = 0;
    if (g_once_init_enter(&registered)) {
        /* No tags: no transform drops it, and copies keep it. A test or another
         * element may have registered the name first; registering twice fails. */
        static const gchar *tags[] = {NULL};
        if (gst_meta_get_info(GST_VIGIL_ACTIVE_ALERT_META_NAME) == NULL)
            gst_meta_register_custom(GST_VIGIL_ACTIVE_ALERT_META_NAME, tags, NULL, NULL, NULL);
        g_once_init_leave(&registered, 1);
    }
}

const GstStructure *gst_vigil_buffer_iterate_active_alerts(GstBuffer *buffer, gpointer *state) {
    gst_vigil_active_alert_meta_register();
    const GstMetaInfo *info = gst_meta_get_info(GST_VIGIL_ACTIVE_ALERT_META_NAME);
    GstMeta *meta = gst_buffer_iterate_meta_filtered(buffer, state, info->api);
    return meta != NULL ? gst_custom_meta_get_structure((GstCustomMeta *)meta) : NULL;
}
