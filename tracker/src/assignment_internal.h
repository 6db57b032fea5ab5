/* Workspace slots shared by the dense and the limited assignment solvers. */
#ifndef VIGIL_ASSIGNMENT_INTERNAL_H
#define VIGIL_ASSIGNMENT_INTERNAL_H

#include "vigil/assignment.h"

enum {
    VIGIL_LAP_SLOT_U = 0,
    VIGIL_LAP_SLOT_V,
    VIGIL_LAP_SLOT_SHORTEST,
    VIGIL_LAP_SLOT_PATH,
    VIGIL_LAP_SLOT_REMAINING,
    VIGIL_LAP_SLOT_SR,
    VIGIL_LAP_SLOT_SC,
    VIGIL_LAP_SLOT_TRANSPOSE,
    VIGIL_LAP_SLOT_SPARE,
    VIGIL_LAP_SLOT_GROUPS,      /* limited: union-find and component member lists */
    VIGIL_LAP_SLOT_EXTENDED,    /* limited: one component's extended square matrix */
    VIGIL_LAP_SLOT_MATCH,       /* limited: that matrix's solution */
    VIGIL_LAP_SLOT_EDGES,       /* limited: edges grouped by component */
    VIGIL_LAP_SLOT_DENSE_EDGES, /* the dense wrapper's edge list */
    VIGIL_LAP_SLOT_COUNT,
};

/* Returns a buffer of at least bytes in slot, growing it (and counting the growth). */
void *vigil_lap_buffer(vigil_lap_workspace *ws, int slot, size_t bytes, vigil_error *err);

#endif
