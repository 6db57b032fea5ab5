/* Camera URI helpers: masking and splitting credentials (see gstvigiluri.h). */
#include "gstvigiluri.h"

#include <string.h>

#define MASK "***"

/* Query keys whose values are treated as secrets; cameras and gateways use all of these. */
static const gchar *const secret_keys[] = {
    "password", "passwd", "pwd", "pass",      "secret",       "token",
    "key",      "auth",   "sig", "signature", "access_token", "apikey",
};

/* Where the parts of a URI lie: [0, authority) scheme and "://", [authority, at) the user
 * information, [host, path) host and port, [path, query) the path, [query, end) "?..." and
 * the fragment. at == authority when there is no user information. */
typedef struct {
    gsize authority, at, host, path, query, end;
} uri_parts;

static gboolean uri_parse(const gchar *uri, uri_parts *parts) {
    const gchar *sep = strstr(uri, "://");
    if (sep == NULL || sep == uri)
        return FALSE;
    parts->authority = (gsize)(sep - uri) + 3;
    parts->end = strlen(uri);
    parts->path = parts->authority + strcspn(uri + parts->authority, "/?#");
    parts->query = parts->path + strcspn(uri + parts->path, "?#");
    /* The last '@' before the path ends the user information: passwords may contain '@'
     * when their writer forgot to percent-encode it. */
    parts->at = parts->authority;
    parts->host = parts->authority;
    for (gsize i = parts->authority; i < parts->path; i++) {
        if (uri[i] == '@') {
            parts->at = i;
            parts->host = i + 1;
        }
    }
    return TRUE;
}

static gboolean key_is_secret(const gchar *key, gsize len) {
    for (gsize i = 0; i < G_N_ELEMENTS(secret_keys); i++) {
        if (strlen(secret_keys[i]) == len && g_ascii_strncasecmp(key, secret_keys[i], len) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Appends the query and fragment text [0, len) to out, masking secret values. */
static void append_masked_query(GString *out, const gchar *query, gsize len) {
    gsize i = 0;
    while (i < len) {
        gchar c = query[i];
        g_string_append_c(out, c);
        i++;
        if (c == '#') { /* the fragment goes out as it is */
            g_string_append_len(out, query + i, (gssize)(len - i));
            return;
        }
        gsize key_len = strcspn(query + i, "=&#");
        if (i + key_len > len)
            key_len = len - i;
        g_string_append_len(out, query + i, (gssize)key_len);
        gboolean secret = key_is_secret(query + i, key_len);
        i += key_len;
        if (i < len && query[i] == '=') {
            g_string_append_c(out, '=');
            i++;
            gsize value_len = strcspn(query + i, "&#");
            if (i + value_len > len)
                value_len = len - i;
            if (secret && value_len > 0)
                g_string_append(out, MASK);
            else
                g_string_append_len(out, query + i, (gssize)value_len);
            i += value_len;
        }
    }
}

gchar *gst_vigil_uri_mask(const gchar *uri) {
    uri_parts p;
    if (uri == NULL)
        return NULL;
    if (!uri_parse(uri, &p))
        return g_strdup(uri);
    GString *out = g_string_sized_new(p.end + 8);
    g_string_append_len(out, uri, (gssize)p.authority);
    if (p.at > p.authority) {
        const gchar *colon = memchr(uri + p.authority, ':', p.at - p.authority);
        if (colon != NULL) {
            g_string_append_len(out, uri + p.authority, colon - (uri + p.authority));
            g_string_append(out, ":" MASK);
        } else {
            g_string_append_len(out, uri + p.authority, (gssize)(p.at - p.authority));
        }
        g_string_append_c(out, '@');
    }
    g_string_append_len(out, uri + p.host, (gssize)(p.query - p.host));
    append_masked_query(out, uri + p.query, p.end - p.query);
    return g_string_free(out, FALSE);
}

static gchar *unescape_or_copy(const gchar *text, gsize len) {
    gchar *raw = g_strndup(text, len);
    gchar *decoded = g_uri_unescape_string(raw, NULL);
    if (decoded == NULL) /* invalid escapes: the camera gets the text as written */
        return raw;
    g_free(raw);
    return decoded;
}

gboolean gst_vigil_uri_split_credentials(const gchar *uri, gchar **bare_uri, gchar **user,
                                         gchar **password) {
    uri_parts p;
    *bare_uri = *user = *password = NULL;
    if (uri == NULL || !uri_parse(uri, &p))
        return FALSE;
    if (p.at == p.authority) {
        *bare_uri = g_strdup(uri);
        return TRUE;
    }
    const gchar *info = uri + p.authority;
    gsize info_len = p.at - p.authority;
    const gchar *colon = memchr(info, ':', info_len);
    gsize user_len = colon ? (gsize)(colon - info) : info_len;
    *user = unescape_or_copy(info, user_len);
    if (colon)
        *password = unescape_or_copy(colon + 1, info_len - user_len - 1);
    GString *bare = g_string_new_len(uri, (gssize)p.authority);
    g_string_append(bare, uri + p.host);
    *bare_uri = g_string_free(bare, FALSE);
    return TRUE;
}

static void replace_all(GString *text, const gchar *secret) {
    if (secret == NULL || *secret == '\0')
        return;
    gsize len = strlen(secret);
    gsize from = 0;
    for (;;) {
        const gchar *hit = strstr(text->str + from, secret);
        if (hit == NULL)
            return;
        gsize at = (gsize)(hit - text->str);
        g_string_erase(text, (gssize)at, (gssize)len);
        g_string_insert(text, (gssize)at, MASK);
        from = at + strlen(MASK);
    }
}

/* Replaces every secret query value of uri in text. */
static void scrub_query_values(GString *text, const gchar *uri, const uri_parts *p) {
    const gchar *q = uri + p->query;
    const gchar *end = uri + p->end;
    while (q < end && *q != '#') {
        q++; /* '?' or '&' */
        gsize key_len = strcspn(q, "=&#");
        gboolean secret = key_is_secret(q, key_len);
        q += key_len;
        if (*q != '=')
            continue;
        q++;
        gsize value_len = strcspn(q, "&#");
        if (secret && value_len > 0) {
            gchar *value = g_strndup(q, value_len);
            gchar *decoded = unescape_or_copy(q, value_len);
            replace_all(text, value);
            replace_all(text, decoded);
            g_free(value);
            g_free(decoded);
        }
        q += value_len;
    }
}

gchar *gst_vigil_uri_scrub(const gchar *text, const gchar *uri) {
    uri_parts p;
    if (text == NULL)
        return NULL;
    GString *out = g_string_new(text);
    if (uri != NULL && uri_parse(uri, &p)) {
        const gchar *info = uri + p.authority;
        const gchar *colon = memchr(info, ':', p.at - p.authority);
        if (colon != NULL) {
            gsize len = (gsize)(uri + p.at - colon - 1);
            gchar *raw = g_strndup(colon + 1, len);
            gchar *decoded = unescape_or_copy(colon + 1, len);
            replace_all(out, raw);
            replace_all(out, decoded);
            g_free(raw);
            g_free(decoded);
        }
        scrub_query_values(out, uri, &p);
    }
    return g_string_free(out, FALSE);
}

gboolean gst_vigil_uri_is_file(const gchar *uri) {
    return uri != NULL && g_ascii_strncasecmp(uri, "file://", 7) == 0;
}
