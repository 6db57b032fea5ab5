/*
 * gstvigildetectengine.h — detectors shared by the vigildetect elements of a process.
 *
 * Loading a model and building its engine takes a second and tens of megabytes, and
 * one engine kept busy runs faster than several competing for the same cores. So every
 * vigildetect that names the same model file with the same options uses one engine:
 * gst_vigil_detect_engine_acquire() returns the existing one (with a reference) or
 * loads it. gst_vigil_detect_engine_run() may be called from any number of streaming
 * threads at once. With options->max_batch 1 the runs take turns; with max_batch B > 1
 * the frames of concurrent callers go through the network together, up to B at a time:
 * the first caller to find the engine idle leads, waits up to batch_timeout for as many
 * frames as there are elements on the engine (at most B), runs them as one batch and
 * hands every caller its own detections. A lone element never waits.
 *
 *     vigil_error err = {0};
 *     GstVigilDetectEngine *engine = gst_vigil_detect_engine_acquire (path, &options, &err);
 *     if (engine == NULL) ... err.message ...
 *     vigil_detections dets = {0};
 *     if (gst_vigil_detect_engine_run (engine, &image, &dets, &err) < 0) ...
 *     vigil_detections_free (&dets);
 *     gst_vigil_detect_engine_release (engine);
 */
#ifndef GST_VIGIL_DETECT_ENGINE_H
#define GST_VIGIL_DETECT_ENGINE_H

#include <gst/gst.h>

#include "vigil/detect.h"

G_BEGIN_DECLS

typedef struct _GstVigilDetectEngine GstVigilDetectEngine;

/* The engine for model_path with options (backend, threads, thresholds), loaded on
 * first use. Returns NULL with err filled when the model cannot be loaded. Release
 * with gst_vigil_detect_engine_release(). */
GstVigilDetectEngine *gst_vigil_detect_engine_acquire(const gchar *model_path,
                                                      const vigil_detector_options *options,
                                                      vigil_error *err);

/* How long a leading caller waits for other streams' frames to fill a batch; the
 * engine keeps the largest value any of its elements asked for. */
void gst_vigil_detect_engine_set_batch_timeout(GstVigilDetectEngine *engine, GstClockTime timeout);

/* Batches run so far and the frames they carried (for tests and logs). */
void gst_vigil_detect_engine_stats(GstVigilDetectEngine *engine, guint64 *batches, guint64 *frames);

/* Drops a reference; the last one frees the engine. NULL is allowed. */
void gst_vigil_detect_engine_release(GstVigilDetectEngine *engine);

/* Detects objects in one frame; out is reset first. Thread-safe. */
vigil_status gst_vigil_detect_engine_run(GstVigilDetectEngine *engine, const vigil_image *frame,
                                         vigil_detections *out, vigil_error *err);

/* The label of class_id, NULL when out of range. */
const gchar *gst_vigil_detect_engine_label(GstVigilDetectEngine *engine, gint class_id);

/* Number of classes the model knows. */
gint gst_vigil_detect_engine_n_classes(GstVigilDetectEngine *engine);

/* Elements holding the engine now (for tests and logs). */
gint gst_vigil_detect_engine_users(GstVigilDetectEngine *engine);

G_END_DECLS

#endif
