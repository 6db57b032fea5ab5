/**
 * SECTION:element-vigiltrack
 * @title: vigiltrack
 *
 * Tracks the objects that vigildetect finds: every #GstVideoRegionOfInterestMeta with a
 * `detection` parameter structure goes through vigil's ByteTrack-class tracker, and the
 * metas of followed objects get
 *
 * - `id`: the track id (from 1; stable while the object is followed, and never given
 *   twice while the element runs, even after a flush)
 * - a parameter structure `track` with `id` (int), `age` (double, seconds since the
 *   object was first seen), `state` (string: "confirmed" for a detection paired with
 *   its track, "predicted" for a box the tracker predicted, "tentative" for a new
 *   track's first sightings when #GstVigilTrack:keep-unconfirmed is on), `hits` (int,
 *   detections paired so far) and `stationary` (boolean, parked for
 *   #GstVigilTrack:stationary-seconds).
 *
 * Detections that belong to no confirmed track (a new object's first sighting, a
 * one-frame false alarm, a weak detection that continues nothing) are dropped from the
 * buffer by default, so that counts and alerts downstream see only tracked objects;
 * with #GstVigilTrack:keep-unconfirmed they stay, with `id` -1.
 *
 * On frames that vigildetect skipped (its `interval` property; such frames carry a
 * VigilDetectionSkippedMeta) the tracker only predicts, and each followed object gets a
 * new meta at its predicted box, with the `detection` structure of its last sighting
 * and `state` "predicted", so downstream sees continuous tracks. Time is the buffers'
 * running time (PTS), not a frame count: dropped frames and variable frame rates are
 * handled, and #GstVigilTrack:lost-seconds is in seconds.
 *
 * Metas without a `detection` structure (from other elements) pass untouched. The
 * pixels pass untouched too.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=vtest.avi ! decodebin ! vigildetect interval=2 !
 * vigiltrack lost-seconds=3 ! vigiloverlay ! videoconvert ! autovideosink
 * ]| Detects in every other frame, tracks, and shows ids and trails.
 */
#include "gstvigiltrack.h"
#include "gstvigilmeta.h"
#include "gstvigiltrackoptions.h"

#include <gst/video/video.h>
#include <math.h>

GST_DEBUG_CATEGORY_STATIC(vigil_track_debug);
#define GST_CAT_DEFAULT vigil_track_debug

#define DEFAULT_PROP_KEEP_UNCONFIRMED FALSE

enum {
    PROP_0,
    PROP_KEEP_UNCONFIRMED,
    PROP_FIRST_OPTION, /* the tracker's options follow, see gstvigiltrackoptions.h */
};

struct _GstVigilTrack {
    GstBaseTransform parent;

    /* Properties, under GST_OBJECT_LOCK. */
    vigil_tracker_options options;
    gboolean options_changed; /* the streaming thread hands them to the tracker */
    gboolean keep_unconfirmed;
    gboolean reset_pending; /* a flush: the streaming thread forgets every track */

    /* Streaming state, between start and stop. */
    GstVideoInfo info;
    vigil_tracker *tracker;
    gint id_base; /* added to the tracker's ids, which restart at 1 after a reset */
    gint max_id;  /* the largest id given so far */
    gboolean have_time;
    gdouble last_time;  /* seconds of running time of the previous frame */
    GHashTable *labels; /* class id -> label quark, learned from the detections */
    GArray *detections; /* vigil_tracker_detection of the current frame */
    GPtrArray *metas;   /* the GstVideoRegionOfInterestMeta of each detection */
    GArray *owner;      /* per detection: index of its reported track, or -1 */
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-raw(ANY)"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-raw(ANY)"));

#define gst_vigil_track_parent_class parent_class
G_DEFINE_TYPE(GstVigilTrack, gst_vigil_track, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE(vigiltrack, "vigiltrack", GST_RANK_NONE, GST_TYPE_VIGIL_TRACK);

static gboolean start(GstBaseTransform *trans) {
    GstVigilTrack *self = GST_VIGIL_TRACK(trans);
    GST_OBJECT_LOCK(self);
    vigil_tracker_options options = self->options;
    self->options_changed = FALSE;
    self->reset_pending = FALSE;
    GST_OBJECT_UNLOCK(self);
    vigil_error err = {0};
    if (vigil_tracker_create(&options, &self->tracker, &err) < 0) {
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("The tracker options are not valid."),
                          ("%s", err.message));
        return FALSE;
    }
    self->id_base = 0;
    self->max_id = 0;
    self->have_time = FALSE;
    self->last_time = 0;
    self->labels = g_hash_table_new(g_direct_hash, g_direct_equal);
    self->detections = g_array_new(FALSE, FALSE, sizeof(vigil_tracker_detection));
    self->metas = g_ptr_array_new();
    self->owner = g_array_new(FALSE, FALSE, sizeof(gint));
    return TRUE;
}

static gboolean stop(GstBaseTransform *trans) {
    GstVigilTrack *self = GST_VIGIL_TRACK(trans);
    g_clear_pointer(&self->tracker, vigil_tracker_free);
    g_clear_pointer(&self->labels, g_hash_table_destroy);
    g_clear_pointer(&self->detections, g_array_unref);
    g_clear_pointer(&self->metas, g_ptr_array_unref);
    g_clear_pointer(&self->owner, g_array_unref);
    return TRUE;
}

static gboolean set_caps(GstBaseTransform *trans, GstCaps *incaps, GstCaps *outcaps) {
    GstVigilTrack *self = GST_VIGIL_TRACK(trans);
    if (!gst_video_info_from_caps(&self->info, incaps)) {
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("Unsupported video caps."),
                          ("%" GST_PTR_FORMAT, incaps));
        return FALSE;
    }
    return TRUE;
}

static gboolean sink_event(GstBaseTransform *trans, GstEvent *event) {
    GstVigilTrack *self = GST_VIGIL_TRACK(trans);
    if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP) {
        /* after a seek the objects on screen are others */
        GST_OBJECT_LOCK(self);
        self->reset_pending = TRUE;
        GST_OBJECT_UNLOCK(self);
    }
    return GST_BASE_TRANSFORM_CLASS(parent_class)->sink_event(trans, event);
}

/* Forgets every track; later ids continue above those already given. */
static void reset_tracker(GstVigilTrack *self) {
    vigil_tracker_reset(self->tracker);
    self->id_base = self->max_id;
    self->have_time = FALSE;
}

/* The frame's time in seconds: its running time, or, for a buffer without a usable PTS,
 * the previous frame's plus one frame duration. */
static gdouble frame_time(GstVigilTrack *self, GstBuffer *buffer) {
    GstBaseTransform *trans = GST_BASE_TRANSFORM(self);
    GstClockTime running = GST_CLOCK_TIME_NONE;
    if (GST_BUFFER_PTS_IS_VALID(buffer) && trans->segment.format == GST_FORMAT_TIME)
        running =
            gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
    if (GST_CLOCK_TIME_IS_VALID(running))
        return (gdouble)running / GST_SECOND;
    if (!self->have_time)
        return 0.0;
    GstClockTime step = GST_SECOND / 30;
    if (GST_BUFFER_DURATION_IS_VALID(buffer))
        step = GST_BUFFER_DURATION(buffer);
    else if (GST_VIDEO_INFO_FPS_N(&self->info) > 0)
        step = gst_util_uint64_scale_int(GST_SECOND, GST_VIDEO_INFO_FPS_D(&self->info),
                                         GST_VIDEO_INFO_FPS_N(&self->info));
    return self->last_time + (gdouble)step / GST_SECOND;
}

/* Gathers the metas carrying a `detection` structure as the tracker's detections. */
static void collect_detections(GstVigilTrack *self, GstBuffer *buffer) {
    g_array_set_size(self->detections, 0);
    g_ptr_array_set_size(self->metas, 0);
    gpointer state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state,
                                                    GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
        GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
        GstStructure *s = gst_video_region_of_interest_meta_get_param(roi, "detection");
        if (s == NULL)
            continue;
        vigil_tracker_detection det = {
            .box = {(gfloat)roi->x, (gfloat)roi->y, (gfloat)roi->w, (gfloat)roi->h},
            .score = 1.0f,
            .class_id = -1};
        gdouble confidence;
        if (gst_structure_get_double(s, "confidence", &confidence))
            det.score = (gfloat)confidence;
        gst_structure_get_int(s, "class_id", &det.class_id);
        if (det.class_id >= 0)
            g_hash_table_insert(self->labels, GINT_TO_POINTER(det.class_id),
                                GUINT_TO_POINTER(roi->roi_type));
        g_array_append_val(self->detections, det);
        g_ptr_array_add(self->metas, roi);
    }
}

static gint public_id(GstVigilTrack *self, const vigil_track *track) {
    gint id = self->id_base + track->id;
    self->max_id = MAX(self->max_id, id);
    return id;
}

static void add_track_param(GstVideoRegionOfInterestMeta *roi, gint id, const vigil_track *track,
                            gdouble now, const gchar *state) {
    gst_video_region_of_interest_meta_add_param(
        roi, gst_structure_new("track", "id", G_TYPE_INT, id, "age", G_TYPE_DOUBLE,
                               MAX(0.0, now - track->first_seen), "state", G_TYPE_STRING, state,
                               "hits", G_TYPE_INT, track->hits, "stationary", G_TYPE_BOOLEAN,
                               (gboolean)track->stationary, NULL));
}

/* Rounds v to a pixel index within [0, limit]. */
static guint to_pixel(gfloat v, gint limit) {
    glong p = lroundf(v);
    return (guint)CLAMP(p, 0, (glong)limit);
}

/* A meta at a track's predicted box, for a frame the detector skipped. */
static void attach_predicted(GstVigilTrack *self, GstBuffer *buffer, const vigil_track *track,
                             gdouble now) {
    gint width = GST_VIDEO_INFO_WIDTH(&self->info), height = GST_VIDEO_INFO_HEIGHT(&self->info);
    guint x0 = to_pixel(track->box[0], width), y0 = to_pixel(track->box[1], height);
    guint x1 = to_pixel(track->box[0] + track->box[2], width);
    guint y1 = to_pixel(track->box[1] + track->box[3], height);
    if (x1 <= x0 || y1 <= y0)
        return; /* predicted out of the frame */
    GQuark label_quark =
        GPOINTER_TO_UINT(g_hash_table_lookup(self->labels, GINT_TO_POINTER(track->class_id)));
    const gchar *label = label_quark != 0 ? g_quark_to_string(label_quark) : "object";
    GstVideoRegionOfInterestMeta *roi =
        gst_buffer_add_video_region_of_interest_meta(buffer, label, x0, y0, x1 - x0, y1 - y0);
    roi->id = public_id(self, track);
    gst_video_region_of_interest_meta_add_param(
        roi, gst_structure_new("detection", "label", G_TYPE_STRING, label, "class_id", G_TYPE_INT,
                               track->class_id, "confidence", G_TYPE_DOUBLE, (gdouble)track->score,
                               NULL));
    add_track_param(roi, roi->id, track, now, "predicted");
}

static gboolean predict(GstVigilTrack *self, GstBuffer *buffer, gdouble now, vigil_error *err) {
    const vigil_track *tracks;
    gint count;
    if (vigil_tracker_predict(self->tracker, now, &tracks, &count, err) < 0)
        return FALSE;
    for (gint i = 0; i < count; i++)
        attach_predicted(self, buffer, &tracks[i], now);
    GST_LOG_OBJECT(self, "%.3f s: detection skipped, %d tracks predicted", now, count);
    return TRUE;
}

/* The tentative track that took detection j this frame, or NULL. */
static const vigil_track *tentative_owner(GstVigilTrack *self, gint j) {
    const vigil_track *all;
    gint n;
    vigil_tracker_tracks(self->tracker, &all, &n);
    for (gint i = 0; i < n; i++)
        if (all[i].state == VIGIL_TRACK_STATE_TENTATIVE && all[i].detection == j)
            return &all[i];
    return NULL;
}

static gboolean update(GstVigilTrack *self, GstBuffer *buffer, gdouble now,
                       gboolean keep_unconfirmed, vigil_error *err) {
    const vigil_track *tracks;
    gint count, n = (gint)self->detections->len;
    if (vigil_tracker_update(self->tracker, now,
                             (const vigil_tracker_detection *)self->detections->data, n, &tracks,
                             &count, err) < 0)
        return FALSE;
    g_array_set_size(self->owner, n);
    for (gint j = 0; j < n; j++)
        g_array_index(self->owner, gint, j) = -1;
    for (gint k = 0; k < count; k++)
        if (tracks[k].detection >= 0 && tracks[k].detection < n)
            g_array_index(self->owner, gint, tracks[k].detection) = k;
    for (gint j = 0; j < n; j++) {
        GstVideoRegionOfInterestMeta *roi = g_ptr_array_index(self->metas, j);
        gint k = g_array_index(self->owner, gint, j);
        if (k >= 0) {
            roi->id = public_id(self, &tracks[k]);
            add_track_param(roi, roi->id, &tracks[k], now, "confirmed");
        } else if (keep_unconfirmed) {
            roi->id = -1;
            const vigil_track *tentative = tentative_owner(self, j);
            if (tentative != NULL)
                add_track_param(roi, -1, tentative, now, "tentative");
        } else {
            gst_buffer_remove_meta(buffer, (GstMeta *)roi);
        }
    }
    GST_LOG_OBJECT(self, "%.3f s: %d detections, %d tracked", now, n, count);
    return TRUE;
}

/* Hands options changed while playing to the tracker; a combination it refuses (a low
 * threshold above the high one) is a warning, and the previous options stay. */
static void apply_options(GstVigilTrack *self, const vigil_tracker_options *options) {
    vigil_error err = {0};
    if (vigil_tracker_set_options(self->tracker, options, &err) < 0)
        GST_ELEMENT_WARNING(self, RESOURCE, SETTINGS,
                            ("The new tracker options are not valid; keeping the previous ones."),
                            ("%s", err.message));
}

static GstFlowReturn transform_ip(GstBaseTransform *trans, GstBuffer *buffer) {
    GstVigilTrack *self = GST_VIGIL_TRACK(trans);
    GST_OBJECT_LOCK(self);
    gboolean options_changed = self->options_changed;
    vigil_tracker_options options = self->options;
    gboolean keep_unconfirmed = self->keep_unconfirmed;
    gboolean reset = self->reset_pending;
    self->options_changed = FALSE;
    self->reset_pending = FALSE;
    GST_OBJECT_UNLOCK(self);
    if (options_changed)
        apply_options(self, &options);
    if (reset)
        reset_tracker(self);

    gdouble now = frame_time(self, buffer);
    if (self->have_time && now < self->last_time) {
        GST_WARNING_OBJECT(self, "time went back from %.3f s to %.3f s: tracks restart",
                           self->last_time, now);
        reset_tracker(self);
    }
    collect_detections(self, buffer);
    vigil_error err = {0};
    gboolean ok;
    if (self->detections->len == 0 && gst_vigil_buffer_detection_skipped(buffer))
        ok = predict(self, buffer, now, &err);
    else
        ok = update(self, buffer, now, keep_unconfirmed, &err);
    if (!ok) {
        GST_ELEMENT_ERROR(self, STREAM, FAILED, ("The tracker failed on the frame at %.3f s.", now),
                          ("%s", err.message));
        return GST_FLOW_ERROR;
    }
    self->have_time = TRUE;
    self->last_time = now;
    return GST_FLOW_OK;
}

static void set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec) {
    GstVigilTrack *self = GST_VIGIL_TRACK(object);
    GST_OBJECT_LOCK(self);
    if (prop_id == PROP_KEEP_UNCONFIRMED) {
        self->keep_unconfirmed = g_value_get_boolean(value);
    } else if (prop_id >= PROP_FIRST_OPTION &&
               prop_id < PROP_FIRST_OPTION + GST_VIGIL_TRACK_N_OPTIONS) {
        gst_vigil_track_options_set(&self->options, prop_id - PROP_FIRST_OPTION, value);
        self->options_changed = TRUE;
    } else {
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
    GST_OBJECT_UNLOCK(self);
}

static void get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec) {
    GstVigilTrack *self = GST_VIGIL_TRACK(object);
    GST_OBJECT_LOCK(self);
    if (prop_id == PROP_KEEP_UNCONFIRMED)
        g_value_set_boolean(value, self->keep_unconfirmed);
    else if (prop_id >= PROP_FIRST_OPTION &&
             prop_id < PROP_FIRST_OPTION + GST_VIGIL_TRACK_N_OPTIONS)
        gst_vigil_track_options_get(&self->options, prop_id - PROP_FIRST_OPTION, value);
    else
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    GST_OBJECT_UNLOCK(self);
}

static void gst_vigil_track_init(GstVigilTrack *self) {
    self->options = vigil_tracker_options_default();
    self->keep_unconfirmed = DEFAULT_PROP_KEEP_UNCONFIRMED;
    /* Metas change; the pixels stay as they are. */
    gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
    gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), FALSE);
}

static void gst_vigil_track_class_init(GstVigilTrackClass *klass) {
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstBaseTransformClass *transform_class = GST_BASE_TRANSFORM_CLASS(klass);
    GST_DEBUG_CATEGORY_INIT(vigil_track_debug, "vigiltrack", 0, "vigil multi-object tracker");
    gst_vigil_detection_skipped_meta_register();

    gobject_class->set_property = set_property;
    gobject_class->get_property = get_property;
    transform_class->start = start;
    transform_class->stop = stop;
    transform_class->set_caps = set_caps;
    transform_class->sink_event = sink_event;
    transform_class->transform_ip = transform_ip;
    transform_class->passthrough_on_same_caps = FALSE;

    /**
     * GstVigilTrack:keep-unconfirmed:
     *
     * Keep the metas of detections that belong to no confirmed track, with `id` -1
     * (and a `track` structure of state "tentative" when they started a track), instead
     * of removing them. Off by default: unconfirmed detections include one-frame false
     * alarms, which would inflate counts and trigger alerts. Can change while playing.
     * Default: false.
     */
    g_object_class_install_property(
        gobject_class, PROP_KEEP_UNCONFIRMED,
        g_param_spec_boolean(
            "keep-unconfirmed", "Keep unconfirmed",
            "Keep detections of no confirmed track, with id -1", DEFAULT_PROP_KEEP_UNCONFIRMED,
            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
    gst_vigil_track_options_install(gobject_class, PROP_FIRST_OPTION);

    gst_element_class_add_static_pad_template(element_class, &sink_template);
    gst_element_class_add_static_pad_template(element_class, &src_template);
    gst_element_class_set_static_metadata(
        element_class, "vigil object tracker", "Filter/Analyzer/Video",
        "Tracks detected objects and writes track ids into their region-of-interest metas",
        "vigil");
}
