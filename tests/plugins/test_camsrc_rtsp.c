/*
 * vigilcamsrc against a real RTSP camera that goes away: rtsp_server.py (H.264 from
 * videotestsrc on 127.0.0.1, basic authentication) is stopped for 10 s and started
 * again three times, then frozen (SIGSTOP) so that only the stall timeout can notice.
 * Throughout, the application's pipeline stays PLAYING with one set of caps and
 * increasing timestamps, frames resume after every restart, every outage is posted as
 * vigil-camera offline/online messages, and no message shows the password.
 *
 * About a minute. The server runs as a child with PR_SET_PDEATHSIG, so it dies with
 * the test even when a failed check ends the test process early.
 */
#include "plugin_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3"
#define USER "viewer"
#define PASSWORD "Pa55-w0rd!"
#define OUTAGE_SECONDS 10
#define OUTAGES 3
#define MIN_FRAMES 10 /* frames that show a camera is back (the server sends 15 per second) */

typedef struct {
    GPid pid;
    int out_fd;
    int port;
} rtsp_server;

/* What the pipeline has done so far: written by the pad probe and the bus pump. */
typedef struct {
    gint frames;        /* atomic */
    gint pts_went_back; /* atomic */
    gint caps_changed;  /* atomic */
    GstCaps *caps;      /* the first caps seen, under the probe's stream lock */
    guint online;
    guint offline;
    gchar *last_offline_reason;
    gint last_offline_attempt;
    guint errors;
    GstClockTime last_pts;
} observed;

static void die_with_parent(gpointer data) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* A TCP port on 127.0.0.1 that was free a moment ago. */
static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    fail_unless(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    fail_unless(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
    close(fd);
    return ntohs(addr.sin_port);
}

static const char *server_script(void) {
    const char *script = getenv("VIGIL_RTSP_SERVER");
    return script ? script : "tests/plugins/rtsp_server.py";
}

/* Starts rtsp_server.py and waits (up to 15 s) for its READY line. */
static void server_start(rtsp_server *srv) {
    gchar *port = g_strdup_printf("%d", srv->port);
    gchar *argv[] = {
        PYTHON, (gchar *)server_script(), "--port", port, "--user", USER, "--password", PASSWORD,
        NULL};
    GError *error = NULL;
    gboolean ok =
        g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent, NULL,
                                 &srv->pid, NULL, &srv->out_fd, NULL, &error);
    fail_unless(ok, "cannot start %s: %s", server_script(), error ? error->message : "?");
    g_free(port);

    char line[256] = {0};
    size_t used = 0;
    gint64 deadline = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
    while (strchr(line, '\n') == NULL) {
        gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;
        fail_unless(left_ms > 0, "the RTSP server did not start within 15 s");
        struct pollfd pfd = {.fd = srv->out_fd, .events = POLLIN};
        if (poll(&pfd, 1, (int)left_ms) <= 0)
            continue;
        ssize_t n = read(srv->out_fd, line + used, sizeof line - 1 - used);
        fail_unless(n > 0, "the RTSP server exited before it was ready");
        used += (size_t)n;
    }
    fail_unless(g_str_has_prefix(line, "READY "), "the RTSP server said: %s", line);
}

/* Ends the server (SIGKILL: a camera losing power) and reaps it. */
static void server_stop(rtsp_server *srv) {
    if (srv->pid <= 0)
        return;
    kill(srv->pid, SIGKILL);
    waitpid(srv->pid, NULL, 0);
    g_spawn_close_pid(srv->pid);
    close(srv->out_fd);
    srv->pid = 0;
}

static GstPadProbeReturn watch_output(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    observed *seen = data;
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
        GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
        GstClockTime pts = GST_BUFFER_PTS(buffer);
        if (!GST_CLOCK_TIME_IS_VALID(pts) ||
            (GST_CLOCK_TIME_IS_VALID(seen->last_pts) && pts <= seen->last_pts))
            g_atomic_int_set(&seen->pts_went_back, 1);
        seen->last_pts = pts;
        g_atomic_int_inc(&seen->frames);
    } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
        GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
        if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
            GstCaps *caps;
            gst_event_parse_caps(event, &caps);
            if (seen->caps == NULL)
                seen->caps = gst_caps_ref(caps);
            else if (!gst_caps_is_equal(caps, seen->caps))
                g_atomic_int_set(&seen->caps_changed, 1);
        }
    }
    return GST_PAD_PROBE_OK;
}

/* Handles the bus for seconds; returns early once until(seen) holds (when given). */
static gboolean pump(GstElement *pipeline, observed *seen, gdouble seconds,
                     gboolean (*until)(const observed *, gconstpointer), gconstpointer arg) {
    GstBus *bus = gst_element_get_bus(pipeline);
    gint64 deadline = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    gboolean reached = FALSE;
    while (!reached) {
        gint64 left = deadline - g_get_monotonic_time();
        if (left <= 0)
            break;
        GstMessage *msg = gst_bus_timed_pop(bus, MIN(left, 100000) * GST_USECOND);
        if (msg != NULL) {
            plugin_test_assert_no_secret(msg, PASSWORD);
            const gchar *state = plugin_test_camera_field(msg, "state");
            if (state && strcmp(state, "online") == 0) {
                seen->online++;
            } else if (state && strcmp(state, "offline") == 0) {
                const GstStructure *s = gst_message_get_structure(msg);
                seen->offline++;
                g_free(seen->last_offline_reason);
                seen->last_offline_reason = g_strdup(gst_structure_get_string(s, "reason"));
                gst_structure_get_int(s, "attempt", &seen->last_offline_attempt);
                fail_unless(g_str_has_prefix(gst_structure_get_string(s, "uri"),
                                             "rtsp://" USER ":***@127.0.0.1:"));
            } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
                GError *err = NULL;
                gchar *debug = NULL;
                gst_message_parse_error(msg, &err, &debug);
                printf("error: %s (%s)\n", err->message, debug ? debug : "");
                g_error_free(err);
                g_free(debug);
                seen->errors++;
            }
            gst_message_unref(msg);
        }
        if (until != NULL)
            reached = until(seen, arg);
    }
    gst_object_unref(bus);
    return reached;
}

static gboolean frames_at_least(const observed *seen, gconstpointer arg) {
    return g_atomic_int_get((gint *)&seen->frames) >= GPOINTER_TO_INT(arg);
}

static gboolean offline_at_least(const observed *seen, gconstpointer arg) {
    return seen->offline >= GPOINTER_TO_UINT(arg);
}

static gboolean online_at_least(const observed *seen, gconstpointer arg) {
    return seen->online >= GPOINTER_TO_UINT(arg);
}

static void assert_playing(GstElement *pipeline, const char *when) {
    GstState current, pending;
    gst_element_get_state(pipeline, &current, &pending, 0);
    fail_unless(current == GST_STATE_PLAYING, "%s: the pipeline is %s (pending %s)", when,
                gst_element_state_get_name(current), gst_element_state_get_name(pending));
}

/* Waits until the camera is back: one more online message and MIN_FRAMES new frames. */
static void expect_back(GstElement *pipeline, observed *seen, guint online_before,
                        const char *when) {
    fail_unless(pump(pipeline, seen, 20, online_at_least, GUINT_TO_POINTER(online_before + 1)),
                "%s: no online message within 20 s", when);
    gint target = g_atomic_int_get(&seen->frames) + MIN_FRAMES;
    fail_unless(pump(pipeline, seen, 10, frames_at_least, GINT_TO_POINTER(target)),
                "%s: online, but frames did not resume", when);
    /* and at the camera's rate: 15 fps, so 30 frames in 2 s (20 allow for a busy machine) */
    gint before = g_atomic_int_get(&seen->frames);
    pump(pipeline, seen, 2, NULL, NULL);
    gint rate_frames = g_atomic_int_get(&seen->frames) - before;
    fail_unless(rate_frames >= 20, "%s: %d frames in 2 s", when, rate_frames);
}

static gboolean rtsp_test_possible(void) {
    gchar *argv[] = {PYTHON, "-c",
                     "import gi; gi.require_version('GstRtspServer', '1.0'); "
                     "from gi.repository import GstRtspServer",
                     NULL};
    gint status = -1;
    if (!g_file_test(server_script(), G_FILE_TEST_IS_REGULAR) ||
        !g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, &status, NULL) ||
        status != 0) {
        printf("skipped: needs %s with python3-gi and gir1.2-gst-rtsp-server-1.0\n", PYTHON);
        return FALSE;
    }
    GstElementFactory *x264 = gst_element_factory_find("x264enc");
    GstElementFactory *openh264 = gst_element_factory_find("openh264enc");
    gboolean encoder = x264 != NULL || openh264 != NULL;
    gst_clear_object(&x264);
    gst_clear_object(&openh264);
    if (!encoder)
        printf("skipped: no H.264 encoder (gstreamer1.0-plugins-ugly has x264enc)\n");
    return encoder;
}

GST_START_TEST(test_camera_restarts) {
    if (!rtsp_test_possible())
        return;
    rtsp_server srv = {.port = free_port()};
    server_start(&srv);

    gchar *desc = g_strdup_printf(
        "vigilcamsrc name=src uri=rtsp://" USER ":" PASSWORD "@127.0.0.1:%d/cam stall-timeout=3 "
        "retry-initial=0.5 retry-max=2 latency=100 ! fakesink name=sink sync=true",
        srv.port);
    GError *error = NULL;
    GstElement *pipeline = gst_parse_launch(desc, &error);
    fail_unless(pipeline != NULL && error == NULL, "%s", error ? error->message : "?");
    g_free(desc);
    observed seen = {.last_pts = GST_CLOCK_TIME_NONE};
    GstElement *sink = plugin_test_get(pipeline, "sink");
    GstPad *pad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                      watch_output, &seen, NULL);
    gst_object_unref(pad);
    gst_object_unref(sink);

    fail_if(gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    fail_unless(pump(pipeline, &seen, 20, frames_at_least, GINT_TO_POINTER(MIN_FRAMES)),
                "no frames within 20 s of starting");
    ck_assert_uint_eq(seen.online, 1);
    assert_playing(pipeline, "first frames");

    for (int outage = 1; outage <= OUTAGES; outage++) {
        guint online_before = seen.online, offline_before = seen.offline;
        gint64 back_at = g_get_monotonic_time() + OUTAGE_SECONDS * G_USEC_PER_SEC;
        server_stop(&srv);
        /* the drop is noticed within the stall timeout and a poll interval */
        fail_unless(
            pump(pipeline, &seen, 5, offline_at_least, GUINT_TO_POINTER(offline_before + 1)),
            "outage %d: no offline message within 5 s", outage);
        ck_assert_int_eq(seen.last_offline_attempt, 0); /* an established connection dropped */
        pump(pipeline, &seen, 1, NULL, NULL);
        gint frames_down = g_atomic_int_get(&seen.frames);
        pump(pipeline, &seen, (gdouble)(back_at - g_get_monotonic_time()) / G_USEC_PER_SEC, NULL,
             NULL);
        assert_playing(pipeline, "camera away");
        ck_assert_int_eq(g_atomic_int_get(&seen.frames), frames_down); /* nothing while away */
        /* failed attempts were retried and reported */
        fail_unless(seen.offline >= offline_before + 2, "outage %d: no retries reported", outage);
        ck_assert_uint_eq(seen.online, online_before);

        server_start(&srv);
        gchar *when = g_strdup_printf("after restart %d", outage);
        expect_back(pipeline, &seen, online_before, when);
        assert_playing(pipeline, when);
        g_free(when);
    }

    /* A frozen camera keeps its connection open: only the stall timeout notices. */
    guint online_before = seen.online, offline_before = seen.offline;
    kill(srv.pid, SIGSTOP);
    fail_unless(pump(pipeline, &seen, 5, offline_at_least, GUINT_TO_POINTER(offline_before + 1)),
                "frozen camera: no offline message within 5 s");
    fail_unless(strstr(seen.last_offline_reason, "no frame for") != NULL, "offline because: %s",
                seen.last_offline_reason);
    pump(pipeline, &seen, 2, NULL, NULL);
    kill(srv.pid, SIGCONT);
    expect_back(pipeline, &seen, online_before, "after the freeze");

    ck_assert_uint_eq(seen.errors, 0);
    fail_if(g_atomic_int_get(&seen.pts_went_back), "a timestamp went backwards");
    fail_if(g_atomic_int_get(&seen.caps_changed), "the output caps changed");
    fail_unless(seen.caps != NULL);
    GstElement *src = plugin_test_get(pipeline, "src");
    guint reconnects = 0;
    g_object_get(src, "reconnects", &reconnects, NULL);
    /* every outage came back; a loaded machine may add a stall of its own */
    fail_unless(reconnects >= OUTAGES + 1, "%u reconnects", reconnects);
    ck_assert_uint_eq(seen.online, reconnects + 1);
    gst_object_unref(src);
    printf("frames %d, online %u, offline %u, reconnects %u\n", g_atomic_int_get(&seen.frames),
           seen.online, seen.offline, reconnects);

    ck_assert_int_eq(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
    gst_object_unref(pipeline);
    server_stop(&srv);
    gst_caps_unref(seen.caps);
    g_free(seen.last_offline_reason);
}
GST_END_TEST;

static Suite *camsrc_rtsp_suite(void) {
    plugin_test_init("vigil-test-camsrc-rtsp.registry");
    Suite *s = suite_create("camsrc_rtsp");
    TCase *tc = tcase_create("reconnect");
    tcase_set_timeout(tc, 150);
    tcase_add_test(tc, test_camera_restarts);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(camsrc_rtsp_suite)
