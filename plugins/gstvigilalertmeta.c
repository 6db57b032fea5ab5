/* VigilAlertMeta, the `vigil-alert` message fields and event (see gstvigilalertmeta.h). */
#include "gstvigilalertmeta.h"

void gst_vigil_alert_meta_register(void) {
    static gsize registered = 0;
    if (g_once_init_enter(&registered)) {
        /* No tags: no transform drops it, and copies keep it (the default custom
         * transform copies the structure). */
        static const gchar *tags[] = {NULL};
        gst_meta_register_custom(GST_VIGIL_ALERT_META_NAME, tags, NULL, NULL, NULL);
        g_once_init_leave(&registered, 1);
    }
}

GstStructure *gst_vigil_alert_structure_new(const gchar *name, const vigil_alert *alert,
                                            const gchar *json) {
    GstStructure *s = gst_structure_new(
        name, "json", G_TYPE_STRING, json, "alert-id", G_TYPE_STRING, alert->alert_id,
        "incident-id", G_TYPE_STRING, alert->incident_id, "camera-id", G_TYPE_STRING,
        alert->camera_id ? alert->camera_id : "", "type", G_TYPE_STRING,
        vigil_rule_type_name(alert->type), "event", G_TYPE_STRING,
        vigil_alert_event_name(alert->event), "rule", G_TYPE_STRING, alert->rule ? alert->rule : "",
        "severity", G_TYPE_STRING, vigil_severity_name(alert->severity), "seq", G_TYPE_INT,
        alert->seq, "score", G_TYPE_DOUBLE, alert->score, "pts", G_TYPE_DOUBLE, alert->pts, "frame",
        G_TYPE_INT64, (gint64)alert->frame, NULL);
    if (alert->zone != NULL)
        gst_structure_set(s, "zone", G_TYPE_STRING, alert->zone, NULL);
    if (alert->line != NULL)
        gst_structure_set(s, "line", G_TYPE_STRING, alert->line, NULL);
    return s;
}

static gboolean copy_field(GQuark field, const GValue *value, gpointer user_data) {
    gst_structure_id_set_value(user_data, field, value);
    return TRUE;
}

void gst_vigil_buffer_add_alert(GstBuffer *buffer, const GstStructure *fields) {
    gst_vigil_alert_meta_register();
    GstCustomMeta *meta = gst_buffer_add_custom_meta(buffer, GST_VIGIL_ALERT_META_NAME);
    gst_structure_foreach(fields, copy_field, gst_custom_meta_get_structure(meta));
}

const GstStructure *gst_vigil_buffer_iterate_alerts(GstBuffer *buffer, gpointer *state) {
    gst_vigil_alert_meta_register();
    const GstMetaInfo *info = gst_meta_get_info(GST_VIGIL_ALERT_META_NAME);
    GstMeta *meta = gst_buffer_iterate_meta_filtered(buffer, state, info->api);
    return meta != NULL ? gst_custom_meta_get_structure((GstCustomMeta *)meta) : NULL;
}

GstEvent *gst_vigil_alert_event_new(const GstStructure *fields) {
    GstStructure *s = gst_structure_copy(fields);
    gst_structure_set_name(s, GST_VIGIL_ALERT_NAME);
    return gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM, s);
}

const GstStructure *gst_vigil_alert_event_parse(GstEvent *event) {
    if (GST_EVENT_TYPE(event) != GST_EVENT_CUSTOM_DOWNSTREAM)
        return NULL;
    const GstStructure *s = gst_event_get_structure(event);
    return s != NULL && gst_structure_has_name(s, GST_VIGIL_ALERT_NAME) ? s : NULL;
}
