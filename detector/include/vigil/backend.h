/*
 * vigil/backend.h — where ops run.
 *
 * A backend is a table of function pointers. The engine asks it once per node to
 * prepare (create oneDNN primitives, pick kernels, allocate scratch) and then to run
 * the prepared node on every frame; nothing is allocated per frame. A backend may also
 * plan the whole graph first (graph_prepare): run a node as part of the one before it,
 * keep tensors between its own kernels in another form (see vigil_backend_node_plan).
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

/* What a backend's whole-graph planning (graph_prepare) decides about one node. The
 * engine fills every entry with {0, -1, -1} before asking. */
typedef struct vigil_backend_node_plan {
    /* Bytes of storage the node's output takes; 0: its elements times its dtype's size.
     * A backend that keeps a tensor between its own ops in another form (bfloat16) says
     * so here. INPUT nodes and graph outputs must stay 0: callers read them. */
    size_t output_bytes;
    /* >= 0: the producer of inputs[fused_input] computes this node's value as part of
     * its own (a fused consumer, such as a depthwise convolution run as a post-op of
     * the 1x1 convolution before it). The engine then never runs this node; its output
     * lives in the producer's storage, as a reshape's does, and the producer's
     * node_forward receives, after its own inputs, this node's other inputs. The
     * producer must be read by this node alone, and those other inputs must be computed
     * before the producer runs (the engine checks both). */
    int fused_input;
    /* >= 0: the node's output may take over the storage of this one of the inputs its
     * node_forward receives (counting the inputs fused consumers add), when nothing reads
     * that input afterwards; -1: node_in_place decides for inputs[0]. */
    int in_place_input;
} vigil_backend_node_plan;

typedef struct vigil_backend_ops {
    const char *name;
    void (*destroy)(vigil_backend *backend);
    /* Called once per node (but INPUT and CONST; fused nodes too) after shape inference
     * and graph_prepare. On entry *state holds graph_prepare's plan, or NULL; the backend
     * may replace it with its own state for the node (freed by node_release). */
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
    /* Optional (NULL: every node is planned on its own, stored as the graph says).
     * Called once per engine after shape inference, before any node_prepare, with
     * nodes[g->n_nodes] to fill (see vigil_backend_node_plan). What it returns in *plan
     * the engine hands to every node_prepare of that graph as the initial value of
     * *state, and finally to graph_release, after every node_release. */
    vigil_status (*graph_prepare)(vigil_backend *backend, const vigil_graph *g,
                                  vigil_backend_node_plan *nodes, void **plan, vigil_error *err);
    void (*graph_release)(vigil_backend *backend, void *plan);
} vigil_backend_ops;

struct vigil_backend {
    const vigil_backend_ops *ops;
    int threads;
    void *context; /* the backend's own state */
};

vigil_backend *vigil_backend_ref_create(vigil_error *err);
/* threads <= 0: all cores. */
vigil_backend *vigil_backend_cpu_create(int threads, vigil_error *err);
/* The cpu backend in bfloat16: convolutions read bfloat16 inputs and weights and
 * accumulate in float32, and tensors passed between oneDNN ops are stored as bfloat16;
 * graph inputs and outputs stay float32. vigil_backend_cpu_create does the same when the
 * environment holds VIGIL_CPU_BF16=1. See docs/cpu-backend.md for accuracy. */
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
