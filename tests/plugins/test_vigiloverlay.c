/*
 * vigiloverlay with GstHarness on gray frames with hand-made metas: in every format
 * (packed RGB in ten byte orders, I420, NV12) the pixels of a box's border take the
 * box's color, alpha turns opaque, and every other pixel stays as it was; zones and
 * lines of a rules file are outlined; an object with an `alert` structure is drawn in
 * red, thicker, with its zone; active alerts (VigilActiveAlertMeta) give a red banner
 * with a line of text each and a red zone; trails follow a track; a bad rules file fails the start
 * with its name; properties change from another thread while buffers flow; and
 * NULL -> PLAYING -> NULL repeated leaves nothing alive.
 *
 * Expected colors are written out by hand: the palette entry of the track id, and for
 * YUV BT.601 limited range from its defining formula.
 */
#include "plugin_test_leaks.h"

#include <gst/app/gstappsink.h>
#include <gst/check/gstharness.h>
#include <glib/gstdio.h>
#include <unistd.h>

#define GRAY 128

typedef struct {
    guint8 r, g, b;
} rgb;

/* vigil_annotate_palette(3), the color of track 3, and (5) for track 5. */
static const rgb TRACK3 = {0, 130, 200};
static const rgb TRACK5 = {145, 30, 180};
static const rgb RED = {255, 0, 0};
static const rgb ZONE = {255, 200, 0};
static const rgb LINE = {0, 200, 255};

/* Byte order of the packed formats: bytes per pixel, offsets of R, G, B and alpha (-1:
 * none; a padding byte must stay untouched). */
static const struct {
    const char *format;
    gint bytes, r, g, b, a;
} PACKED[] = {
    {"RGB", 3, 0, 1, 2, -1},  {"BGR", 3, 2, 1, 0, -1},  {"RGBx", 4, 0, 1, 2, -1},
    {"BGRx", 4, 2, 1, 0, -1}, {"xRGB", 4, 1, 2, 3, -1}, {"xBGR", 4, 3, 2, 1, -1},
    {"RGBA", 4, 0, 1, 2, 3},  {"BGRA", 4, 2, 1, 0, 3},  {"ARGB", 4, 1, 2, 3, 0},
    {"ABGR", 4, 3, 2, 1, 0},
};

/* A frame of the format filled with GRAY in every byte (mid-gray in RGB and YUV). */
static GstBuffer *gray_frame(const GstVideoInfo *info, GstClockTime pts) {
    GstBuffer *buffer = gst_buffer_new_and_alloc(GST_VIDEO_INFO_SIZE(info));
    gst_buffer_memset(buffer, 0, GRAY, GST_VIDEO_INFO_SIZE(info));
    GST_BUFFER_PTS(buffer) = pts;
    return buffer;
}

static GstVideoRegionOfInterestMeta *add_object(GstBuffer *buffer, const char *label, gint id,
                                                guint x, guint y, guint w, guint h) {
    GstVideoRegionOfInterestMeta *roi =
        gst_buffer_add_video_region_of_interest_meta(buffer, label, x, y, w, h);
    roi->id = id;
    gst_video_region_of_interest_meta_add_param(
        roi, gst_structure_new("detection", "label", G_TYPE_STRING, label, "class_id", G_TYPE_INT,
                               0, "confidence", G_TYPE_DOUBLE, 0.87, NULL));
    return roi;
}

static GstHarness *overlay_harness(const char *props, const GstVideoInfo *info) {
    gchar *desc = g_strdup_printf("vigiloverlay %s", props ? props : "");
    GstHarness *h = gst_harness_new_parse(desc);
    g_free(desc);
    gst_harness_set_src_caps(h, gst_video_info_to_caps(info));
    return h;
}

/* Inside the 2-pixel border of the box x, y, w, h (drawn inside its edges). */
static gboolean on_border(gint x, gint y, gint bx, gint by, gint bw, gint bh, gint t) {
    if (x < bx || y < by || x >= bx + bw || y >= by + bh)
        return FALSE;
    return x < bx + t || x >= bx + bw - t || y < by + t || y >= by + bh - t;
}

static gint bt601(const rgb *c, gint channel) {
    gdouble r = c->r, g = c->g, b = c->b, v;
    if (channel == 0)
        v = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
    else if (channel == 1)
        v = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255;
    else
        v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255;
    return (gint)lround(v);
}

#define BOX_X 20
#define BOX_Y 10
#define BOX_W 40
#define BOX_H 30

/* Checks every byte of a packed frame with the box of track 3 drawn. */
static void check_packed(GstVideoFrame *frame, gsize f) {
    guint8 *data = GST_VIDEO_FRAME_PLANE_DATA(frame, 0);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0);
    guint changed = 0;
    for (gint y = 0; y < GST_VIDEO_FRAME_HEIGHT(frame); y++) {
        for (gint x = 0; x < GST_VIDEO_FRAME_WIDTH(frame); x++) {
            const guint8 *p = data + y * stride + x * PACKED[f].bytes;
            gboolean border = on_border(x, y, BOX_X, BOX_Y, BOX_W, BOX_H, 2);
            for (gint k = 0; k < PACKED[f].bytes; k++) {
                gint want = GRAY;
                if (border && k == PACKED[f].r)
                    want = TRACK3.r;
                else if (border && k == PACKED[f].g)
                    want = TRACK3.g;
                else if (border && k == PACKED[f].b)
                    want = TRACK3.b;
                else if (border && k == PACKED[f].a)
                    want = 255;
                fail_unless(p[k] == want, "%s: pixel %d,%d byte %d is %u, not %d", PACKED[f].format,
                            x, y, k, p[k], want);
                changed += p[k] != GRAY;
            }
        }
    }
    fail_unless(changed > 0);
}

/* Checks a YUV frame: luma on the border, chroma on every 2x2 block it touches. */
static void check_yuv(GstVideoFrame *frame, gboolean nv12) {
    gint w = GST_VIDEO_FRAME_WIDTH(frame), h = GST_VIDEO_FRAME_HEIGHT(frame);
    const guint8 *luma = GST_VIDEO_FRAME_PLANE_DATA(frame, 0);
    gint luma_stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0);
    for (gint y = 0; y < h; y++) {
        for (gint x = 0; x < w; x++) {
            gint want = on_border(x, y, BOX_X, BOX_Y, BOX_W, BOX_H, 2) ? bt601(&TRACK3, 0) : GRAY;
            gint got = luma[y * luma_stride + x];
            fail_unless(abs(got - want) <= 1, "Y at %d,%d is %d, not %d", x, y, got, want);
        }
    }
    for (gint cy = 0; cy < h / 2; cy++) {
        for (gint cx = 0; cx < w / 2; cx++) {
            gboolean touched = FALSE;
            for (gint dy = 0; dy < 2; dy++)
                for (gint dx = 0; dx < 2; dx++)
                    touched |= on_border(2 * cx + dx, 2 * cy + dy, BOX_X, BOX_Y, BOX_W, BOX_H, 2);
            for (gint c = 1; c <= 2; c++) {
                gint got;
                if (nv12)
                    got = ((const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(
                        frame, 1))[cy * GST_VIDEO_FRAME_PLANE_STRIDE(frame, 1) + 2 * cx + c - 1];
                else
                    got = ((const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(
                        frame, c))[cy * GST_VIDEO_FRAME_PLANE_STRIDE(frame, c) + cx];
                gint want = touched ? bt601(&TRACK3, c) : GRAY;
                fail_unless(abs(got - want) <= 1, "%s at %d,%d is %d, not %d", c == 1 ? "U" : "V",
                            cx, cy, got, want);
            }
        }
    }
}

GST_START_TEST(test_box_in_every_format) {
    const char *formats[G_N_ELEMENTS(PACKED) + 2];
    for (gsize f = 0; f < G_N_ELEMENTS(PACKED); f++)
        formats[f] = PACKED[f].format;
    formats[G_N_ELEMENTS(PACKED)] = "I420";
    formats[G_N_ELEMENTS(PACKED) + 1] = "NV12";
    for (gsize f = 0; f < G_N_ELEMENTS(formats); f++) {
        GstVideoInfo info;
        gst_video_info_set_format(&info, gst_video_format_from_string(formats[f]), 96, 64);
        GstHarness *h = overlay_harness("draw-labels=false", &info);
        GstBuffer *in = gray_frame(&info, 0);
        add_object(in, "person", 3, BOX_X, BOX_Y, BOX_W, BOX_H);
        GstBuffer *out = gst_harness_push_and_pull(h, in);
        fail_unless(out != NULL);
        /* the caps and the metas pass on */
        GstCaps *caps = gst_pad_get_current_caps(h->sinkpad);
        GstVideoInfo out_info;
        fail_unless(gst_video_info_from_caps(&out_info, caps));
        gst_caps_unref(caps);
        ck_assert_int_eq(GST_VIDEO_INFO_FORMAT(&out_info), GST_VIDEO_INFO_FORMAT(&info));
        fail_unless(gst_buffer_get_meta(out, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE) != NULL);
        GstVideoFrame frame;
        fail_unless(gst_video_frame_map(&frame, &out_info, out, GST_MAP_READ));
        if (f < G_N_ELEMENTS(PACKED))
            check_packed(&frame, f);
        else
            check_yuv(&frame, strcmp(formats[f], "NV12") == 0);
        gst_video_frame_unmap(&frame);
        gst_buffer_unref(out);
        gst_harness_teardown(h);
    }
    /* formats it cannot draw on are refused at negotiation */
    GstHarness *h = gst_harness_new("vigiloverlay");
    GstCaps *gray = gst_caps_from_string("video/x-raw,format=GRAY8,width=64,height=48");
    fail_if(gst_pad_peer_query_accept_caps(h->srcpad, gray));
    gst_caps_unref(gray);
    gst_harness_teardown(h);
}
GST_END_TEST;

/* The RGB pixel at x, y of a mapped RGB frame. */
static rgb pixel(GstVideoFrame *frame, gint x, gint y) {
    const guint8 *p = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(frame, 0) +
                      y * GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0) + x * 3;
    return (rgb){p[0], p[1], p[2]};
}

static gboolean same(rgb a, rgb b) {
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

#define assert_pixel(frame, x, y, want)                                                            \
    do {                                                                                           \
        rgb got_ = pixel(frame, x, y);                                                             \
        fail_unless(same(got_, want), "pixel %d,%d is %u,%u,%u, not %u,%u,%u", x, y, got_.r,       \
                    got_.g, got_.b, (want).r, (want).g, (want).b);                                 \
    } while (0)

static const rgb UNCHANGED = {GRAY, GRAY, GRAY};

/* Writes a rules file with one zone and one directed line; returns its path. */
static gchar *write_rules(const char *zone_name) {
    gchar *path = NULL;
    gint fd = g_file_open_tmp("vigil-overlay-XXXXXX.json", &path, NULL);
    fail_unless(fd >= 0);
    close(fd);
    gchar *text = g_strdup_printf("{\"camera_id\": \"test\",\n"
                                  " \"zones\": [{\"name\": \"%s\", \"polygon\": "
                                  "[[20,60],[140,60],[140,110],[20,110]]}],\n"
                                  " \"lines\": [{\"name\": \"path\", \"points\": [[80,4],[80,50]], "
                                  "\"direction\": [1,0]}],\n"
                                  " \"rules\": [{\"name\": \"keep-off\", \"type\": \"intrusion\", "
                                  "\"zone\": \"%s\"}]}\n",
                                  zone_name, zone_name);
    fail_unless(g_file_set_contents(path, text, -1, NULL));
    g_free(text);
    return path;
}

static GstBuffer *run_rgb(GstHarness *h, GstBuffer *in, GstVideoFrame *frame, GstVideoInfo *info) {
    GstBuffer *out = gst_harness_push_and_pull(h, in);
    fail_unless(out != NULL);
    fail_unless(gst_video_frame_map(frame, info, out, GST_MAP_READ));
    return out;
}

GST_START_TEST(test_zones_and_lines) {
    gchar *rules = write_rules("lawn");
    GstVideoInfo info;
    gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 160, 120);
    gchar *props = g_strdup_printf("rules=\"%s\" draw-labels=false", rules);
    GstHarness *h = overlay_harness(props, &info);
    GstVideoFrame frame;
    GstBuffer *out = run_rgb(h, gray_frame(&info, 0), &frame, &info);
    /* the zone's four edges, its inside and outside */
    assert_pixel(&frame, 80, 60, ZONE);
    assert_pixel(&frame, 140, 85, ZONE);
    assert_pixel(&frame, 80, 110, ZONE);
    assert_pixel(&frame, 20, 85, ZONE);
    assert_pixel(&frame, 100, 85, UNCHANGED);
    assert_pixel(&frame, 10, 85, UNCHANGED);
    assert_pixel(&frame, 150, 20, UNCHANGED);
    /* the line, and its direction arrow pointing right from the middle */
    assert_pixel(&frame, 80, 10, LINE);
    assert_pixel(&frame, 80, 45, LINE);
    assert_pixel(&frame, 95, 27, LINE);
    assert_pixel(&frame, 70, 27, UNCHANGED);
    gst_video_frame_unmap(&frame);
    gst_buffer_unref(out);

    /* labels on: the zone's name on a tab inside its top-left corner */
    GstElement *overlay = gst_harness_find_element(h, "vigiloverlay");
    g_object_set(overlay, "draw-labels", TRUE, NULL);
    gst_object_unref(overlay);
    out = run_rgb(h, gray_frame(&info, 0), &frame, &info);
    guint tab = 0;
    for (gint y = 63; y < 70; y++)
        for (gint x = 23; x < 40; x++)
            tab += same(pixel(&frame, x, y), ZONE);
    fail_unless(tab > 40, "no name tab in the zone's corner (%u pixels)", tab);
    gst_video_frame_unmap(&frame);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
    g_unlink(rules);
    g_free(rules);
    g_free(props);
}
GST_END_TEST;

GST_START_TEST(test_far_zone_is_clipped) {
    /* a zone from a camera of far higher resolution: its edges are clipped to the
     * frame, not walked pixel by pixel for ten million pixels */
    gchar *path = NULL;
    gint fd = g_file_open_tmp("vigil-overlay-XXXXXX.json", &path, NULL);
    fail_unless(fd >= 0);
    close(fd);
    fail_unless(g_file_set_contents(path,
                                    "{\"zones\": [{\"name\": \"far\", \"polygon\": "
                                    "[[1,1],[10000000,1],[10000000,9000000]]}], \"rules\": []}",
                                    -1, NULL));
    GstVideoInfo info;
    gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 160, 120);
    gchar *props = g_strdup_printf("rules=\"%s\" draw-labels=false", path);
    GstHarness *h = overlay_harness(props, &info);
    gint64 start = g_get_monotonic_time();
    GstVideoFrame frame;
    for (guint i = 0; i < 20; i++) {
        GstBuffer *out = run_rgb(h, gray_frame(&info, 0), &frame, &info);
        /* the top edge runs along y = 1, the closing edge back to (1, 1) through
         * (80, 72.1) */
        assert_pixel(&frame, 80, 1, ZONE);
        assert_pixel(&frame, 80, 72, ZONE);
        assert_pixel(&frame, 80, 60, UNCHANGED);
        gst_video_frame_unmap(&frame);
        gst_buffer_unref(out);
    }
    gint64 took = g_get_monotonic_time() - start;
    fail_unless(took < 2 * G_USEC_PER_SEC, "20 frames took %" G_GINT64_FORMAT " us", took);
    gst_harness_teardown(h);
    g_unlink(path);
    g_free(path);
    g_free(props);
}
GST_END_TEST;

GST_START_TEST(test_alert_highlight) {
    gchar *rules = write_rules("lawn");
    GstVideoInfo info;
    gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 160, 120);
    gchar *props = g_strdup_printf("rules=\"%s\" draw-labels=false", rules);
    GstHarness *h = overlay_harness(props, &info);
    GstBuffer *in = gray_frame(&info, 0);
    GstVideoRegionOfInterestMeta *roi = add_object(in, "person", 3, 60, 70, 20, 30);
    gst_video_region_of_interest_meta_add_param(
        roi, gst_structure_new("alert", "rule", G_TYPE_STRING, "keep-off", "zone", G_TYPE_STRING,
                               "lawn", NULL));
    add_object(in, "person", 5, 100, 70, 20, 30);
    GstVideoFrame frame;
    GstBuffer *out = run_rgb(h, in, &frame, &info);
    /* red, 4 pixels wide instead of 2 */
    assert_pixel(&frame, 60, 85, RED);
    assert_pixel(&frame, 63, 85, RED);
    assert_pixel(&frame, 64, 85, UNCHANGED);
    /* the other person as usual */
    assert_pixel(&frame, 101, 85, TRACK5);
    assert_pixel(&frame, 102, 85, UNCHANGED);
    /* the zone the alert names, in red */
    assert_pixel(&frame, 30, 60, RED);
    gst_video_frame_unmap(&frame);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
    g_unlink(rules);
    g_free(rules);
    g_free(props);
}
GST_END_TEST;

/* An active alert on the frame, as vigilanalytics attaches it (the meta registered by
 * name when the element has not done so yet). */
static void add_active_alert(GstBuffer *buffer, const char *type, const char *zone,
                             const char *reason, gint count) {
    if (gst_meta_get_info("VigilActiveAlertMeta") == NULL) {
        static const gchar *tags[] = {NULL};
        gst_meta_register_custom("VigilActiveAlertMeta", tags, NULL, NULL, NULL);
    }
    GstStructure *s =
        gst_custom_meta_get_structure(gst_buffer_add_custom_meta(buffer, "VigilActiveAlertMeta"));
    gst_structure_set(s, "type", G_TYPE_STRING, type, "rule", G_TYPE_STRING, "r", "severity",
                      G_TYPE_STRING, "warning", "count", G_TYPE_INT, count, "label", G_TYPE_STRING,
                      "person", NULL);
    if (zone != NULL)
        gst_structure_set(s, "zone", G_TYPE_STRING, zone, NULL);
    if (reason != NULL)
        gst_structure_set(s, "reason", G_TYPE_STRING, reason, NULL);
}

/* The rightmost pure white pixel in rows y0..y1 (inclusive), -1 when none. */
static gint rightmost_white(GstVideoFrame *frame, gint y0, gint y1) {
    static const rgb WHITE = {255, 255, 255};
    gint right = -1;
    for (gint y = y0; y <= y1; y++)
        for (gint x = 0; x < GST_VIDEO_FRAME_WIDTH(frame); x++)
            if (same(pixel(frame, x, y), WHITE))
                right = MAX(right, x);
    return right;
}

/* The banner, by hand from the font: scale 1 gives 9-pixel rows and a 2-pixel pad, so
 * two lines fill rows 0-21 in red, with white text from x = 4 in 6-pixel cells on rows
 * 2-8 and 11-17. "TAMPER: scene change" is 20 characters ending in E (whose top row
 * is full), so its rightmost white pixel is at 4 + 19 x 6 + 4 = 122; "CROWDING lawn: 7
 * people" is 23, at 4 + 22 x 6 + 4 = 140. The crowd's zone turns red with no object in
 * an alert. Without an active alert, and with draw-banner off, the top stays gray. */
GST_START_TEST(test_active_alert_banner) {
    gchar *rules = write_rules("lawn");
    GstVideoInfo info;
    gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 160, 120);
    gchar *props = g_strdup_printf("rules=\"%s\" draw-labels=false", rules);
    GstHarness *h = overlay_harness(props, &info);
    GstVideoFrame frame;

    GstBuffer *out = run_rgb(h, gray_frame(&info, 0), &frame, &info);
    for (gint y = 0; y < 24; y++)
        assert_pixel(&frame, 150, y, UNCHANGED);
    assert_pixel(&frame, 2, 2, UNCHANGED);
    assert_pixel(&frame, 30, 60, ZONE);
    ck_assert_int_eq(rightmost_white(&frame, 0, 30), -1);
    gst_video_frame_unmap(&frame);
    gst_buffer_unref(out);

    GstBuffer *in = gray_frame(&info, GST_SECOND / 10);
    add_active_alert(in, "tamper", NULL, "scene_change", 0);
    add_active_alert(in, "crowding", "lawn", NULL, 7);
    out = run_rgb(h, in, &frame, &info);
    for (gint y = 0; y < 22; y++)
        assert_pixel(&frame, 150, y, RED);
    assert_pixel(&frame, 0, 0, RED);
    assert_pixel(&frame, 2, 2, RED);
    assert_pixel(&frame, 150, 22, UNCHANGED);
    ck_assert_int_eq(rightmost_white(&frame, 0, 1), -1);
    ck_assert_int_eq(rightmost_white(&frame, 2, 8), 122);
    ck_assert_int_eq(rightmost_white(&frame, 9, 10), -1);
    ck_assert_int_eq(rightmost_white(&frame, 11, 17), 140);
    ck_assert_int_eq(rightmost_white(&frame, 18, 30), -1);
    assert_pixel(&frame, 30, 60, RED);
    gst_video_frame_unmap(&frame);
    gst_buffer_unref(out);

    GstElement *overlay = gst_harness_find_element(h, "vigiloverlay");
    g_object_set(overlay, "draw-banner", FALSE, NULL);
    gst_object_unref(overlay);
    in = gray_frame(&info, 2 * GST_SECOND / 10);
    add_active_alert(in, "tamper", NULL, "blackout", 0);
    out = run_rgb(h, in, &frame, &info);
    for (gint y = 0; y < 24; y++)
        assert_pixel(&frame, 150, y, UNCHANGED);
    ck_assert_int_eq(rightmost_white(&frame, 0, 30), -1);
    gst_video_frame_unmap(&frame);
    gst_buffer_unref(out);

    gst_harness_teardown(h);
    g_unlink(rules);
    g_free(rules);
    g_free(props);
}
GST_END_TEST;

/* More active alerts than BANNER_MAX_LINES (4): three lines and "+3 more", so the
 * banner ends at row 2 x 2 + 4 x 9 - 1 = 39. */
GST_START_TEST(test_banner_caps_its_lines) {
    GstVideoInfo info;
    gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 160, 120);
    GstHarness *h = overlay_harness("draw-labels=false", &info);
    GstBuffer *in = gray_frame(&info, 0);
    for (gint k = 0; k < 6; k++)
        add_active_alert(in, "intrusion", "lawn", NULL, 1);
    GstVideoFrame frame;
    GstBuffer *out = run_rgb(h, in, &frame, &info);
    assert_pixel(&frame, 150, 39, RED);
    assert_pixel(&frame, 150, 40, UNCHANGED);
    /* "+3 more": 7 characters ending in E, rightmost white at 4 + 6 x 6 + 4 = 44 */
    ck_assert_int_eq(rightmost_white(&frame, 29, 35), 44);
    gst_video_frame_unmap(&frame);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_trails_and_labels) {
    GstVideoInfo info;
    gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 160, 120);
    GstHarness *h = overlay_harness(NULL, &info);
    GstVideoFrame frame;
    GstBuffer *out = NULL;
    /* track 5 walks right 20 px a frame; its bottom centre is at y = 80 */
    for (guint i = 0; i < 3; i++) {
        GstBuffer *in = gray_frame(&info, i * GST_SECOND / 10);
        add_object(in, "person", 5, 10 + 20 * i, 60, 20, 20);
        out = run_rgb(h, in, &frame, &info);
        if (i < 2) {
            gst_video_frame_unmap(&frame);
            gst_buffer_unref(out);
        }
    }
    /* the trail from (20,80) through (40,80) to (60,80), outside today's box 50-70 */
    assert_pixel(&frame, 25, 80, TRACK5);
    assert_pixel(&frame, 45, 80, TRACK5);
    assert_pixel(&frame, 25, 90, UNCHANGED);
    /* the label tab above the box (top at 60 - 13) */
    guint tab = 0;
    for (gint y = 48; y < 59; y++)
        for (gint x = 50; x < 70; x++)
            tab += same(pixel(&frame, x, y), TRACK5);
    fail_unless(tab > 60, "no label tab above the box (%u pixels)", tab);
    gst_video_frame_unmap(&frame);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_bad_rules_fail_start) {
    GError *error = NULL;
    GstElement *pipeline =
        gst_parse_launch("videotestsrc num-buffers=1 ! video/x-raw,format=RGB ! "
                         "vigiloverlay rules=/nonexistent/vigil/plaza.json ! fakesink",
                         &error);
    fail_unless(pipeline != NULL && error == NULL);
    ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    fail_unless(msg != NULL, "no error for a missing rules file");
    GError *err = NULL;
    gst_message_parse_error(msg, &err, NULL);
    fail_unless(strstr(err->message, "/nonexistent/vigil/plaza.json") != NULL, "error '%s'",
                err->message);
    g_error_free(err);
    gst_message_unref(msg);
    gst_object_unref(bus);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
}
GST_END_TEST;

typedef struct {
    GstElement *overlay;
    const gchar *rules[2];
    volatile gint stop;
    guint changes;
} prop_thread_data;

static gpointer change_properties(gpointer data) {
    prop_thread_data *d = data;
    while (!g_atomic_int_get(&d->stop)) {
        guint c = d->changes;
        g_object_set(d->overlay, "draw-boxes", (gboolean)(c % 3 != 0), "draw-labels",
                     (gboolean)(c % 2), "draw-zones", (gboolean)(c % 5 != 0), "show-confidence",
                     (gboolean)(c % 2), "trail-length", c % 40, "thickness", 1 + c % 5,
                     "text-scale", 1 + c % 3, NULL);
        if (c % 50 == 0)
            g_object_set(d->overlay, "rules", d->rules[(c / 50) % 2], NULL);
        guint trail;
        g_object_get(d->overlay, "trail-length", &trail, NULL);
        d->changes++;
        g_usleep(100);
    }
    return NULL;
}

GST_START_TEST(test_properties_while_flowing) {
    gchar *rules_a = write_rules("lawn"), *rules_b = write_rules("plaza");
    GstVideoInfo info;
    gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, 160, 120);
    gchar *props = g_strdup_printf("rules=\"%s\"", rules_a);
    GstHarness *h = overlay_harness(props, &info);
    prop_thread_data d = {.overlay = gst_harness_find_element(h, "vigiloverlay"),
                          .rules = {rules_a, rules_b}};
    GThread *thread = g_thread_new("props", change_properties, &d);
    for (guint i = 0; i < 300; i++) {
        GstBuffer *in = gray_frame(&info, i * GST_SECOND / 10);
        add_object(in, "person", 1 + i % 4, (5 * i) % 140, 40, 20, 40);
        add_object(in, "car", -1, 10, 10, 30, 20);
        GstBuffer *out = gst_harness_push_and_pull(h, in);
        fail_unless(out != NULL, "frame %u did not come out", i);
        gst_buffer_unref(out);
    }
    g_atomic_int_set(&d.stop, 1);
    g_thread_join(thread);
    fail_unless(d.changes > 10, "only %u changes", d.changes);
    gst_object_unref(d.overlay);
    gst_harness_teardown(h);
    g_unlink(rules_a);
    g_unlink(rules_b);
    g_free(rules_a);
    g_free(rules_b);
    g_free(props);
}
GST_END_TEST;

static gchar *cycle_rules;

/* Adds a tracked object to each frame entering vigiloverlay. */
static GstPadProbeReturn add_object_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    add_object(buffer, "person", 2, 40, 30, 20, 40);
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    return GST_PAD_PROBE_OK;
}

/* NULL -> PLAYING (until 3 frames came through) -> NULL, count times on one pipeline. */
static void state_cycles(guint count) {
    gchar *desc = g_strdup_printf(
        "videotestsrc ! video/x-raw,format=BGRx,width=160,height=120,framerate=10/1 ! "
        "vigiloverlay name=overlay rules=\"%s\" ! appsink name=sink sync=false",
        cycle_rules);
    plugin_test_state_cycles(desc, "overlay", add_object_probe, count);
    g_free(desc);
}

GST_START_TEST(test_state_cycles_no_leaks) {
    cycle_rules = write_rules("lawn");
    plugin_test_assert_no_leaks(state_cycles, 10);
    g_unlink(cycle_rules);
    g_clear_pointer(&cycle_rules, g_free);
}
GST_END_TEST;

static Suite *vigiloverlay_suite(void) {
    /* The leaks tracer counts live objects for test_state_cycles_no_leaks. */
    g_setenv("GST_TRACERS", "leaks", FALSE);
    plugin_test_init("vigil-test-vigiloverlay.registry");
    Suite *s = suite_create("vigiloverlay");
    TCase *tc = tcase_create("overlay");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_box_in_every_format);
    tcase_add_test(tc, test_zones_and_lines);
    tcase_add_test(tc, test_far_zone_is_clipped);
    tcase_add_test(tc, test_alert_highlight);
    tcase_add_test(tc, test_active_alert_banner);
    tcase_add_test(tc, test_banner_caps_its_lines);
    tcase_add_test(tc, test_trails_and_labels);
    tcase_add_test(tc, test_bad_rules_fail_start);
    tcase_add_test(tc, test_properties_while_flowing);
    tcase_add_test(tc, test_state_cycles_no_leaks);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(vigiloverlay_suite)
