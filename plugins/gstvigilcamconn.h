/*
 * gstvigilcamconn.h — one connection attempt of vigilcamsrc to its camera.
 *
 * A connection is a private pipeline, never a child of the element's bin:
 *
 *     uridecodebin ! videoconvert ! videoscale ! capsfilter ! appsink
 *
 * Its errors and end of stream land on its own bus, where vigilcamsrc's supervisor
 * thread reads them with gst_vigil_cam_conn_poll(), so a camera failure never reaches
 * the application's pipeline. Tearing a connection down (gst_vigil_cam_conn_free) is
 * how vigilcamsrc drops a failed camera; a reconnect builds a new one.
 *
 *     GstVigilCamConnConfig config = {.uri = uri, .live = TRUE, .on_sample = push, .user_data =
 * self}; GstVigilCamConn *conn = gst_vigil_cam_conn_new (&config, "cam0-conn1", &error); if (conn
 * && gst_vigil_cam_conn_start (conn, &error)) while (gst_vigil_cam_conn_poll (conn, 100 *
 * GST_MSECOND, &reason) == GST_VIGIL_CAM_CONN_RUNNING)
 *             ...;
 *     gst_vigil_cam_conn_free (conn);
 */
#ifndef GST_VIGIL_CAM_CONN_H
#define GST_VIGIL_CAM_CONN_H

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _GstVigilCamConn GstVigilCamConn;

/* Called from the connection's streaming thread for every decoded frame. The sample
 * stays owned by the connection. */
typedef void (*GstVigilCamConnSampleFunc)(GstVigilCamConn *conn, GstSample *sample,
                                          gpointer user_data);

typedef struct {
    const gchar *uri; /* with credentials: they go to the source through its properties */
    guint latency_ms; /* jitter buffer of network sources (rtspsrc "latency") */
    gboolean live;    /* pace frames by the clock (appsink sync) */
    GstCaps *caps;    /* video/x-raw caps the frames are converted to; NULL = any */
    GstVigilCamConnSampleFunc on_sample;
    gpointer user_data;
} GstVigilCamConnConfig;

typedef enum {
    GST_VIGIL_CAM_CONN_RUNNING, /* nothing happened within the poll's timeout */
    GST_VIGIL_CAM_CONN_ERROR,   /* the source, decoder or converter failed */
    GST_VIGIL_CAM_CONN_EOS,     /* the source ended its stream */
} GstVigilCamConnEvent;

/* Builds the connection's pipeline (not started). Fails, with error set, only when an
 * element GStreamer should provide is missing. */
GstVigilCamConn *gst_vigil_cam_conn_new(const GstVigilCamConnConfig *config, const gchar *name,
                                        GError **error);

/* Sets the pipeline to PLAYING. Failures that show only later arrive through poll. */
gboolean gst_vigil_cam_conn_start(GstVigilCamConn *conn, GError **error);

/* Waits up to timeout for an error or the end of stream on the connection's bus. On
 * GST_VIGIL_CAM_CONN_ERROR, *reason (when reason is not NULL) receives a newly allocated
 * description with the URI's secrets masked. */
GstVigilCamConnEvent gst_vigil_cam_conn_poll(GstVigilCamConn *conn, GstClockTime timeout,
                                             gchar **reason);

/* Frames handed to on_sample so far. */
guint64 gst_vigil_cam_conn_frames(GstVigilCamConn *conn);

/* How long the connection has gone without delivering a frame; 0 while on_sample runs,
 * so that a consumer blocking downstream never reads as a stalled camera. */
GstClockTime gst_vigil_cam_conn_idle(GstVigilCamConn *conn);

/* The running time of sample's PTS in the connection's pipeline, or GST_CLOCK_TIME_NONE. */
GstClockTime gst_vigil_cam_conn_running_time(GstSample *sample);

/* How long ago, by the connection's own clock, the frame in sample was due: its running
 * time against the clock now. 0 when unknown or in the future. */
GstClockTime gst_vigil_cam_conn_age(GstVigilCamConn *conn, GstSample *sample);

/* Latency of the connection's pipeline (jitter buffer, decoder), 0 when unknown. */
GstClockTime gst_vigil_cam_conn_latency(GstVigilCamConn *conn);

/* Stops the pipeline, waits for its threads and frees everything. NULL is allowed. */
void gst_vigil_cam_conn_free(GstVigilCamConn *conn);

G_END_DECLS

#endif
