/* Per-track position history for vigiloverlay (see gstvigiltrails.h). */
#include "gstvigiltrails.h"

typedef struct {
    GArray *points; /* gfloat x, y pairs, oldest first */
    guint64 last_frame;
} trail;

struct _GstVigilTrails {
    GHashTable *by_id; /* track id -> trail */
};

static void trail_free(gpointer data) {
    trail *t = data;
    g_array_unref(t->points);
    g_free(t);
}

GstVigilTrails *gst_vigil_trails_new(void) {
    GstVigilTrails *trails = g_new0(GstVigilTrails, 1);
    trails->by_id = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, trail_free);
    return trails;
}

void gst_vigil_trails_free(GstVigilTrails *trails) {
    if (trails == NULL)
        return;
    g_hash_table_destroy(trails->by_id);
    g_free(trails);
}

void gst_vigil_trails_add(GstVigilTrails *trails, gint id, gfloat x, gfloat y, guint64 frame,
                          guint length) {
    trail *t = g_hash_table_lookup(trails->by_id, GINT_TO_POINTER(id));
    if (t == NULL) {
        t = g_new0(trail, 1);
        t->points = g_array_new(FALSE, FALSE, sizeof(gfloat));
        g_hash_table_insert(trails->by_id, GINT_TO_POINTER(id), t);
    }
    const gfloat point[2] = {x, y};
    g_array_append_vals(t->points, point, 2);
    guint n = t->points->len / 2;
    if (n > length)
        g_array_remove_range(t->points, 0, 2 * (n - length));
    t->last_frame = frame;
}

static gboolean is_stale(gpointer key, gpointer value, gpointer data) {
    const guint64 *oldest = data;
    return ((trail *)value)->last_frame < *oldest;
}

void gst_vigil_trails_prune(GstVigilTrails *trails, guint64 frame, guint64 max_age) {
    if (frame < max_age)
        return;
    guint64 oldest = frame - max_age;
    g_hash_table_foreach_remove(trails->by_id, is_stale, &oldest);
}

const gfloat *gst_vigil_trails_points(GstVigilTrails *trails, gint id, guint *count) {
    trail *t = g_hash_table_lookup(trails->by_id, GINT_TO_POINTER(id));
    *count = t != NULL ? t->points->len / 2 : 0;
    return *count > 0 ? (const gfloat *)t->points->data : NULL;
}

guint gst_vigil_trails_size(GstVigilTrails *trails) {
    return g_hash_table_size(trails->by_id);
}
