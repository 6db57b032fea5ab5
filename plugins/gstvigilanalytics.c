/**
 * SECTION:element-vigilanalytics
 * @title: vigilanalytics
 *
 * Watches tracked objects with the rules of a rules file (zones, lines, intrusion,
 * loitering, crowding, line crossing, wrong way, speed, abandoned objects, camera
 * tampering, anomaly score; see docs/alerts.md) and raises alerts.
 *
 * Input: the #GstVideoRegionOfInterestMeta of each frame with a track id (`id` >= 0,
 * as vigiltrack writes it), their `detection` structure (`class_id`, `confidence`) and
 * `track` structure (`state`: "tentative" tracks never alert). The frame's pixels feed
 * the tamper rule and the JPEG snapshots of new alerts. Time is the buffers' running
 * time in seconds; the alerts' wall-clock timestamps are the frames' capture time
 * (see #GstVigilAnalytics:start-time).
 *
 * Output, for every alert (the alert JSON of DESIGN.md):
 *
 * - a VigilAlertMeta (gstvigilalertmeta.h) on the frame;
 * - an element message named `vigil-alert` on the bus, with the same fields (`json`,
 *   `alert-id`, `type`, `event`, `rule`, `severity`, ...);
 * - on the region-of-interest metas of the objects an active alert involves, a
 *   parameter structure `alert` {`type`, `rule`, `severity`, `zone`/`line`} (the most
 *   severe when several, of those the newest), so that vigiloverlay can highlight
 *   them. A line crossing marks its object for one second.
 * - on every frame while an alert is active (a line crossing: for one second), a
 *   VigilActiveAlertMeta (gstvigilalertmarks.h) with its `type`, `rule`, `zone`/`line`,
 *   `severity`, `started-at`, `count` and `reason`, so that alerts about no object in
 *   particular (tamper, crowding) can be shown for as long as they last.
 *
 * At the end of the stream the incidents still open end (`end_reason: stream_end`);
 * those alerts go downstream as `vigil-alert` custom events before EOS. The anomaly
 * models are saved to their state files then (and on stop), and restored at start.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -m filesrc location=vtest.avi ! decodebin ! videoconvert ! vigildetect !
 * vigiltrack ! vigilanalytics rules=pipelines/demo-rules.json ! fakesink
 * ]| Prints every alert as a `vigil-alert` message.
 */
#include "gstvigilanalytics.h"
#include "gstvigilalertmarks.h"
#include "gstvigilalertmeta.h"

#include "vigil/analytics.h"

#include <gst/video/video.h>
#include <stdlib.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC(vigil_analytics_debug);
#define GST_CAT_DEFAULT vigil_analytics_debug

#define DEFAULT_PROP_RULES NULL
#define DEFAULT_PROP_CAMERA_ID NULL
#define DEFAULT_PROP_ANOMALY_STATE NULL
#define DEFAULT_PROP_SNAPSHOTS TRUE
#define DEFAULT_PROP_POST_MESSAGES TRUE
#define DEFAULT_PROP_START_TIME -1.0

/* A capture time further back than this is not believed (a paused pipeline, a clock
 * jump): the frame is stamped with the current time. */
#define MAX_CAPTURE_LAG (60 * GST_SECOND)

enum {
    PROP_0,
    PROP_RULES,
    PROP_CAMERA_ID,
    PROP_ANOMALY_STATE,
    PROP_SNAPSHOTS,
    PROP_POST_MESSAGES,
    PROP_START_TIME,
    PROP_ALERT_COUNT,
};

struct _GstVigilAnalytics {
    GstBaseTransform parent;

    /* Properties, under GST_OBJECT_LOCK. */
    gchar *rules_path;
    gchar *camera_id;
    gchar *anomaly_state;
    gboolean snapshots;
    gboolean post_messages;
    gdouble start_time;
    gboolean rules_changed; /* the streaming thread loads the rules again */
    guint64 alert_count;

    /* Streaming state, between start and stop. */
    GstVideoInfo info;
    GstVideoConverter *converter; /* to RGB, when the input is another format */
    GstBuffer *rgb;               /* the converted frame */
    GstVideoInfo rgb_info;
    vigil_rules *rules;
    vigil_analytics *engine; /* NULL after EOS until the next frame */
    gboolean needs_image;    /* a tamper rule or snapshots */
    guint64 frame_index;
    gboolean have_frame;
    vigil_analytics_frame last; /* the previous frame (without image) */
    GArray *objects;            /* vigil_track_object of the current frame */
    GstVigilAlertMarks *marks;  /* the objects of active alerts */
};

#define VIDEO_FORMATS                                                                              \
    "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420, YV12, NV12, NV21, YUY2, "   \
    "UYVY, GRAY8 }"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE(VIDEO_FORMATS)));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE(VIDEO_FORMATS)));

#define gst_vigil_analytics_parent_class parent_class
G_DEFINE_TYPE(GstVigilAnalytics, gst_vigil_analytics, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE(vigilanalytics, "vigilanalytics", GST_RANK_NONE,
                            GST_TYPE_VIGIL_ANALYTICS);

/* Replaces a string the rules loader allocated (rules_free releases it with free()). */
static gboolean replace_rules_string(char **field, const gchar *value) {
    char *copy = strdup(value);
    if (copy == NULL)
        return FALSE;
    free(*field);
    *field = copy;
    return TRUE;
}

/* The state file of one anomaly rule: the anomaly-state path itself when the rules have
 * one anomaly rule, else the path with the rule's name before its extension
 * (state.json -> state.unusual.json), so that the models do not overwrite each other. */
static gchar *anomaly_state_path(const gchar *path, const gchar *rule, gint anomaly_rules) {
    if (anomaly_rules <= 1)
        return g_strdup(path);
    const gchar *dot = strrchr(path, '.');
    const gchar *slash = strrchr(path, '/');
    if (dot == NULL || (slash != NULL && dot < slash))
        return g_strdup_printf("%s.%s", path, rule);
    return g_strdup_printf("%.*s.%s%s", (gint)(dot - path), path, rule, dot);
}

/* Loads and adjusts the rules (camera id, state files, snapshots). On failure returns
 * NULL with *message set (newly allocated). */
static vigil_rules *load_rules(GstVigilAnalytics *self, const gchar *path, const gchar *camera_id,
                               const gchar *anomaly_state, gboolean snapshots, gchar **message) {
    vigil_error err = {0};
    vigil_rules *rules = NULL;
    if (vigil_rules_load(path, &rules, &err) < 0) {
        *message = g_strdup(err.message);
        return NULL;
    }
    gint anomaly_rules = 0;
    for (gint i = 0; i < rules->rule_count; i++)
        anomaly_rules += rules->rules[i].type == VIGIL_RULE_ANOMALY;
    gboolean ok = camera_id == NULL || replace_rules_string(&rules->camera_id, camera_id);
    for (gint i = 0; i < rules->rule_count && ok; i++) {
        vigil_rule *r = &rules->rules[i];
        if (!snapshots)
            r->snapshot = false;
        if (r->type == VIGIL_RULE_ANOMALY && anomaly_state != NULL) {
            gchar *file = anomaly_state_path(anomaly_state, r->name, anomaly_rules);
            ok = replace_rules_string(&r->anomaly.state_file, file);
            g_free(file);
        }
    }
    if (!ok) {
        vigil_rules_free(rules);
        *message = g_strdup("out of memory");
        return NULL;
    }
    if (anomaly_state != NULL && anomaly_rules == 0)
        GST_WARNING_OBJECT(self, "anomaly-state is set but %s has no anomaly rule", path);
    return rules;
}

static gboolean rules_need_image(const vigil_rules *rules) {
    for (gint i = 0; i < rules->rule_count; i++)
        if (rules->rules[i].type == VIGIL_RULE_TAMPER || rules->rules[i].snapshot)
            return TRUE;
    return FALSE;
}

/* Hands alerts on: as metas on buffer (or, without one, as downstream events appended
 * to events), as bus messages, and into the marks. */
static void emit_alerts(GstVigilAnalytics *self, GstBuffer *buffer, GPtrArray *events,
                        const vigil_alert *alerts, gint count, gboolean post) {
    for (gint i = 0; i < count; i++) {
        const vigil_alert *a = &alerts[i];
        char *json = NULL;
        size_t len;
        vigil_error err = {0};
        if (vigil_alert_to_json(a, &json, &len, &err) < 0) {
            GST_ELEMENT_WARNING(self, STREAM, FAILED, ("An alert could not be serialised."),
                                ("%s", err.message));
            continue;
        }
        GST_INFO_OBJECT(self, "alert %s %s '%s' (%d objects) at %.3f s, frame %" G_GINT64_FORMAT,
                        vigil_alert_event_name(a->event), vigil_rule_type_name(a->type), a->rule,
                        a->object_count, a->pts, (gint64)a->frame);
        GstStructure *fields = gst_vigil_alert_structure_new(GST_VIGIL_ALERT_NAME, a, json);
        free(json);
        if (buffer != NULL)
            gst_vigil_buffer_add_alert(buffer, fields);
        else if (events != NULL)
            g_ptr_array_add(events, gst_vigil_alert_event_new(fields));
        gst_vigil_alert_marks_update(self->marks, a);
        GST_OBJECT_LOCK(self);
        self->alert_count++;
        GST_OBJECT_UNLOCK(self);
        if (post)
            gst_element_post_message(GST_ELEMENT(self),
                                     gst_message_new_element(GST_OBJECT(self), fields));
        else
            gst_structure_free(fields);
    }
}

/* Ends the engine's open incidents (their alerts go as emit_alerts says) and frees it.
 * The anomaly models are saved by the finish. The rules stay. */
static void close_engine(GstVigilAnalytics *self, GstBuffer *buffer, GPtrArray *events,
                         gboolean post) {
    if (self->engine == NULL)
        return;
    if (self->have_frame) {
        const vigil_alert *alerts = NULL;
        int count = 0;
        vigil_error err = {0};
        if (vigil_analytics_finish(self->engine, &self->last, &alerts, &count, &err) < 0)
            GST_ELEMENT_WARNING(self, RESOURCE, WRITE,
                                ("Could not finish the analytics (open alerts or the anomaly "
                                 "state may be lost)."),
                                ("%s", err.message));
        else
            emit_alerts(self, buffer, events, alerts, count, post);
    }
    g_clear_pointer(&self->engine, vigil_analytics_free);
    gst_vigil_alert_marks_clear(self->marks);
    self->have_frame = FALSE;
}

static gboolean open_engine(GstVigilAnalytics *self, gchar **message) {
    vigil_error err = {0};
    if (vigil_analytics_create(self->rules, &self->engine, &err) < 0) {
        *message = g_strdup(err.message);
        return FALSE;
    }
    self->needs_image = rules_need_image(self->rules);
    return TRUE;
}

static gboolean start(GstBaseTransform *trans) {
    GstVigilAnalytics *self = GST_VIGIL_ANALYTICS(trans);
    GST_OBJECT_LOCK(self);
    gchar *path = g_strdup(self->rules_path);
    gchar *camera_id = g_strdup(self->camera_id);
    gchar *anomaly_state = g_strdup(self->anomaly_state);
    gboolean snapshots = self->snapshots;
    self->rules_changed = FALSE;
    self->alert_count = 0;
    GST_OBJECT_UNLOCK(self);

    gboolean ok = FALSE;
    gchar *message = NULL;
    if (path == NULL || *path == '\0') {
        GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("No rules file given."),
                          ("set the rules property to a rules file (see docs/alerts.md)"));
        goto done;
    }
    self->rules = load_rules(self, path, camera_id, anomaly_state, snapshots, &message);
    if (self->rules == NULL) {
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Could not use the rules file %s.", path),
                          ("%s", message));
        goto done;
    }
    if (!open_engine(self, &message)) {
        GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ,
                          ("Could not start the analytics for the rules file %s.", path),
                          ("%s", message));
        g_clear_pointer(&self->rules, vigil_rules_free);
        goto done;
    }
    self->objects = g_array_new(FALSE, FALSE, sizeof(vigil_track_object));
    self->marks = gst_vigil_alert_marks_new();
    self->frame_index = 0;
    self->have_frame = FALSE;
    GST_INFO_OBJECT(self, "rules %s: camera %s, %d zones, %d lines, %d rules", path,
                    self->rules->camera_id, self->rules->zone_count, self->rules->line_count,
                    self->rules->rule_count);
    ok = TRUE;
done:
    g_free(message);
    g_free(path);
    g_free(camera_id);
    g_free(anomaly_state);
    return ok;
}

static gboolean stop(GstBaseTransform *trans) {
    GstVigilAnalytics *self = GST_VIGIL_ANALYTICS(trans);
    GST_OBJECT_LOCK(self);
    gboolean post = self->post_messages;
    GST_OBJECT_UNLOCK(self);
    /* nothing flows any more: the last alerts can only go to the bus */
    if (self->marks != NULL)
        close_engine(self, NULL, NULL, post);
    g_clear_pointer(&self->rules, vigil_rules_free);
    g_clear_pointer(&self->objects, g_array_unref);
    g_clear_pointer(&self->marks, gst_vigil_alert_marks_free);
    g_clear_pointer(&self->converter, gst_video_converter_free);
    gst_clear_buffer(&self->rgb);
    return TRUE;
}

static gboolean set_caps(GstBaseTransform *trans, GstCaps *incaps, GstCaps *outcaps) {
    GstVigilAnalytics *self = GST_VIGIL_ANALYTICS(trans);
    if (!gst_video_info_from_caps(&self->info, incaps)) {
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("Unsupported video caps."),
                          ("%" GST_PTR_FORMAT, incaps));
        return FALSE;
    }
    /* the converter and its buffer are made again for the new size on the next frame */
    g_clear_pointer(&self->converter, gst_video_converter_free);
    gst_clear_buffer(&self->rgb);
    return TRUE;
}

/* The frame as RGB for the engine: the buffer itself when it is RGB, else converted.
 * Leaves *in (and *rgb when converted) mapped; the caller unmaps with unmap_image. */
static gboolean map_image(GstVigilAnalytics *self, GstBuffer *buffer, GstVideoFrame *in,
                          GstVideoFrame *rgb, vigil_alert_image *image) {
    if (!gst_video_frame_map(in, &self->info, buffer, GST_MAP_READ))
        return FALSE;
    const GstVideoFrame *source = in;
    if (GST_VIDEO_INFO_FORMAT(&self->info) != GST_VIDEO_FORMAT_RGB) {
        if (self->converter == NULL) {
            gst_video_info_set_format(&self->rgb_info, GST_VIDEO_FORMAT_RGB,
                                      GST_VIDEO_INFO_WIDTH(&self->info),
                                      GST_VIDEO_INFO_HEIGHT(&self->info));
            /* the converter changes the format only */
            self->rgb_info.fps_n = self->info.fps_n;
            self->rgb_info.fps_d = self->info.fps_d;
            self->rgb_info.par_n = self->info.par_n;
            self->rgb_info.par_d = self->info.par_d;
            self->rgb_info.interlace_mode = self->info.interlace_mode;
            self->converter = gst_video_converter_new(&self->info, &self->rgb_info, NULL);
            self->rgb = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&self->rgb_info), NULL);
        }
        if (self->converter == NULL ||
            !gst_video_frame_map(rgb, &self->rgb_info, self->rgb, GST_MAP_WRITE)) {
            gst_video_frame_unmap(in);
            return FALSE;
        }
        gst_video_converter_frame(self->converter, in, rgb);
        source = rgb;
    }
    image->width = GST_VIDEO_FRAME_WIDTH(source);
    image->height = GST_VIDEO_FRAME_HEIGHT(source);
    image->stride = GST_VIDEO_FRAME_PLANE_STRIDE(source, 0);
    image->rgb = GST_VIDEO_FRAME_PLANE_DATA(source, 0);
    return TRUE;
}

static void unmap_image(GstVigilAnalytics *self, GstVideoFrame *in, GstVideoFrame *rgb) {
    if (GST_VIDEO_INFO_FORMAT(&self->info) != GST_VIDEO_FORMAT_RGB)
        gst_video_frame_unmap(rgb);
    gst_video_frame_unmap(in);
}

/* The tracked objects of the frame, from its region-of-interest metas. */
static void collect_objects(GstVigilAnalytics *self, GstBuffer *buffer) {
    g_array_set_size(self->objects, 0);
    gpointer state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state,
                                                    GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
        GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
        if (roi->id < 0)
            continue; /* not tracked */
        vigil_track_object o = {
            .track_id = roi->id,
            .class_id = -1,
            .label = g_quark_to_string(roi->roi_type),
            .box = {(gfloat)roi->x, (gfloat)roi->y, (gfloat)roi->w, (gfloat)roi->h},
            .confidence = 1.0f,
            .confirmed = TRUE};
        GstStructure *det = gst_video_region_of_interest_meta_get_param(roi, "detection");
        gdouble confidence;
        if (det != NULL) {
            gst_structure_get_int(det, "class_id", &o.class_id);
            if (gst_structure_get_double(det, "confidence", &confidence))
                o.confidence = (gfloat)CLAMP(confidence, 0.0, 1.0);
            if (o.label == NULL)
                o.label = gst_structure_get_string(det, "label");
        }
        GstStructure *track = gst_video_region_of_interest_meta_get_param(roi, "track");
        const gchar *track_state = track ? gst_structure_get_string(track, "state") : NULL;
        if (track_state != NULL && strcmp(track_state, "tentative") == 0)
            o.confirmed = FALSE;
        g_array_append_val(self->objects, o);
    }
}

/* Seconds of running time of the buffer; without a usable PTS, the previous frame's
 * plus one frame duration. */
static gdouble frame_pts(GstVigilAnalytics *self, GstBuffer *buffer, GstClockTime *running) {
    GstBaseTransform *trans = GST_BASE_TRANSFORM(self);
    *running = GST_CLOCK_TIME_NONE;
    if (GST_BUFFER_PTS_IS_VALID(buffer) && trans->segment.format == GST_FORMAT_TIME)
        *running =
            gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
    if (GST_CLOCK_TIME_IS_VALID(*running))
        return (gdouble)*running / GST_SECOND;
    if (!self->have_frame)
        return 0.0;
    GstClockTime step = GST_SECOND / 30;
    if (GST_BUFFER_DURATION_IS_VALID(buffer))
        step = GST_BUFFER_DURATION(buffer);
    else if (GST_VIDEO_INFO_FPS_N(&self->info) > 0)
        step = gst_util_uint64_scale_int(GST_SECOND, GST_VIDEO_INFO_FPS_D(&self->info),
                                         GST_VIDEO_INFO_FPS_N(&self->info));
    return self->last.pts + (gdouble)step / GST_SECOND;
}

/* The frame's wall clock (UNIX seconds): start-time + pts when start-time is set (a
 * replay with reproducible alert ids); else when the frame was captured, which is now
 * minus how far the pipeline clock is past the frame's running time (a live source's
 * latency), or now for a file read faster than real time. Never goes backwards. */
static gdouble frame_wall_clock(GstVigilAnalytics *self, GstClockTime running, gdouble pts,
                                gdouble start_time) {
    if (start_time >= 0)
        return start_time + pts;
    gdouble now = (gdouble)g_get_real_time() / G_USEC_PER_SEC;
    GstClock *clock = gst_element_get_clock(GST_ELEMENT(self));
    if (clock != NULL && GST_CLOCK_TIME_IS_VALID(running)) {
        GstClockTime clock_now = gst_clock_get_time(clock);
        GstClockTime base = gst_element_get_base_time(GST_ELEMENT(self));
        GstClockTime clock_running = clock_now > base ? clock_now - base : 0;
        if (clock_running > running && clock_running - running < MAX_CAPTURE_LAG)
            now -= (gdouble)(clock_running - running) / GST_SECOND;
    }
    if (clock != NULL)
        gst_object_unref(clock);
    return self->have_frame ? MAX(now, self->last.time) : now;
}

/* Loads the rules again after the rules or camera-id property changed while playing.
 * The old engine's open incidents end on this frame. A file that does not load is a
 * warning, and the old rules stay. */
static void reload_rules(GstVigilAnalytics *self, GstBuffer *buffer, gboolean post) {
    GST_OBJECT_LOCK(self);
    gchar *path = g_strdup(self->rules_path);
    gchar *camera_id = g_strdup(self->camera_id);
    gchar *anomaly_state = g_strdup(self->anomaly_state);
    gboolean snapshots = self->snapshots;
    GST_OBJECT_UNLOCK(self);
    gchar *message = NULL;
    vigil_rules *rules =
        path ? load_rules(self, path, camera_id, anomaly_state, snapshots, &message) : NULL;
    if (rules == NULL) {
        GST_ELEMENT_WARNING(self, RESOURCE, SETTINGS,
                            ("Could not use the rules file %s; keeping the previous rules.",
                             path ? path : "(none)"),
                            ("%s", message ? message : "no rules file given"));
        goto done;
    }
    gboolean have_frame = self->have_frame;
    vigil_analytics_frame last = self->last;
    close_engine(self, buffer, NULL, post);
    vigil_rules_free(self->rules);
    self->rules = rules;
    if (!open_engine(self, &message)) {
        GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ,
                          ("Could not start the analytics for the rules file %s.", path),
                          ("%s", message));
        goto done;
    }
    /* the timeline goes on: the new engine must not see time go backwards */
    self->have_frame = have_frame;
    self->last = last;
    GST_INFO_OBJECT(self, "rules %s loaded: %d rules", path, rules->rule_count);
done:
    g_free(message);
    g_free(path);
    g_free(camera_id);
    g_free(anomaly_state);
}

static GstFlowReturn transform_ip(GstBaseTransform *trans, GstBuffer *buffer) {
    GstVigilAnalytics *self = GST_VIGIL_ANALYTICS(trans);
    GST_OBJECT_LOCK(self);
    gboolean reload = self->rules_changed;
    gboolean post = self->post_messages;
    gdouble start_time = self->start_time;
    self->rules_changed = FALSE;
    GST_OBJECT_UNLOCK(self);

    if (reload)
        reload_rules(self, buffer, post);
    gchar *message = NULL;
    if (self->engine == NULL && !open_engine(self, &message)) { /* after EOS */
        GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ, ("Could not restart the analytics."),
                          ("%s", message));
        g_free(message);
        return GST_FLOW_ERROR;
    }

    GstClockTime running;
    gdouble pts = frame_pts(self, buffer, &running);
    if (self->have_frame && pts < self->last.pts) {
        /* a seek or a new segment: the incidents of the old timeline end here */
        GST_INFO_OBJECT(self, "time went back from %.3f s to %.3f s: analytics restart",
                        self->last.pts, pts);
        close_engine(self, buffer, NULL, post);
        if (!open_engine(self, &message)) {
            GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ, ("Could not restart the analytics."),
                              ("%s", message));
            g_free(message);
            return GST_FLOW_ERROR;
        }
    }
    vigil_analytics_frame frame = {.frame = (int64_t)self->frame_index,
                                   .pts = pts,
                                   .time = frame_wall_clock(self, running, pts, start_time)};
    collect_objects(self, buffer);

    GstVideoFrame in, rgb;
    vigil_alert_image image;
    gboolean mapped = FALSE;
    if (self->needs_image) {
        mapped = map_image(self, buffer, &in, &rgb, &image);
        if (mapped)
            frame.image = &image;
        else
            GST_WARNING_OBJECT(self,
                               "frame %" G_GUINT64_FORMAT " could not be read: no tamper "
                               "check or snapshot for it",
                               self->frame_index);
    }
    const vigil_alert *alerts = NULL;
    int count = 0;
    vigil_error err = {0};
    vigil_status st = vigil_analytics_update(self->engine, &frame,
                                             (const vigil_track_object *)self->objects->data,
                                             (int)self->objects->len, &alerts, &count, &err);
    if (mapped)
        unmap_image(self, &in, &rgb);
    if (st < 0) {
        GST_ELEMENT_ERROR(
            self, STREAM, FAILED,
            ("The analytics failed on frame %" G_GUINT64_FORMAT ".", self->frame_index),
            ("%s", err.message));
        return GST_FLOW_ERROR;
    }
    frame.image = NULL;
    self->last = frame;
    self->have_frame = TRUE;
    self->frame_index++;
    emit_alerts(self, buffer, NULL, alerts, count, post);
    gst_vigil_alert_marks_apply(self->marks, buffer, pts);
    return GST_FLOW_OK;
}

/* At EOS the open incidents end; their alerts have no frame left, so they travel as
 * events ahead of the EOS. */
static gboolean sink_event(GstBaseTransform *trans, GstEvent *event) {
    GstVigilAnalytics *self = GST_VIGIL_ANALYTICS(trans);
    if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && self->engine != NULL) {
        GST_OBJECT_LOCK(self);
        gboolean post = self->post_messages;
        GST_OBJECT_UNLOCK(self);
        GPtrArray *events = g_ptr_array_new();
        close_engine(self, NULL, events, post);
        for (guint i = 0; i < events->len; i++)
            gst_pad_push_event(GST_BASE_TRANSFORM_SRC_PAD(trans), g_ptr_array_index(events, i));
        g_ptr_array_free(events, TRUE);
    }
    return GST_BASE_TRANSFORM_CLASS(parent_class)->sink_event(trans, event);
}

static void set_string(gchar **field, const GValue *value) {
    g_free(*field);
    *field = g_value_dup_string(value);
}

static void set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec) {
    GstVigilAnalytics *self = GST_VIGIL_ANALYTICS(object);
    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_RULES:
        set_string(&self->rules_path, value);
        self->rules_changed = TRUE;
        break;
    case PROP_CAMERA_ID:
        set_string(&self->camera_id, value);
        self->rules_changed = TRUE;
        break;
    case PROP_ANOMALY_STATE:
        set_string(&self->anomaly_state, value);
        break;
    case PROP_SNAPSHOTS:
        self->snapshots = g_value_get_boolean(value);
        break;
    case PROP_POST_MESSAGES:
        self->post_messages = g_value_get_boolean(value);
        break;
    case PROP_START_TIME:
        self->start_time = g_value_get_double(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec) {
    GstVigilAnalytics *self = GST_VIGIL_ANALYTICS(object);
    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_RULES:
        g_value_set_string(value, self->rules_path);
        break;
    case PROP_CAMERA_ID:
        g_value_set_string(value, self->camera_id);
        break;
    case PROP_ANOMALY_STATE:
        g_value_set_string(value, self->anomaly_state);
        break;
    case PROP_SNAPSHOTS:
        g_value_set_boolean(value, self->snapshots);
        break;
    case PROP_POST_MESSAGES:
        g_value_set_boolean(value, self->post_messages);
        break;
    case PROP_START_TIME:
        g_value_set_double(value, self->start_time);
        break;
    case PROP_ALERT_COUNT:
        g_value_set_uint64(value, self->alert_count);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void finalize(GObject *object) {
    GstVigilAnalytics *self = GST_VIGIL_ANALYTICS(object);
    g_free(self->rules_path);
    g_free(self->camera_id);
    g_free(self->anomaly_state);
    G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void gst_vigil_analytics_init(GstVigilAnalytics *self) {
    self->rules_path = g_strdup(DEFAULT_PROP_RULES);
    self->camera_id = g_strdup(DEFAULT_PROP_CAMERA_ID);
    self->anomaly_state = g_strdup(DEFAULT_PROP_ANOMALY_STATE);
    self->snapshots = DEFAULT_PROP_SNAPSHOTS;
    self->post_messages = DEFAULT_PROP_POST_MESSAGES;
    self->start_time = DEFAULT_PROP_START_TIME;
    /* Metas are added to the frame, whose pixels stay as they are. */
    gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
    gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), FALSE);
}

static void gst_vigil_analytics_class_init(GstVigilAnalyticsClass *klass) {
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstBaseTransformClass *transform_class = GST_BASE_TRANSFORM_CLASS(klass);
    GST_DEBUG_CATEGORY_INIT(vigil_analytics_debug, "vigilanalytics", 0, "vigil rules and alerts");
    gst_vigil_alert_meta_register();
    gst_vigil_active_alert_meta_register();

    gobject_class->set_property = set_property;
    gobject_class->get_property = get_property;
    gobject_class->finalize = finalize;
    transform_class->start = start;
    transform_class->stop = stop;
    transform_class->set_caps = set_caps;
    transform_class->transform_ip = transform_ip;
    transform_class->sink_event = sink_event;
    transform_class->passthrough_on_same_caps = FALSE;

    GParamFlags ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
    GParamFlags playing = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;
    /**
     * GstVigilAnalytics:rules:
     *
     * The rules file (JSON: zones, lines, rules; docs/alerts.md). Required. Changed
     * while playing, it is loaded at the next frame: the open incidents end there and
     * the new rules start; a file that does not load is a warning and the previous
     * rules stay. Default: unset.
     */
    g_object_class_install_property(
        gobject_class, PROP_RULES,
        g_param_spec_string("rules", "Rules", "Rules file (JSON)", DEFAULT_PROP_RULES, playing));
    /**
     * GstVigilAnalytics:camera-id:
     *
     * The camera id of the alerts (their Kafka key), instead of the rules file's
     * `camera_id`. Changed while playing, it applies like a new rules file. Default:
     * unset (the rules file's).
     */
    g_object_class_install_property(
        gobject_class, PROP_CAMERA_ID,
        g_param_spec_string("camera-id", "Camera id",
                            "Camera id of the alerts (unset = the rules')", DEFAULT_PROP_CAMERA_ID,
                            playing));
    /**
     * GstVigilAnalytics:anomaly-state:
     *
     * File the learned anomaly model is saved to (at EOS, on stop, and every 60 s of
     * stream time) and restored from at start, instead of the rules' `state_file`. With
     * several anomaly rules each gets the file name with its rule's name before the
     * extension. Default: unset (the rules' state_file, if any).
     */
    g_object_class_install_property(gobject_class, PROP_ANOMALY_STATE,
                                    g_param_spec_string("anomaly-state", "Anomaly state",
                                                        "File of the learned anomaly model",
                                                        DEFAULT_PROP_ANOMALY_STATE, ready));
    /**
     * GstVigilAnalytics:snapshots:
     *
     * Attach a JPEG of the frame, with the alert's boxes drawn, to start and instant
     * alerts of rules that ask for one (the default of every rule). Off saves the
     * encoding and keeps messages small. Default: true.
     */
    g_object_class_install_property(gobject_class, PROP_SNAPSHOTS,
                                    g_param_spec_boolean("snapshots", "Snapshots",
                                                         "JPEG snapshots in new alerts",
                                                         DEFAULT_PROP_SNAPSHOTS, ready));
    /**
     * GstVigilAnalytics:post-messages:
     *
     * Post every alert as a `vigil-alert` element message on the bus. Can change while
     * playing. Default: true.
     */
    g_object_class_install_property(gobject_class, PROP_POST_MESSAGES,
                                    g_param_spec_boolean("post-messages", "Post messages",
                                                         "Post vigil-alert bus messages",
                                                         DEFAULT_PROP_POST_MESSAGES, playing));
    /**
     * GstVigilAnalytics:start-time:
     *
     * Wall clock (UNIX seconds) of running time 0, for replays: alerts are stamped
     * start-time + pts, so the same input gives the same alert ids, as with `vigil
     * analyze --start-time`. -1 stamps each frame with the time it was captured (now,
     * less a live source's latency). -1 or 0 to 1e11. Default: -1.
     */
    g_object_class_install_property(
        gobject_class, PROP_START_TIME,
        g_param_spec_double("start-time", "Start time",
                            "UNIX time of running time 0 (-1 = the capture time)", -1.0, 1e11,
                            DEFAULT_PROP_START_TIME, ready));
    /**
     * GstVigilAnalytics:alert-count:
     *
     * Alerts raised since the element started (start, update, end and instant events;
     * read-only). Default: 0.
     */
    g_object_class_install_property(
        gobject_class, PROP_ALERT_COUNT,
        g_param_spec_uint64("alert-count", "Alert count", "Alerts raised since start", 0,
                            G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

    gst_element_class_add_static_pad_template(element_class, &sink_template);
    gst_element_class_add_static_pad_template(element_class, &src_template);
    gst_element_class_set_static_metadata(
        element_class, "vigil analytics", "Filter/Analyzer/Video",
        "Watches tracked objects with zone, line and behaviour rules and raises alerts", "vigil");
}
