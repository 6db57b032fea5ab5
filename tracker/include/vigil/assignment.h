/*
 * vigil/assignment.h — optimal linear assignment (the LAP), used by the tracker to pair
 * tracks with detections and by the MOT metrics to pair truth with hypotheses.
 *
 * vigil_lap_solve is the shortest-augmenting-path method of Jonker and Volgenant in the
 * rectangular form of Crouse (2016), the one behind scipy's linear_sum_assignment: it
 * pairs every row of the smaller side with a distinct column at the least total cost.
 * vigil_lap_solve_limited adds what a tracker needs: a pair costing more than `limit`
 * is never made, and leaving a row or column unpaired costs limit / 2 each, which is
 * the extended problem of lap.lapjv(extend_cost=True, cost_limit=limit) used by
 * ByteTrack. It splits the problem into the connected parts of the graph of allowed
 * pairs first, so that 200 well-separated objects cost 200 tiny problems.
 *
 *     vigil_lap_workspace ws = {0};
 *     double cost[2 * 3] = {0.1, 0.9, 0.5,
 *                           0.2, 0.3, 0.9};
 *     int row_to_col[2], col_to_row[3];
 *     vigil_lap_solve_limited(&ws, cost, 2, 3, 0.8, row_to_col, col_to_row, &err);
 *     // row_to_col = {0, 1}: 0.1 + 0.3 beats 0.5 + 0.2; column 2 is unpaired (-1)
 *     vigil_lap_workspace_free(&ws);
 *
 * The workspace grows to the largest problem seen and is then reused without
 * allocating; `allocations` counts how often it grew.
 */
#ifndef VIGIL_ASSIGNMENT_H
#define VIGIL_ASSIGNMENT_H

#include <stddef.h>

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_lap_workspace {
    void *buffers[14];
    size_t sizes[14];
    long allocations;
} vigil_lap_workspace;

/* Least-cost assignment of an nr x nc row-major cost matrix that pairs min(nr, nc)
 * rows and columns. Fills row_to_col[nr] (-1 for rows left over when nr > nc) and, when
 * not NULL, col_to_row[nc]. An INFINITY entry is a forbidden pair; when no complete
 * pairing avoids them the call fails with VIGIL_STATUS_INVALID_ARGUMENT. */
vigil_status vigil_lap_solve(vigil_lap_workspace *ws, const double *cost, int nr, int nc,
                             int *row_to_col, int *col_to_row, vigil_error *err);

/* Least-cost assignment where pairs costing more than limit are forbidden and an
 * unpaired row or column costs limit / 2. Entries may be INFINITY (forbidden). */
vigil_status vigil_lap_solve_limited(vigil_lap_workspace *ws, const double *cost, int nr, int nc,
                                     double limit, int *row_to_col, int *col_to_row,
                                     vigil_error *err);

/* One allowed pair of a sparse problem. */
typedef struct vigil_lap_edge {
    int row, col;
    double cost;
} vigil_lap_edge;

/* The limited assignment given only its allowed pairs (edges with cost <= limit; others
 * are ignored), in O(rows + columns + edges) plus the dense solves of the parts where
 * pairs compete. The dense form above is a wrapper around this one. */
vigil_status vigil_lap_solve_sparse(vigil_lap_workspace *ws, const vigil_lap_edge *edges,
                                    int n_edges, int nr, int nc, double limit, int *row_to_col,
                                    int *col_to_row, vigil_error *err);

void vigil_lap_workspace_free(vigil_lap_workspace *ws);

#ifdef __cplusplus
}
#endif
#endif
