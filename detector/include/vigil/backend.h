/*
 * vigil/backend.h — where ops run.
 *
 * A backend is a table of function pointers. The engine asks it once per node to
 * prepare (create oneDNN primitives, pick kernels, allocate scratch) and then to run
 * the prepared node on every frame; nothing is allocated per frame.
 *
 * Backends: "ref" (plain C, the reference every other backend is tested against),
 * "cpu" (oneDNN for the heavy ops, the plain-C code for the rest) and later "cuda".
 *
 *     vigil_backend *cpu = vigil_backend_cpu_create(2, &err);  // 2 threads
 *     ... vigil_engine_create(graph, cpu, &engine, &err) ...
 *     vigil_backend_free(cpu);
 *
 * Training adds node_backward to this table; a CUDA backend adds its own table.
 */
#ifndef VIGIL_BACKEND_H
#define VIGIL_BACKEND_H

#include "vigil/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_backend vigil_backend;

typedef struct vigil_backend_ops {
    const char *name;
    void (*destroy)(vigil_backend *backend);
    /* Called once per node after shape inference. May set *state (freed by release). */
    vigil_status (*node_prepare)(vigil_backend *backend, const vigil_graph *g, int node,
                                 void **state, vigil_error *err);
    /* Runs one node: out has the node's shape and planned storage; inputs[i] are the
     * tensors of node->inputs[i]. Must not allocate. */
    vigil_status (*node_forward)(vigil_backend *backend, const vigil_graph *g, int node,
                                 void *state, vigil_tensor *out, const vigil_tensor *const *inputs,
                                 vigil_error *err);
    void (*node_release)(vigil_backend *backend, void *state);
    /* True when out may share storage with inputs[0] (elementwise ops in place). */
    bool (*node_in_place)(vigil_backend *backend, const vigil_graph *g, int node);
} vigil_backend_ops;

struct vigil_backend {
    const vigil_backend_ops *ops;
    int threads;
    void *context; /* the backend's own state */
};

vigil_backend *vigil_backend_ref_create(vigil_error *err);
/* threads <= 0: all cores. */
vigil_backend *vigil_backend_cpu_create(int threads, vigil_error *err);
/* The cpu backend with convolutions computed in bfloat16 (input and weights rounded to
 * bfloat16, float32 accumulation and output). vigil_backend_cpu_create does the same
 * when the environment holds VIGIL_CPU_BF16=1. See docs/cpu-backend.md for accuracy. */
vigil_backend *vigil_backend_cpu_create_bf16(int threads, vigil_error *err);
/* How the cpu backend runs `node` of g, the graph it prepared last: the oneDNN
 * implementation ("brgconv:avx512_core"), "ref" for the plain-C ops, or NULL (another
 * backend or graph, a node not prepared). For tests and benchmarks. */
const char *vigil_backend_cpu_node_impl(const vigil_backend *backend, const vigil_graph *g,
                                        int node);
/* "ref", "cpu", "cpu-bf16" (convolutions in bfloat16) or "cuda" when built; NULL with
 * err set for an unknown or absent one. */
vigil_backend *vigil_backend_create(const char *name, int threads, vigil_error *err);
void vigil_backend_free(vigil_backend *backend);

#ifdef __cplusplus
}
#endif
#endif
