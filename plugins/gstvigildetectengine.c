/* Detectors shared by the vigildetect elements of a process (see gstvigildetectengine.h). */
#include "gstvigildetectengine.h"

struct _GstVigilDetectEngine {
    gchar *key; /* model path and every option: engines differ when any differs */
    gint users; /* under registry_lock */
    GMutex run_lock;
    vigil_detector *detector;
};

static GMutex registry_lock;
static GHashTable *registry; /* key -> GstVigilDetectEngine, under registry_lock */

static gchar *engine_key(const gchar *model_path, const vigil_detector_options *o) {
    return g_strdup_printf("%s|%s|%d|%.6g|%.6g|%d|%d|%d", model_path,
                           o->backend ? o->backend : "cpu", o->threads, o->score_threshold,
                           o->nms_threshold, o->max_detections, o->class_agnostic, o->max_batch);
}

GstVigilDetectEngine *gst_vigil_detect_engine_acquire(const gchar *model_path,
                                                      const vigil_detector_options *options,
                                                      vigil_error *err) {
    gchar *key = engine_key(model_path, options);
    /* Loading under the registry lock makes a second element naming the same model wait
     * for the first load instead of loading it twice. */
    g_mutex_lock(&registry_lock);
    if (registry == NULL)
        registry = g_hash_table_new(g_str_hash, g_str_equal);
    GstVigilDetectEngine *engine = g_hash_table_lookup(registry, key);
    if (engine != NULL) {
        engine->users++;
        g_free(key);
        g_mutex_unlock(&registry_lock);
        return engine;
    }
    vigil_detector *detector = NULL;
    if (vigil_detector_create(model_path, options, &detector, err) < 0) {
        g_free(key);
        g_mutex_unlock(&registry_lock);
        return NULL;
    }
    engine = g_new0(GstVigilDetectEngine, 1);
    engine->key = key;
    engine->users = 1;
    engine->detector = detector;
    g_mutex_init(&engine->run_lock);
    g_hash_table_insert(registry, engine->key, engine);
    g_mutex_unlock(&registry_lock);
    return engine;
}

void gst_vigil_detect_engine_release(GstVigilDetectEngine *engine) {
    if (engine == NULL)
        return;
    g_mutex_lock(&registry_lock);
    gboolean last = --engine->users == 0;
    if (last)
        g_hash_table_remove(registry, engine->key);
    g_mutex_unlock(&registry_lock);
    if (!last)
        return;
    vigil_detector_free(engine->detector);
    g_mutex_clear(&engine->run_lock);
    g_free(engine->key);
    g_free(engine);
}

vigil_status gst_vigil_detect_engine_run(GstVigilDetectEngine *engine, const vigil_image *frame,
                                         vigil_detections *out, vigil_error *err) {
    g_mutex_lock(&engine->run_lock);
    vigil_status st = vigil_detector_run(engine->detector, frame, 1, out, err);
    g_mutex_unlock(&engine->run_lock);
    return st;
}

const gchar *gst_vigil_detect_engine_label(GstVigilDetectEngine *engine, gint class_id) {
    return vigil_detector_label(engine->detector, class_id);
}

gint gst_vigil_detect_engine_n_classes(GstVigilDetectEngine *engine) {
    return vigil_detector_model(engine->detector)->n_labels;
}

gint gst_vigil_detect_engine_users(GstVigilDetectEngine *engine) {
    g_mutex_lock(&registry_lock);
    gint users = engine->users;
    g_mutex_unlock(&registry_lock);
    return users;
}
