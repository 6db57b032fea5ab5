/*
 * cpu_internal.h — the insides of the "cpu" backend (oneDNN), shared by its files.
 *
 * A node the backend runs on oneDNN becomes a cpu_node: one or two primitives (steps)
 * created at prepare, with their memory objects. Memory that lives in engine-planned
 * storage (inputs, the output) or in the backend's scratch arena is bound to its
 * address on every frame with dnnl_memory_set_data_handle, which allocates nothing.
 * Weights and biases are reordered once at prepare into memory oneDNN owns.
 *
 * Nodes the backend does not run on oneDNN are prepared and run by a "ref" backend kept
 * in the context (cpu_node.on_ref).
 */
#ifndef VIGIL_CPU_INTERNAL_H
#define VIGIL_CPU_INTERNAL_H

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>

#include "vigil/backend.h"

#define CPU_MAX_STEPS 2
#define CPU_IMPL_SIZE 64 /* oneDNN implementation names are shorter */
/* Activations are 64-byte aligned by the engine; keep the scratch regions so as well. */
#define CPU_ALIGN 64

typedef struct cpu_context {
    dnnl_engine_t engine;
    dnnl_stream_t stream; /* one per backend: a backend runs one node at a time */
    vigil_backend *ref;   /* runs what oneDNN does not */
    int threads;
    bool bf16; /* convolutions compute in bfloat16 */
    /* One scratch arena for all nodes (oneDNN scratchpads, bf16 copies of inputs):
     * nodes run one after another, so they can share it. Grown at prepare only. */
    void *scratch;
    size_t scratch_size;
    /* Engines on different threads may share the backend: the stream and the arena are
     * used by one prepare or forward at a time. */
    pthread_mutex_t lock;
} cpu_context;

/* How a node is fused into the node before it (its producer) by the plan. */
typedef enum cpu_fusion {
    CPU_FUSION_NONE = 0,
    CPU_FUSION_SCALE, /* times one constant value: an eltwise linear post-op */
    CPU_FUSION_SUM,   /* plus another tensor of the output's shape: a sum post-op */
} cpu_fusion;

/* The backend's plan for one graph (cpu_plan.c), made by graph_prepare: how each tensor
 * is stored and which nodes run as one primitive. Without it (a caller that prepares
 * nodes one by one) every tensor is f32 and nothing is fused. */
typedef struct cpu_plan {
    const vigil_graph *g;
    int n_nodes;
    bool *on_dnnl;      /* the node is meant to run on oneDNN */
    bool *bf16;         /* its output is stored as bfloat16 */
    bool *precise;      /* a convolution kept in float32 in bf16 mode (first, heads) */
    cpu_fusion *fusion; /* how the node is fused into its producer; NONE if it is not */
    int *next;          /* the node fused into this one, or -1: a chain from its executor */
    int *executor;      /* the node whose primitive computes this one (itself if not fused) */
    int *threads;       /* OpenMP threads for the node (small nodes run on one) */
    dnnl_primitive_desc_t *conv_pd; /* per convolution: created (and checked) while planning */
} cpu_plan;

/* Where a memory object's data lives on each frame. */
typedef enum cpu_source {
    CPU_SOURCE_OWNED = -3,   /* allocated by oneDNN at prepare (weights, bias) */
    CPU_SOURCE_SCRATCH = -2, /* the context's scratch arena, at offset */
    CPU_SOURCE_OUT = -1,     /* the node's output; >= 0: inputs[source] */
} cpu_source;

typedef struct cpu_binding {
    dnnl_memory_t memory;
    int source; /* cpu_source or an input index */
    size_t offset;
    void *bound; /* the address last given to oneDNN: the engine's addresses are stable */
} cpu_binding;

typedef struct cpu_step {
    dnnl_primitive_t primitive;
    int nargs;
    dnnl_exec_arg_t *args;
} cpu_step;

/* A ref-run node's view of a bfloat16 tensor: converted to f32 in the scratch arena. */
typedef struct cpu_staging {
    int input;     /* the run input, or CPU_SOURCE_OUT */
    size_t offset; /* in the arena */
} cpu_staging;

typedef struct cpu_node {
    bool on_ref;
    bool fused; /* computed by its executor's primitive: never run */
    void *ref_state;
    const cpu_plan *plan; /* NULL when the node was prepared without one */
    int threads;          /* OpenMP threads while the node runs */
    /* A fused sum reads the added tensor from the output: copied there first unless the
     * engine already placed the output on it (in place). -1: none. */
    int sum_input;
    size_t sum_bytes;
    /* ref nodes with bfloat16 inputs or output run on f32 copies in the arena */
    int n_staged;
    cpu_staging *staged;
    vigil_tensor *staged_views; /* per run input, then the output */
    const vigil_tensor **staged_inputs;
    int n_steps;
    cpu_step steps[CPU_MAX_STEPS];
    int n_bindings, cap_bindings;
    cpu_binding *bindings;
    size_t scratch_bytes;     /* this node's use of the arena */
    char impl[CPU_IMPL_SIZE]; /* oneDNN implementation of the main step, for the docs/bench */
} cpu_node;

/* Converts a dnnl status into a vigil error naming the node and the call. */
vigil_status cpu_check(dnnl_status_t s, const vigil_graph *g, int node, const char *what,
                       vigil_error *err);

/* True when oneDNN turned a primitive down at creation (no implementation, or a case
 * its descriptor checks reject, such as a reduction that reduces nothing): the node then
 * runs on the ref backend instead. */
static inline bool cpu_declined(dnnl_status_t s) {
    return s == dnnl_unimplemented || s == dnnl_invalid_arguments;
}

/* --- memory descriptors (cpu_md.c) --- */

/* An NHWC vigil tensor as oneDNN's logical {N,C,H,W} with the nhwc tag. */
dnnl_status_t cpu_md_nhwc(dnnl_memory_desc_t *md, const int64_t *nhwc, dnnl_data_type_t dt);
/* A row-major tensor of any rank (rank 0 is read as [1]). */
dnnl_status_t cpu_md_plain(dnnl_memory_desc_t *md, int ndim, const int64_t *shape,
                           dnnl_data_type_t dt);
/* The descriptor elementwise ops use: nhwc for rank 4 (so a [1,1,1,C] operand is a
 * per-channel broadcast oneDNN has fast kernels for), row-major otherwise. */
dnnl_status_t cpu_md_elementwise(dnnl_memory_desc_t *md, int ndim, const int64_t *shape,
                                 dnnl_data_type_t dt);
/* Maps an axis of a vigil tensor to the logical dim cpu_md_elementwise gave it. */
int cpu_md_axis(int ndim, int axis);

/* --- node building and running (cpu_node.c) --- */

cpu_node *cpu_node_create(void);
void cpu_node_destroy(cpu_node *n);
/* Creates a memory object for md whose data comes from source (cpu_source or an input
 * index) at offset in the arena; CPU_SOURCE_OWNED allocates it now. NULL on failure. */
dnnl_memory_t cpu_node_bind(cpu_node *n, cpu_context *ctx, const dnnl_memory_desc_t *md, int source,
                            size_t offset, dnnl_status_t *status);
/* Reserves bytes of the scratch arena for this node; returns its offset. */
size_t cpu_node_reserve(cpu_node *n, size_t bytes);
/* Creates the primitive of pd and appends it as a step with args (copied), adding the
 * scratchpad argument from the arena when pd needs one. */
dnnl_status_t cpu_node_add_step(cpu_node *n, cpu_context *ctx, const_dnnl_primitive_desc_t pd,
                                int nargs, const dnnl_exec_arg_t *args);
/* The tail that single-source primitives share (eltwise, pooling, reduction,
 * resampling): given described (the status of initializing op_desc and its memory
 * descriptors), creates the primitive descriptor with no post-ops, binds the node's input
 * 0 as SRC and its output as DST, and appends the step. VIGIL_STATUS_UNSUPPORTED when
 * oneDNN declines; what ("pooling") names the primitive in errors. */
vigil_status cpu_node_add_src_dst(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                  dnnl_status_t described, const_dnnl_op_desc_t op_desc,
                                  const dnnl_memory_desc_t *src_md,
                                  const dnnl_memory_desc_t *dst_md, const char *what,
                                  vigil_error *err);
/* Grows the arena to fit the node (prepare time only). */
vigil_status cpu_context_fit_scratch(cpu_context *ctx, const cpu_node *n, vigil_error *err);
/* Binds this frame's addresses and executes the steps. */
vigil_status cpu_node_run(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                          vigil_tensor *out, const vigil_tensor *const *inputs, vigil_error *err);
/* Copies (reorders) a constant tensor into oneDNN-owned memory of layout dst_md, once. */
dnnl_memory_t cpu_node_constant(cpu_node *n, cpu_context *ctx, const dnnl_memory_desc_t *user_md,
                                const void *data, const dnnl_memory_desc_t *dst_md,
                                dnnl_status_t *status);

/* --- the plan (cpu_plan.c) --- */

vigil_status cpu_plan_create(cpu_context *ctx, const vigil_graph *g, vigil_backend_node_plan *nodes,
                             cpu_plan **out, vigil_error *err);
void cpu_plan_free(cpu_plan *plan);
/* The oneDNN data type a node's output is stored in (f32 without a plan). */
dnnl_data_type_t cpu_plan_dt(const cpu_plan *plan, int node);
/* The index, among the inputs the engine gives executor's node_forward, of input k of
 * the fused node `member` (see vigil_backend_node_plan.fused_input). */
int cpu_plan_run_input(const cpu_plan *plan, int executor, int member, int k);
/* A conv's storage and compute types under the plan; false when it keeps float32. */
bool cpu_plan_conv_bf16(const cpu_context *ctx, const cpu_plan *plan, const vigil_graph *g,
                        int node);

/* --- a convolution's post-op chain (cpu_post_ops.c) --- */

#define CPU_MAX_POST_OPS 16

typedef enum cpu_post_kind { CPU_POST_ELTWISE, CPU_POST_SUM } cpu_post_kind;

typedef struct cpu_post_op {
    cpu_post_kind kind;
    dnnl_alg_kind_t alg; /* eltwise */
    float alpha, beta;
} cpu_post_op;

typedef struct cpu_post_chain {
    int n;
    cpu_post_op ops[CPU_MAX_POST_OPS];
} cpu_post_chain;

/* Each returns dnnl_unimplemented when the chain cannot take the step. */
dnnl_status_t cpu_chain_activation(cpu_post_chain *c, vigil_activation activation, float alpha);
dnnl_status_t cpu_chain_scale(cpu_post_chain *c, float k);
dnnl_status_t cpu_chain_sum(cpu_post_chain *c);
dnnl_status_t cpu_chain_emit(const cpu_post_chain *c, dnnl_post_ops_t po);

/* --- attributes (cpu_attr.c) --- */

/* A primitive attribute with the user scratchpad mode and, unless activation is NONE,
 * the activation as eltwise post-ops. dnnl_unimplemented when oneDNN has no post-op for
 * it. */
dnnl_status_t cpu_attr_create(dnnl_primitive_attr_t *attr, vigil_activation activation,
                              float alpha);
/* The same with the post-ops po (NULL or empty: none). */
dnnl_status_t cpu_attr_create_with(dnnl_primitive_attr_t *attr, const_dnnl_post_ops_t po);
/* The eltwise algorithm and parameters for a single-step activation; false when the
 * activation takes more than one oneDNN step (hard sigmoid) or is unknown. */
bool cpu_activation_eltwise(vigil_activation activation, float alpha, dnnl_alg_kind_t *alg,
                            float *a, float *b);

/* --- ops: each builds n from the node, or returns VIGIL_STATUS_UNSUPPORTED (err
 *     untouched) when the node is left to the ref backend. --- */

typedef vigil_status (*cpu_prepare_fn)(cpu_context *ctx, const vigil_graph *g, int node,
                                       cpu_node *n, vigil_error *err);

vigil_status cpu_conv2d_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                vigil_error *err);
vigil_status cpu_pool2d_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                vigil_error *err);
vigil_status cpu_unary_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                               vigil_error *err);
vigil_status cpu_binary_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                vigil_error *err);
vigil_status cpu_reduce_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                vigil_error *err);
vigil_status cpu_concat_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                vigil_error *err);
vigil_status cpu_resize_prepare(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                vigil_error *err);

/* The convolution primitive of an executor node with its fused chain under the plan
 * (NULL: none); dnnl_unimplemented/invalid_arguments when oneDNN declines it. */
dnnl_status_t cpu_conv2d_pd_create(cpu_context *ctx, const cpu_plan *plan, const vigil_graph *g,
                                   int node, dnnl_primitive_desc_t *pd);
/* Whether each op would run on oneDNN (the checks their prepare functions make). */
bool cpu_conv2d_supported(const vigil_graph *g, int node);
bool cpu_pool2d_supported(const vigil_graph *g, int node);
bool cpu_reduce_supported(const vigil_graph *g, int node, bool *pooling);
bool cpu_concat_supported(const vigil_graph *g, int node);
bool cpu_resize_supported(const vigil_graph *g, int node);

/* A pooling primitive from the node's NHWC input to an NHWC output of shape out_nhwc
 * (pads top, bottom, left, right); shared by pool2d and reduce. */
vigil_status cpu_pool2d_build(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                              dnnl_alg_kind_t alg, const int64_t *kernel, const int64_t *stride,
                              const int *pads, const int64_t *out_nhwc, vigil_error *err);

/* Whether the node will run on oneDNN (same checks as the prepare functions); for
 * binary, *in_place tells whether its output may then alias inputs[0]. */
bool cpu_unary_supported(const vigil_graph *g, int node);
bool cpu_binary_supported(const vigil_graph *g, int node, bool *in_place);

/* True when every input and the output of the node are f32. */
bool cpu_node_all_f32(const vigil_graph *g, int node);

#endif
