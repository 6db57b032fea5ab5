/*
 * gstvigilcamsrc.h — vigilcamsrc, a camera source that survives its camera.
 *
 * A GstBin with one always "src" pad (video/x-raw). It decodes an rtsp://, file:// or
 * v4l2:// URI in a private pipeline and, when the camera fails, ends or stalls, drops
 * that pipeline and reconnects with exponential backoff while the application's
 * pipeline keeps running with the same caps and monotonic timestamps. See the element
 * documentation in gstvigilcamsrc.c and docs/plugins.md.
 */
#ifndef GST_VIGIL_CAM_SRC_H
#define GST_VIGIL_CAM_SRC_H

#include <gst/gst.h>

G_BEGIN_DECLS

/* What the camera connection is doing; the read-only "state" property. */
typedef enum {
    GST_VIGIL_CAM_SRC_STATE_STOPPED,    /* the element is below PAUSED */
    GST_VIGIL_CAM_SRC_STATE_CONNECTING, /* an attempt is under way, no frame yet */
    GST_VIGIL_CAM_SRC_STATE_ONLINE,     /* frames are flowing */
    GST_VIGIL_CAM_SRC_STATE_OFFLINE,    /* waiting out the backoff before the next attempt */
    GST_VIGIL_CAM_SRC_STATE_ENDED,      /* a file:// URI ended without loop: EOS was sent */
    GST_VIGIL_CAM_SRC_STATE_FAILED,     /* max-retries used up: an error was posted */
} GstVigilCamSrcState;

#define GST_TYPE_VIGIL_CAM_SRC_STATE (gst_vigil_cam_src_state_get_type())
GType gst_vigil_cam_src_state_get_type(void);

#define GST_TYPE_VIGIL_CAM_SRC (gst_vigil_cam_src_get_type())
G_DECLARE_FINAL_TYPE(GstVigilCamSrc, gst_vigil_cam_src, GST, VIGIL_CAM_SRC, GstBin)

GST_ELEMENT_REGISTER_DECLARE(vigilcamsrc);

G_END_DECLS

#endif
