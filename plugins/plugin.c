/*
 * plugin.c — the GStreamer plugin "vigil" (libgstvigil.so): registers every element.
 *
 *     GST_PLUGIN_PATH=build/plugins gst-inspect-1.0 vigil
 */
#include "gstvigilcamsrc.h"
#ifdef VIGIL_HAVE_DETECTOR
#include "gstvigildetect.h"
#endif
#ifdef VIGIL_HAVE_TRACKER
#include "gstvigiltrack.h"
#endif
#ifdef VIGIL_HAVE_OVERLAY
#include "gstvigiloverlay.h"
#endif
#ifdef VIGIL_HAVE_ALERTS
#include "gstvigilanalytics.h"
#include "gstvigiljsonsink.h"
#include "gstvigilkafkasink.h"
#endif

#include <gst/gst.h>

static gboolean plugin_init(GstPlugin *plugin) {
    gboolean ok = FALSE;
    ok |= GST_ELEMENT_REGISTER(vigilcamsrc, plugin);
#ifdef VIGIL_HAVE_DETECTOR
    ok |= GST_ELEMENT_REGISTER(vigildetect, plugin);
#endif
#ifdef VIGIL_HAVE_TRACKER
    ok |= GST_ELEMENT_REGISTER(vigiltrack, plugin);
#endif
#ifdef VIGIL_HAVE_OVERLAY
    ok |= GST_ELEMENT_REGISTER(vigiloverlay, plugin);
#endif
#ifdef VIGIL_HAVE_ALERTS
    ok |= GST_ELEMENT_REGISTER(vigilanalytics, plugin);
    ok |= GST_ELEMENT_REGISTER(vigilkafkasink, plugin);
    ok |= GST_ELEMENT_REGISTER(vigiljsonsink, plugin);
#endif
    return ok;
}

/* GST_PLUGIN_DEFINE ends its descriptor with GST_PADDING_INIT ({NULL}), which
 * -Wextra reports as a missing initializer. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, vigil,
                  "vigil video analytics: camera source, detector, tracker, analytics, alerts",
                  plugin_init, VIGIL_VERSION, VIGIL_LICENSE, "vigil", VIGIL_ORIGIN)
#pragma GCC diagnostic pop
