/*
 * vigiltrack with GstHarness: caps pass through; the metas it writes for hand-made
 * detections (ids, the `track` structure with ages from PTS, unconfirmed detections
 * dropped or kept, metas of other elements untouched); frames vigildetect skipped
 * become predicted boxes; ids never repeat after a flush; on vtest.avi, through
 * vigildetect, the three people of the first frame keep one id each over 20
 * consecutive frames, with detection in every frame and in every other frame;
 * properties changed from another thread while buffers flow keep the tracks; and
 * NULL -> PLAYING -> NULL repeated leaves nothing alive.
 */
#include "plugin_test_leaks.h"

#include <gst/app/gstappsink.h>
#include <gst/check/gstharness.h>

#define WIDTH 640
#define HEIGHT 480
#define FRAME_CAPS "video/x-raw,format=GRAY8,width=640,height=480,framerate=10/1"
#define SKIPPED_META "VigilDetectionSkippedMeta"

/* One person walking 10 px per frame, for the tests on hand-made detections. */
#define WALKER_X(i) (100.0f + 10.0f * (gfloat)(i))

/* Frame 0 of vtest.avi: three walking people, as boxed by `vigil detect` (see
 * test_vigildetect.c). */
static const float PEOPLE[][4] = {
    {499.5f, 158.1f, 30.9f, 76.0f},
    {639.8f, 239.3f, 44.5f, 85.0f},
    {251.4f, 220.0f, 31.7f, 89.4f},
};
#define N_PEOPLE (sizeof PEOPLE / sizeof PEOPLE[0])

static gchar *model_path;
static gchar *video_path;

/* An empty GRAY8 frame at pts. */
static GstBuffer *make_frame(GstClockTime pts) {
    GstBuffer *buffer = gst_buffer_new_and_alloc(WIDTH * HEIGHT);
    gst_buffer_memset(buffer, 0, 0, WIDTH * HEIGHT);
    GST_BUFFER_PTS(buffer) = pts;
    GST_BUFFER_DURATION(buffer) = 100 * GST_MSECOND;
    return buffer;
}

/* A detection as vigildetect attaches it. */
static void add_detection(GstBuffer *buffer, const char *label, gint class_id, gdouble confidence,
                          gfloat x, gfloat y, gfloat w, gfloat h) {
    GstVideoRegionOfInterestMeta *roi = gst_buffer_add_video_region_of_interest_meta(
        buffer, label, (guint)x, (guint)y, (guint)w, (guint)h);
    roi->id = -1;
    gst_video_region_of_interest_meta_add_param(
        roi, gst_structure_new("detection", "label", G_TYPE_STRING, label, "class_id", G_TYPE_INT,
                               class_id, "confidence", G_TYPE_DOUBLE, confidence, NULL));
}

/* A frame with the walker at frame i. */
static GstBuffer *walker_frame(guint i) {
    GstBuffer *buffer = make_frame(i * 100 * GST_MSECOND);
    add_detection(buffer, "person", 0, 0.9, WALKER_X(i), 100, 40, 100);
    return buffer;
}

/* What a test reads back from one output meta. */
typedef struct {
    gint id;
    gfloat box[4];
    gchar label[32];
    gboolean has_track;
    gint track_id, hits;
    gdouble age;
    gchar state[16];
    gboolean has_detection;
} meta_info;

/* The ROI metas of buffer, in order. */
static GArray *read_metas(GstBuffer *buffer) {
    GArray *out = g_array_new(FALSE, TRUE, sizeof(meta_info));
    gpointer state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state,
                                                    GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
        GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
        meta_info m = {.id = roi->id, .box = {roi->x, roi->y, roi->w, roi->h}};
        g_strlcpy(m.label, g_quark_to_string(roi->roi_type), sizeof m.label);
        GstStructure *track = gst_video_region_of_interest_meta_get_param(roi, "track");
        if (track != NULL) {
            m.has_track = TRUE;
            fail_unless(gst_structure_get_int(track, "id", &m.track_id) &&
                            gst_structure_get_int(track, "hits", &m.hits) &&
                            gst_structure_get_double(track, "age", &m.age),
                        "track structure lacks fields: %" GST_PTR_FORMAT, track);
            gboolean stationary;
            fail_unless(gst_structure_get_boolean(track, "stationary", &stationary));
            const gchar *s = gst_structure_get_string(track, "state");
            fail_unless(s != NULL);
            g_strlcpy(m.state, s, sizeof m.state);
        }
        m.has_detection = gst_video_region_of_interest_meta_get_param(roi, "detection") != NULL;
        g_array_append_val(out, m);
    }
    return out;
}

static GArray *push_and_read(GstHarness *h, GstBuffer *in) {
    GstBuffer *out = gst_harness_push_and_pull(h, in);
    fail_unless(out != NULL, "vigiltrack gave no buffer");
    GArray *metas = read_metas(out);
    gst_buffer_unref(out);
    return metas;
}

static const meta_info *find_label(GArray *metas, const char *label) {
    for (guint i = 0; i < metas->len; i++)
        if (strcmp(g_array_index(metas, meta_info, i).label, label) == 0)
            return &g_array_index(metas, meta_info, i);
    return NULL;
}

static const meta_info *find_id(GArray *metas, gint id) {
    for (guint i = 0; i < metas->len; i++)
        if (g_array_index(metas, meta_info, i).id == id)
            return &g_array_index(metas, meta_info, i);
    return NULL;
}

static GstHarness *track_harness(const char *props) {
    gchar *desc = g_strdup_printf("vigiltrack %s", props ? props : "");
    GstHarness *h = gst_harness_new_parse(desc);
    g_free(desc);
    gst_harness_set_src_caps_str(h, FRAME_CAPS);
    return h;
}

GST_START_TEST(test_caps_pass_through) {
    static const char *caps[] = {
        "video/x-raw,format=NV12,width=64,height=48,framerate=10/1",
        "video/x-raw,format=RGB,width=33,height=17,framerate=30/1",
        "video/x-raw,format=I420,width=64,height=48,framerate=0/1",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(caps); i++) {
        GstHarness *h = gst_harness_new("vigiltrack");
        GstCaps *in = gst_caps_from_string(caps[i]);
        gst_harness_set_src_caps(h, gst_caps_ref(in));
        GstVideoInfo info;
        fail_unless(gst_video_info_from_caps(&info, in));
        GstBuffer *buffer = gst_buffer_new_and_alloc(GST_VIDEO_INFO_SIZE(&info));
        GST_BUFFER_PTS(buffer) = 0;
        GstBuffer *out = gst_harness_push_and_pull(h, buffer);
        fail_unless(out != NULL);
        gst_buffer_unref(out);
        GstCaps *negotiated = gst_pad_get_current_caps(h->sinkpad);
        fail_unless(gst_caps_is_equal(negotiated, in), "%s became %" GST_PTR_FORMAT, caps[i],
                    negotiated);
        gst_caps_unref(negotiated);
        gst_caps_unref(in);
        gst_harness_teardown(h);
    }
    /* no audio */
    GstHarness *h = gst_harness_new("vigiltrack");
    GstCaps *audio = gst_caps_from_string("audio/x-raw,format=S16LE,rate=8000,channels=1");
    fail_if(gst_pad_peer_query_accept_caps(h->srcpad, audio));
    gst_caps_unref(audio);
    gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_track_metas) {
    GstHarness *h = track_harness(NULL);
    /* frame 0: a first sighting is not confirmed yet and is dropped; a meta without a
     * detection structure belongs to another element and passes as it is */
    GstBuffer *in = make_frame(0);
    add_detection(in, "person", 0, 0.9, 100, 100, 40, 100);
    add_detection(in, "car", 2, 0.8, 400, 200, 80, 50);
    gst_buffer_add_video_region_of_interest_meta(in, "face", 10, 10, 5, 5)->id = 77;
    GArray *metas = push_and_read(h, in);
    ck_assert_uint_eq(metas->len, 1);
    const meta_info *face = find_label(metas, "face");
    fail_unless(face != NULL && face->id == 77 && !face->has_track);
    g_array_unref(metas);

    /* frame 1, 100 ms later: both confirmed, with distinct ids from 1 */
    in = make_frame(100 * GST_MSECOND);
    add_detection(in, "person", 0, 0.9, 104, 100, 40, 100);
    add_detection(in, "car", 2, 0.8, 402, 200, 80, 50);
    metas = push_and_read(h, in);
    ck_assert_uint_eq(metas->len, 2);
    const meta_info *person = find_label(metas, "person"), *car = find_label(metas, "car");
    fail_unless(person != NULL && car != NULL);
    fail_unless(person->id >= 1 && person->id <= 2 && car->id >= 1 && car->id <= 2 &&
                    person->id != car->id,
                "ids %d and %d", person->id, car->id);
    gint person_id = person->id, car_id = car->id;
    fail_unless(person->has_track && person->track_id == person_id);
    ck_assert_str_eq(person->state, "confirmed");
    ck_assert_int_eq(person->hits, 2);
    fail_unless(fabs(person->age - 0.1) < 1e-9, "age %g", person->age);
    /* the detector's box stays */
    fail_unless(person->box[0] == 104 && person->box[1] == 100 && person->box[2] == 40 &&
                person->box[3] == 100);
    g_array_unref(metas);

    /* frame 2, 200 ms later (a frame dropped upstream): the car is gone this frame */
    in = make_frame(300 * GST_MSECOND);
    add_detection(in, "person", 0, 0.9, 112, 100, 40, 100);
    metas = push_and_read(h, in);
    ck_assert_uint_eq(metas->len, 1);
    person = find_label(metas, "person");
    ck_assert_int_eq(person->id, person_id);
    ck_assert_int_eq(person->hits, 3);
    fail_unless(fabs(person->age - 0.3) < 1e-9, "age %g", person->age);
    g_array_unref(metas);

    /* frame 3: the car is back and keeps its id */
    in = make_frame(400 * GST_MSECOND);
    add_detection(in, "person", 0, 0.9, 116, 100, 40, 100);
    add_detection(in, "car", 2, 0.8, 404, 200, 80, 50);
    metas = push_and_read(h, in);
    ck_assert_uint_eq(metas->len, 2);
    ck_assert_int_eq(find_label(metas, "car")->id, car_id);
    ck_assert_int_eq(find_label(metas, "person")->id, person_id);
    g_array_unref(metas);
    gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_keep_unconfirmed) {
    GstHarness *h = track_harness("keep-unconfirmed=true");
    GstBuffer *in = make_frame(0);
    add_detection(in, "person", 0, 0.9, 100, 100, 40, 100);
    /* too weak to start a track (new-track-threshold 0.7) */
    add_detection(in, "person", 0, 0.3, 300, 100, 40, 100);
    GArray *metas = push_and_read(h, in);
    ck_assert_uint_eq(metas->len, 2);
    const meta_info *a = &g_array_index(metas, meta_info, 0);
    const meta_info *weak = &g_array_index(metas, meta_info, 1);
    ck_assert_int_eq(a->id, -1);
    fail_unless(a->has_track && a->track_id == -1 && a->hits == 1 && a->age == 0.0);
    ck_assert_str_eq(a->state, "tentative");
    fail_unless(weak->id == -1 && !weak->has_track);
    g_array_unref(metas);
    gst_harness_teardown(h);
}
GST_END_TEST;

/* A frame vigildetect skipped: no metas, and the marker it attaches. */
static GstBuffer *skipped_frame(guint i) {
    GstBuffer *buffer = make_frame(i * 100 * GST_MSECOND);
    GstCustomMeta *marker = gst_buffer_add_custom_meta(buffer, SKIPPED_META);
    fail_unless(marker != NULL, "%s is not registered", SKIPPED_META);
    return buffer;
}

GST_START_TEST(test_skipped_frames_are_predicted) {
    GstHarness *h = track_harness(NULL);
    gint id = -1;
    for (guint i = 0; i < 6; i++) {
        GArray *metas = push_and_read(h, walker_frame(i));
        if (i > 0) {
            ck_assert_uint_eq(metas->len, 1);
            id = g_array_index(metas, meta_info, 0).id;
        }
        g_array_unref(metas);
    }
    ck_assert_int_eq(id, 1);
    /* frames 6 and 7 skipped: the walker's predicted box keeps walking, 10 px a frame */
    for (guint i = 6; i < 8; i++) {
        GstBuffer *out = gst_harness_push_and_pull(h, skipped_frame(i));
        fail_unless(gst_buffer_get_custom_meta(out, SKIPPED_META) != NULL,
                    "the skipped-frame marker was lost");
        GArray *metas = read_metas(out);
        gst_buffer_unref(out);
        ck_assert_uint_eq(metas->len, 1);
        const meta_info *m = &g_array_index(metas, meta_info, 0);
        ck_assert_int_eq(m->id, id);
        ck_assert_str_eq(m->label, "person");
        ck_assert_str_eq(m->state, "predicted");
        fail_unless(m->has_detection, "a predicted meta lacks the detection structure");
        fail_unless(fabsf(m->box[0] - WALKER_X(i)) <= 4.0f && fabsf(m->box[1] - 100) <= 3.0f,
                    "frame %u: predicted at %.0f,%.0f, walker at %.0f,100", i, m->box[0], m->box[1],
                    WALKER_X(i));
        g_array_unref(metas);
    }
    GArray *metas = push_and_read(h, walker_frame(8));
    ck_assert_int_eq(find_label(metas, "person")->id, id);
    ck_assert_str_eq(find_label(metas, "person")->state, "confirmed");
    g_array_unref(metas);
    /* an empty frame without the marker: the detector looked and saw nothing, so the
     * track is lost (no meta) and found again at the next sighting */
    metas = push_and_read(h, make_frame(9 * 100 * GST_MSECOND));
    ck_assert_uint_eq(metas->len, 0);
    g_array_unref(metas);
    metas = push_and_read(h, walker_frame(10));
    ck_assert_int_eq(find_label(metas, "person")->id, id);
    g_array_unref(metas);
    gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_ids_unique_after_flush) {
    GstHarness *h = track_harness(NULL);
    for (guint i = 0; i < 3; i++)
        g_array_unref(push_and_read(h, walker_frame(i)));
    fail_unless(gst_harness_push_event(h, gst_event_new_flush_start()));
    fail_unless(gst_harness_push_event(h, gst_event_new_flush_stop(TRUE)));
    GstSegment segment;
    gst_segment_init(&segment, GST_FORMAT_TIME);
    fail_unless(gst_harness_push_event(h, gst_event_new_segment(&segment)));
    /* the same walker after a seek is a new track, with an id never given before */
    GArray *metas = push_and_read(h, walker_frame(0));
    ck_assert_uint_eq(metas->len, 0);
    g_array_unref(metas);
    metas = push_and_read(h, walker_frame(1));
    ck_assert_uint_eq(metas->len, 1);
    ck_assert_int_eq(g_array_index(metas, meta_info, 0).id, 2);
    g_array_unref(metas);
    gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_invalid_options_fail_start) {
    GError *error = NULL;
    GstElement *pipeline =
        gst_parse_launch("videotestsrc num-buffers=1 ! vigiltrack low-threshold=0.9 "
                         "high-threshold=0.6 ! fakesink",
                         &error);
    fail_unless(pipeline != NULL && error == NULL);
    ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    fail_unless(msg != NULL, "no error for a low threshold above the high one");
    GError *err = NULL;
    gchar *debug = NULL;
    gst_message_parse_error(msg, &err, &debug);
    /* the tracker's own words name the two values */
    fail_unless(debug != NULL && strstr(debug, "0.9") != NULL && strstr(debug, "0.6") != NULL,
                "error '%s' (%s)", err->message, debug);
    g_error_free(err);
    g_free(debug);
    gst_message_unref(msg);
    gst_object_unref(bus);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
}
GST_END_TEST;

static float iou(const float a[4], const float b[4]) {
    float x0 = MAX(a[0], b[0]), y0 = MAX(a[1], b[1]);
    float x1 = MIN(a[0] + a[2], b[0] + b[2]), y1 = MIN(a[1] + a[3], b[1] + b[3]);
    float inter = MAX(0.0f, x1 - x0) * MAX(0.0f, y1 - y0);
    return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

/* The first n frames of vtest.avi as I420 samples (vigildetect reads I420 itself). */
static GstSample **decode_frames(guint n) {
    gchar *desc = g_strdup_printf("filesrc location=\"%s\" ! decodebin ! videoconvert ! "
                                  "video/x-raw,format=I420 ! appsink name=sink sync=false",
                                  video_path);
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(desc, &error);
    fail_unless(pipeline != NULL && error == NULL, "%s", error ? error->message : desc);
    g_free(desc);
    fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    GstElement *sink = plugin_test_get(pipeline, "sink");
    GstSample **samples = g_new0(GstSample *, n + 1);
    for (guint i = 0; i < n; i++) {
        samples[i] = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 20 * GST_SECOND);
        fail_unless(samples[i] != NULL, "vtest.avi gave no frame %u", i);
    }
    gst_object_unref(sink);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    return samples;
}

/* Runs frames through "vigildetect interval=N ! vigiltrack" and returns each frame's
 * metas. */
static GArray **detect_and_track(GstSample **frames, guint n, guint interval) {
    gchar *desc = g_strdup_printf("vigildetect model=\"%s\" threads=2 interval=%u ! vigiltrack",
                                  model_path, interval);
    GstHarness *h = gst_harness_new_parse(desc);
    g_free(desc);
    gst_harness_set_src_caps(h, gst_caps_copy(gst_sample_get_caps(frames[0])));
    GArray **metas = g_new0(GArray *, n);
    for (guint i = 0; i < n; i++)
        metas[i] = push_and_read(h, gst_buffer_ref(gst_sample_get_buffer(frames[i])));
    gst_harness_teardown(h);
    return metas;
}

/* The person meta of frame metas overlapping box most, or NULL. */
static const meta_info *best_overlap(GArray *metas, const float box[4]) {
    const meta_info *best = NULL;
    for (guint k = 0; k < metas->len; k++) {
        const meta_info *m = &g_array_index(metas, meta_info, k);
        if (strcmp(m->label, "person") == 0 &&
            (best == NULL || iou(m->box, box) > iou(best->box, box)))
            best = m;
    }
    return best;
}

/* Each person of frame 0 keeps one id from frame first to frame last[p]: in each of
 * those frames one meta carries it, and it is the person there (of all people in the
 * frame, the one overlapping the id's box of the frame before most, by at least 0.25:
 * a fast walker at 10 fps moves a third of their width): the id did not jump to
 * someone else. And no two metas of a frame share an id. */
static void assert_ids_stable(GArray **metas, guint first, const guint last[N_PEOPLE],
                              const char *what) {
    for (guint p = 0; p < N_PEOPLE; p++) {
        /* people move: by frame 2 one of them overlaps its frame 0 box by 0.47 only */
        const meta_info *start = best_overlap(metas[first], PEOPLE[p]);
        if (start != NULL && iou(start->box, PEOPLE[p]) < 0.3f)
            start = NULL;
        fail_unless(start != NULL && start->id >= 1, "%s: person %u not tracked in frame %u", what,
                    p, first);
        gint id = start->id;
        const meta_info *previous = start;
        for (guint f = first + 1; f <= last[p]; f++) {
            const meta_info *m = find_id(metas[f], id);
            fail_unless(m != NULL, "%s: person %u (id %d) has no meta in frame %u", what, p, id, f);
            fail_unless(m == best_overlap(metas[f], previous->box) &&
                            iou(m->box, previous->box) >= 0.25f,
                        "%s: id %d jumped in frame %u from %.0f,%.0f to %.0f,%.0f", what, id, f,
                        previous->box[0], previous->box[1], m->box[0], m->box[1]);
            previous = m;
        }
        printf("%s: person %u keeps id %d over frames %u-%u\n", what, p, id, first, last[p]);
    }
    for (guint f = first; f <= MAX(last[1], last[2]); f++)
        for (guint a = 0; a < metas[f]->len; a++)
            for (guint b = a + 1; b < metas[f]->len; b++)
                fail_if(g_array_index(metas[f], meta_info, a).id ==
                            g_array_index(metas[f], meta_info, b).id,
                        "%s: frame %u has id %d twice", what, f,
                        g_array_index(metas[f], meta_info, a).id);
}

static void free_metas(GArray **metas, guint n) {
    for (guint i = 0; i < n; i++)
        g_array_unref(metas[i]);
    g_free(metas);
}

GST_START_TEST(test_vtest_ids_stable) {
    if (plugin_test_missing(model_path) || plugin_test_missing(video_path))
        return;
    GstElementFactory *detect = gst_element_factory_find("vigildetect");
    if (detect == NULL) {
        printf("skipped: the plugin was built without the detector (no vigildetect)\n");
        return;
    }
    gst_object_unref(detect);
    const guint n = 22;
    GstSample **frames = decode_frames(n);
    /* detection in every frame: tracks are confirmed at their second sighting */
    GArray **metas = detect_and_track(frames, n, 1);
    /* People 1 and 2 stay in view: one id each over 20 consecutive frames. Person 0
     * walks behind the lamp post and its sign at frame 17, where the detector sees only
     * part of them (ByteTrack's low-score stage keeps the id) and then loses them. */
    static const guint last_every_frame[N_PEOPLE] = {16, 20, 20};
    assert_ids_stable(metas, 1, last_every_frame, "interval=1");
    for (guint f = 1; f < n; f++)
        for (guint k = 0; k < metas[f]->len; k++)
            fail_unless(g_array_index(metas[f], meta_info, k).id >= 1, "untracked meta kept");
    free_metas(metas, n);
    /* every other frame: the skipped ones carry predicted boxes with the same ids */
    metas = detect_and_track(frames, n, 2);
    static const guint last_every_other_frame[N_PEOPLE] = {17, 21, 21};
    assert_ids_stable(metas, 2, last_every_other_frame, "interval=2");
    for (guint f = 3; f < n; f += 2) {
        fail_unless(metas[f]->len >= N_PEOPLE, "frame %u: %u metas", f, metas[f]->len);
        for (guint k = 0; k < metas[f]->len; k++)
            ck_assert_str_eq(g_array_index(metas[f], meta_info, k).state, "predicted");
    }
    free_metas(metas, n);
    for (guint i = 0; i < n; i++)
        gst_sample_unref(frames[i]);
    g_free(frames);
}
GST_END_TEST;

typedef struct {
    GstElement *track;
    volatile gint stop;
    guint changes;
} prop_thread_data;

static gpointer change_properties(gpointer data) {
    prop_thread_data *d = data;
    while (!g_atomic_int_get(&d->stop)) {
        guint c = d->changes;
        g_object_set(d->track, "high-threshold", (c % 2) ? 0.5f : 0.6f, "low-threshold",
                     (c % 3) ? 0.1f : 0.2f, "new-track-threshold", (c % 2) ? 0.8f : 0.7f,
                     "lost-seconds", (c % 2) ? 1.0 : 3.0, "confirm-hits", 2 + (gint)(c % 2),
                     "keep-unconfirmed", (gboolean)(c % 2), "cascade", (gboolean)(c % 3 == 0),
                     "observation-recovery", (gboolean)(c % 2), "reference-interval",
                     (c % 2) ? 0.1 : 1.0 / 30.0, NULL);
        if (c % 7 == 0) /* a low threshold above the high one: refused, tracks stay */
            g_object_set(d->track, "low-threshold", 0.9f, NULL);
        gfloat high;
        gdouble lost;
        g_object_get(d->track, "high-threshold", &high, "lost-seconds", &lost, NULL);
        d->changes++;
        g_usleep(100);
    }
    return NULL;
}

GST_START_TEST(test_properties_while_flowing) {
    GstHarness *h = track_harness(NULL);
    prop_thread_data d = {.track = gst_harness_find_element(h, "vigiltrack")};
    GThread *thread = g_thread_new("props", change_properties, &d);
    for (guint i = 0; i < 400; i++) {
        GArray *metas = push_and_read(h, walker_frame(i));
        /* whatever the options, the one walker is followed as track 1 */
        if (i >= 3) {
            const meta_info *walker = find_id(metas, 1);
            fail_unless(walker != NULL, "frame %u: the walker lost id 1", i);
            ck_assert_uint_eq(metas->len, 1);
        }
        g_array_unref(metas);
    }
    g_atomic_int_set(&d.stop, 1);
    g_thread_join(thread);
    fail_unless(d.changes > 10, "only %u changes", d.changes);
    gst_object_unref(d.track);
    gst_harness_teardown(h);
}
GST_END_TEST;

/* Adds a detection to each frame entering vigiltrack. */
static GstPadProbeReturn add_detection_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    add_detection(buffer, "person", 0, 0.9, 40, 30, 20, 40);
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    return GST_PAD_PROBE_OK;
}

/* NULL -> PLAYING (until 3 frames came through) -> NULL, count times on one pipeline. */
static void state_cycles(guint count) {
    plugin_test_state_cycles("videotestsrc ! video/x-raw,width=160,height=120,framerate=10/1 ! "
                             "vigiltrack name=track ! appsink name=sink sync=false",
                             "track", add_detection_probe, count);
}

GST_START_TEST(test_state_cycles_no_leaks) {
    plugin_test_assert_no_leaks(state_cycles, 10);
}
GST_END_TEST;

static Suite *vigiltrack_suite(void) {
    /* The leaks tracer counts live objects for test_state_cycles_no_leaks. */
    g_setenv("GST_TRACERS", "leaks", FALSE);
    plugin_test_init("vigil-test-vigiltrack.registry");
    model_path = plugin_test_asset("models/nanodet.safetensors");
    video_path = plugin_test_asset("vtest.avi");
    Suite *s = suite_create("vigiltrack");
    TCase *tc = tcase_create("track");
    tcase_set_timeout(tc, 150);
    tcase_add_test(tc, test_caps_pass_through);
    tcase_add_test(tc, test_track_metas);
    tcase_add_test(tc, test_keep_unconfirmed);
    tcase_add_test(tc, test_skipped_frames_are_predicted);
    tcase_add_test(tc, test_ids_unique_after_flush);
    tcase_add_test(tc, test_invalid_options_fail_start);
    tcase_add_test(tc, test_vtest_ids_stable);
    tcase_add_test(tc, test_properties_while_flowing);
    tcase_add_test(tc, test_state_cycles_no_leaks);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(vigiltrack_suite)
