/*
 * vigil/engine.h — a graph planned on a backend, run frame after frame.
 *
 * vigil_engine_create infers shapes, asks the backend to prepare every node, and plans
 * activation storage once: tensors whose lifetimes do not overlap share one arena, so
 * running a frame allocates nothing.
 *
 *     vigil_engine *e;
 *     if (vigil_engine_create(graph, backend, &e, &err) < 0) ...
 *     vigil_tensor *in = vigil_engine_input(e, 0);     // fill in->data
 *     if (vigil_engine_run(e, &err) < 0) ...
 *     const vigil_tensor *scores = vigil_engine_output(e, 0);
 *     vigil_engine_free(e);
 *
 * The engine borrows graph and backend: both must outlive it.
 */
#ifndef VIGIL_ENGINE_H
#define VIGIL_ENGINE_H

#include "vigil/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_engine vigil_engine;

vigil_status vigil_engine_create(vigil_graph *graph, vigil_backend *backend, vigil_engine **out,
                                 vigil_error *err);
void vigil_engine_free(vigil_engine *e);

int vigil_engine_input_count(const vigil_engine *e);
/* The i-th INPUT node's tensor, storage owned by the engine: write the input there. */
vigil_tensor *vigil_engine_input(vigil_engine *e, int i);
int vigil_engine_output_count(const vigil_engine *e);
const vigil_tensor *vigil_engine_output(const vigil_engine *e, int i);
const char *vigil_engine_output_name(const vigil_engine *e, int i);
/* Index of the output with this name, or -1. */
int vigil_engine_find_output(const vigil_engine *e, const char *name);

vigil_status vigil_engine_run(vigil_engine *e, vigil_error *err);

/* Bytes of activation storage after planning (for the benchmark and tests). */
size_t vigil_engine_arena_bytes(const vigil_engine *e);

#ifdef __cplusplus
}
#endif
#endif
