/* Assignment with a cost limit, solved per connected part of the graph of allowed
 * pairs: tracks and detections far apart never interact, so the cubic solver only
 * sees the small clusters where objects actually compete. */
#include "vigil/assignment.h"

#include <math.h>
#include <stdlib.h>

#include "assignment_internal.h"

static int uf_find(int *parent, int x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void uf_union(int *parent, int a, int b) {
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a != b)
        parent[a > b ? a : b] = a < b ? a : b;
}

/* One component: rows[r] and cols[c] of the original matrix. The extended square
 * problem has a dummy column per row and a dummy row per column, each at limit / 2,
 * so that leaving both sides of a pair unpaired costs exactly limit. */
static vigil_status solve_component(vigil_lap_workspace *ws, const double *cost, int nc,
                                    double limit, const int *rows, int r, const int *cols, int c,
                                    int *row_to_col, int *col_to_row, vigil_error *err) {
    if (r == 1 || c == 1) {
        /* A star: pairing the cheapest allowed edge is optimal, since every allowed
         * pair costs at most the limit that leaving both unpaired would cost. */
        int best_i = -1, best_j = -1;
        double best = INFINITY;
        for (int a = 0; a < r; a++)
            for (int b = 0; b < c; b++) {
                double x = cost[(size_t)rows[a] * nc + cols[b]];
                if (x <= limit && x < best) {
                    best = x;
                    best_i = rows[a];
                    best_j = cols[b];
                }
            }
        if (best_i >= 0) {
            row_to_col[best_i] = best_j;
            col_to_row[best_j] = best_i;
        }
        return VIGIL_STATUS_OK;
    }
    int n = r + c;
    double *e = vigil_lap_buffer(ws, VIGIL_LAP_SLOT_EXTENDED, (size_t)n * n * sizeof(double), err);
    int *match = vigil_lap_buffer(ws, VIGIL_LAP_SLOT_MATCH, (size_t)n * sizeof(int), err);
    if (!e || !match)
        return VIGIL_STATUS_NO_MEMORY;
    /* Any finite value above limit keeps a forbidden pair out of the optimum. */
    double forbidden = 2.0 * fabs(limit) + 1e6;
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            double x;
            if (a < r && b < c) {
                x = cost[(size_t)rows[a] * nc + cols[b]];
                if (!(x <= limit))
                    x = forbidden;
            } else if (a < r) {
                x = (b - c == a) ? limit / 2 : forbidden;
            } else if (b < c) {
                x = (a - r == b) ? limit / 2 : forbidden;
            } else {
                x = 0;
            }
            e[(size_t)a * n + b] = x;
        }
    vigil_status status = vigil_lap_solve(ws, e, n, n, match, NULL, err);
    if (status < 0)
        return status;
    for (int a = 0; a < r; a++) {
        int b = match[a];
        if (b >= 0 && b < c && e[(size_t)a * n + b] <= limit) {
            row_to_col[rows[a]] = cols[b];
            col_to_row[cols[b]] = rows[a];
        }
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_lap_solve_limited(vigil_lap_workspace *ws, const double *cost, int nr, int nc,
                                     double limit, int *row_to_col, int *col_to_row,
                                     vigil_error *err) {
    if (nr < 0 || nc < 0)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "assignment: negative size %d x %d", nr, nc);
    for (int i = 0; i < nr; i++)
        row_to_col[i] = -1;
    for (int j = 0; j < nc; j++)
        col_to_row[j] = -1;
    if (nr == 0 || nc == 0)
        return VIGIL_STATUS_OK;
    /* parent[nr + nc], then members sorted by component: rows then columns. */
    int *groups =
        vigil_lap_buffer(ws, VIGIL_LAP_SLOT_GROUPS, (size_t)3 * (nr + nc) * sizeof(int), err);
    if (!groups)
        return VIGIL_STATUS_NO_MEMORY;
    int *parent = groups, *rows = groups + nr + nc, *cols = rows + nr;
    for (int k = 0; k < nr + nc; k++)
        parent[k] = k;
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < nc; j++)
            if (cost[(size_t)i * nc + j] <= limit)
                uf_union(parent, i, nr + j);
    /* Visit components in order of their smallest member, which is always a row (a
     * column joins only through an allowed pair with some row). */
    int *done = cols + nc;
    for (int k = 0; k < nr + nc; k++)
        done[k] = 0;
    for (int i = 0; i < nr; i++) {
        int root = uf_find(parent, i);
        if (done[root])
            continue;
        done[root] = 1;
        int r = 0, c = 0;
        for (int a = i; a < nr; a++)
            if (uf_find(parent, a) == root)
                rows[r++] = a;
        for (int b = 0; b < nc; b++)
            if (uf_find(parent, nr + b) == root)
                cols[c++] = b;
        if (c == 0)
            continue;
        vigil_status status =
            solve_component(ws, cost, nc, limit, rows, r, cols, c, row_to_col, col_to_row, err);
        if (status < 0)
            return status;
    }
    return VIGIL_STATUS_OK;
}
