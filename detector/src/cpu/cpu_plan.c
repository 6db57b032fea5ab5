/*
 * The cpu backend's whole-graph plan (graph_prepare): which nodes run as one oneDNN
 * primitive and how tensors are stored between oneDNN ops.
 *
 * Fusions, tried in graph order, each kept only if oneDNN creates the primitive:
 *  - a multiply by one constant value after a convolution (the importer leaves one after
 *    each hard swish whose 1/6 TF.js stored as float16): an eltwise linear post-op;
 *  - an add of a tensor to a convolution's output (residual blocks): a sum post-op, the
 *    convolution writing over the added tensor in place when nothing reads it later.
 * (A 3x3 depthwise convolution as a post-op of the 1x1 one before it would save MobileNet
 * blocks a pass through memory, but oneDNN 2.6's fused jit kernel computes it wrongly on
 * NHWC tensors; see docs/cpu-backend.md.)
 * A node is fused only into the last node of a chain that a convolution heads, and only
 * when nothing else reads that node.
 *
 * Storage in bf16 mode: tensors that oneDNN ops pass to each other are bfloat16 when no
 * caller, plain-C op or reshape reads them. Ops whose oneDNN kernels need one data type
 * for their inputs and output (elementwise, pooling, concat, resampling) tie those
 * tensors together: they are bfloat16 together or float32 together. Convolutions convert
 * their input when its type is not the one they compute in.
 * See docs/cpu-backend.md.
 */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_internal.h"

typedef struct planning {
    cpu_context *ctx;
    const vigil_graph *g;
    cpu_plan *plan;
    int *uses;   /* readers per node, counting repeats */
    int *parent; /* union-find over tensors tied to one data type */
    bool *forced_f32;
} planning;

static bool is_source(const vigil_node *node) {
    return node->op == VIGIL_OP_INPUT || node->op == VIGIL_OP_CONST;
}

/* VIGIL_CPU_PLAN_OFF (comma-separated: scale, sum, bf16, threads) turns parts of the plan
 * off, to measure what each brings. */
static bool plan_off(const char *part) {
    const char *off = getenv("VIGIL_CPU_PLAN_OFF");
    return off && strstr(off, part);
}

static bool is_output(const vigil_graph *g, int node) {
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i].node == node)
            return true;
    return false;
}

static bool scalar_const(const vigil_graph *g, int node, float *value) {
    const vigil_node *nd = &g->nodes[node];
    if (nd->op != VIGIL_OP_CONST || nd->value.dtype != VIGIL_DTYPE_F32 ||
        vigil_tensor_numel(&nd->value) != 1)
        return false;
    *value = *(const float *)nd->value.data;
    return true;
}

static bool runs_on_dnnl(const vigil_graph *g, int node) {
    bool flag;
    switch (g->nodes[node].op) {
    case VIGIL_OP_CONV2D:
        return cpu_conv2d_supported(g, node);
    case VIGIL_OP_POOL2D:
        return cpu_pool2d_supported(g, node);
    case VIGIL_OP_UNARY:
        return cpu_unary_supported(g, node);
    case VIGIL_OP_BINARY:
        return cpu_binary_supported(g, node, &flag);
    case VIGIL_OP_REDUCE:
        return cpu_reduce_supported(g, node, &flag);
    case VIGIL_OP_CONCAT:
        return cpu_concat_supported(g, node);
    case VIGIL_OP_RESIZE:
        return cpu_resize_supported(g, node);
    default:
        return false;
    }
}

dnnl_data_type_t cpu_plan_dt(const cpu_plan *plan, int node) {
    return plan && node >= 0 && node < plan->n_nodes && plan->bf16[node] ? dnnl_bf16 : dnnl_f32;
}

bool cpu_plan_conv_bf16(const cpu_context *ctx, const cpu_plan *plan, const vigil_graph *g,
                        int node) {
    if (!ctx->bf16 || (plan && plan->precise[node]))
        return false;
    const vigil_node *nd = &g->nodes[node];
    /* A bf16 tensor on either side: compute in bf16 (oneDNN has no f32 convolution
     * writing bf16, and reading bf16 costs nothing). Otherwise only dense convolutions
     * gain: depthwise ones are memory-bound and converting their input costs more. */
    if (cpu_plan_dt(plan, nd->inputs[0]) == dnnl_bf16 || cpu_plan_dt(plan, node) == dnnl_bf16)
        return true;
    return nd->params.conv2d.groups <= 1;
}

static int fused_input_of(const cpu_plan *plan, int member) {
    const vigil_node *nd = &plan->g->nodes[member];
    for (int k = 0; k < nd->n_inputs; k++) {
        int x = nd->inputs[k];
        if (plan->executor[x] == plan->executor[member] && plan->next[x] == member)
            return k;
    }
    return -1;
}

int cpu_plan_run_input(const cpu_plan *plan, int executor, int member, int k) {
    const vigil_graph *g = plan->g;
    int index = g->nodes[executor].n_inputs;
    for (int m = plan->next[executor]; m >= 0 && m != member; m = plan->next[m])
        index += g->nodes[m].n_inputs - 1;
    int fused = fused_input_of(plan, member);
    for (int i = 0; i < k; i++)
        index += i != fused;
    return index;
}

/* The last node of the chain a node belongs to. */
static int chain_tail(const cpu_plan *plan, int node) {
    while (plan->next[node] >= 0)
        node = plan->next[node];
    return node;
}

static bool chain_has(const cpu_plan *plan, int executor, cpu_fusion fusion) {
    for (int m = plan->next[executor]; m >= 0; m = plan->next[m])
        if (plan->fusion[m] == fusion)
            return true;
    return false;
}

/* Can `producer` take one more fused consumer? */
static bool open_tail(const planning *p, int producer) {
    const cpu_plan *plan = p->plan;
    int e = plan->executor[producer];
    return plan->on_dnnl[producer] && plan->next[producer] < 0 &&
           p->g->nodes[e].op == VIGIL_OP_CONV2D && plan->on_dnnl[e] && p->uses[producer] == 1 &&
           !is_output(p->g, producer);
}

/* j = producer * constant. */
static int scale_candidate(const planning *p, int j) {
    const vigil_node *nd = &p->g->nodes[j];
    float k;
    if (nd->op != VIGIL_OP_BINARY || nd->params.binary.op != VIGIL_BINARY_MUL)
        return -1;
    for (int side = 0; side < 2; side++)
        if (scalar_const(p->g, nd->inputs[1 - side], &k) && open_tail(p, nd->inputs[side]))
            return nd->inputs[side];
    return -1;
}

/* j = producer + r, both of j's shape, r computed before the chain's executor runs. */
static int sum_candidate(const planning *p, int j) {
    const vigil_graph *g = p->g;
    const vigil_node *nd = &g->nodes[j];
    if (nd->op != VIGIL_OP_BINARY || nd->params.binary.op != VIGIL_BINARY_ADD)
        return -1;
    for (int side = 0; side < 2; side++) {
        int producer = nd->inputs[side], r = nd->inputs[1 - side];
        const vigil_node *rn = &g->nodes[r];
        if (r == producer || rn->op == VIGIL_OP_CONST || !open_tail(p, producer))
            continue;
        int e = p->plan->executor[producer];
        bool same_shape =
            vigil_shape_equal(rn->out_ndim, rn->out_shape, nd->out_ndim, nd->out_shape) &&
            vigil_shape_equal(g->nodes[producer].out_ndim, g->nodes[producer].out_shape,
                              nd->out_ndim, nd->out_shape);
        bool ready = rn->op == VIGIL_OP_INPUT || p->plan->executor[r] < e;
        if (same_shape && ready && !chain_has(p->plan, e, CPU_FUSION_SUM))
            return producer;
    }
    return -1;
}

/* Whether oneDNN creates the executor's primitive as the plan now stands. */
static bool conv_creatable(planning *p, int executor) {
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s = cpu_conv2d_pd_create(p->ctx, p->plan, p->g, executor, &pd);
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    return s == dnnl_success;
}

static void fuse(cpu_plan *plan, int producer, int j, cpu_fusion fusion) {
    plan->fusion[j] = fusion;
    plan->executor[j] = plan->executor[producer];
    plan->next[producer] = j;
}

static void unfuse(cpu_plan *plan, int producer, int j) {
    plan->fusion[j] = CPU_FUSION_NONE;
    plan->executor[j] = j;
    plan->next[producer] = -1;
}

static void plan_fusions(planning *p) {
    cpu_plan *plan = p->plan;
    bool scale = !plan_off("scale"), sum = !plan_off("sum");
    for (int j = 0; j < plan->n_nodes; j++) {
        if (!plan->on_dnnl[j])
            continue;
        cpu_fusion fusion = CPU_FUSION_SCALE;
        int producer = scale ? scale_candidate(p, j) : -1;
        if (producer < 0 && sum) {
            fusion = CPU_FUSION_SUM;
            producer = sum_candidate(p, j);
        }
        if (producer < 0)
            continue;
        /* Tried with the chain's output in the type it will most likely have (bf16 in
         * bf16 mode); check_chains tries again with the final types. */
        int e = plan->executor[producer];
        bool stored_bf16 = plan->bf16[e];
        plan->bf16[e] = p->ctx->bf16 && !plan_off("bf16");
        fuse(plan, producer, j, fusion);
        if (!conv_creatable(p, e))
            unfuse(plan, producer, j);
        plan->bf16[e] = stored_bf16;
    }
}

/* --- threads --- */

/* Below this much work a node runs on one thread: waking a second one and meeting it at
 * the barrier costs more than it saves, and on a loaded machine the second thread may
 * not even be scheduled (the squeeze-excite convolutions on [1,1,1,C], global means). */
#define CPU_PLAN_SMALL_BYTES (64 * 1024)
#define CPU_PLAN_SMALL_FLOPS (2e5)

static int plan_threads(const cpu_context *ctx, const vigil_graph *g, int node) {
    const vigil_node *nd = &g->nodes[node];
    if (ctx->threads <= 1 || is_source(nd) || plan_off("threads"))
        return ctx->threads;
    int64_t elements = vigil_shape_numel(nd->out_ndim, nd->out_shape);
    double flops = (double)elements;
    for (int k = 0; k < nd->n_inputs; k++) {
        const vigil_node *x = &g->nodes[nd->inputs[k]];
        if (x->op != VIGIL_OP_CONST)
            elements += vigil_shape_numel(x->out_ndim, x->out_shape);
    }
    if (nd->op == VIGIL_OP_CONV2D) {
        const vigil_tensor *w = &g->nodes[nd->inputs[1]].value;
        flops *= 2.0 * (double)(w->shape[0] * w->shape[1] * w->shape[2]);
    }
    bool small =
        (size_t)elements * sizeof(float) < CPU_PLAN_SMALL_BYTES && flops < CPU_PLAN_SMALL_FLOPS;
    return small ? 1 : ctx->threads;
}

/* --- data types --- */

/* In bf16 mode the first depthwise convolution that reads the stem's output resolution
 * computes in f32 on f32 tensors. It has only kh x kw terms per output to average the
 * rounding of its input out, and it sits where every later layer amplifies its error:
 * with it in bf16, CenterNet's detections on the TF.js fixtures drifted to IoU 0.957 and
 * score differences of 0.015 (f32 storage everywhere: 0.990 and 0.008); with it in f32
 * they are back to 0.985 and 0.009, for the cost of a few f32 tensors at 256x256x16. */
static void plan_precise(planning *p) {
    const vigil_graph *g = p->g;
    int64_t stem_area = -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const vigil_node *nd = &g->nodes[i];
        if (nd->op != VIGIL_OP_CONV2D || !p->plan->on_dnnl[i])
            continue;
        const vigil_node *x = &g->nodes[nd->inputs[0]];
        int64_t area = x->out_shape[1] * x->out_shape[2];
        if (stem_area < 0) {
            stem_area = nd->out_shape[1] * nd->out_shape[2];
            continue;
        }
        int groups = nd->params.conv2d.groups;
        if (groups > 1 && groups == x->out_shape[3] && area == stem_area) {
            p->plan->precise[i] = true;
            return;
        }
    }
}

static int find(int *parent, int x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void tie(planning *p, int a, int b) {
    int ra = find(p->parent, a), rb = find(p->parent, b);
    if (ra != rb) {
        p->parent[ra] = rb;
        p->forced_f32[rb] = p->forced_f32[rb] || p->forced_f32[ra];
    }
}

static void force_f32(planning *p, int node) {
    p->forced_f32[find(p->parent, node)] = true;
}

/* The ties and constraints one node puts on its inputs' and output's types. */
static void constrain(planning *p, int i) {
    const vigil_graph *g = p->g;
    const cpu_plan *plan = p->plan;
    const vigil_node *nd = &g->nodes[i];
    if (nd->op == VIGIL_OP_CONST)
        return;
    if (plan->fusion[i] != CPU_FUSION_NONE) {
        /* The chain's nodes share the executor's storage; a fused sum adds r in place. */
        tie(p, i, plan->executor[i]);
        if (plan->fusion[i] == CPU_FUSION_SUM)
            for (int k = 0; k < nd->n_inputs; k++)
                if (plan->executor[nd->inputs[k]] != plan->executor[i])
                    tie(p, i, nd->inputs[k]);
    }
    if (nd->op == VIGIL_OP_INPUT || is_output(g, i)) {
        force_f32(p, i); /* callers write and read float32 */
        return;
    }
    if (plan->fusion[i] != CPU_FUSION_NONE)
        return;
    bool pooling = false;
    bool precise_conv = nd->op == VIGIL_OP_CONV2D && plan->precise[i];
    bool f32_only = !plan->on_dnnl[i] || nd->op == VIGIL_OP_RESHAPE || precise_conv ||
                    (nd->op == VIGIL_OP_REDUCE && cpu_reduce_supported(g, i, &pooling) && !pooling);
    if (f32_only) {
        force_f32(p, i);
        for (int k = 0; k < nd->n_inputs; k++)
            if (!is_source(&g->nodes[nd->inputs[k]]) && (nd->op != VIGIL_OP_CONV2D || k == 0))
                force_f32(p, nd->inputs[k]);
        return;
    }
    if (nd->op == VIGIL_OP_CONV2D)
        return; /* converts its input when needed, writes either type */
    for (int k = 0; k < nd->n_inputs; k++) {
        const vigil_node *x = &g->nodes[nd->inputs[k]];
        if (x->op != VIGIL_OP_CONST) {
            tie(p, i, nd->inputs[k]);
            continue;
        }
        /* A constant stays f32: fine as a binary op's broadcast operand, not otherwise. */
        bool broadcast =
            nd->op == VIGIL_OP_BINARY && vigil_shape_numel(x->out_ndim, x->out_shape) <
                                             vigil_shape_numel(nd->out_ndim, nd->out_shape);
        if (!broadcast)
            force_f32(p, i);
    }
}

static void plan_types(planning *p) {
    cpu_plan *plan = p->plan;
    int n = plan->n_nodes;
    for (int i = 0; i < n; i++) {
        p->parent[i] = i;
        p->forced_f32[i] = false;
    }
    for (int i = 0; i < n; i++)
        constrain(p, i);
    bool bf16 = p->ctx->bf16 && !plan_off("bf16");
    for (int i = 0; i < n; i++)
        plan->bf16[i] = bf16 && !is_source(&p->g->nodes[i]) && !p->forced_f32[find(p->parent, i)];
}

/* Decides the data types, then drops the fusions oneDNN refuses with them (rare: the
 * fusions were tried with the chain's output in bf16 and its input as stored then), until
 * every chain is created. */
static void check_chains(planning *p) {
    cpu_plan *plan = p->plan;
    bool changed = true;
    while (changed) {
        changed = false;
        plan_types(p);
        for (int e = 0; e < plan->n_nodes; e++) {
            if (plan->executor[e] != e || plan->next[e] < 0 || conv_creatable(p, e))
                continue;
            for (int m = plan->next[e], prev = e; m >= 0;) {
                int after = plan->next[m];
                unfuse(plan, prev, m);
                prev = m;
                m = after;
            }
            changed = true;
        }
    }
}

/* --- the engine's view --- */

static size_t stored_bytes(const cpu_plan *plan, int node) {
    const vigil_node *tail = &plan->g->nodes[chain_tail(plan, plan->executor[node])];
    return (size_t)vigil_shape_numel(tail->out_ndim, tail->out_shape) *
           (plan->bf16[node] ? 2 : sizeof(float));
}

static void fill_engine_plan(const cpu_plan *plan, vigil_backend_node_plan *nodes) {
    const vigil_graph *g = plan->g;
    for (int i = 0; i < plan->n_nodes; i++) {
        const vigil_node *nd = &g->nodes[i];
        if (is_source(nd) || nd->op == VIGIL_OP_RESHAPE)
            continue;
        size_t graph_bytes = (size_t)vigil_shape_numel(nd->out_ndim, nd->out_shape) *
                             vigil_dtype_size(nd->out_dtype);
        size_t bytes = stored_bytes(plan, i);
        nodes[i].output_bytes = bytes != graph_bytes ? bytes : 0;
        if (plan->fusion[i] != CPU_FUSION_NONE)
            nodes[i].fused_input = fused_input_of(plan, i);
        if (plan->fusion[i] == CPU_FUSION_SUM) {
            int e = plan->executor[i];
            for (int k = 0; k < nd->n_inputs; k++)
                if (k != nodes[i].fused_input)
                    nodes[e].in_place_input = cpu_plan_run_input(plan, e, i, k);
        }
    }
}

void cpu_plan_free(cpu_plan *plan) {
    if (!plan)
        return;
    if (plan->conv_pd)
        for (int i = 0; i < plan->n_nodes; i++)
            if (plan->conv_pd[i])
                dnnl_primitive_desc_destroy(plan->conv_pd[i]);
    free(plan->on_dnnl);
    free(plan->bf16);
    free(plan->precise);
    free(plan->fusion);
    free(plan->next);
    free(plan->executor);
    free(plan->threads);
    free(plan->conv_pd);
    free(plan);
}

static cpu_plan *plan_alloc(const vigil_graph *g) {
    cpu_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return NULL;
    int n = plan->n_nodes = g->n_nodes;
    size_t count = n > 0 ? (size_t)n : 1;
    plan->g = g;
    plan->on_dnnl = calloc(count, sizeof *plan->on_dnnl);
    plan->bf16 = calloc(count, sizeof *plan->bf16);
    plan->precise = calloc(count, sizeof *plan->precise);
    plan->fusion = calloc(count, sizeof *plan->fusion);
    plan->next = calloc(count, sizeof *plan->next);
    plan->executor = calloc(count, sizeof *plan->executor);
    plan->threads = calloc(count, sizeof *plan->threads);
    plan->conv_pd = calloc(count, sizeof *plan->conv_pd);
    if (!plan->on_dnnl || !plan->bf16 || !plan->precise || !plan->fusion || !plan->next ||
        !plan->executor || !plan->threads || !plan->conv_pd) {
        cpu_plan_free(plan);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        plan->next[i] = -1;
        plan->executor[i] = i;
        plan->on_dnnl[i] = runs_on_dnnl(g, i);
    }
    return plan;
}

vigil_status cpu_plan_create(cpu_context *ctx, const vigil_graph *g, vigil_backend_node_plan *nodes,
                             cpu_plan **out, vigil_error *err) {
    *out = NULL;
    cpu_plan *plan = plan_alloc(g);
    int n = g->n_nodes;
    size_t count = n > 0 ? (size_t)n : 1;
    planning p = {.ctx = ctx, .g = g, .plan = plan};
    p.uses = calloc(count, sizeof *p.uses);
    p.parent = calloc(count, sizeof *p.parent);
    p.forced_f32 = calloc(count, sizeof *p.forced_f32);
    if (!plan || !p.uses || !p.parent || !p.forced_f32) {
        cpu_plan_free(plan);
        free(p.uses);
        free(p.parent);
        free(p.forced_f32);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "cpu backend: out of memory planning");
    }
    for (int i = 0; i < n; i++) {
        plan->threads[i] = plan_threads(ctx, g, i);
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            p.uses[g->nodes[i].inputs[k]]++;
    }
    if (ctx->bf16)
        plan_precise(&p);
    plan_fusions(&p);
    check_chains(&p);
    /* Every convolution's primitive, created once here for node_prepare to build on, with
     * the thread count it will run on (oneDNN splits the work at creation). */
    int saved = omp_get_max_threads();
    for (int i = 0; i < n; i++) {
        if (g->nodes[i].op != VIGIL_OP_CONV2D || !plan->on_dnnl[i] || plan->executor[i] != i)
            continue;
        omp_set_num_threads(plan->threads[i]);
        if (cpu_conv2d_pd_create(ctx, plan, g, i, &plan->conv_pd[i]) != dnnl_success)
            plan->conv_pd[i] = NULL;
    }
    omp_set_num_threads(saved);
    fill_engine_plan(plan, nodes);
    free(p.uses);
    free(p.parent);
    free(p.forced_f32);
    *out = plan;
    return VIGIL_STATUS_OK;
}
