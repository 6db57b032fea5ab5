/*
 * vigilanalytics with GstHarness, on frames whose tracked objects the test attaches
 * itself (what vigiltrack leaves on a buffer: `id`, `detection` and `track`).
 *
 * The walker: track 7, a person whose box is x = 45 + 10 i, y = 100, 20 x 50, in frame i
 * at PTS i x 100 ms, so its feet (the box's bottom centre, where the rules place it) are
 * at (55 + 10 i, 150). Worked from docs/alerts.md by hand:
 *
 * - line `gate` at x = 80 (margin 3 px): feet at 75 in frame 2, 85 in frame 3, so the
 *   crossing is an instant alert on frame 3;
 * - zone `yard` spans x 100..300: the feet enter in frame 5 (105), so the intrusion
 *   (seconds 0) starts on frame 5 and the loitering (1 s) on frame 15 (pts 1.5 = entry
 *   + 1 s); they leave in frame 25 (305), and both end after the 1 s grace, on frame 35.
 *
 * The stopper, track 8, appears in frame 10 with its feet at 55 and walks the same way
 * until its feet reach 90 (frame 14), between the gate and the yard: its crossing is on
 * frame 13, and that alert marks it for 1 s, until pts 2.3.
 *
 * With start-time=1000 the wall clock of frame i is 1000 + i / 10 s, so frame 5's alert
 * is stamped 1970-01-01T00:16:40.500Z.
 */
#include "plugin_test_alerts.h"
#include "plugin_test_leaks.h"

#include <gst/app/gstappsink.h>
#include <gst/check/gstharness.h>

#define WIDTH 320
#define HEIGHT 240

static const char *RULES =
    "{\"camera_id\": \"testcam\",\n"
    " \"zones\": [{\"name\": \"yard\", \"polygon\": [[100,0],[300,0],[300,240],[100,240]]}],\n"
    " \"lines\": [{\"name\": \"gate\", \"points\": [[80,0],[80,240]]}],\n"
    " \"rules\": [\n"
    "   {\"name\": \"keep-out\", \"type\": \"intrusion\", \"zone\": \"yard\", \"classes\": "
    "[\"person\"]},\n"
    "   {\"name\": \"linger\", \"type\": \"loitering\", \"zone\": \"yard\", \"classes\": "
    "[\"person\"], \"seconds\": 1},\n"
    "   {\"name\": \"cross\", \"type\": \"line_crossing\", \"line\": \"gate\", \"classes\": "
    "[\"person\"]}]}\n";

/* Rules with the tamper check only: learns 0.5 s, alerts after 0.5 s of a condition. */
static const char *TAMPER_RULES =
    "{\"camera_id\": \"cam2\", \"rules\": [{\"name\": \"tamper\", \"type\": \"tamper\", "
    "\"learn_seconds\": 0.5, \"seconds\": 0.5}]}\n";

/* A crowd in the whole frame: 3 people for 0.5 s start it, at most 2 (the default
 * clear_count) for 0.5 s (the default clear_seconds) end it. A track unseen for more
 * than 0.25 s no longer counts; an update at most once a second. */
static const char *CROWD_RULES =
    "{\"camera_id\": \"cam4\", \"track_timeout\": 0.25, \"zones\": [{\"name\": \"square\", "
    "\"polygon\": [[0,0],[320,0],[320,240],[0,240]]}], \"rules\": [{\"name\": \"crowd\", "
    "\"type\": \"crowding\", \"zone\": \"square\", \"classes\": [\"person\"], \"min_count\": 3, "
    "\"seconds\": 0.5, \"update_seconds\": 1}]}\n";

/* One anomaly rule that learns for longer than the tests run, so it never alerts. */
static const char *ANOMALY_RULES =
    "{\"camera_id\": \"cam3\", \"rules\": [{\"name\": \"unusual\", \"type\": \"anomaly\", "
    "\"learn_seconds\": 1000}]}\n";

static gchar *tmp;
static gchar *rules_path;

static void setup(void) {
    tmp = alerts_test_tmpdir();
    rules_path = alerts_test_write(tmp, "rules.json", RULES);
}

static void teardown(void) {
    g_free(rules_path);
    alerts_test_rmdir(tmp);
}

typedef struct {
    GstHarness *h;
    GstBus *bus;
} analytics;

static analytics analytics_new(const char *format, const char *rules, const char *props) {
    gchar *desc =
        g_strdup_printf("vigilanalytics name=a rules=\"%s\" %s", rules, props ? props : "");
    analytics a = {.h = gst_harness_new_parse(desc), .bus = gst_bus_new()};
    g_free(desc);
    gst_element_set_bus(a.h->element, a.bus);
    gchar *caps = alerts_test_caps(format, WIDTH, HEIGHT);
    gst_harness_set_src_caps_str(a.h, caps);
    g_free(caps);
    return a;
}

static void analytics_free(analytics *a) {
    /* queued messages hold the element, which holds the bus */
    gst_bus_set_flushing(a->bus, TRUE);
    gst_harness_teardown(a->h);
    gst_object_unref(a->bus);
}

/* Frame i with the walker (and, when other >= 0, a second person standing at x = 200). */
static GstBuffer *walker_frame(const char *format, guint i, const char *state) {
    GstBuffer *buffer = alerts_test_frame(format, WIDTH, HEIGHT, i, FALSE);
    alerts_test_add_object(buffer, "person", 0, 7, state, 45 + 10 * i, 100, 20, 50);
    return buffer;
}

/* The vigil-alert messages on the bus so far, as their structures. */
static GPtrArray *pop_alert_messages(GstBus *bus) {
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)gst_structure_free);
    GstMessage *msg;
    while ((msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT)) != NULL) {
        const GstStructure *s = gst_message_get_structure(msg);
        if (s != NULL && gst_structure_has_name(s, "vigil-alert"))
            g_ptr_array_add(out, gst_structure_copy(s));
        gst_message_unref(msg);
    }
    return out;
}

static const gchar *field(const GstStructure *s, const char *name) {
    const gchar *v = gst_structure_get_string(s, name);
    fail_unless(v != NULL, "no %s in %" GST_PTR_FORMAT, name, s);
    return v;
}

/* The `alert` structure of the meta of track id on buffer, or NULL. */
static const GstStructure *object_alert(GstBuffer *buffer, gint id) {
    gpointer state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state,
                                                    GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
        GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
        if (roi->id == id)
            return gst_video_region_of_interest_meta_get_param(roi, "alert");
    }
    return NULL;
}

/* The VigilActiveAlertMeta structures on buffer, found by the meta's registered name
 * (as code outside the plugin does), copied. */
static GPtrArray *active_alerts(GstBuffer *buffer) {
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)gst_structure_free);
    const GstMetaInfo *info = gst_meta_get_info("VigilActiveAlertMeta");
    fail_unless(info != NULL, "VigilActiveAlertMeta is not registered");
    gpointer state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state, info->api)))
        g_ptr_array_add(out,
                        gst_structure_copy(gst_custom_meta_get_structure((GstCustomMeta *)meta)));
    return out;
}

/* "type/event" of every alert structure, joined by spaces. */
static gchar *summary(GPtrArray *alerts) {
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < alerts->len; i++) {
        const GstStructure *a = g_ptr_array_index(alerts, i);
        g_string_append_printf(s, "%s%s/%s", i ? " " : "", field(a, "type"), field(a, "event"));
    }
    return g_string_free(s, FALSE);
}

GST_START_TEST(test_caps_pass_through) {
    static const char *formats[] = {"RGB", "I420", "NV12", "BGRx"};
    for (guint f = 0; f < G_N_ELEMENTS(formats); f++) {
        analytics a = analytics_new(formats[f], rules_path, NULL);
        GstBuffer *in = alerts_test_frame(formats[f], WIDTH, HEIGHT, 0, FALSE);
        GstBuffer *out = gst_harness_push_and_pull(a.h, in);
        fail_unless(out != NULL);
        GstCaps *caps = gst_pad_get_current_caps(a.h->sinkpad);
        gchar *expected = alerts_test_caps(formats[f], WIDTH, HEIGHT);
        GstCaps *want = gst_caps_from_string(expected);
        fail_unless(gst_caps_is_equal(caps, want), "%s: output caps %" GST_PTR_FORMAT, formats[f],
                    caps);
        ck_assert_uint_eq(GST_BUFFER_PTS(out), 0);
        gst_caps_unref(want);
        gst_caps_unref(caps);
        g_free(expected);
        gst_buffer_unref(out);
        analytics_free(&a);
    }
    /* audio is not video */
    analytics a = analytics_new("RGB", rules_path, NULL);
    GstCaps *audio = gst_caps_from_string("audio/x-raw,format=S16LE,rate=8000,channels=1");
    fail_if(gst_pad_peer_query_accept_caps(a.h->srcpad, audio));
    gst_caps_unref(audio);
    analytics_free(&a);
}
GST_END_TEST;

GST_START_TEST(test_alerts_as_metas_messages_and_marks) {
    analytics a = analytics_new("RGB", rules_path, "start-time=1000 snapshots=false");
    GPtrArray *jsons = g_ptr_array_new_with_free_func(g_free);
    GString *seen = g_string_new(NULL); /* "frame:type/event" per meta */
    for (guint i = 0; i < 40; i++) {
        GstBuffer *in = walker_frame("RGB", i, "confirmed");
        if (i >= 10) /* the stopper crosses the gate on frame 13 and stops short of the yard */
            alerts_test_add_object(in, "person", 0, 8, "confirmed", MIN(45 + 10 * (i - 10), 80),
                                   150, 20, 50);
        GstBuffer *out = gst_harness_push_and_pull(a.h, in);
        fail_unless(out != NULL);
        GPtrArray *alerts = alerts_test_buffer_alerts(out);
        for (guint k = 0; k < alerts->len; k++) {
            const GstStructure *s = g_ptr_array_index(alerts, k);
            g_string_append_printf(seen, " %u:%s/%s", i, field(s, "type"), field(s, "event"));
            g_ptr_array_add(jsons, g_strdup(field(s, "json")));
            ck_assert_str_eq(field(s, "camera-id"), "testcam");
            ck_assert_int_eq(strlen(field(s, "alert-id")), 32);
            gint64 frame = -1;
            gdouble pts = -1;
            fail_unless(gst_structure_get_int64(s, "frame", &frame) &&
                        gst_structure_get_double(s, "pts", &pts));
            ck_assert_int_eq(frame, i);
            fail_unless(fabs(pts - i * 0.1) < 1e-9, "pts %g on frame %u", pts, i);
        }
        if (i == 5) {
            /* the intrusion start, field by field */
            ck_assert_uint_eq(alerts->len, 1);
            const GstStructure *s = g_ptr_array_index(alerts, 0);
            ck_assert_str_eq(field(s, "type"), "intrusion");
            ck_assert_str_eq(field(s, "event"), "start");
            ck_assert_str_eq(field(s, "rule"), "keep-out");
            ck_assert_str_eq(field(s, "severity"), "warning");
            ck_assert_str_eq(field(s, "zone"), "yard");
            const gchar *json = field(s, "json");
            fail_unless(strstr(json, "\"timestamp\":\"1970-01-01T00:16:40.500Z\"") != NULL, "%s",
                        json);
            fail_unless(strstr(json, "{\"track_id\":7,\"label\":\"person\",\"box\":[95,100,20,50]"
                                     ",\"confidence\":0.9}") != NULL,
                        "%s", json);
            fail_unless(strstr(json, "\"snapshot\"") == NULL, "snapshots=false: %s", json);
        }
        /* the walker's meta carries the alert to highlight: the crossing (info) on frames
         * 3 and 4, then the intrusion (warning), then the newer loitering (warning) */
        const GstStructure *mark = object_alert(out, 7);
        if (i < 3) {
            fail_unless(mark == NULL, "frame %u: marked %" GST_PTR_FORMAT, i, mark);
        } else if (i < 5) {
            fail_unless(mark != NULL, "frame %u: not marked", i);
            ck_assert_str_eq(field(mark, "type"), "line_crossing");
            ck_assert_str_eq(field(mark, "rule"), "cross");
            ck_assert_str_eq(field(mark, "severity"), "info");
            ck_assert_str_eq(field(mark, "line"), "gate");
        } else if (i < 35) {
            fail_unless(mark != NULL, "frame %u: not marked", i);
            ck_assert_str_eq(field(mark, "type"), i < 15 ? "intrusion" : "loitering");
            ck_assert_str_eq(field(mark, "zone"), "yard");
            ck_assert_str_eq(field(mark, "severity"), "warning");
        } else {
            fail_unless(mark == NULL, "frame %u: still marked after the end", i);
        }
        /* the stopper's crossing stays marked for 1 s: frames 13 to 22 (23 is the edge) */
        mark = object_alert(out, 8);
        if (i >= 13 && i <= 22) {
            fail_unless(mark != NULL, "frame %u: the stopper is not marked", i);
            ck_assert_str_eq(field(mark, "type"), "line_crossing");
        } else if (i != 23) {
            fail_unless(mark == NULL, "frame %u: the stopper is marked", i);
        }
        g_ptr_array_unref(alerts);
        gst_buffer_unref(out);
    }
    ck_assert_str_eq(seen->str, " 3:line_crossing/instant 5:intrusion/start "
                                "13:line_crossing/instant 15:loitering/start 35:intrusion/end "
                                "35:loitering/end");
    /* the same alerts, in the same order, on the bus */
    GPtrArray *messages = pop_alert_messages(a.bus);
    ck_assert_uint_eq(messages->len, jsons->len);
    for (guint k = 0; k < messages->len; k++)
        ck_assert_str_eq(field(g_ptr_array_index(messages, k), "json"),
                         g_ptr_array_index(jsons, k));
    alerts_test_validate(jsons);
    guint64 count = 0;
    GstElement *element = gst_harness_find_element(a.h, "vigilanalytics");
    g_object_get(element, "alert-count", &count, NULL);
    gst_object_unref(element);
    ck_assert_uint_eq(count, 6);
    g_ptr_array_unref(messages);
    g_ptr_array_unref(jsons);
    g_string_free(seen, TRUE);
    analytics_free(&a);
}
GST_END_TEST;

GST_START_TEST(test_untracked_and_tentative_never_alert) {
    analytics a = analytics_new("RGB", rules_path, "snapshots=false");
    for (guint i = 0; i < 20; i++) {
        GstBuffer *in = alerts_test_frame("RGB", WIDTH, HEIGHT, i, FALSE);
        /* a detection without a track, and a tentative track, both deep in the yard */
        alerts_test_add_object(in, "person", 0, -1, NULL, 150, 100, 20, 50);
        alerts_test_add_object(in, "person", 0, 9, "tentative", 200, 100, 20, 50);
        /* a car is not a person */
        alerts_test_add_object(in, "car", 2, 3, "confirmed", 180, 100, 40, 30);
        GstBuffer *out = gst_harness_push_and_pull(a.h, in);
        GPtrArray *alerts = alerts_test_buffer_alerts(out);
        ck_assert_uint_eq(alerts->len, 0);
        g_ptr_array_unref(alerts);
        gst_buffer_unref(out);
    }
    GPtrArray *messages = pop_alert_messages(a.bus);
    ck_assert_uint_eq(messages->len, 0);
    g_ptr_array_unref(messages);
    analytics_free(&a);
}
GST_END_TEST;

/* The incidents still open at EOS end there; their alerts go downstream as events
 * ahead of the EOS (and to the bus). */
GST_START_TEST(test_eos_ends_open_incidents) {
    analytics a = analytics_new("RGB", rules_path, "snapshots=false");
    for (guint i = 0; i < 20; i++) /* in the yard from frame 5 on */
        gst_buffer_unref(gst_harness_push_and_pull(a.h, walker_frame("RGB", i, "confirmed")));
    GPtrArray *messages = pop_alert_messages(a.bus);
    gchar *before = summary(messages);
    ck_assert_str_eq(before, "line_crossing/instant intrusion/start loitering/start");
    g_free(before);
    g_ptr_array_unref(messages);

    fail_unless(gst_harness_push_event(a.h, gst_event_new_eos()));
    GPtrArray *events = g_ptr_array_new_with_free_func((GDestroyNotify)gst_structure_free);
    GstEvent *ev;
    gboolean eos = FALSE;
    while ((ev = gst_harness_try_pull_event(a.h)) != NULL) {
        const GstStructure *s = gst_event_get_structure(ev);
        if (GST_EVENT_TYPE(ev) == GST_EVENT_CUSTOM_DOWNSTREAM && s != NULL &&
            gst_structure_has_name(s, "vigil-alert")) {
            fail_if(eos, "an alert event after EOS");
            g_ptr_array_add(events, gst_structure_copy(s));
        }
        eos |= GST_EVENT_TYPE(ev) == GST_EVENT_EOS;
        gst_event_unref(ev);
    }
    fail_unless(eos, "no EOS");
    gchar *ended = summary(events);
    ck_assert_str_eq(ended, "intrusion/end loitering/end");
    g_free(ended);
    for (guint k = 0; k < events->len; k++) {
        const gchar *json = field(g_ptr_array_index(events, k), "json");
        fail_unless(strstr(json, "\"end_reason\":\"stream_end\"") != NULL, "%s", json);
        fail_unless(strstr(json, "\"frame\":19") != NULL, "%s", json);
    }
    messages = pop_alert_messages(a.bus);
    ck_assert_uint_eq(messages->len, 2);
    g_ptr_array_unref(messages);
    g_ptr_array_unref(events);
    analytics_free(&a);
}
GST_END_TEST;

/* Reads the width and height of a JPEG from its start-of-frame segment. */
static void jpeg_size(const guchar *jpeg, gsize size, gint *width, gint *height) {
    fail_unless(size > 4 && jpeg[0] == 0xFF && jpeg[1] == 0xD8, "not a JPEG");
    gsize p = 2;
    while (p + 9 < size) {
        fail_unless(jpeg[p] == 0xFF, "bad JPEG segment at %zu", p);
        guchar marker = jpeg[p + 1];
        gsize length = (gsize)jpeg[p + 2] << 8 | jpeg[p + 3];
        if (marker >= 0xC0 && marker <= 0xC2) {
            *height = jpeg[p + 5] << 8 | jpeg[p + 6];
            *width = jpeg[p + 7] << 8 | jpeg[p + 8];
            return;
        }
        p += 2 + length;
    }
    fail("no start-of-frame in the JPEG");
}

/* The pixels reach the engine whatever the format (converted to RGB when needed): the
 * intrusion start carries a JPEG snapshot of the frame's size. */
GST_START_TEST(test_snapshot_from_pixels) {
    static const char *formats[] = {"RGB", "I420", "NV12"};
    for (guint f = 0; f < G_N_ELEMENTS(formats); f++) {
        analytics a = analytics_new(formats[f], rules_path, NULL);
        gchar *json = NULL;
        for (guint i = 0; i < 6; i++) {
            GstBuffer *out =
                gst_harness_push_and_pull(a.h, walker_frame(formats[f], i, "confirmed"));
            GPtrArray *alerts = alerts_test_buffer_alerts(out);
            for (guint k = 0; k < alerts->len; k++)
                if (strcmp(field(g_ptr_array_index(alerts, k), "type"), "intrusion") == 0)
                    json = g_strdup(field(g_ptr_array_index(alerts, k), "json"));
            g_ptr_array_unref(alerts);
            gst_buffer_unref(out);
        }
        fail_unless(json != NULL, "%s: no intrusion", formats[f]);
        const gchar *start = strstr(json, "\"snapshot\":\"");
        fail_unless(start != NULL, "%s: no snapshot in %s", formats[f], json);
        start += strlen("\"snapshot\":\"");
        gchar *b64 = g_strndup(start, strchr(start, '"') - start);
        gsize size = 0;
        guchar *jpeg = g_base64_decode(b64, &size);
        gint width = 0, height = 0;
        jpeg_size(jpeg, size, &width, &height);
        ck_assert_int_eq(width, WIDTH);
        ck_assert_int_eq(height, HEIGHT);
        GPtrArray *one = g_ptr_array_new();
        g_ptr_array_add(one, json);
        alerts_test_validate(one);
        g_ptr_array_unref(one);
        g_free(jpeg);
        g_free(b64);
        g_free(json);
        analytics_free(&a);
    }
}
GST_END_TEST;

/* Tamper from the pixels (NV12, converted): 1 s of a checkerboard, then black. The
 * baseline is learned over 0.5 s; black from pts 1.0 held 0.5 s alerts on frame 15. */
GST_START_TEST(test_tamper_from_pixels) {
    gchar *rules = alerts_test_write(tmp, "tamper.json", TAMPER_RULES);
    analytics a = analytics_new("NV12", rules, "snapshots=false");
    gint start = -1;
    for (guint i = 0; i < 25; i++) {
        GstBuffer *out =
            gst_harness_push_and_pull(a.h, alerts_test_frame("NV12", WIDTH, HEIGHT, i, i >= 10));
        GPtrArray *alerts = alerts_test_buffer_alerts(out);
        for (guint k = 0; k < alerts->len; k++) {
            const GstStructure *s = g_ptr_array_index(alerts, k);
            ck_assert_str_eq(field(s, "type"), "tamper");
            ck_assert_str_eq(field(s, "severity"), "critical");
            ck_assert_str_eq(field(s, "camera-id"), "cam2");
            if (strcmp(field(s, "event"), "start") == 0 && start < 0) {
                start = (gint)i;
                fail_unless(strstr(field(s, "json"), "\"reason\":\"blackout\"") != NULL, "%s",
                            field(s, "json"));
            }
        }
        g_ptr_array_unref(alerts);
        gst_buffer_unref(out);
    }
    ck_assert_int_eq(start, 15);
    analytics_free(&a);
    /* the alert about no object stays on every frame from its start: the banner's */
    a = analytics_new("NV12", rules, "snapshots=false");
    for (guint i = 0; i < 25; i++) {
        GstBuffer *out =
            gst_harness_push_and_pull(a.h, alerts_test_frame("NV12", WIDTH, HEIGHT, i, i >= 10));
        GPtrArray *active = active_alerts(out);
        ck_assert_uint_eq(active->len, i >= 15 ? 1 : 0);
        if (active->len > 0) {
            const GstStructure *s = g_ptr_array_index(active, 0);
            ck_assert_str_eq(field(s, "type"), "tamper");
            ck_assert_str_eq(field(s, "reason"), "blackout");
            ck_assert_str_eq(field(s, "severity"), "critical");
        }
        g_ptr_array_unref(active);
        gst_buffer_unref(out);
    }
    analytics_free(&a);
    g_free(rules);
}
GST_END_TEST;

/* A crowding incident, worked by hand from docs/alerts.md: 2 people on frames 0-4, 4
 * from frame 5 (pts 0.5) to 19, then 1. Three or more from pts 0.5 held 0.5 s start
 * it on frame 10; the three who left (last seen at pts 1.9) still count until they are
 * unseen for more than 0.25 s, i.e. they are dropped after frame 22 (pts 2.2) is
 * evaluated, so the count falls to 1 on frame 23 (an update), and at most 2 held 0.5 s
 * end it on frame 28. Every frame from the start to the one before
 * the end carries one VigilActiveAlertMeta with the crowd's fields and current count;
 * the end frame and those before the start carry none. */
GST_START_TEST(test_active_alert_for_the_incident) {
    gchar *rules = alerts_test_write(tmp, "crowd.json", CROWD_RULES);
    analytics a = analytics_new("RGB", rules, "start-time=1000 snapshots=false");
    GString *seen = g_string_new(NULL);
    gchar *incident = NULL;
    for (guint i = 0; i < 35; i++) {
        GstBuffer *in = alerts_test_frame("RGB", WIDTH, HEIGHT, i, FALSE);
        guint people = i < 5 ? 2 : i < 20 ? 4 : 1;
        for (guint k = 0; k < people; k++)
            alerts_test_add_object(in, "person", 0, 1 + k, "confirmed", 20 + 60 * k, 100, 20, 50);
        GstBuffer *out = gst_harness_push_and_pull(a.h, in);
        GPtrArray *alerts = alerts_test_buffer_alerts(out);
        for (guint k = 0; k < alerts->len; k++) {
            const GstStructure *s = g_ptr_array_index(alerts, k);
            g_string_append_printf(seen, " %u:%s/%s", i, field(s, "type"), field(s, "event"));
            if (incident == NULL)
                incident = g_strdup(field(s, "incident-id"));
        }
        GPtrArray *active = active_alerts(out);
        gboolean open = i >= 10 && i < 28;
        fail_unless(active->len == (open ? 1u : 0u), "frame %u: %u active alerts", i, active->len);
        if (open) {
            const GstStructure *s = g_ptr_array_index(active, 0);
            ck_assert_str_eq(field(s, "type"), "crowding");
            ck_assert_str_eq(field(s, "rule"), "crowd");
            ck_assert_str_eq(field(s, "zone"), "square");
            ck_assert_str_eq(field(s, "severity"), "warning");
            ck_assert_str_eq(field(s, "label"), "person");
            ck_assert_str_eq(field(s, "incident-id"), incident);
            fail_if(gst_structure_has_field(s, "reason"));
            gint count = -1;
            gdouble started_at = -1;
            fail_unless(gst_structure_get_int(s, "count", &count) &&
                        gst_structure_get_double(s, "started-at", &started_at));
            fail_unless(count == (i < 23 ? 4 : 1), "frame %u: count %d", i, count);
            fail_unless(fabs(started_at - 1001.0) < 1e-6, "started-at %.6f", started_at);
        }
        g_ptr_array_unref(active);
        g_ptr_array_unref(alerts);
        gst_buffer_unref(out);
    }
    ck_assert_str_eq(seen->str, " 10:crowding/start 23:crowding/update 28:crowding/end");
    g_string_free(seen, TRUE);
    g_free(incident);
    analytics_free(&a);
    g_free(rules);
}
GST_END_TEST;

static gdouble learned_seconds(const char *path) {
    gchar *text = NULL;
    fail_unless(g_file_get_contents(path, &text, NULL, NULL), "no anomaly state %s", path);
    fail_unless(strstr(text, "\"vigil.anomaly.v1\"") != NULL, "%s", text);
    const gchar *at = strstr(text, "\"learned_seconds\":");
    fail_unless(at != NULL, "%s", text);
    gdouble v = g_ascii_strtod(at + strlen("\"learned_seconds\":"), NULL);
    g_free(text);
    return v;
}

/* The learned model goes to anomaly-state at EOS and on stop, and comes back at start:
 * a second run of 3 s continues from the first's 3 s instead of starting again. */
GST_START_TEST(test_anomaly_state_saved_and_restored) {
    gchar *rules = alerts_test_write(tmp, "anomaly.json", ANOMALY_RULES);
    gchar *state = g_build_filename(tmp, "plaza-state.json", NULL);
    gchar *props = g_strdup_printf("anomaly-state=\"%s\"", state);
    gdouble after[2];
    for (guint run = 0; run < 2; run++) {
        analytics a = analytics_new("RGB", rules, props);
        for (guint i = 0; i < 31; i++)
            gst_buffer_unref(gst_harness_push_and_pull(a.h, walker_frame("RGB", i, "confirmed")));
        if (run == 0) /* saved at EOS; the second run is only stopped */
            fail_unless(gst_harness_push_event(a.h, gst_event_new_eos()));
        analytics_free(&a);
        after[run] = learned_seconds(state);
    }
    /* 31 frames at 10 frames/s span 3 s */
    fail_unless(fabs(after[0] - 3.0) < 0.11, "first run learned %g s", after[0]);
    fail_unless(fabs(after[1] - 6.0) < 0.21, "second run learned %g s in all", after[1]);

    /* a corrupt state file stops the start, naming the file */
    fail_unless(
        g_file_set_contents(state, "{\"schema\": \"vigil.anomaly.v1\", \"cells\": [", -1, NULL));
    gchar *desc = g_strdup_printf("videotestsrc num-buffers=1 ! vigilanalytics rules=\"%s\" %s ! "
                                  "fakesink",
                                  rules, props);
    GstElement *pipeline = gst_parse_launch(desc, NULL);
    ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    fail_unless(msg != NULL);
    GError *err = NULL;
    gchar *debug = NULL;
    gst_message_parse_error(msg, &err, &debug);
    fail_unless(strstr(debug, "plaza-state.json") != NULL, "%s / %s", err->message, debug);
    g_error_free(err);
    g_free(debug);
    gst_message_unref(msg);
    gst_object_unref(bus);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    g_free(desc);
    g_free(props);
    g_free(state);
    g_free(rules);
}
GST_END_TEST;

/* Starting with props fails with an error whose message or details contain words. */
static void expect_start_error(const char *props, const char *words) {
    gchar *desc =
        g_strdup_printf("videotestsrc num-buffers=1 ! vigilanalytics %s ! fakesink", props);
    GstElement *pipeline = gst_parse_launch(desc, NULL);
    fail_unless(pipeline != NULL, "%s", desc);
    ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    fail_unless(msg != NULL, "no error for %s", props);
    GError *err = NULL;
    gchar *debug = NULL;
    gst_message_parse_error(msg, &err, &debug);
    gchar *text = g_strdup_printf("%s %s", err->message, debug ? debug : "");
    fail_unless(strstr(text, words) != NULL, "error '%s' lacks '%s'", text, words);
    g_free(text);
    g_error_free(err);
    g_free(debug);
    gst_message_unref(msg);
    gst_object_unref(bus);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    g_free(desc);
}

GST_START_TEST(test_errors) {
    expect_start_error("", "No rules file");
    expect_start_error("rules=/nonexistent/vigil/rules.json", "/nonexistent/vigil/rules.json");
    gchar *bad = alerts_test_write(
        tmp, "typo.json",
        "{\"zones\": [{\"name\": \"lawn\", \"polygon\": [[0,0],[10,0],[10,10]]}],\n"
        " \"rules\": [{\"name\": \"r\", \"type\": \"intrusion\",\n"
        "             \"zone\": \"lwn\"}]}\n");
    gchar *props = g_strdup_printf("rules=\"%s\"", bad);
    expect_start_error(props, "typo.json:3: rules[0].zone: unknown zone 'lwn'");
    g_free(props);
    g_free(bad);
}
GST_END_TEST;

/* A rules file changed while playing applies from the next frame; a bad one is a
 * warning and the previous rules stay. */
GST_START_TEST(test_rules_reload) {
    analytics a = analytics_new("RGB", rules_path, "snapshots=false");
    for (guint i = 0; i < 8; i++) /* the intrusion started on frame 5 */
        gst_buffer_unref(gst_harness_push_and_pull(a.h, walker_frame("RGB", i, "confirmed")));
    gchar *other = alerts_test_write(
        tmp, "other.json",
        "{\"camera_id\": \"other\", \"zones\": [{\"name\": \"all\", \"polygon\": "
        "[[0,0],[320,0],[320,240],[0,240]]}], \"rules\": [{\"name\": \"anyone\", \"type\": "
        "\"intrusion\", \"zone\": \"all\"}]}\n");
    GstElement *element = gst_harness_find_element(a.h, "vigilanalytics");
    g_object_set(element, "rules", other, NULL);
    GstBuffer *out = gst_harness_push_and_pull(a.h, walker_frame("RGB", 8, "confirmed"));
    /* the old intrusion ends (rules changed) and the new rule starts, on the same frame */
    GPtrArray *alerts = alerts_test_buffer_alerts(out);
    gchar *s = summary(alerts);
    ck_assert_str_eq(s, "intrusion/end intrusion/start");
    ck_assert_str_eq(field(g_ptr_array_index(alerts, 0), "camera-id"), "testcam");
    ck_assert_str_eq(field(g_ptr_array_index(alerts, 1), "camera-id"), "other");
    ck_assert_str_eq(field(g_ptr_array_index(alerts, 1), "rule"), "anyone");
    g_free(s);
    g_ptr_array_unref(alerts);
    gst_buffer_unref(out);

    gchar *broken = alerts_test_write(tmp, "broken.json", "{\"rules\": [");
    g_object_set(element, "rules", broken, NULL);
    out = gst_harness_push_and_pull(a.h, walker_frame("RGB", 9, "confirmed"));
    alerts = alerts_test_buffer_alerts(out);
    ck_assert_uint_eq(alerts->len, 0); /* the incident of "anyone" goes on */
    g_ptr_array_unref(alerts);
    gst_buffer_unref(out);
    GstMessage *msg = gst_bus_pop_filtered(a.bus, GST_MESSAGE_WARNING);
    fail_unless(msg != NULL, "no warning for a broken rules file");
    gst_message_unref(msg);
    g_object_unref(element);
    g_free(broken);
    g_free(other);
    analytics_free(&a);
}
GST_END_TEST;

/* The same input with the same start-time gives the same alert ids. */
GST_START_TEST(test_start_time_reproducible) {
    gchar *ids[2];
    for (guint run = 0; run < 2; run++) {
        analytics a = analytics_new("RGB", rules_path, "start-time=1700000000 snapshots=false");
        GString *s = g_string_new(NULL);
        for (guint i = 0; i < 20; i++) {
            GstBuffer *out = gst_harness_push_and_pull(a.h, walker_frame("RGB", i, "confirmed"));
            GPtrArray *alerts = alerts_test_buffer_alerts(out);
            for (guint k = 0; k < alerts->len; k++)
                g_string_append_printf(s, "%s ", field(g_ptr_array_index(alerts, k), "alert-id"));
            g_ptr_array_unref(alerts);
            gst_buffer_unref(out);
        }
        ids[run] = g_string_free(s, FALSE);
        analytics_free(&a);
    }
    ck_assert_uint_eq(strlen(ids[0]), 3 * 33);
    ck_assert_str_eq(ids[0], ids[1]);
    g_free(ids[0]);
    g_free(ids[1]);

    /* without start-time, alerts carry the time they were raised */
    analytics a = analytics_new("RGB", rules_path, "snapshots=false");
    GDateTime *now = g_date_time_new_now_utc();
    gchar *today = g_date_time_format(now, "\"timestamp\":\"%Y-%m-%dT");
    gchar *json = NULL;
    for (guint i = 0; i < 6; i++) {
        GstBuffer *out = gst_harness_push_and_pull(a.h, walker_frame("RGB", i, "confirmed"));
        GPtrArray *alerts = alerts_test_buffer_alerts(out);
        if (alerts->len > 0 && json == NULL)
            json = g_strdup(field(g_ptr_array_index(alerts, 0), "json"));
        g_ptr_array_unref(alerts);
        gst_buffer_unref(out);
    }
    fail_unless(json != NULL && strstr(json, today) != NULL, "%s lacks %s", json, today);
    g_free(json);
    g_free(today);
    g_date_time_unref(now);
    analytics_free(&a);
}
GST_END_TEST;

typedef struct {
    GstElement *element;
    const gchar *rules[2];
    volatile gint stop;
    gint changes; /* atomic */
} prop_thread_data;

static gpointer change_properties(gpointer data) {
    prop_thread_data *d = data;
    while (!g_atomic_int_get(&d->stop)) {
        guint c = (guint)g_atomic_int_get(&d->changes);
        g_object_set(d->element, "post-messages", (gboolean)(c % 2), NULL);
        if (c % 5 == 0)
            g_object_set(d->element, "rules", d->rules[(c / 5) % 2], NULL);
        if (c % 7 == 0)
            g_object_set(d->element, "camera-id", (c % 2) ? "cam-a" : NULL, NULL);
        guint64 count;
        gchar *rules;
        g_object_get(d->element, "alert-count", &count, "rules", &rules, NULL);
        g_free(rules);
        g_atomic_int_inc(&d->changes);
        g_usleep(500);
    }
    return NULL;
}

GST_START_TEST(test_properties_while_flowing) {
    gchar *other = alerts_test_write(
        tmp, "all.json",
        "{\"camera_id\": \"all\", \"zones\": [{\"name\": \"all\", \"polygon\": "
        "[[0,0],[320,0],[320,240],[0,240]]}], \"rules\": [{\"name\": \"anyone\", \"type\": "
        "\"intrusion\", \"zone\": \"all\"}]}\n");
    analytics a = analytics_new("RGB", rules_path, "snapshots=false");
    prop_thread_data d = {.element = gst_harness_find_element(a.h, "vigilanalytics"),
                          .rules = {rules_path, other}};
    GThread *thread = g_thread_new("props", change_properties, &d);
    guint alerts_seen = 0;
    /* at least 300 frames, and on until the other thread made 20 changes */
    for (guint i = 0; i < 300 || (g_atomic_int_get(&d.changes) < 20 && i < 5000); i++) {
        GstBuffer *in = alerts_test_frame("RGB", WIDTH, HEIGHT, i, FALSE);
        /* a person walking back and forth through the yard and the gate */
        guint x = 40 + (i * 10) % 280;
        alerts_test_add_object(in, "person", 0, 1 + i / 28, "confirmed", x, 100, 20, 50);
        GstBuffer *out = gst_harness_push_and_pull(a.h, in);
        fail_unless(out != NULL);
        GPtrArray *alerts = alerts_test_buffer_alerts(out);
        for (guint k = 0; k < alerts->len; k++) {
            const gchar *camera = field(g_ptr_array_index(alerts, k), "camera-id");
            fail_unless(strcmp(camera, "testcam") == 0 || strcmp(camera, "all") == 0 ||
                            strcmp(camera, "cam-a") == 0,
                        "camera %s", camera);
            alerts_seen++;
        }
        g_ptr_array_unref(alerts);
        gst_buffer_unref(out);
    }
    g_atomic_int_set(&d.stop, 1);
    g_thread_join(thread);
    fail_unless(d.changes > 10, "only %d changes", d.changes);
    fail_unless(alerts_seen > 10, "only %u alerts", alerts_seen);
    g_object_unref(d.element);
    analytics_free(&a);
    g_free(other);
}
GST_END_TEST;

/* Adds the walker to each frame entering vigilanalytics. */
static GstPadProbeReturn add_walker_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    guint *i = data;
    alerts_test_add_object(buffer, "person", 0, 7, "confirmed", 45 + 10 * (*i % 30), 100, 20, 50);
    (*i)++;
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    return GST_PAD_PROBE_OK;
}

/* NULL -> PLAYING (until 8 frames came through, with alerts) -> NULL, count times. */
static void state_cycles(guint count) {
    gchar *desc = g_strdup_printf(
        "videotestsrc ! video/x-raw,format=I420,width=320,height=240,framerate=10/1 ! "
        "vigilanalytics name=a rules=\"%s\" ! appsink name=sink sync=false",
        rules_path);
    GstElement *pipeline = gst_parse_launch(desc, NULL);
    g_free(desc);
    fail_unless(pipeline != NULL);
    GstElement *element = plugin_test_get(pipeline, "a");
    GstPad *sinkpad = gst_element_get_static_pad(element, "sink");
    guint frame = 0;
    gst_pad_add_probe(sinkpad, GST_PAD_PROBE_TYPE_BUFFER, add_walker_probe, &frame, NULL);
    gst_object_unref(sinkpad);
    GstElement *sink = plugin_test_get(pipeline, "sink");
    for (guint i = 0; i < count; i++) {
        frame = 0;
        fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
        for (guint f = 0; f < 8; f++) {
            GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND);
            fail_unless(sample != NULL, "no frame %u in cycle %u", f, i);
            gst_sample_unref(sample);
        }
        ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
        guint64 alerts = 0;
        g_object_get(element, "alert-count", &alerts, NULL);
        fail_unless(alerts >= 2, "cycle %u: %" G_GUINT64_FORMAT " alerts", i, alerts);
    }
    gst_object_unref(element);
    gst_object_unref(sink);
    gst_check_object_destroyed_on_unref(pipeline);
}

GST_START_TEST(test_state_cycles_no_leaks) {
    plugin_test_assert_no_leaks(state_cycles, 10);
}
GST_END_TEST;

static Suite *vigilanalytics_suite(void) {
    /* The leaks tracer counts live objects for test_state_cycles_no_leaks. */
    g_setenv("GST_TRACERS", "leaks", FALSE);
    plugin_test_init("vigil-test-vigilanalytics.registry");
    Suite *s = suite_create("vigilanalytics");
    TCase *tc = tcase_create("analytics");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_caps_pass_through);
    tcase_add_test(tc, test_alerts_as_metas_messages_and_marks);
    tcase_add_test(tc, test_untracked_and_tentative_never_alert);
    tcase_add_test(tc, test_eos_ends_open_incidents);
    tcase_add_test(tc, test_snapshot_from_pixels);
    tcase_add_test(tc, test_tamper_from_pixels);
    tcase_add_test(tc, test_active_alert_for_the_incident);
    tcase_add_test(tc, test_anomaly_state_saved_and_restored);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_rules_reload);
    tcase_add_test(tc, test_start_time_reproducible);
    tcase_add_test(tc, test_properties_while_flowing);
    tcase_add_test(tc, test_state_cycles_no_leaks);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(vigilanalytics_suite)
