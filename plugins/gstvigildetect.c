/**
 * SECTION:element-vigildetect
 * @title: vigildetect
 *
 * Detects objects in raw video with a vigil model (NanoDet, CenterNet or any model
 * file `vigil import` wrote) and attaches one #GstVideoRegionOfInterestMeta per object
 * to the frame, in frame pixels:
 *
 * - `roi_type`: the label ("person", "car", ...)
 * - `x`, `y`, `w`, `h`: the box, clipped to the frame
 * - `id`: -1 (vigiltrack fills in track ids)
 * - a parameter structure `detection` with `label` (string), `class_id` (int, the
 *   model's class index) and `confidence` (double, 0..1)
 *
 * Frames that #GstVigilDetect:interval skips carry a VigilDetectionSkippedMeta
 * (gstvigilmeta.h) instead, so a tracker can tell them from frames without objects.
 *
 * The frame itself passes through untouched. Elements naming the same model with the
 * same options share one loaded engine. Frames wait for the detector in the streaming
 * thread, and the time a detection takes is added to the latency the element reports,
 * so synchronised live sinks downstream show the frames instead of dropping them.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 vigilcamsrc uri=file:///data/vtest.avi ! videoconvert ! video/x-raw,format=RGB !
 * vigildetect model=nanodet classes=person,car interval=2 ! fakesink
 * ]| Detects people and cars in every other frame.
 */
#include "gstvigildetect.h"
#include "gstvigildetectengine.h"
#include "gstvigilmeta.h"

#include <gst/video/video.h>
#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC(vigil_detect_debug);
#define GST_CAT_DEFAULT vigil_detect_debug

#define DEFAULT_PROP_MODEL "nanodet"
#define DEFAULT_PROP_DEVICE "cpu"
#define DEFAULT_PROP_THRESHOLD 0.35f
#define DEFAULT_PROP_NMS 0.5f
#define DEFAULT_PROP_CLASSES NULL
#define DEFAULT_PROP_THREADS 0
#define DEFAULT_PROP_INTERVAL 1
#define DEFAULT_PROP_MAX_DETECTIONS 100
#define DEFAULT_PROP_BATCH_SIZE 1
#define DEFAULT_PROP_BATCH_TIMEOUT 10

/* Latency is reported in steps of this, so that a little jitter in the detection time
 * does not make the pipeline recompute its latency every few frames. */
#define LATENCY_STEP (20 * GST_MSECOND)

enum {
    PROP_0,
    PROP_MODEL,
    PROP_DEVICE,
    PROP_THRESHOLD,
    PROP_NMS,
    PROP_CLASSES,
    PROP_THREADS,
    PROP_INTERVAL,
    PROP_MAX_DETECTIONS,
    PROP_BATCH_SIZE,
    PROP_BATCH_TIMEOUT,
    PROP_ENGINE_BATCHES,
    PROP_ENGINE_FRAMES,
};

struct _GstVigilDetect {
    GstBaseTransform parent;

    /* Properties, under GST_OBJECT_LOCK. */
    gchar *model;
    gchar *device;
    gfloat threshold;
    gfloat nms;
    gchar *classes;
    gboolean classes_changed; /* the streaming thread rebuilds class_mask */
    gint threads;
    guint interval;
    guint max_detections;
    guint batch_size;
    guint batch_timeout;  /* milliseconds */
    GstClockTime latency; /* the detection time reported upstream of sinks */

    /* Streaming state, between start and stop. */
    GstVideoInfo info;
    GstVigilDetectEngine *engine;
    gboolean *class_mask; /* per class id: keep it; NULL keeps every class */
    guint64 frame_index;
    vigil_detections dets;
};

#define VIDEO_FORMATS "{ RGB, BGR, RGBx, BGRx, RGBA, BGRA, I420, NV12 }"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE(VIDEO_FORMATS)));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE(VIDEO_FORMATS)));

#define gst_vigil_detect_parent_class parent_class
G_DEFINE_TYPE(GstVigilDetect, gst_vigil_detect, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE(vigildetect, "vigildetect", GST_RANK_NONE, GST_TYPE_VIGIL_DETECT);

/* A model name (nanodet, centernet) is looked up in $VIGIL_HOME/models, as the vigil
 * command does; anything else is a path. */
static gchar *resolve_model(const gchar *model) {
    if (g_file_test(model, G_FILE_TEST_EXISTS) || strchr(model, '/') != NULL ||
        g_str_has_suffix(model, ".safetensors"))
        return g_strdup(model);
    const gchar *home = g_getenv("VIGIL_HOME");
    gchar *dir = home && *home ? g_strdup(home)
                               : g_build_filename(g_get_home_dir(), ".cache", "vigil", NULL);
    gchar *file = g_strdup_printf("%s.safetensors", model);
    gchar *path = g_build_filename(dir, "models", file, NULL);
    g_free(file);
    g_free(dir);
    return path;
}

/* The class mask for a comma-separated list of labels; NULL (keep all) for an empty
 * list. On an unknown label, returns FALSE with *unknown set (newly allocated). */
static gboolean parse_classes(GstVigilDetectEngine *engine, const gchar *classes,
                              gboolean **mask_out, gchar **unknown) {
    *mask_out = NULL;
    *unknown = NULL;
    gchar *trimmed = g_strstrip(g_strdup(classes ? classes : ""));
    gboolean all = *trimmed == '\0';
    g_free(trimmed);
    if (all)
        return TRUE;
    gint n = gst_vigil_detect_engine_n_classes(engine);
    gboolean *mask = g_new0(gboolean, MAX(n, 1));
    gchar **names = g_strsplit(classes, ",", -1);
    for (gchar **name = names; *name != NULL; name++) {
        g_strstrip(*name);
        if (**name == '\0')
            continue;
        gint id = -1;
        for (gint c = 0; c < n && id < 0; c++) {
            const gchar *label = gst_vigil_detect_engine_label(engine, c);
            if (label != NULL && g_ascii_strcasecmp(label, *name) == 0)
                id = c;
        }
        if (id < 0) {
            *unknown = g_strdup(*name);
            break;
        }
        mask[id] = TRUE;
    }
    g_strfreev(names);
    if (*unknown != NULL) {
        g_free(mask);
        return FALSE;
    }
    *mask_out = mask;
    return TRUE;
}

static gboolean start(GstBaseTransform *trans) {
    GstVigilDetect *self = GST_VIGIL_DETECT(trans);
    vigil_detector_options options = vigil_detector_options_default();
    GST_OBJECT_LOCK(self);
    gchar *model = g_strdup(self->model);
    gchar *device = g_strdup(self->device);
    gchar *classes = g_strdup(self->classes);
    options.score_threshold = self->threshold;
    options.nms_threshold = self->nms;
    options.threads = self->threads;
    options.max_detections = (int)self->max_detections;
    options.max_batch = (int)self->batch_size;
    GstClockTime batch_timeout = self->batch_timeout * GST_MSECOND;
    self->classes_changed = FALSE;
    self->latency = 0;
    GST_OBJECT_UNLOCK(self);
    options.backend = device;

    gboolean ok = FALSE;
    gchar *path = resolve_model(model);
    vigil_error err = {0};
    gchar *unknown = NULL;
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND,
                          ("The detection model '%s' was not found (no file %s).", model, path),
                          ("the built-in models come from scripts/fetch-assets.sh; "
                           "set VIGIL_HOME or give the model file's path"));
        goto done;
    }
    GstVigilDetectEngine *engine = gst_vigil_detect_engine_acquire(path, &options, &err);
    GST_OBJECT_LOCK(self); /* get_property reads the engine's counters */
    self->engine = engine;
    GST_OBJECT_UNLOCK(self);
    if (engine == NULL) {
        GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ,
                          ("Could not load the detection model %s on device '%s'.", path, device),
                          ("%s", err.message));
        goto done;
    }
    if (!parse_classes(self->engine, classes, &self->class_mask, &unknown)) {
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS,
                          ("The model %s has no class '%s' (classes=%s).", model, unknown, classes),
                          ("class names are the model's labels, e.g. person, car, truck"));
        GST_OBJECT_LOCK(self);
        self->engine = NULL;
        GST_OBJECT_UNLOCK(self);
        gst_vigil_detect_engine_release(engine);
        goto done;
    }
    gst_vigil_detect_engine_set_batch_timeout(self->engine, batch_timeout);
    GST_INFO_OBJECT(self, "model %s on %s, shared by %d element(s)", path, device,
                    gst_vigil_detect_engine_users(self->engine));
    self->frame_index = 0;
    ok = TRUE;
done:
    g_free(unknown);
    g_free(path);
    g_free(model);
    g_free(device);
    g_free(classes);
    return ok;
}

static gboolean stop(GstBaseTransform *trans) {
    GstVigilDetect *self = GST_VIGIL_DETECT(trans);
    GST_OBJECT_LOCK(self);
    GstVigilDetectEngine *engine = self->engine;
    self->engine = NULL;
    GST_OBJECT_UNLOCK(self);
    gst_vigil_detect_engine_release(engine);
    g_clear_pointer(&self->class_mask, g_free);
    vigil_detections_free(&self->dets);
    memset(&self->dets, 0, sizeof self->dets);
    return TRUE;
}

static gboolean set_caps(GstBaseTransform *trans, GstCaps *incaps, GstCaps *outcaps) {
    GstVigilDetect *self = GST_VIGIL_DETECT(trans);
    if (!gst_video_info_from_caps(&self->info, incaps)) {
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("Unsupported video caps."),
                          ("%" GST_PTR_FORMAT, incaps));
        return FALSE;
    }
    return TRUE;
}

static gboolean image_from_frame(const GstVideoFrame *frame, vigil_image *image) {
    switch (GST_VIDEO_FRAME_FORMAT(frame)) {
    case GST_VIDEO_FORMAT_RGB:
        image->format = VIGIL_PIXEL_RGB24;
        break;
    case GST_VIDEO_FORMAT_BGR:
        image->format = VIGIL_PIXEL_BGR24;
        break;
    case GST_VIDEO_FORMAT_RGBx:
    case GST_VIDEO_FORMAT_RGBA: /* the detector ignores the 4th byte */
        image->format = VIGIL_PIXEL_RGBX;
        break;
    case GST_VIDEO_FORMAT_BGRx:
    case GST_VIDEO_FORMAT_BGRA:
        image->format = VIGIL_PIXEL_BGRX;
        break;
    case GST_VIDEO_FORMAT_I420:
        image->format = VIGIL_PIXEL_I420;
        break;
    case GST_VIDEO_FORMAT_NV12:
        image->format = VIGIL_PIXEL_NV12;
        break;
    default:
        return FALSE;
    }
    image->width = GST_VIDEO_FRAME_WIDTH(frame);
    image->height = GST_VIDEO_FRAME_HEIGHT(frame);
    for (guint p = 0; p < 3; p++) {
        gboolean has = p < GST_VIDEO_FRAME_N_PLANES(frame);
        image->planes[p] = has ? GST_VIDEO_FRAME_PLANE_DATA(frame, p) : NULL;
        image->strides[p] = has ? GST_VIDEO_FRAME_PLANE_STRIDE(frame, p) : 0;
    }
    return TRUE;
}

/* Rounds v to a pixel index within [0, limit]. */
static guint to_pixel(gfloat v, gint limit) {
    glong p = lroundf(v);
    return (guint)CLAMP(p, 0, (glong)limit);
}

static void attach_meta(GstVigilDetect *self, GstBuffer *buffer, const vigil_detection *det) {
    const gchar *label = gst_vigil_detect_engine_label(self->engine, det->class_id);
    if (label == NULL)
        label = "unknown";
    gint width = GST_VIDEO_INFO_WIDTH(&self->info), height = GST_VIDEO_INFO_HEIGHT(&self->info);
    guint x0 = to_pixel(det->box[0], width), y0 = to_pixel(det->box[1], height);
    guint x1 = to_pixel(det->box[0] + det->box[2], width);
    guint y1 = to_pixel(det->box[1] + det->box[3], height);
    GstVideoRegionOfInterestMeta *meta =
        gst_buffer_add_video_region_of_interest_meta(buffer, label, x0, y0, x1 - x0, y1 - y0);
    meta->id = -1;
    gst_video_region_of_interest_meta_add_param(
        meta,
        gst_structure_new("detection", "label", G_TYPE_STRING, label, "class_id", G_TYPE_INT,
                          det->class_id, "confidence", G_TYPE_DOUBLE, (gdouble)det->score, NULL));
}

/* Called from the streaming thread when classes changed while playing: a bad list is
 * a warning there, and the previous classes stay. */
static void update_classes(GstVigilDetect *self, const gchar *classes) {
    gboolean *mask = NULL;
    gchar *unknown = NULL;
    if (!parse_classes(self->engine, classes, &mask, &unknown)) {
        GST_ELEMENT_WARNING(self, RESOURCE, SETTINGS,
                            ("The model has no class '%s'; keeping the previous classes.", unknown),
                            ("classes=%s", classes));
        g_free(unknown);
        return;
    }
    g_free(self->class_mask);
    self->class_mask = mask;
}

/* Raises the reported latency when a detection took longer than it allows. */
static void account_latency(GstVigilDetect *self, GstClockTime took) {
    GstClockTime stepped = (took / LATENCY_STEP + 1) * LATENCY_STEP;
    GST_OBJECT_LOCK(self);
    gboolean raise = stepped > self->latency;
    if (raise)
        self->latency = stepped;
    GST_OBJECT_UNLOCK(self);
    if (raise) {
        GST_DEBUG_OBJECT(self, "detection took %" GST_TIME_FORMAT ", latency now %" GST_TIME_FORMAT,
                         GST_TIME_ARGS(took), GST_TIME_ARGS(stepped));
        gst_element_post_message(GST_ELEMENT(self), gst_message_new_latency(GST_OBJECT(self)));
    }
}

static GstFlowReturn transform_ip(GstBaseTransform *trans, GstBuffer *buffer) {
    GstVigilDetect *self = GST_VIGIL_DETECT(trans);
    GST_OBJECT_LOCK(self);
    guint interval = self->interval;
    gchar *classes = self->classes_changed ? g_strdup(self->classes) : NULL;
    gboolean classes_changed = self->classes_changed;
    self->classes_changed = FALSE;
    GST_OBJECT_UNLOCK(self);
    if (classes_changed)
        update_classes(self, classes);
    g_free(classes);

    guint64 index = self->frame_index++;
    if (index % interval != 0) {
        /* so that vigiltrack predicts its tracks instead of losing them */
        gst_vigil_buffer_mark_detection_skipped(buffer, index);
        return GST_FLOW_OK;
    }

    GstVideoFrame frame;
    if (!gst_video_frame_map(&frame, &self->info, buffer, GST_MAP_READ)) {
        GST_ELEMENT_ERROR(self, STREAM, FAILED,
                          ("Could not read video frame %" G_GUINT64_FORMAT ".", index), (NULL));
        return GST_FLOW_ERROR;
    }
    vigil_image image;
    if (!image_from_frame(&frame, &image)) {
        gst_video_frame_unmap(&frame);
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("Unsupported video format %s.",
                           gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&self->info))),
                          (NULL));
        return GST_FLOW_NOT_NEGOTIATED;
    }
    vigil_error err = {0};
    gint64 t0 = g_get_monotonic_time();
    vigil_status st = gst_vigil_detect_engine_run(self->engine, &image, &self->dets, &err);
    GstClockTime took = (GstClockTime)(g_get_monotonic_time() - t0) * GST_USECOND;
    gst_video_frame_unmap(&frame);
    if (st < 0) {
        GST_ELEMENT_ERROR(self, STREAM, FAILED,
                          ("The detector failed on frame %" G_GUINT64_FORMAT ".", index),
                          ("%s", err.message));
        return GST_FLOW_ERROR;
    }
    account_latency(self, took);
    guint attached = 0;
    for (int i = 0; i < self->dets.count; i++) {
        const vigil_detection *det = &self->dets.items[i];
        if (self->class_mask != NULL &&
            (det->class_id < 0 ||
             det->class_id >= gst_vigil_detect_engine_n_classes(self->engine) ||
             !self->class_mask[det->class_id]))
            continue;
        attach_meta(self, buffer, det);
        attached++;
    }
    GST_LOG_OBJECT(self, "frame %" G_GUINT64_FORMAT ": %u objects in %" GST_TIME_FORMAT, index,
                   attached, GST_TIME_ARGS(took));
    return GST_FLOW_OK;
}

/* Adds the detection time to the latency of everything upstream. */
static gboolean query(GstBaseTransform *trans, GstPadDirection direction, GstQuery *q) {
    GstVigilDetect *self = GST_VIGIL_DETECT(trans);
    gboolean ret = GST_BASE_TRANSFORM_CLASS(parent_class)->query(trans, direction, q);
    if (ret && direction == GST_PAD_SRC && GST_QUERY_TYPE(q) == GST_QUERY_LATENCY) {
        gboolean live;
        GstClockTime min, max;
        gst_query_parse_latency(q, &live, &min, &max);
        GST_OBJECT_LOCK(self);
        GstClockTime latency = self->latency;
        GST_OBJECT_UNLOCK(self);
        min += latency;
        if (GST_CLOCK_TIME_IS_VALID(max))
            max += latency;
        gst_query_set_latency(q, live, min, max);
    }
    return ret;
}

static void set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec) {
    GstVigilDetect *self = GST_VIGIL_DETECT(object);
    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_MODEL:
        g_free(self->model);
        self->model = g_value_dup_string(value);
        if (self->model == NULL)
            self->model = g_strdup(DEFAULT_PROP_MODEL);
        break;
    case PROP_DEVICE:
        g_free(self->device);
        self->device = g_value_dup_string(value);
        if (self->device == NULL)
            self->device = g_strdup(DEFAULT_PROP_DEVICE);
        break;
    case PROP_THRESHOLD:
        self->threshold = g_value_get_float(value);
        break;
    case PROP_NMS:
        self->nms = g_value_get_float(value);
        break;
    case PROP_CLASSES:
        g_free(self->classes);
        self->classes = g_value_dup_string(value);
        self->classes_changed = TRUE;
        break;
    case PROP_THREADS:
        self->threads = g_value_get_int(value);
        break;
    case PROP_INTERVAL:
        self->interval = g_value_get_uint(value);
        break;
    case PROP_MAX_DETECTIONS:
        self->max_detections = g_value_get_uint(value);
        break;
    case PROP_BATCH_SIZE:
        self->batch_size = g_value_get_uint(value);
        break;
    case PROP_BATCH_TIMEOUT:
        self->batch_timeout = g_value_get_uint(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec) {
    GstVigilDetect *self = GST_VIGIL_DETECT(object);
    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_MODEL:
        g_value_set_string(value, self->model);
        break;
    case PROP_DEVICE:
        g_value_set_string(value, self->device);
        break;
    case PROP_THRESHOLD:
        g_value_set_float(value, self->threshold);
        break;
    case PROP_NMS:
        g_value_set_float(value, self->nms);
        break;
    case PROP_CLASSES:
        g_value_set_string(value, self->classes);
        break;
    case PROP_THREADS:
        g_value_set_int(value, self->threads);
        break;
    case PROP_INTERVAL:
        g_value_set_uint(value, self->interval);
        break;
    case PROP_MAX_DETECTIONS:
        g_value_set_uint(value, self->max_detections);
        break;
    case PROP_BATCH_SIZE:
        g_value_set_uint(value, self->batch_size);
        break;
    case PROP_BATCH_TIMEOUT:
        g_value_set_uint(value, self->batch_timeout);
        break;
    case PROP_ENGINE_BATCHES:
    case PROP_ENGINE_FRAMES: {
        /* start and stop swap the engine under the object lock held here */
        guint64 batches = 0, frames = 0;
        if (self->engine != NULL)
            gst_vigil_detect_engine_stats(self->engine, &batches, &frames);
        g_value_set_uint64(value, prop_id == PROP_ENGINE_BATCHES ? batches : frames);
        break;
    }
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void finalize(GObject *object) {
    GstVigilDetect *self = GST_VIGIL_DETECT(object);
    g_free(self->model);
    g_free(self->device);
    g_free(self->classes);
    G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void gst_vigil_detect_init(GstVigilDetect *self) {
    self->model = g_strdup(DEFAULT_PROP_MODEL);
    self->device = g_strdup(DEFAULT_PROP_DEVICE);
    self->threshold = DEFAULT_PROP_THRESHOLD;
    self->nms = DEFAULT_PROP_NMS;
    self->classes = DEFAULT_PROP_CLASSES;
    self->threads = DEFAULT_PROP_THREADS;
    self->interval = DEFAULT_PROP_INTERVAL;
    self->max_detections = DEFAULT_PROP_MAX_DETECTIONS;
    self->batch_size = DEFAULT_PROP_BATCH_SIZE;
    self->batch_timeout = DEFAULT_PROP_BATCH_TIMEOUT;
    /* Metas are added to the frame, whose pixels stay as they are. */
    gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
    gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), FALSE);
}

static void gst_vigil_detect_class_init(GstVigilDetectClass *klass) {
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstBaseTransformClass *transform_class = GST_BASE_TRANSFORM_CLASS(klass);
    GST_DEBUG_CATEGORY_INIT(vigil_detect_debug, "vigildetect", 0, "vigil object detector");
    gst_vigil_detection_skipped_meta_register();

    gobject_class->set_property = set_property;
    gobject_class->get_property = get_property;
    gobject_class->finalize = finalize;
    transform_class->start = start;
    transform_class->stop = stop;
    transform_class->set_caps = set_caps;
    transform_class->transform_ip = transform_ip;
    transform_class->query = query;
    transform_class->passthrough_on_same_caps = FALSE;

    GParamFlags ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
    GParamFlags playing = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;
    /**
     * GstVigilDetect:model:
     *
     * The detection model: a built-in name (nanodet, centernet), looked up as
     * $VIGIL_HOME/models/NAME.safetensors (VIGIL_HOME defaults to ~/.cache/vigil), or a
     * model file's path. Default: "nanodet".
     */
    g_object_class_install_property(
        gobject_class, PROP_MODEL,
        g_param_spec_string("model", "Model", "Built-in model name (nanodet, centernet) or file",
                            DEFAULT_PROP_MODEL, ready));
    /**
     * GstVigilDetect:device:
     *
     * Where the network runs: "cpu" (oneDNN), "cpu-bf16" (convolutions in bfloat16),
     * "ref" (plain C, slow) or "cuda" where the CUDA backend is built. Default: "cpu".
     */
    g_object_class_install_property(gobject_class, PROP_DEVICE,
                                    g_param_spec_string("device", "Device",
                                                        "cpu, cpu-bf16, ref or cuda",
                                                        DEFAULT_PROP_DEVICE, ready));
    /**
     * GstVigilDetect:threshold:
     *
     * Keeps detections scoring above this, 0 to 1. Default: 0.35.
     */
    g_object_class_install_property(gobject_class, PROP_THRESHOLD,
                                    g_param_spec_float("threshold", "Threshold",
                                                       "Minimum detection score", 0.0f, 1.0f,
                                                       DEFAULT_PROP_THRESHOLD, ready));
    /**
     * GstVigilDetect:nms:
     *
     * Drops a box overlapping a better-scored box of its class by an IoU above this,
     * 0 to 1. Default: 0.5.
     */
    g_object_class_install_property(
        gobject_class, PROP_NMS,
        g_param_spec_float("nms", "NMS IoU", "IoU above which overlapping boxes are suppressed",
                           0.0f, 1.0f, DEFAULT_PROP_NMS, ready));
    /**
     * GstVigilDetect:classes:
     *
     * Comma-separated labels to keep ("person,car"); empty or unset keeps every class.
     * Can change while playing. Default: unset.
     */
    g_object_class_install_property(
        gobject_class, PROP_CLASSES,
        g_param_spec_string("classes", "Classes", "Comma-separated labels to keep (unset = all)",
                            DEFAULT_PROP_CLASSES, playing));
    /**
     * GstVigilDetect:threads:
     *
     * CPU threads of the engine, 0 (all cores) to 1024. Default: 0.
     */
    g_object_class_install_property(gobject_class, PROP_THREADS,
                                    g_param_spec_int("threads", "Threads",
                                                     "CPU threads (0 = all cores)", 0, 1024,
                                                     DEFAULT_PROP_THREADS, ready));
    /**
     * GstVigilDetect:interval:
     *
     * Detects in every Nth frame (the first, then every interval-th); the frames in
     * between pass without region-of-interest metas, marked with a
     * VigilDetectionSkippedMeta. 1 to G_MAXUINT. Can change while playing. Default: 1.
     */
    g_object_class_install_property(gobject_class, PROP_INTERVAL,
                                    g_param_spec_uint("interval", "Interval",
                                                      "Detect in every Nth frame", 1, G_MAXUINT,
                                                      DEFAULT_PROP_INTERVAL, playing));
    /**
     * GstVigilDetect:max-detections:
     *
     * At most this many objects per frame, the best-scored, 1 to 10000. Default: 100.
     */
    g_object_class_install_property(gobject_class, PROP_MAX_DETECTIONS,
                                    g_param_spec_uint("max-detections", "Maximum detections",
                                                      "Objects kept per frame", 1, 10000,
                                                      DEFAULT_PROP_MAX_DETECTIONS, ready));

    /**
     * GstVigilDetect:batch-size:
     *
     * Frames the engine runs at once, 1 to 64. Elements naming the same model with the
     * same options share one engine; with batch-size B > 1 the frames that several
     * streams hand it at about the same time go through the network together (set it
     * to the number of streams; the network always computes B frames). Default: 1.
     */
    g_object_class_install_property(gobject_class, PROP_BATCH_SIZE,
                                    g_param_spec_uint("batch-size", "Batch size",
                                                      "Frames of several streams run at once", 1,
                                                      64, DEFAULT_PROP_BATCH_SIZE, ready));
    /**
     * GstVigilDetect:batch-timeout:
     *
     * Milliseconds a frame may wait for the other streams' frames to fill a batch, 0 to
     * 1000 (a lone element never waits). Default: 10.
     */
    g_object_class_install_property(
        gobject_class, PROP_BATCH_TIMEOUT,
        g_param_spec_uint("batch-timeout", "Batch timeout",
                          "Milliseconds to wait for other streams' frames", 0, 1000,
                          DEFAULT_PROP_BATCH_TIMEOUT, ready));
    /**
     * GstVigilDetect:engine-batches:
     *
     * Batches the shared engine has run since it was loaded (read-only); with
     * #GstVigilDetect:engine-frames it gives the mean batch fill. Default: 0.
     */
    g_object_class_install_property(
        gobject_class, PROP_ENGINE_BATCHES,
        g_param_spec_uint64("engine-batches", "Engine batches", "Batches the shared engine ran", 0,
                            G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
    /**
     * GstVigilDetect:engine-frames:
     *
     * Frames the shared engine has processed, from every element using it (read-only).
     * Default: 0.
     */
    g_object_class_install_property(
        gobject_class, PROP_ENGINE_FRAMES,
        g_param_spec_uint64("engine-frames", "Engine frames", "Frames the shared engine ran", 0,
                            G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

    gst_element_class_add_static_pad_template(element_class, &sink_template);
    gst_element_class_add_static_pad_template(element_class, &src_template);
    gst_element_class_set_static_metadata(
        element_class, "vigil object detector", "Filter/Analyzer/Video",
        "Detects objects with a vigil model and attaches a region-of-interest meta per object",
        "vigil");
}
