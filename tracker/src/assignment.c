/* Dense linear assignment: shortest augmenting paths with dual variables (Jonker and
 * Volgenant), rectangular form after Crouse, "On implementing 2D rectangular assignment
 * algorithms", IEEE TAES 2016. O(n^2 m) worst case, exact. */
#include "vigil/assignment.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "assignment_internal.h"

void *vigil_lap_buffer(vigil_lap_workspace *ws, int slot, size_t bytes, vigil_error *err) {
    if (bytes == 0)
        bytes = 1;
    if (ws->sizes[slot] < bytes) {
        size_t size = ws->sizes[slot] ? ws->sizes[slot] : 256;
        while (size < bytes)
            size *= 2;
        void *p = realloc(ws->buffers[slot], size);
        if (!p) {
            vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "assignment: out of memory (%zu bytes)",
                            size);
            return NULL;
        }
        ws->buffers[slot] = p;
        ws->sizes[slot] = size;
        ws->allocations++;
    }
    return ws->buffers[slot];
}

void vigil_lap_workspace_free(vigil_lap_workspace *ws) {
    for (int i = 0; i < VIGIL_LAP_SLOT_COUNT; i++)
        free(ws->buffers[i]);
    memset(ws, 0, sizeof *ws);
}

typedef struct lap_state {
    const double *cost;
    int nr, nc;
    double *u, *v, *shortest;
    int *path, *col4row, *row4col, *remaining;
    bool *sr, *sc;
} lap_state;

/* Grows a shortest path tree from row i over reduced costs until it reaches a free
 * column; returns that column, or -1 if none is reachable. */
static int lap_augmenting_path(lap_state *s, int i, double *min_value) {
    double min_val = 0;
    int num_remaining = s->nc;
    for (int it = 0; it < s->nc; it++)
        s->remaining[it] = s->nc - it - 1;
    for (int r = 0; r < s->nr; r++)
        s->sr[r] = false;
    for (int j = 0; j < s->nc; j++) {
        s->sc[j] = false;
        s->shortest[j] = INFINITY;
    }
    int sink = -1;
    while (sink == -1) {
        int index = -1;
        double lowest = INFINITY;
        s->sr[i] = true;
        for (int it = 0; it < num_remaining; it++) {
            int j = s->remaining[it];
            double r = min_val + s->cost[(size_t)i * s->nc + j] - s->u[i] - s->v[j];
            if (r < s->shortest[j]) {
                s->path[j] = i;
                s->shortest[j] = r;
            }
            /* Among equals prefer a free column: it ends the search sooner. */
            if (s->shortest[j] < lowest || (s->shortest[j] == lowest && s->row4col[j] == -1)) {
                lowest = s->shortest[j];
                index = it;
            }
        }
        min_val = lowest;
        if (index < 0 || !isfinite(min_val))
            return -1;
        int j = s->remaining[index];
        if (s->row4col[j] == -1)
            sink = j;
        else
            i = s->row4col[j];
        s->sc[j] = true;
        s->remaining[index] = s->remaining[--num_remaining];
    }
    *min_value = min_val;
    return sink;
}

/* Solves nr <= nc; col4row must have room for nr and row4col for nc. */
static vigil_status lap_solve_wide(vigil_lap_workspace *ws, const double *cost, int nr, int nc,
                                   int *col4row, int *row4col, vigil_error *err) {
    lap_state s = {.cost = cost, .nr = nr, .nc = nc, .col4row = col4row, .row4col = row4col};
    s.u = vigil_lap_buffer(ws, VIGIL_LAP_SLOT_U, (size_t)nr * sizeof(double), err);
    s.v = vigil_lap_buffer(ws, VIGIL_LAP_SLOT_V, (size_t)nc * sizeof(double), err);
    s.shortest = vigil_lap_buffer(ws, VIGIL_LAP_SLOT_SHORTEST, (size_t)nc * sizeof(double), err);
    s.path = vigil_lap_buffer(ws, VIGIL_LAP_SLOT_PATH, (size_t)nc * sizeof(int), err);
    s.remaining = vigil_lap_buffer(ws, VIGIL_LAP_SLOT_REMAINING, (size_t)nc * sizeof(int), err);
    s.sr = vigil_lap_buffer(ws, VIGIL_LAP_SLOT_SR, (size_t)nr * sizeof(bool), err);
    s.sc = vigil_lap_buffer(ws, VIGIL_LAP_SLOT_SC, (size_t)nc * sizeof(bool), err);
    if (!s.u || !s.v || !s.shortest || !s.path || !s.remaining || !s.sr || !s.sc)
        return VIGIL_STATUS_NO_MEMORY;
    for (int i = 0; i < nr; i++) {
        s.u[i] = 0;
        col4row[i] = -1;
    }
    for (int j = 0; j < nc; j++) {
        s.v[j] = 0;
        row4col[j] = -1;
        s.path[j] = -1;
    }
    for (int cur = 0; cur < nr; cur++) {
        double min_val = 0;
        int sink = lap_augmenting_path(&s, cur, &min_val);
        if (sink < 0)
            return vigil_error_set(
                err, VIGIL_STATUS_INVALID_ARGUMENT,
                "assignment: no complete pairing avoids the forbidden (infinite) entries");
        /* Dual update keeps reduced costs non-negative and tight on the tree. */
        s.u[cur] += min_val;
        for (int i = 0; i < nr; i++)
            if (s.sr[i] && i != cur)
                s.u[i] += min_val - s.shortest[col4row[i]];
        for (int j = 0; j < nc; j++)
            if (s.sc[j])
                s.v[j] -= min_val - s.shortest[j];
        for (int j = sink;;) {
            int i = s.path[j];
            row4col[j] = i;
            int previous = col4row[i];
            col4row[i] = j;
            j = previous;
            if (i == cur)
                break;
        }
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_lap_solve(vigil_lap_workspace *ws, const double *cost, int nr, int nc,
                             int *row_to_col, int *col_to_row, vigil_error *err) {
    if (nr < 0 || nc < 0)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "assignment: negative size %d x %d", nr, nc);
    if (nr == 0 || nc == 0) {
        for (int i = 0; i < nr; i++)
            row_to_col[i] = -1;
        for (int j = 0; col_to_row && j < nc; j++)
            col_to_row[j] = -1;
        return VIGIL_STATUS_OK;
    }
    if (nr <= nc) {
        int *r4c = col_to_row;
        if (!r4c &&
            !(r4c = vigil_lap_buffer(ws, VIGIL_LAP_SLOT_SPARE, (size_t)nc * sizeof(int), err)))
            return VIGIL_STATUS_NO_MEMORY;
        return lap_solve_wide(ws, cost, nr, nc, row_to_col, r4c, err);
    }
    /* More rows than columns: solve the transpose, whose rows are our columns. */
    double *t =
        vigil_lap_buffer(ws, VIGIL_LAP_SLOT_TRANSPOSE, (size_t)nr * nc * sizeof(double), err);
    int *c4r = col_to_row;
    if (!c4r && !(c4r = vigil_lap_buffer(ws, VIGIL_LAP_SLOT_SPARE, (size_t)nc * sizeof(int), err)))
        return VIGIL_STATUS_NO_MEMORY;
    if (!t)
        return VIGIL_STATUS_NO_MEMORY;
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < nc; j++)
            t[(size_t)j * nr + i] = cost[(size_t)i * nc + j];
    return lap_solve_wide(ws, t, nc, nr, c4r, row_to_col, err);
}
