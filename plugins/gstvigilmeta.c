/* Registration and use of VigilDetectionSkippedMeta (see gstvigilmeta.h). */
#include "gstvigilmeta.h"

void gst_vigil_detection_skipped_meta_register(void) {
    static gsize registered = 0;
    if (g_once_init_enter(&registered)) {
        /* No tags: no transform drops it, and copies keep it (the default custom
         * transform copies the structure). */
        static const gchar *tags[] = {NULL};
        gst_meta_register_custom(GST_VIGIL_DETECTION_SKIPPED_META_NAME, tags, NULL, NULL, NULL);
        g_once_init_leave(&registered, 1);
    }
}

void gst_vigil_buffer_mark_detection_skipped(GstBuffer *buffer, guint64 frame) {
    gst_vigil_detection_skipped_meta_register();
    if (gst_buffer_get_custom_meta(buffer, GST_VIGIL_DETECTION_SKIPPED_META_NAME) != NULL)
        return;
    GstCustomMeta *meta = gst_buffer_add_custom_meta(buffer, GST_VIGIL_DETECTION_SKIPPED_META_NAME);
    gst_structure_set(gst_custom_meta_get_structure(meta), "frame", G_TYPE_UINT64, frame, NULL);
}

gboolean gst_vigil_buffer_detection_skipped(GstBuffer *buffer) {
    gst_vigil_detection_skipped_meta_register();
    return gst_buffer_get_custom_meta(buffer, GST_VIGIL_DETECTION_SKIPPED_META_NAME) != NULL;
}
