/*
 * engine_internal.h — the engine's insides, shared by engine.c (creation, running,
 * accessors) and engine_plan.c (storage planning).
 */
#ifndef VIGIL_ENGINE_INTERNAL_H
#define VIGIL_ENGINE_INTERNAL_H

#include "vigil/engine.h"

#define ENGINE_ARENA_ALIGN 64

struct vigil_engine {
    vigil_graph *graph;
    vigil_backend *backend;
    int n_nodes;
    vigil_tensor *values;           /* per node: a view of its data (arena, const or input) */
    void **states;                  /* per node: the backend's prepared state */
    bool *prepared;                 /* per node: node_prepare succeeded, release is owed */
    bool *computed;                 /* per node: node_forward must run (not an alias) */
    vigil_backend_node_plan *plans; /* per node: what the backend's graph_prepare decided */
    void *graph_plan;               /* graph_prepare's result, owed a graph_release */
    bool graph_prepared;
    /* Per node: the nodes whose tensors node_forward receives (its inputs, then those
     * its fused consumers add), as offsets into run_inputs. */
    int *run_first, *run_count, *run_inputs;
    const vigil_tensor **scratch; /* input pointers for one node_forward call */
    int n_inputs;
    int *input_nodes;
    unsigned char *arena;
    size_t arena_bytes;
};

/* Checks the backend's plan, lists each node's run inputs, places every computed tensor
 * in one arena and points each node's view at its data. */
vigil_status vigil_engine_plan(vigil_engine *e, vigil_error *err);

#endif
