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

/* One component: its r rows and c columns (original indices) and its edges. The
 * extended square problem has a dummy column per row and a dummy row per column, each
 * at limit / 2, so that leaving both sides of a pair unpaired costs exactly limit. */
static vigil_status solve_component(vigil_lap_workspace *ws, const vigil_lap_edge *edges, int ne,
                                    const int *rows, int r, const int *cols, int c,
                                    const int *local, int nr, double limit, int *row_to_col,
                                    int *col_to_row, vigil_error *err) {
    if (r == 1 || c == 1) {
        /* A star: pairing the cheapest edge is optimal, since every allowed pair costs at
         * most the limit that leaving both unpaired would cost. Ties go to the lowest
         * row, then column, as in the dense solver's scan order. */
        const vigil_lap_edge *best = NULL;
        for (int e = 0; e < ne; e++) {
            const vigil_lap_edge *x = &edges[e];
            if (!best || x->cost < best->cost ||
                (x->cost == best->cost &&
                 (x->row < best->row || (x->row == best->row && x->col < best->col))))
                best = x;
        }
        row_to_col[best->row] = best->col;
        col_to_row[best->col] = best->row;
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
            if (a < r && b < c)
                x = forbidden;
            else if (a < r)
                x = (b - c == a) ? limit / 2 : forbidden;
            else if (b < c)
                x = (a - r == b) ? limit / 2 : forbidden;
            else
                x = 0;
            e[(size_t)a * n + b] = x;
        }
    for (int k = 0; k < ne; k++) {
        /* Columns follow the rows in the member list: their matrix index is local - r. */
        double *cell = &e[(size_t)local[edges[k].row] * n + (local[nr + edges[k].col] - r)];
        if (edges[k].cost < *cell)
            *cell = edges[k].cost;
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

vigil_status vigil_lap_solve_sparse(vigil_lap_workspace *ws, const vigil_lap_edge *edges,
                                    int n_edges, int nr, int nc, double limit, int *row_to_col,
                                    int *col_to_row, vigil_error *err) {
    if (nr < 0 || nc < 0 || n_edges < 0)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "assignment: negative size %d x %d", nr, nc);
    for (int i = 0; i < nr; i++)
        row_to_col[i] = -1;
    for (int j = 0; j < nc; j++)
        col_to_row[j] = -1;
    if (nr == 0 || nc == 0 || n_edges == 0)
        return VIGIL_STATUS_OK;
    int nodes = nr + nc;
    /* parent, local index, member lists (by component), component start offsets, then
     * per-component edge counts and offsets. */
    int *groups =
        vigil_lap_buffer(ws, VIGIL_LAP_SLOT_GROUPS, (size_t)6 * (nodes + 1) * sizeof(int), err);
    vigil_lap_edge *sorted =
        vigil_lap_buffer(ws, VIGIL_LAP_SLOT_EDGES, (size_t)n_edges * sizeof *sorted, err);
    if (!groups || !sorted)
        return VIGIL_STATUS_NO_MEMORY;
    int *parent = groups, *local = groups + nodes, *members = local + nodes;
    int *start = members + nodes, *edge_start = start + nodes + 1, *fill = edge_start + nodes + 1;
    for (int k = 0; k < nodes; k++)
        parent[k] = k;
    for (int e = 0; e < n_edges; e++)
        if (edges[e].cost <= limit)
            uf_union(parent, edges[e].row, nr + edges[e].col);
    /* Counting sort of the nodes by root (rows before columns within a root, each in
     * index order), and of the edges by the root of their row. */
    for (int k = 0; k <= nodes; k++)
        start[k] = edge_start[k] = 0;
    for (int k = 0; k < nodes; k++)
        start[uf_find(parent, k) + 1]++;
    for (int e = 0; e < n_edges; e++)
        if (edges[e].cost <= limit)
            edge_start[uf_find(parent, edges[e].row) + 1]++;
    for (int k = 0; k < nodes; k++) {
        start[k + 1] += start[k];
        edge_start[k + 1] += edge_start[k];
    }
    for (int k = 0; k < nodes; k++)
        fill[k] = start[k];
    for (int k = 0; k < nodes; k++) {
        int root = uf_find(parent, k);
        local[k] = fill[root] - start[root];
        members[fill[root]++] = k;
    }
    for (int k = 0; k < nodes; k++)
        fill[k] = edge_start[k];
    for (int e = 0; e < n_edges; e++)
        if (edges[e].cost <= limit)
            sorted[fill[uf_find(parent, edges[e].row)]++] = edges[e];
    for (int root = 0; root < nr; root++) {
        int ne = edge_start[root + 1] - edge_start[root];
        if (ne == 0)
            continue;
        /* members[start .. start + r) are rows, the rest columns (nr + col). */
        int *m = members + start[root], size = start[root + 1] - start[root], r = 0;
        while (r < size && m[r] < nr)
            r++;
        for (int k = r; k < size; k++)
            m[k] -= nr;
        vigil_status status =
            solve_component(ws, sorted + edge_start[root], ne, m, r, m + r, size - r, local, nr,
                            limit, row_to_col, col_to_row, err);
        if (status < 0)
            return status;
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_lap_solve_limited(vigil_lap_workspace *ws, const double *cost, int nr, int nc,
                                     double limit, int *row_to_col, int *col_to_row,
                                     vigil_error *err) {
    if (nr < 0 || nc < 0)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "assignment: negative size %d x %d", nr, nc);
    int n_edges = 0;
    for (size_t k = 0; k < (size_t)nr * nc; k++)
        n_edges += cost[k] <= limit;
    vigil_lap_edge *edges =
        vigil_lap_buffer(ws, VIGIL_LAP_SLOT_DENSE_EDGES, (size_t)n_edges * sizeof *edges, err);
    if (!edges)
        return VIGIL_STATUS_NO_MEMORY;
    n_edges = 0;
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < nc; j++)
            if (cost[(size_t)i * nc + j] <= limit)
                edges[n_edges++] = (vigil_lap_edge){i, j, cost[(size_t)i * nc + j]};
    return vigil_lap_solve_sparse(ws, edges, n_edges, nr, nc, limit, row_to_col, col_to_row, err);
}
