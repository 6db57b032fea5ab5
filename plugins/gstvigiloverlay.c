/**
 * SECTION:element-vigiloverlay
 * @title: vigiloverlay
 *
 * Draws onto the video, in place:
 *
 * - the zones (outlines, with their names) and lines (with an arrow for the counted
 *   direction) of the #GstVigilOverlay:rules file, under everything else;
 * - each track's trail: the bottom centres (where analytics places an object) of its
 *   last #GstVigilOverlay:trail-length boxes;
 * - a box per #GstVideoRegionOfInterestMeta with a label tab: "person #12 0.83" (the
 *   meta's `roi_type`, its track id when it has one, the `detection` confidence). A
 *   tracked object keeps its color (chosen by track id), an untracked one has its
 *   class's color.
 *
 * Alerts: an object whose meta carries a parameter structure named `alert` is drawn in
 * red with a thicker box and "ALERT <rule>: " before its label. The structure's fields
 * are all optional strings: `rule` (the rule's name), `type` (the rule type, shown
 * when there is no name), and `zone` / `line`, whose outline is then drawn in red too.
 * vigilanalytics attaches it; any element can.
 *
 * Active alerts: with #GstVigilOverlay:draw-banner, a red banner across the top of the
 * frame lists the frame's VigilActiveAlertMeta (gstvigilalertmarks.h), one line each:
 * "TAMPER: blackout", "CROWDING plaza: 7 people", "INTRUSION lawn: keep-off-lawn". It
 * shows alerts about no object (tamper, a crowd as a whole) for as long as they last;
 * their zone or line is drawn in red too.
 *
 * Formats: RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR (drawn pixels are
 * opaque), I420 and NV12 (BT.601 colors, chroma at half resolution), so it fits
 * before an encoder without a conversion.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=vtest.avi ! decodebin ! vigildetect ! vigiltrack !
 * vigiloverlay rules=alerts/examples/plaza.json ! videoconvert ! x264enc ! mp4mux !
 * filesink location=annotated.mp4
 * ]| Writes the footage with boxes, track ids, trails, the lawn zone and the path line.
 */
#include "gstvigiloverlay.h"
#include "gstvigilalertmarks.h"
#include "gstvigiltrails.h"

#include "vigil/annotate.h"
#include "vigil/rules.h"

#include <gst/video/video.h>
#include <math.h>

GST_DEBUG_CATEGORY_STATIC(vigil_overlay_debug);
#define GST_CAT_DEFAULT vigil_overlay_debug

#define DEFAULT_PROP_RULES NULL
#define DEFAULT_PROP_DRAW_BOXES TRUE
#define DEFAULT_PROP_DRAW_LABELS TRUE
#define DEFAULT_PROP_DRAW_ZONES TRUE
#define DEFAULT_PROP_SHOW_CONFIDENCE TRUE
#define DEFAULT_PROP_TRAIL_LENGTH 30
#define DEFAULT_PROP_THICKNESS 2
#define DEFAULT_PROP_TEXT_SCALE 1
#define DEFAULT_PROP_DRAW_BANNER TRUE

/* More lines would hide the top of the picture: the last says how many more there are. */
#define BANNER_MAX_LINES 4

static const vigil_annotate_color ALERT_COLOR = {255, 0, 0};
static const vigil_annotate_color ZONE_COLOR = {255, 200, 0};
static const vigil_annotate_color LINE_COLOR = {0, 200, 255};
static const vigil_annotate_color BANNER_TEXT_COLOR = {255, 255, 255};

enum {
    PROP_0,
    PROP_RULES,
    PROP_DRAW_BOXES,
    PROP_DRAW_LABELS,
    PROP_DRAW_ZONES,
    PROP_SHOW_CONFIDENCE,
    PROP_TRAIL_LENGTH,
    PROP_THICKNESS,
    PROP_TEXT_SCALE,
    PROP_DRAW_BANNER,
};

/* What one frame asks to draw, read from the properties once per frame. */
typedef struct {
    gboolean draw_boxes, draw_labels, draw_zones, show_confidence, draw_banner;
    guint trail_length, thickness, text_scale;
} draw_settings;

struct _GstVigilOverlay {
    GstVideoFilter parent;

    /* Properties, under GST_OBJECT_LOCK. */
    gchar *rules_path;
    gboolean rules_changed; /* the streaming thread reloads the rules */
    draw_settings settings;

    /* Streaming state, between start and stop. */
    vigil_rules *rules;
    GstVigilTrails *trails;
    guint64 frame_index;
    GHashTable *alert_zones; /* names of the zones and lines alerts point at this frame */
};

#define VIDEO_FORMATS "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420, NV12 }"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE(VIDEO_FORMATS)));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE(VIDEO_FORMATS)));

#define gst_vigil_overlay_parent_class parent_class
G_DEFINE_TYPE(GstVigilOverlay, gst_vigil_overlay, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE(vigiloverlay, "vigiloverlay", GST_RANK_NONE, GST_TYPE_VIGIL_OVERLAY);

/* Loads the rules file at path (NULL or empty: none) into *out. */
static gboolean load_rules(const gchar *path, vigil_rules **out, vigil_error *err) {
    *out = NULL;
    if (path == NULL || *path == '\0')
        return TRUE;
    return vigil_rules_load(path, out, err) >= 0;
}

static gboolean start(GstBaseTransform *trans) {
    GstVigilOverlay *self = GST_VIGIL_OVERLAY(trans);
    GST_OBJECT_LOCK(self);
    gchar *path = g_strdup(self->rules_path);
    self->rules_changed = FALSE;
    GST_OBJECT_UNLOCK(self);
    vigil_error err = {0};
    gboolean ok = load_rules(path, &self->rules, &err);
    if (!ok)
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Could not read the rules file %s.", path),
                          ("%s", err.message));
    g_free(path);
    if (!ok)
        return FALSE;
    self->trails = gst_vigil_trails_new();
    self->alert_zones = g_hash_table_new(g_str_hash, g_str_equal);
    self->frame_index = 0;
    return TRUE;
}

static gboolean stop(GstBaseTransform *trans) {
    GstVigilOverlay *self = GST_VIGIL_OVERLAY(trans);
    g_clear_pointer(&self->rules, vigil_rules_free);
    g_clear_pointer(&self->trails, gst_vigil_trails_free);
    g_clear_pointer(&self->alert_zones, g_hash_table_destroy);
    return TRUE;
}

/* Rules changed while playing: a file that does not load is a warning, and the
 * previous zones stay. */
static void reload_rules(GstVigilOverlay *self, const gchar *path) {
    vigil_rules *rules;
    vigil_error err = {0};
    if (!load_rules(path, &rules, &err)) {
        GST_ELEMENT_WARNING(self, RESOURCE, SETTINGS,
                            ("Could not read the rules file %s; keeping the previous zones.", path),
                            ("%s", err.message));
        return;
    }
    vigil_rules_free(self->rules);
    self->rules = rules;
}

/* A canvas over the mapped frame, for the formats of the pad templates. */
static vigil_annotate_canvas canvas_from_frame(GstVideoFrame *frame) {
    vigil_annotate_canvas c = {.width = GST_VIDEO_FRAME_WIDTH(frame),
                               .height = GST_VIDEO_FRAME_HEIGHT(frame),
                               .offset_a = -1};
    for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(frame) && p < 3; p++) {
        c.planes[p] = GST_VIDEO_FRAME_PLANE_DATA(frame, p);
        c.strides[p] = GST_VIDEO_FRAME_PLANE_STRIDE(frame, p);
    }
    switch (GST_VIDEO_FRAME_FORMAT(frame)) {
    case GST_VIDEO_FORMAT_I420:
        c.layout = VIGIL_ANNOTATE_LAYOUT_I420;
        break;
    case GST_VIDEO_FORMAT_NV12:
        c.layout = VIGIL_ANNOTATE_LAYOUT_NV12;
        break;
    default:
        /* packed RGB in some order: where each component sits in a pixel */
        c.layout = VIGIL_ANNOTATE_LAYOUT_PACKED;
        c.pixel_bytes = GST_VIDEO_FRAME_COMP_PSTRIDE(frame, 0);
        c.offset_r = GST_VIDEO_FRAME_COMP_OFFSET(frame, GST_VIDEO_COMP_R);
        c.offset_g = GST_VIDEO_FRAME_COMP_OFFSET(frame, GST_VIDEO_COMP_G);
        c.offset_b = GST_VIDEO_FRAME_COMP_OFFSET(frame, GST_VIDEO_COMP_B);
        if (GST_VIDEO_INFO_HAS_ALPHA(&frame->info))
            c.offset_a = GST_VIDEO_FRAME_COMP_OFFSET(frame, GST_VIDEO_COMP_A);
        break;
    }
    return c;
}

/* Adds the zone and line an alert structure names to the set (the strings live in
 * the buffer's metas, which outlive the drawing of this frame). */
static void add_alert_zones(GHashTable *zones, const GstStructure *alert) {
    const gchar *zone = gst_structure_get_string(alert, "zone");
    const gchar *line = gst_structure_get_string(alert, "line");
    if (zone != NULL)
        g_hash_table_add(zones, (gpointer)zone);
    if (line != NULL)
        g_hash_table_add(zones, (gpointer)line);
}

/* The zones and lines alerts of this frame name, so that they are drawn in red: those
 * of objects' alerts and of the frame's active alerts (a crowd has no one object). */
static void collect_alert_zones(GstVigilOverlay *self, GstBuffer *buffer) {
    g_hash_table_remove_all(self->alert_zones);
    gpointer state = NULL;
    const GstStructure *active;
    while ((active = gst_vigil_buffer_iterate_active_alerts(buffer, &state)) != NULL)
        add_alert_zones(self->alert_zones, active);
    state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state,
                                                    GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
        GstStructure *alert = gst_video_region_of_interest_meta_get_param(
            (GstVideoRegionOfInterestMeta *)meta, "alert");
        if (alert != NULL)
            add_alert_zones(self->alert_zones, alert);
    }
}

static void draw_zones(GstVigilOverlay *self, vigil_annotate_canvas *c, const draw_settings *s) {
    const vigil_rules *rules = self->rules;
    gint t = (gint)s->thickness;
    for (gint z = 0; z < rules->zone_count; z++) {
        const vigil_zone *zone = &rules->zones[z];
        gboolean alert = g_hash_table_contains(self->alert_zones, zone->name);
        vigil_annotate_color color = alert ? ALERT_COLOR : ZONE_COLOR;
        gfloat *xy = g_new(gfloat, 2 * zone->count);
        gfloat min_x = G_MAXFLOAT, min_y = G_MAXFLOAT;
        for (gint i = 0; i < zone->count; i++) {
            xy[2 * i] = (gfloat)zone->points[i].x;
            xy[2 * i + 1] = (gfloat)zone->points[i].y;
            min_x = MIN(min_x, xy[2 * i]);
            min_y = MIN(min_y, xy[2 * i + 1]);
        }
        vigil_annotate_polygon(c, xy, zone->count, alert ? 2 * t : t, color);
        g_free(xy);
        if (s->draw_labels)
            vigil_annotate_label(c, (gint)min_x + t, (gint)min_y + t, (gint)s->text_scale,
                                 zone->name, color);
    }
    for (gint l = 0; l < rules->line_count; l++) {
        const vigil_line *line = &rules->lines[l];
        gboolean alert = g_hash_table_contains(self->alert_zones, line->name);
        vigil_annotate_color color = alert ? ALERT_COLOR : LINE_COLOR;
        gint width = alert ? 2 * t : t;
        vigil_annotate_line(c, (gfloat)line->a.x, (gfloat)line->a.y, (gfloat)line->b.x,
                            (gfloat)line->b.y, width, color);
        if (line->directed) {
            /* the counted direction, from the middle of the line */
            gdouble mx = 0.5 * (line->a.x + line->b.x), my = 0.5 * (line->a.y + line->b.y);
            gdouble len = hypot(line->direction.x, line->direction.y);
            gdouble arrow = 30.0 + 4.0 * t;
            if (len > 0)
                vigil_annotate_arrow(c, (gfloat)mx, (gfloat)my,
                                     (gfloat)(mx + arrow * line->direction.x / len),
                                     (gfloat)(my + arrow * line->direction.y / len), width, color);
        }
        if (s->draw_labels)
            vigil_annotate_label(c, (gint)line->a.x + t, (gint)line->a.y + t, (gint)s->text_scale,
                                 line->name, color);
    }
}

/* One object as the overlay sees its meta. */
typedef struct {
    gfloat box[4];
    const gchar *label;
    gint id;
    gint class_id;
    gdouble confidence; /* < 0: unknown */
    const GstStructure *alert;
} object;

static object read_object(GstVideoRegionOfInterestMeta *roi) {
    object o = {.box = {(gfloat)roi->x, (gfloat)roi->y, (gfloat)roi->w, (gfloat)roi->h},
                .label = g_quark_to_string(roi->roi_type),
                .id = roi->id,
                .class_id = -1,
                .confidence = -1,
                .alert = gst_video_region_of_interest_meta_get_param(roi, "alert")};
    GstStructure *det = gst_video_region_of_interest_meta_get_param(roi, "detection");
    if (det != NULL) {
        gst_structure_get_int(det, "class_id", &o.class_id);
        gst_structure_get_double(det, "confidence", &o.confidence);
    }
    if (o.class_id < 0) /* a stable color for labels of other elements too */
        o.class_id = (gint)(g_str_hash(o.label ? o.label : "") & 0xffff);
    return o;
}

static vigil_annotate_color object_color(const object *o) {
    if (o->alert != NULL)
        return ALERT_COLOR;
    return vigil_annotate_palette(o->id >= 0 ? o->id : o->class_id);
}

static void format_label(const object *o, const draw_settings *s, gchar *text, gsize size) {
    GString *label = g_string_new(NULL);
    if (o->alert != NULL) {
        const gchar *rule = gst_structure_get_string(o->alert, "rule");
        if (rule == NULL)
            rule = gst_structure_get_string(o->alert, "type");
        g_string_append_printf(label, "ALERT %s: ", rule ? rule : "");
    }
    g_string_append(label, o->label ? o->label : "object");
    if (o->id >= 0)
        g_string_append_printf(label, " #%d", o->id);
    if (s->show_confidence && o->confidence >= 0)
        g_string_append_printf(label, " %.2f", o->confidence);
    g_strlcpy(text, label->str, size);
    g_string_free(label, TRUE);
}

/* Records this frame's position of every tracked object and draws their trails. */
static void draw_trails(GstVigilOverlay *self, vigil_annotate_canvas *c, const object *objects,
                        guint n, const draw_settings *s) {
    for (guint i = 0; i < n; i++) {
        const object *o = &objects[i];
        if (o->id < 0)
            continue;
        gst_vigil_trails_add(self->trails, o->id, o->box[0] + 0.5f * o->box[2],
                             o->box[1] + o->box[3], self->frame_index, s->trail_length);
    }
    /* a track unseen for a whole trail's length has nothing left to show */
    gst_vigil_trails_prune(self->trails, self->frame_index, s->trail_length);
    gint t = MAX(1, (gint)s->thickness);
    for (guint i = 0; i < n; i++) {
        const object *o = &objects[i];
        guint count;
        const gfloat *xy = o->id >= 0 ? gst_vigil_trails_points(self->trails, o->id, &count) : NULL;
        if (xy == NULL)
            continue;
        vigil_annotate_color color = object_color(o);
        for (guint k = 1; k < count; k++)
            vigil_annotate_line(c, xy[2 * k - 2], xy[2 * k - 1], xy[2 * k], xy[2 * k + 1], t,
                                color);
    }
}

static void draw_objects(vigil_annotate_canvas *c, const object *objects, guint n,
                         const draw_settings *s) {
    gint t = (gint)s->thickness;
    gchar label[160];
    /* alerts last, so that no other box covers them */
    for (gint pass = 0; pass < 2; pass++) {
        for (guint i = 0; i < n; i++) {
            const object *o = &objects[i];
            if ((o->alert != NULL) != (pass == 1))
                continue;
            vigil_annotate_color color = object_color(o);
            gint width = o->alert != NULL ? 2 * t : t;
            if (s->draw_labels) {
                format_label(o, s, label, sizeof label);
                vigil_annotate_labeled_box(c, o->box, label, width, (gint)s->text_scale, color);
            } else {
                vigil_annotate_rect(c, o->box[0], o->box[1], o->box[2], o->box[3], width, color);
            }
        }
    }
}

/* What a crowd is made of: "7 people", "3 cars", "5 objects" when mixed. */
static void append_count(GString *text, gint count, const gchar *label) {
    if (label == NULL || *label == '\0')
        g_string_append_printf(text, "%d objects", count);
    else if (g_strcmp0(label, "person") == 0)
        g_string_append_printf(text, "%d %s", count, count == 1 ? "person" : "people");
    else
        g_string_append_printf(text, "%d %s%s", count, label, count == 1 ? "" : "s");
}

/* One banner line: "TAMPER: blackout", "CROWDING plaza: 7 people", "INTRUSION lawn:
 * keep-off-lawn" (the type, its zone or line, then the reason, the count of a crowd or
 * the rule's name). */
static gchar *banner_line(const GstStructure *alert) {
    const gchar *type = gst_structure_get_string(alert, "type");
    const gchar *zone = gst_structure_get_string(alert, "zone");
    const gchar *line = gst_structure_get_string(alert, "line");
    const gchar *reason = gst_structure_get_string(alert, "reason");
    const gchar *rule = gst_structure_get_string(alert, "rule");
    gchar *title = g_ascii_strup(type != NULL ? type : "alert", -1);
    GString *text = g_string_new(g_strdelimit(title, "_", ' '));
    g_free(title);
    if (zone != NULL || line != NULL)
        g_string_append_printf(text, " %s", zone != NULL ? zone : line);
    g_string_append(text, ": ");
    gint count = 0;
    if (reason != NULL) {
        gsize at = text->len;
        g_string_append(text, reason);
        g_strdelimit(text->str + at, "_", ' ');
    } else if (g_strcmp0(type, "crowding") == 0 && gst_structure_get_int(alert, "count", &count)) {
        append_count(text, count, gst_structure_get_string(alert, "label"));
    } else {
        g_string_append(text, rule != NULL && *rule != '\0' ? rule : "active");
    }
    return g_string_free(text, FALSE);
}

/* The red banner over the top of the frame, one line per active alert. */
static void draw_banner(vigil_annotate_canvas *c, GstBuffer *buffer, const draw_settings *s) {
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    gpointer state = NULL;
    const GstStructure *active;
    while ((active = gst_vigil_buffer_iterate_active_alerts(buffer, &state)) != NULL)
        g_ptr_array_add(lines, banner_line(active));
    if (lines->len > BANNER_MAX_LINES) {
        guint more = lines->len - (BANNER_MAX_LINES - 1);
        g_ptr_array_set_size(lines, BANNER_MAX_LINES - 1);
        g_ptr_array_add(lines, g_strdup_printf("+%u more", more));
    }
    if (lines->len > 0) {
        gint scale = (gint)s->text_scale;
        gint pad = 2 * scale;
        gint row = vigil_annotate_text_height(scale);
        vigil_annotate_fill(c, 0, 0, c->width, 2 * pad + (gint)lines->len * row, ALERT_COLOR);
        for (guint i = 0; i < lines->len; i++)
            vigil_annotate_text(c, 2 * pad, pad + (gint)i * row, scale, g_ptr_array_index(lines, i),
                                BANNER_TEXT_COLOR);
    }
    g_ptr_array_unref(lines);
}

static GstFlowReturn transform_frame_ip(GstVideoFilter *filter, GstVideoFrame *frame) {
    GstVigilOverlay *self = GST_VIGIL_OVERLAY(filter);
    GST_OBJECT_LOCK(self);
    draw_settings s = self->settings;
    gchar *rules_path = self->rules_changed ? g_strdup(self->rules_path) : NULL;
    gboolean rules_changed = self->rules_changed;
    self->rules_changed = FALSE;
    GST_OBJECT_UNLOCK(self);
    if (rules_changed)
        reload_rules(self, rules_path);
    g_free(rules_path);

    vigil_annotate_canvas canvas = canvas_from_frame(frame);
    GstBuffer *buffer = frame->buffer;
    if (s.draw_zones && self->rules != NULL) {
        collect_alert_zones(self, buffer);
        draw_zones(self, &canvas, &s);
    }
    GArray *objects = g_array_new(FALSE, FALSE, sizeof(object));
    gpointer state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state,
                                                    GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
        object o = read_object((GstVideoRegionOfInterestMeta *)meta);
        g_array_append_val(objects, o);
    }
    const object *list = (const object *)objects->data;
    if (s.trail_length > 0)
        draw_trails(self, &canvas, list, objects->len, &s);
    if (s.draw_boxes)
        draw_objects(&canvas, list, objects->len, &s);
    if (s.draw_banner) /* last: nothing covers it */
        draw_banner(&canvas, buffer, &s);
    GST_LOG_OBJECT(self, "frame %" G_GUINT64_FORMAT ": %u objects", self->frame_index,
                   objects->len);
    g_array_unref(objects);
    self->frame_index++;
    return GST_FLOW_OK;
}

static void set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec) {
    GstVigilOverlay *self = GST_VIGIL_OVERLAY(object);
    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_RULES:
        g_free(self->rules_path);
        self->rules_path = g_value_dup_string(value);
        self->rules_changed = TRUE;
        break;
    case PROP_DRAW_BOXES:
        self->settings.draw_boxes = g_value_get_boolean(value);
        break;
    case PROP_DRAW_LABELS:
        self->settings.draw_labels = g_value_get_boolean(value);
        break;
    case PROP_DRAW_ZONES:
        self->settings.draw_zones = g_value_get_boolean(value);
        break;
    case PROP_SHOW_CONFIDENCE:
        self->settings.show_confidence = g_value_get_boolean(value);
        break;
    case PROP_TRAIL_LENGTH:
        self->settings.trail_length = g_value_get_uint(value);
        break;
    case PROP_THICKNESS:
        self->settings.thickness = g_value_get_uint(value);
        break;
    case PROP_TEXT_SCALE:
        self->settings.text_scale = g_value_get_uint(value);
        break;
    case PROP_DRAW_BANNER:
        self->settings.draw_banner = g_value_get_boolean(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec) {
    GstVigilOverlay *self = GST_VIGIL_OVERLAY(object);
    GST_OBJECT_LOCK(self);
    switch (prop_id) {
    case PROP_RULES:
        g_value_set_string(value, self->rules_path);
        break;
    case PROP_DRAW_BOXES:
        g_value_set_boolean(value, self->settings.draw_boxes);
        break;
    case PROP_DRAW_LABELS:
        g_value_set_boolean(value, self->settings.draw_labels);
        break;
    case PROP_DRAW_ZONES:
        g_value_set_boolean(value, self->settings.draw_zones);
        break;
    case PROP_SHOW_CONFIDENCE:
        g_value_set_boolean(value, self->settings.show_confidence);
        break;
    case PROP_TRAIL_LENGTH:
        g_value_set_uint(value, self->settings.trail_length);
        break;
    case PROP_THICKNESS:
        g_value_set_uint(value, self->settings.thickness);
        break;
    case PROP_TEXT_SCALE:
        g_value_set_uint(value, self->settings.text_scale);
        break;
    case PROP_DRAW_BANNER:
        g_value_set_boolean(value, self->settings.draw_banner);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        break;
    }
    GST_OBJECT_UNLOCK(self);
}

static void finalize(GObject *object) {
    GstVigilOverlay *self = GST_VIGIL_OVERLAY(object);
    g_free(self->rules_path);
    G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void gst_vigil_overlay_init(GstVigilOverlay *self) {
    self->rules_path = g_strdup(DEFAULT_PROP_RULES);
    self->settings = (draw_settings){.draw_boxes = DEFAULT_PROP_DRAW_BOXES,
                                     .draw_labels = DEFAULT_PROP_DRAW_LABELS,
                                     .draw_zones = DEFAULT_PROP_DRAW_ZONES,
                                     .show_confidence = DEFAULT_PROP_SHOW_CONFIDENCE,
                                     .trail_length = DEFAULT_PROP_TRAIL_LENGTH,
                                     .thickness = DEFAULT_PROP_THICKNESS,
                                     .text_scale = DEFAULT_PROP_TEXT_SCALE,
                                     .draw_banner = DEFAULT_PROP_DRAW_BANNER};
    gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
    gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), FALSE);
}

static void gst_vigil_overlay_class_init(GstVigilOverlayClass *klass) {
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstBaseTransformClass *transform_class = GST_BASE_TRANSFORM_CLASS(klass);
    GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS(klass);
    GST_DEBUG_CATEGORY_INIT(vigil_overlay_debug, "vigiloverlay", 0, "vigil overlay");
    gst_vigil_active_alert_meta_register();

    gobject_class->set_property = set_property;
    gobject_class->get_property = get_property;
    gobject_class->finalize = finalize;
    transform_class->start = start;
    transform_class->stop = stop;
    transform_class->passthrough_on_same_caps = FALSE;
    filter_class->transform_frame_ip = transform_frame_ip;

    GParamFlags playing = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;
    /**
     * GstVigilOverlay:rules:
     *
     * A rules file (DESIGN.md's format, read with vigil/rules.h, so a file the
     * analytics refuses is refused here too) whose zones and lines are drawn. A file
     * that does not load fails the start with the loader's message (file:line and
     * field); changed while playing, it is a warning and the previous zones stay.
     * Default: none.
     */
    g_object_class_install_property(
        gobject_class, PROP_RULES,
        g_param_spec_string("rules", "Rules file", "Rules file whose zones and lines are drawn",
                            DEFAULT_PROP_RULES, playing));
    /**
     * GstVigilOverlay:draw-boxes:
     *
     * Draw a box (and, with draw-labels, a label) per object. Default: true.
     */
    g_object_class_install_property(gobject_class, PROP_DRAW_BOXES,
                                    g_param_spec_boolean("draw-boxes", "Draw boxes",
                                                         "Draw the objects' boxes",
                                                         DEFAULT_PROP_DRAW_BOXES, playing));
    /**
     * GstVigilOverlay:draw-labels:
     *
     * Label boxes ("person #12 0.83"), zones and lines. Default: true.
     */
    g_object_class_install_property(gobject_class, PROP_DRAW_LABELS,
                                    g_param_spec_boolean("draw-labels", "Draw labels",
                                                         "Label boxes, zones and lines",
                                                         DEFAULT_PROP_DRAW_LABELS, playing));
    /**
     * GstVigilOverlay:draw-zones:
     *
     * Draw the zones and lines of the rules file. Default: true.
     */
    g_object_class_install_property(gobject_class, PROP_DRAW_ZONES,
                                    g_param_spec_boolean("draw-zones", "Draw zones",
                                                         "Draw the rules' zones and lines",
                                                         DEFAULT_PROP_DRAW_ZONES, playing));
    /**
     * GstVigilOverlay:show-confidence:
     *
     * Put the detection confidence in labels. Default: true.
     */
    g_object_class_install_property(gobject_class, PROP_SHOW_CONFIDENCE,
                                    g_param_spec_boolean("show-confidence", "Show confidence",
                                                         "Put the confidence in labels",
                                                         DEFAULT_PROP_SHOW_CONFIDENCE, playing));
    /**
     * GstVigilOverlay:trail-length:
     *
     * Positions per track in its trail, 0 (no trails) to 1000. Default: 30.
     */
    g_object_class_install_property(gobject_class, PROP_TRAIL_LENGTH,
                                    g_param_spec_uint("trail-length", "Trail length",
                                                      "Positions per track trail (0 = none)", 0,
                                                      1000, DEFAULT_PROP_TRAIL_LENGTH, playing));
    /**
     * GstVigilOverlay:thickness:
     *
     * Width of boxes, trails, zones and lines in pixels, 1 to 32 (alerts twice
     * that). Default: 2.
     */
    g_object_class_install_property(gobject_class, PROP_THICKNESS,
                                    g_param_spec_uint("thickness", "Thickness", "Line width (px)",
                                                      1, 32, DEFAULT_PROP_THICKNESS, playing));
    /**
     * GstVigilOverlay:text-scale:
     *
     * Size of the 5x7 pixel font, 1 to 8 times. Default: 1.
     */
    g_object_class_install_property(gobject_class, PROP_TEXT_SCALE,
                                    g_param_spec_uint("text-scale", "Text scale",
                                                      "Font size, times 5x7 pixels", 1, 8,
                                                      DEFAULT_PROP_TEXT_SCALE, playing));
    /**
     * GstVigilOverlay:draw-banner:
     *
     * Draw the red banner listing the frame's active alerts (VigilActiveAlertMeta) at
     * the top of the frame. Default: true.
     */
    g_object_class_install_property(gobject_class, PROP_DRAW_BANNER,
                                    g_param_spec_boolean("draw-banner", "Draw banner",
                                                         "Banner listing the active alerts",
                                                         DEFAULT_PROP_DRAW_BANNER, playing));

    gst_element_class_add_static_pad_template(element_class, &sink_template);
    gst_element_class_add_static_pad_template(element_class, &src_template);
    gst_element_class_set_static_metadata(
        element_class, "vigil overlay", "Filter/Effect/Video",
        "Draws detected and tracked objects, trails, zones, lines, alerts and an alert banner "
        "onto the video",
        "vigil");
}
