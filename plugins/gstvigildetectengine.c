/* Detectors shared by the vigildetect elements of a process (see gstvigildetectengine.h). */
#include "gstvigildetectengine.h"

#include <string.h>

/* One caller's frame waiting for, or going through, a batch. */
typedef struct {
    const vigil_image *frame;
    vigil_detections *out;
    vigil_error *err;
    vigil_status status;
    gboolean done;
} batch_request;

struct _GstVigilDetectEngine {
    gchar *key; /* model path and every option: engines differ when any differs */
    gint users; /* under registry_lock */
    vigil_detector *detector;
    gint max_batch;

    GMutex lock; /* guards everything below */
    GCond cond;
    GQueue pending;   /* batch_request *, oldest first */
    gboolean running; /* a leader is filling or running a batch */
    GstClockTime batch_timeout;
    guint64 batches, frames;
    vigil_image *batch_frames;  /* max_batch of them, the leader's scratch */
    batch_request **batch;      /* max_batch of them */
    vigil_detections batch_out; /* detections of all frames of a batch */
};

static GMutex registry_lock;
static GHashTable *registry; /* key -> GstVigilDetectEngine, under registry_lock */

static gchar *engine_key(const gchar *model_path, const vigil_detector_options *o) {
    return g_strdup_printf("%s|%s|%d|%.6g|%.6g|%d|%d|%d", model_path,
                           o->backend ? o->backend : "cpu", o->threads, o->score_threshold,
                           o->nms_threshold, o->max_detections, o->class_agnostic, o->max_batch);
}

static void engine_free(GstVigilDetectEngine *engine) {
    vigil_detector_free(engine->detector);
    vigil_detections_free(&engine->batch_out);
    g_free(engine->batch_frames);
    g_free(engine->batch);
    g_mutex_clear(&engine->lock);
    g_cond_clear(&engine->cond);
    g_free(engine->key);
    g_free(engine);
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
    engine->max_batch = MAX(options->max_batch, 1);
    engine->batch_frames = g_new0(vigil_image, engine->max_batch);
    engine->batch = g_new0(batch_request *, engine->max_batch);
    g_mutex_init(&engine->lock);
    g_cond_init(&engine->cond);
    g_queue_init(&engine->pending);
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
    if (last)
        engine_free(engine);
}

void gst_vigil_detect_engine_set_batch_timeout(GstVigilDetectEngine *engine, GstClockTime timeout) {
    g_mutex_lock(&engine->lock);
    engine->batch_timeout = MAX(engine->batch_timeout, timeout);
    g_mutex_unlock(&engine->lock);
}

/* Called by the leader with engine->lock held, which it drops while the network runs:
 * takes up to max_batch pending requests, runs them as one batch, completes them. */
static void run_batch(GstVigilDetectEngine *engine) {
    gint n = 0;
    while (n < engine->max_batch && !g_queue_is_empty(&engine->pending)) {
        engine->batch[n] = g_queue_pop_head(&engine->pending);
        engine->batch_frames[n] = *engine->batch[n]->frame;
        n++;
    }
    g_mutex_unlock(&engine->lock);

    vigil_error err = {0};
    vigil_status st =
        vigil_detector_run(engine->detector, engine->batch_frames, n, &engine->batch_out, &err);
    for (gint i = 0; i < n; i++) {
        batch_request *req = engine->batch[i];
        vigil_detections_reset(req->out);
        req->status = st;
        if (st < 0 && req->err != NULL)
            *req->err = err;
    }
    for (gint k = 0; st >= 0 && k < engine->batch_out.count; k++) {
        const vigil_detection *det = &engine->batch_out.items[k];
        batch_request *req = engine->batch[det->batch_index];
        if (req->status >= 0) {
            vigil_detection own = *det;
            own.batch_index = 0;
            req->status = vigil_detections_push(req->out, &own, req->err);
        }
    }

    g_mutex_lock(&engine->lock);
    for (gint i = 0; i < n; i++)
        engine->batch[i]->done = TRUE;
    engine->batches++;
    engine->frames += (guint64)n;
}

vigil_status gst_vigil_detect_engine_run(GstVigilDetectEngine *engine, const vigil_image *frame,
                                         vigil_detections *out, vigil_error *err) {
    batch_request req = {.frame = frame, .out = out, .err = err};
    g_mutex_lock(&registry_lock);
    gint users = engine->users;
    g_mutex_unlock(&registry_lock);

    g_mutex_lock(&engine->lock);
    g_queue_push_tail(&engine->pending, &req);
    g_cond_broadcast(&engine->cond); /* a leader may be waiting for this frame */
    while (!req.done) {
        if (engine->running) {
            g_cond_wait(&engine->cond, &engine->lock);
            continue;
        }
        /* Lead: wait, briefly, until every element on the engine has a frame queued
         * (or the batch is full), then run whatever has arrived. */
        engine->running = TRUE;
        guint want = (guint)MIN(engine->max_batch, users);
        gint64 deadline = g_get_monotonic_time() + (gint64)(engine->batch_timeout / GST_USECOND);
        while (g_queue_get_length(&engine->pending) < want &&
               g_cond_wait_until(&engine->cond, &engine->lock, deadline))
            ;
        run_batch(engine);
        engine->running = FALSE;
        g_cond_broadcast(&engine->cond);
    }
    g_mutex_unlock(&engine->lock);
    return req.status;
}

void gst_vigil_detect_engine_stats(GstVigilDetectEngine *engine, guint64 *batches,
                                   guint64 *frames) {
    g_mutex_lock(&engine->lock);
    *batches = engine->batches;
    *frames = engine->frames;
    g_mutex_unlock(&engine->lock);
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
