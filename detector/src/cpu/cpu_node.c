/* Building a node's primitives at prepare and running them on every frame. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_internal.h"

static const char *cpu_dnnl_status_name(dnnl_status_t s) {
    switch (s) {
    case dnnl_success:
        return "success";
    case dnnl_out_of_memory:
        return "out of memory";
    case dnnl_invalid_arguments:
        return "invalid arguments";
    case dnnl_unimplemented:
        return "unimplemented";
    case dnnl_iterator_ends:
        return "iterator ends";
    case dnnl_runtime_error:
        return "runtime error";
    case dnnl_not_required:
        return "not required";
    }
    return "unknown status";
}

vigil_status cpu_check(dnnl_status_t s, const vigil_graph *g, int node, const char *what,
                       vigil_error *err) {
    if (s == dnnl_success)
        return VIGIL_STATUS_OK;
    vigil_status status = s == dnnl_out_of_memory ? VIGIL_STATUS_NO_MEMORY : VIGIL_STATUS_BACKEND;
    if (!g)
        return vigil_error_set(err, status, "cpu backend: oneDNN %s failed: %s", what,
                               cpu_dnnl_status_name(s));
    const char *name = node >= 0 && node < g->n_nodes ? g->nodes[node].name : NULL;
    return vigil_error_set(err, status, "cpu backend: node %d '%s': oneDNN %s failed: %s", node,
                           name ? name : "?", what, cpu_dnnl_status_name(s));
}

cpu_node *cpu_node_create(void) {
    cpu_node *n = calloc(1, sizeof(cpu_node));
    if (n)
        n->sum_input = -1;
    return n;
}

void cpu_node_destroy(cpu_node *n) {
    if (!n)
        return;
    for (int i = 0; i < n->n_steps; i++) {
        dnnl_primitive_destroy(n->steps[i].primitive);
        free(n->steps[i].args);
    }
    for (int i = 0; i < n->n_bindings; i++)
        dnnl_memory_destroy(n->bindings[i].memory);
    free(n->bindings);
    free(n->staged);
    free(n->staged_views);
    free(n->staged_inputs);
    free(n);
}

dnnl_memory_t cpu_node_bind(cpu_node *n, cpu_context *ctx, const dnnl_memory_desc_t *md, int source,
                            size_t offset, dnnl_status_t *status) {
    if (n->n_bindings == n->cap_bindings) {
        int cap = n->cap_bindings ? 2 * n->cap_bindings : 8;
        cpu_binding *b = realloc(n->bindings, (size_t)cap * sizeof *b);
        if (!b) {
            *status = dnnl_out_of_memory;
            return NULL;
        }
        n->bindings = b;
        n->cap_bindings = cap;
    }
    dnnl_memory_t memory = NULL;
    void *handle = source == CPU_SOURCE_OWNED ? DNNL_MEMORY_ALLOCATE : DNNL_MEMORY_NONE;
    *status = dnnl_memory_create(&memory, md, ctx->engine, handle);
    if (*status != dnnl_success)
        return NULL;
    n->bindings[n->n_bindings++] = (cpu_binding){memory, source, offset, NULL};
    return memory;
}

size_t cpu_node_reserve(cpu_node *n, size_t bytes) {
    size_t offset = (n->scratch_bytes + CPU_ALIGN - 1) / CPU_ALIGN * CPU_ALIGN;
    n->scratch_bytes = offset + bytes;
    return offset;
}

dnnl_status_t cpu_node_add_step(cpu_node *n, cpu_context *ctx, const_dnnl_primitive_desc_t pd,
                                int nargs, const dnnl_exec_arg_t *args) {
    if (n->n_steps == CPU_MAX_STEPS)
        return dnnl_invalid_arguments;
    dnnl_status_t s;
    const dnnl_memory_desc_t *scratch_md =
        dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    size_t scratch_size = scratch_md ? dnnl_memory_desc_get_size(scratch_md) : 0;
    cpu_step *step = &n->steps[n->n_steps];
    step->args = malloc((size_t)(nargs + 1) * sizeof *step->args);
    if (!step->args)
        return dnnl_out_of_memory;
    memcpy(step->args, args, (size_t)nargs * sizeof *args);
    step->nargs = nargs;
    if (scratch_size > 0) {
        size_t offset = cpu_node_reserve(n, scratch_size);
        dnnl_memory_t m = cpu_node_bind(n, ctx, scratch_md, CPU_SOURCE_SCRATCH, offset, &s);
        if (!m) {
            free(step->args);
            return s;
        }
        step->args[step->nargs++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, m};
    }
    s = dnnl_primitive_create(&step->primitive, pd);
    if (s != dnnl_success) {
        free(step->args);
        return s;
    }
    n->n_steps++;
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) == dnnl_success && impl)
        snprintf(n->impl, sizeof n->impl, "%s", impl);
    return dnnl_success;
}

vigil_status cpu_node_add_src_dst(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                                  dnnl_status_t described, const_dnnl_op_desc_t op_desc,
                                  const dnnl_memory_desc_t *src_md,
                                  const dnnl_memory_desc_t *dst_md, const char *what,
                                  vigil_error *err) {
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;
    char step[64];
    dnnl_status_t s = described;
    if (s == dnnl_success)
        s = cpu_attr_create(&attr, VIGIL_ACTIVATION_NONE, 0.f);
    if (s == dnnl_success)
        s = dnnl_primitive_desc_create(&pd, op_desc, attr, ctx->engine, NULL);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    if (cpu_declined(s))
        return VIGIL_STATUS_UNSUPPORTED;
    if (s != dnnl_success) {
        snprintf(step, sizeof step, "creating the %s", what);
        return cpu_check(s, g, node, step, err);
    }

    dnnl_memory_t src = cpu_node_bind(n, ctx, src_md, 0, 0, &s), dst = NULL;
    if (src)
        dst = cpu_node_bind(n, ctx, dst_md, CPU_SOURCE_OUT, 0, &s);
    if (dst) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
        s = cpu_node_add_step(n, ctx, pd, 2, args);
    }
    dnnl_primitive_desc_destroy(pd);
    snprintf(step, sizeof step, "preparing the %s", what);
    return cpu_check(s, g, node, step, err);
}

vigil_status cpu_context_fit_scratch(cpu_context *ctx, const cpu_node *n, vigil_error *err) {
    if (n->scratch_bytes <= ctx->scratch_size)
        return VIGIL_STATUS_OK;
    size_t size = (n->scratch_bytes + CPU_ALIGN - 1) / CPU_ALIGN * CPU_ALIGN;
    void *p = aligned_alloc(CPU_ALIGN, size);
    if (!p)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY,
                               "cpu backend: cannot allocate %zu bytes of scratch", size);
    free(ctx->scratch);
    ctx->scratch = p;
    ctx->scratch_size = size;
    return VIGIL_STATUS_OK;
}

vigil_status cpu_node_run(cpu_context *ctx, const vigil_graph *g, int node, cpu_node *n,
                          vigil_tensor *out, const vigil_tensor *const *inputs, vigil_error *err) {
    for (int i = 0; i < n->n_bindings; i++) {
        cpu_binding *b = &n->bindings[i];
        void *p;
        if (b->source == CPU_SOURCE_OWNED)
            continue;
        if (b->source == CPU_SOURCE_OUT)
            p = out->data;
        else if (b->source == CPU_SOURCE_SCRATCH)
            p = (char *)ctx->scratch + b->offset;
        else
            p = inputs[b->source]->data; /* oneDNN only reads its sources */
        if (p == b->bound)
            continue;
        dnnl_status_t s = dnnl_memory_set_data_handle(b->memory, p);
        if (s != dnnl_success)
            return cpu_check(s, g, node, "binding memory", err);
        b->bound = p;
    }
    /* A fused sum accumulates onto the added tensor, which must be in dst already. */
    if (n->sum_input >= 0 && inputs[n->sum_input]->data != out->data)
        memcpy(out->data, inputs[n->sum_input]->data, n->sum_bytes);
    for (int i = 0; i < n->n_steps; i++) {
        dnnl_status_t s = dnnl_primitive_execute(n->steps[i].primitive, ctx->stream,
                                                 n->steps[i].nargs, n->steps[i].args);
        if (s != dnnl_success)
            return cpu_check(s, g, node, "execute", err);
    }
    return cpu_check(dnnl_stream_wait(ctx->stream), g, node, "stream wait", err);
}

dnnl_memory_t cpu_node_constant(cpu_node *n, cpu_context *ctx, const dnnl_memory_desc_t *user_md,
                                const void *data, const dnnl_memory_desc_t *dst_md,
                                dnnl_status_t *status) {
    dnnl_memory_t user = NULL, dst = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t reorder = NULL;
    dnnl_status_t s = dnnl_memory_create(&user, user_md, ctx->engine, (void *)data);
    if (s == dnnl_success)
        dst = cpu_node_bind(n, ctx, dst_md, CPU_SOURCE_OWNED, 0, &s);
    if (s == dnnl_success)
        s = dnnl_reorder_primitive_desc_create(&pd, user_md, ctx->engine, dst_md, ctx->engine,
                                               NULL);
    if (s == dnnl_success)
        s = dnnl_primitive_create(&reorder, pd);
    if (s == dnnl_success) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, dst}};
        s = dnnl_primitive_execute(reorder, ctx->stream, 2, args);
    }
    if (s == dnnl_success)
        s = dnnl_stream_wait(ctx->stream);
    dnnl_primitive_destroy(reorder);
    dnnl_primitive_desc_destroy(pd);
    dnnl_memory_destroy(user);
    *status = s;
    return s == dnnl_success ? dst : NULL;
}

bool cpu_node_all_f32(const vigil_graph *g, int node) {
    const vigil_node *nd = &g->nodes[node];
    if (nd->out_dtype != VIGIL_DTYPE_F32)
        return false;
    for (int i = 0; i < nd->n_inputs; i++)
        if (g->nodes[nd->inputs[i]].out_dtype != VIGIL_DTYPE_F32)
            return false;
    return true;
}
