/*
 * The "cpu" backend: oneDNN for conv2d, pooling, elementwise ops, reductions, concat and
 * half-pixel bilinear resize; the "ref" backend (kept in the context) for the rest.
 *
 * Threads: oneDNN (built with OpenMP) sizes its kernels at primitive creation and runs
 * them on omp_get_max_threads() threads, so the backend sets the OpenMP thread count of
 * the calling thread around every prepare and forward and restores it afterwards. A
 * mutex makes prepares and forwards from several threads take turns (one stream, one
 * scratch arena).
 * See docs/cpu-backend.md.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_internal.h"

typedef struct cpu_backend {
    vigil_backend base;
    cpu_context ctx;
    /* oneDNN implementation per node of the graph prepared last (for tests and benches) */
    const vigil_graph *impl_graph;
    int impl_count;
    char (*impl)[CPU_IMPL_SIZE];
} cpu_backend;

static const cpu_prepare_fn cpu_prepare_fns[VIGIL_OP_COUNT] = {
    [VIGIL_OP_CONV2D] = cpu_conv2d_prepare, [VIGIL_OP_POOL2D] = cpu_pool2d_prepare,
    [VIGIL_OP_UNARY] = cpu_unary_prepare,   [VIGIL_OP_BINARY] = cpu_binary_prepare,
    [VIGIL_OP_REDUCE] = cpu_reduce_prepare, [VIGIL_OP_CONCAT] = cpu_concat_prepare,
    [VIGIL_OP_RESIZE] = cpu_resize_prepare,
};

/* Takes the backend and gives the calling thread `threads` OpenMP threads; returns the
 * count to restore. */
static int cpu_enter(cpu_context *ctx, int threads) {
    pthread_mutex_lock(&ctx->lock);
    int saved = omp_get_max_threads();
    if (saved != threads)
        omp_set_num_threads(threads);
    return saved;
}

static void cpu_leave(cpu_context *ctx, int saved) {
    if (saved != omp_get_max_threads())
        omp_set_num_threads(saved);
    pthread_mutex_unlock(&ctx->lock);
}

static void cpu_record_impl(cpu_backend *b, const vigil_graph *g, int node, const char *impl) {
    if (b->impl_graph != g || b->impl_count < g->n_nodes) {
        char(*names)[CPU_IMPL_SIZE] = calloc((size_t)g->n_nodes, sizeof *names);
        if (!names)
            return; /* introspection only: running does not depend on it */
        if (b->impl_graph == g)
            memcpy(names, b->impl, (size_t)b->impl_count * sizeof *names);
        free(b->impl);
        b->impl = names;
        b->impl_count = g->n_nodes;
        b->impl_graph = g;
    }
    snprintf(b->impl[node], CPU_IMPL_SIZE, "%s", impl);
}

static void cpu_release(vigil_backend *backend, void *state) {
    cpu_context *ctx = backend->context;
    cpu_node *n = state;
    if (n && n->on_ref && ctx->ref->ops->node_release)
        ctx->ref->ops->node_release(ctx->ref, n->ref_state);
    cpu_node_destroy(n);
}

/* A node on ref whose inputs or output the plan stores as bfloat16 (only when oneDNN
 * turned down a primitive the plan expected) runs on f32 copies in the scratch arena. */
static vigil_status cpu_stage_for_ref(const vigil_graph *g, int node, cpu_node *n,
                                      vigil_error *err) {
    const vigil_node *nd = &g->nodes[node];
    int count = nd->n_inputs;
    n->staged = calloc((size_t)count + 1, sizeof *n->staged);
    n->staged_views = calloc((size_t)count + 1, sizeof *n->staged_views);
    n->staged_inputs = calloc((size_t)count + 1, sizeof *n->staged_inputs);
    if (!n->staged || !n->staged_views || !n->staged_inputs)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "cpu backend: out of memory");
    for (int k = 0; k <= count; k++) {
        int source = k < count ? nd->inputs[k] : node;
        if (cpu_plan_dt(n->plan, source) != dnnl_bf16)
            continue;
        const vigil_node *sn = &g->nodes[source];
        size_t bytes = (size_t)vigil_shape_numel(sn->out_ndim, sn->out_shape) * sizeof(float);
        n->staged[n->n_staged++] = (cpu_staging){.input = k < count ? k : CPU_SOURCE_OUT,
                                                 .offset = cpu_node_reserve(n, bytes)};
    }
    return VIGIL_STATUS_OK;
}

static vigil_status cpu_prepare_on_ref(cpu_context *ctx, const vigil_graph *g, int node,
                                       cpu_node *n, vigil_error *err) {
    n->on_ref = true;
    snprintf(n->impl, sizeof n->impl, "ref");
    vigil_status status = cpu_stage_for_ref(g, node, n, err);
    if (status == VIGIL_STATUS_OK)
        status = cpu_context_fit_scratch(ctx, n, err);
    if (status < 0 || !ctx->ref->ops->node_prepare)
        return status;
    return ctx->ref->ops->node_prepare(ctx->ref, g, node, &n->ref_state, err);
}

static vigil_status cpu_run_on_ref(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                   vigil_tensor *out, const vigil_tensor *const *inputs,
                                   vigil_error *err) {
    if (n->n_staged == 0)
        return ctx->ref->ops->node_forward(ctx->ref, g, node, n->ref_state, out, inputs, err);
    int count = g->nodes[node].n_inputs;
    vigil_tensor *out_view = out;
    for (int k = 0; k < count; k++)
        n->staged_inputs[k] = inputs[k];
    for (int i = 0; i < n->n_staged; i++) {
        const cpu_staging *st = &n->staged[i];
        float *f32 = (float *)((char *)ctx->scratch + st->offset);
        if (st->input == CPU_SOURCE_OUT) {
            n->staged_views[count] = *out;
            n->staged_views[count].data = f32;
            out_view = &n->staged_views[count];
            continue;
        }
        const uint16_t *b16 = inputs[st->input]->data;
        for (int64_t e = 0, numel = vigil_tensor_numel(inputs[st->input]); e < numel; e++)
            f32[e] = vigil_bf16_to_f32(b16[e]);
        n->staged_views[st->input] = *inputs[st->input];
        n->staged_views[st->input].data = f32;
        n->staged_inputs[st->input] = &n->staged_views[st->input];
    }
    vigil_status status = ctx->ref->ops->node_forward(ctx->ref, g, node, n->ref_state, out_view,
                                                      n->staged_inputs, err);
    if (status == VIGIL_STATUS_OK && out_view != out) {
        const float *f32 = out_view->data;
        uint16_t *b16 = out->data;
        for (int64_t e = 0, numel = vigil_tensor_numel(out); e < numel; e++)
            b16[e] = vigil_f32_to_bf16(f32[e]);
    }
    return status;
}

/* The plan the engine hands over in *state, if it is this graph's. */
static const cpu_plan *cpu_plan_of(void *state, const vigil_graph *g) {
    const cpu_plan *plan = state;
    return plan && plan->g == g && plan->n_nodes == g->n_nodes ? plan : NULL;
}

/* A node the plan fused into another: nothing to build, it is never run. */
static void cpu_prepare_fused(cpu_backend *b, const vigil_graph *g, int node, cpu_node *n) {
    int executor = n->plan->executor[node];
    const char *impl = vigil_backend_cpu_node_impl(&b->base, g, executor);
    n->fused = true;
    snprintf(n->impl, sizeof n->impl, "fused:%s", impl ? impl : "?");
}

static vigil_status cpu_prepare(vigil_backend *backend, const vigil_graph *g, int node,
                                void **state, vigil_error *err) {
    cpu_context *ctx = backend->context;
    vigil_op_type op = g->nodes[node].op;
    cpu_prepare_fn fn = (unsigned)op < VIGIL_OP_COUNT ? cpu_prepare_fns[op] : NULL;
    const cpu_plan *plan = cpu_plan_of(*state, g);
    cpu_node *n = cpu_node_create();
    if (!n)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "cpu backend: out of memory");
    n->plan = plan;
    n->threads = plan ? plan->threads[node] : ctx->threads;
    int saved = cpu_enter(ctx, n->threads);
    vigil_status status = VIGIL_STATUS_OK;
    if (plan && plan->fusion[node] != CPU_FUSION_NONE)
        cpu_prepare_fused((cpu_backend *)backend, g, node, n);
    else
        status = fn ? fn(ctx, g, node, n, err) : VIGIL_STATUS_UNSUPPORTED;
    if (status == VIGIL_STATUS_OK)
        status = cpu_context_fit_scratch(ctx, n, err);
    if (status == VIGIL_STATUS_UNSUPPORTED) {
        /* not for oneDNN: start over on the ref backend with a clean node */
        int threads = n->threads;
        cpu_node_destroy(n);
        n = cpu_node_create();
        if (n) {
            n->plan = plan;
            n->threads = threads;
        }
        status = n ? cpu_prepare_on_ref(ctx, g, node, n, err)
                   : vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "cpu backend: out of memory");
    }
    if (status == VIGIL_STATUS_OK)
        cpu_record_impl((cpu_backend *)backend, g, node, n->impl);
    cpu_leave(ctx, saved);
    if (status < 0) {
        cpu_node_destroy(n); /* a ref prepare that failed holds nothing to release */
        return status;
    }
    *state = n;
    return VIGIL_STATUS_OK;
}

static vigil_status cpu_forward(vigil_backend *backend, const vigil_graph *g, int node, void *state,
                                vigil_tensor *out, const vigil_tensor *const *inputs,
                                vigil_error *err) {
    cpu_context *ctx = backend->context;
    cpu_node *n = state;
    if (n->fused)
        return VIGIL_STATUS_OK; /* computed by its executor (the engine does not call) */
    int saved = cpu_enter(ctx, n->threads);
    vigil_status status = n->on_ref ? cpu_run_on_ref(ctx, g, node, n, out, inputs, err)
                                    : cpu_node_run(ctx, g, node, n, out, inputs, err);
    cpu_leave(ctx, saved);
    return status;
}

static vigil_status cpu_graph_prepare(vigil_backend *backend, const vigil_graph *g,
                                      vigil_backend_node_plan *nodes, void **plan,
                                      vigil_error *err) {
    cpu_context *ctx = backend->context;
    cpu_plan *p = NULL;
    int saved = cpu_enter(ctx, ctx->threads);
    vigil_status status = cpu_plan_create(ctx, g, nodes, &p, err);
    cpu_leave(ctx, saved);
    *plan = p;
    return status;
}

static void cpu_graph_release(vigil_backend *backend, void *plan) {
    (void)backend;
    cpu_plan_free(plan);
}

static bool cpu_in_place(vigil_backend *backend, const vigil_graph *g, int node) {
    cpu_context *ctx = backend->context;
    bool in_place = false;
    if (g->nodes[node].op == VIGIL_OP_UNARY && cpu_unary_supported(g, node))
        return true;
    if (g->nodes[node].op == VIGIL_OP_BINARY && cpu_binary_supported(g, node, &in_place))
        return in_place;
    return ctx->ref->ops->node_in_place && ctx->ref->ops->node_in_place(ctx->ref, g, node);
}

static void cpu_destroy(vigil_backend *backend) {
    cpu_backend *b = (cpu_backend *)backend;
    if (!b)
        return;
    if (b->ctx.stream)
        dnnl_stream_destroy(b->ctx.stream);
    if (b->ctx.engine)
        dnnl_engine_destroy(b->ctx.engine);
    if (b->ctx.ref)
        vigil_backend_free(b->ctx.ref);
    free(b->ctx.scratch);
    free(b->impl);
    pthread_mutex_destroy(&b->ctx.lock);
    free(b);
}

static const vigil_backend_ops cpu_ops = {
    .name = "cpu",
    .destroy = cpu_destroy,
    .node_prepare = cpu_prepare,
    .node_forward = cpu_forward,
    .node_release = cpu_release,
    .node_in_place = cpu_in_place,
    .graph_prepare = cpu_graph_prepare,
    .graph_release = cpu_graph_release,
};

static vigil_backend *cpu_create(int threads, bool bf16, vigil_error *err) {
    cpu_backend *b = calloc(1, sizeof *b);
    if (!b) {
        vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "cpu backend: out of memory");
        return NULL;
    }
    b->base.ops = &cpu_ops;
    b->base.context = &b->ctx;
    pthread_mutex_init(&b->ctx.lock, NULL);
    b->ctx.threads = threads > 0 ? threads : omp_get_num_procs();
    b->base.threads = b->ctx.threads;
    b->ctx.bf16 = bf16;
    b->ctx.ref = vigil_backend_ref_create(err);
    if (!b->ctx.ref) {
        cpu_destroy(&b->base);
        return NULL;
    }
    b->ctx.ref->threads = b->ctx.threads;
    dnnl_status_t s = dnnl_engine_create(&b->ctx.engine, dnnl_cpu, 0);
    if (s == dnnl_success)
        s = dnnl_stream_create(&b->ctx.stream, b->ctx.engine, dnnl_stream_default_flags);
    if (s != dnnl_success) {
        cpu_check(s, NULL, -1, "engine and stream creation", err);
        cpu_destroy(&b->base);
        return NULL;
    }
    return &b->base;
}

vigil_backend *vigil_backend_cpu_create(int threads, vigil_error *err) {
    const char *env = getenv("VIGIL_CPU_BF16");
    return cpu_create(threads, env && strcmp(env, "1") == 0, err);
}

vigil_backend *vigil_backend_cpu_create_bf16(int threads, vigil_error *err) {
    return cpu_create(threads, true, err);
}

const char *vigil_backend_cpu_node_impl(const vigil_backend *backend, const vigil_graph *g,
                                        int node) {
    const cpu_backend *b = (const cpu_backend *)backend;
    if (!backend || backend->ops != &cpu_ops || b->impl_graph != g || node < 0 ||
        node >= b->impl_count || !b->impl[node][0])
        return NULL;
    return b->impl[node];
}
