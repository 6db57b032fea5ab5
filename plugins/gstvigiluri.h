/*
 * gstvigiluri.h — camera URI helpers shared by the vigil elements.
 *
 * Camera URIs often carry credentials (rtsp://admin:secret@10.0.0.7/stream, or
 * ?password=secret in the query). Nothing the elements log, post on the bus or put
 * in an error may show them, so every URI passes through gst_vigil_uri_mask() before
 * it is printed, and every message text that came from another element passes
 * through gst_vigil_uri_scrub().
 *
 *     gchar *shown = gst_vigil_uri_mask ("rtsp://admin:secret@cam/live");
 *     // shown == "rtsp://admin:***@cam/live"
 *     g_free (shown);
 */
#ifndef GST_VIGIL_URI_H
#define GST_VIGIL_URI_H

#include <glib.h>

G_BEGIN_DECLS

/* Returns a newly allocated copy of uri with the password of its user information and
 * the values of secret-looking query parameters (password, token, key, ...) replaced by
 * "***". The user name stays, so an operator can still tell which account failed.
 * NULL in, NULL out. */
gchar *gst_vigil_uri_mask(const gchar *uri);

/* Splits uri into the same URI without user information (*bare_uri) and the
 * percent-decoded user name and password (NULL where absent). Lets the elements hand
 * the credentials to rtspsrc through its properties so that they never appear in the
 * URI another element logs. Returns FALSE (outputs NULL) when uri has no "scheme://". */
gboolean gst_vigil_uri_split_credentials(const gchar *uri, gchar **bare_uri, gchar **user,
                                         gchar **password);

/* Returns a newly allocated copy of text in which every secret of uri (the password,
 * raw and percent-decoded, and secret query values) is replaced by "***". Meant for
 * error and debug strings coming from other elements. */
gchar *gst_vigil_uri_scrub(const gchar *text, const gchar *uri);

/* TRUE when uri is a file:// URI, whose end is a real end of stream rather than a
 * dropped camera. */
gboolean gst_vigil_uri_is_file(const gchar *uri);

G_END_DECLS

#endif
