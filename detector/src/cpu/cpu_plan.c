/*
 * The cpu backend's whole-graph plan (graph_prepare): which nodes run as one oneDNN
 * primitive and how tensors are stored between oneDNN ops.
 *
 * Fusions, tried in graph order, each kept only if oneDNN creates the primitive:
 *  - a multiply by one constant value after a convolution (the importer leaves one after
 *    each hard swish whose 1/6 TF.js stored as float16): an eltwise linear post-op;
 *  - an add of a tensor to a convolution's output (residual blocks): a sum post-op, the
 *    convolution writing over the added tensor in place when nothing reads it later;
 *  - a 3x3 depthwise convolution after a 1x1 one (MobileNet blocks): a depthwise
 *    post-op, so the wide 1x1 output never goes through memory.
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
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_internal.h"

/* Depthwise fusion pays where oneDNN fuses for real (stride 2, one jit kernel); with
 * stride 1 it runs the two convolutions one after the other anyway. */
#define CPU_PLAN_DW_STRIDES 2

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

/* j = 3x3 depthwise convolution of a 1x1 convolution that heads no chain yet. */
static int dw_candidate(const planning *p, int j) {
    const vigil_graph *g = p->g;
    const vigil_node *nd = &g->nodes[j];
    if (nd->op != VIGIL_OP_CONV2D || !p->plan->on_dnnl[j])
        return -1;
    const vigil_conv2d_params *c = &nd->params.conv2d;
    const vigil_tensor *w = &g->nodes[nd->inputs[1]].value;
    int producer = nd->inputs[0];
    const vigil_node *pn = &g->nodes[producer];
    if (w->shape[0] != 3 || w->shape[1] != 3 || w->shape[2] != 1 || c->groups != w->shape[3] ||
        c->groups != nd->out_shape[3] || c->stride[0] != c->stride[1] ||
        c->stride[0] != CPU_PLAN_DW_STRIDES || c->pads[0] != c->pads[2] ||
        c->pads[1] != c->pads[3] || c->pads[0] > 1 || (c->dilation[0] > 1 || c->dilation[1] > 1))
        return -1;
    if (pn->op != VIGIL_OP_CONV2D || p->plan->executor[producer] != producer ||
        !open_tail(p, producer))
        return -1;
    const vigil_conv2d_params *pc = &pn->params.conv2d;
    const vigil_tensor *pw = &g->nodes[pn->inputs[1]].value;
    bool pointwise = pw->shape[0] == 1 && pw->shape[1] == 1 && pc->groups <= 1 &&
                     pc->stride[0] == 1 && pc->stride[1] == 1 && !pc->pads[0] && !pc->pads[1] &&
                     !pc->pads[2] && !pc->pads[3];
    return pointwise ? producer : -1;
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

/* VIGIL_CPU_PLAN_OFF (comma-separated: scale, sum, dw, bf16) turns parts of the plan
 * off, to measure what each brings. */
static bool plan_off(const char *part) {
    const char *off = getenv("VIGIL_CPU_PLAN_OFF");
    return off && strstr(off, part);
}

static void plan_fusions(planning *p) {
    cpu_plan *plan = p->plan;
    bool scale = !plan_off("scale"), sum = !plan_off("sum"), dw = !plan_off("dw");
    for (int j = 0; j < plan->n_nodes; j++) {
        if (!plan->on_dnnl[j])
            continue;
        cpu_fusion fusion = CPU_FUSION_SCALE;
        int producer = scale ? scale_candidate(p, j) : -1;
        if (producer < 0 && sum) {
            fusion = CPU_FUSION_SUM;
            producer = sum_candidate(p, j);
        }
        if (producer < 0 && dw) {
            fusion = CPU_FUSION_DW;
            producer = dw_candidate(p, j);
        }
        if (producer < 0)
            continue;
        /* Tried with the chain's output in the type it will most likely have (bf16 in
         * bf16 mode: oneDNN has no bf16 convolution with a depthwise post-op writing
         * f32); check_chains tries again with the final types. */
        int e = plan->executor[producer];
        bool stored_bf16 = plan->bf16[e];
        plan->bf16[e] = p->ctx->bf16 && !plan_off("bf16");
        fuse(plan, producer, j, fusion);
        if (!conv_creatable(p, e))
            unfuse(plan, producer, j);
        plan->bf16[e] = stored_bf16;
    }
}

/* --- data types --- */

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

/* Drops the fusions oneDNN refuses with the final data types (rare: the fusions were
 * tried in f32 storage), until every chain is created. */
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
        plan->threads[i] = ctx->threads;
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            p.uses[g->nodes[i].inputs[k]]++;
    }
    plan_fusions(&p);
    check_chains(&p);
    /* Every convolution's primitive, created once here for node_prepare to build on. */
    for (int i = 0; i < n; i++)
        if (g->nodes[i].op == VIGIL_OP_CONV2D && plan->on_dnnl[i] && plan->executor[i] == i &&
            cpu_conv2d_pd_create(ctx, plan, g, i, &plan->conv_pd[i]) != dnnl_success)
            plan->conv_pd[i] = NULL;
    fill_engine_plan(plan, nodes);
    free(p.uses);
    free(p.parent);
    free(p.forced_f32);
    *out = plan;
    return VIGIL_STATUS_OK;
}
