/* The engine: a graph prepared on a backend, with activation storage planned once
 * (engine_plan.c), run node after node. See docs/engine.md. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

static bool is_source(const vigil_node *node) {
    return node->op == VIGIL_OP_INPUT || node->op == VIGIL_OP_CONST;
}

void vigil_engine_free(vigil_engine *e) {
    if (!e)
        return;
    for (int i = 0; i < e->n_nodes; i++)
        if (e->prepared && e->prepared[i] && e->backend->ops->node_release)
            e->backend->ops->node_release(e->backend, e->states[i]);
    if (e->graph_prepared && e->backend->ops->graph_release)
        e->backend->ops->graph_release(e->backend, e->graph_plan);
    free(e->values);
    free(e->states);
    free(e->prepared);
    free(e->computed);
    free(e->plans);
    free(e->run_first);
    free(e->run_count);
    free(e->run_inputs);
    free(e->scratch);
    free(e->input_nodes);
    free(e->arena);
    free(e);
}

/* Prefixes a backend's message with the node unless the backend already named it. */
static vigil_status name_node_in_error(vigil_error *err, const vigil_node *node) {
    if (err && !strstr(err->message, node->name))
        vigil_error_prefix(err, "node '%s' (%s): ", node->name, vigil_op_type_name(node->op));
    return err ? err->status : VIGIL_STATUS_BACKEND;
}

static vigil_engine *engine_alloc(vigil_graph *graph, vigil_backend *backend) {
    vigil_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->graph = graph;
    e->backend = backend;
    int n = e->n_nodes = graph->n_nodes;
    size_t count = n > 0 ? (size_t)n : 1;
    int total_inputs = 1;
    for (int i = 0; i < n; i++) {
        total_inputs += graph->nodes[i].n_inputs;
        if (graph->nodes[i].op == VIGIL_OP_INPUT)
            e->n_inputs++;
    }
    e->values = calloc(count, sizeof *e->values);
    e->states = calloc(count, sizeof *e->states);
    e->prepared = calloc(count, sizeof *e->prepared);
    e->computed = calloc(count, sizeof *e->computed);
    e->plans = calloc(count, sizeof *e->plans);
    /* A node with fused consumers receives their inputs too: at most all of them. */
    e->scratch = calloc((size_t)total_inputs, sizeof *e->scratch);
    e->input_nodes = calloc(e->n_inputs > 0 ? (size_t)e->n_inputs : 1, sizeof *e->input_nodes);
    if (!e->values || !e->states || !e->prepared || !e->computed || !e->plans || !e->scratch ||
        !e->input_nodes) {
        vigil_engine_free(e);
        return NULL;
    }
    for (int i = 0, k = 0; i < n; i++) {
        e->plans[i] = (vigil_backend_node_plan){.fused_input = -1, .in_place_input = -1};
        if (graph->nodes[i].op == VIGIL_OP_INPUT)
            e->input_nodes[k++] = i;
    }
    return e;
}

static vigil_status prepare_nodes(vigil_engine *e, vigil_error *err) {
    vigil_backend *backend = e->backend;
    const vigil_graph *graph = e->graph;
    if (backend->ops->graph_prepare) {
        vigil_status s = backend->ops->graph_prepare(backend, graph, e->plans, &e->graph_plan, err);
        if (s < 0)
            return s;
        e->graph_prepared = true;
    }
    for (int i = 0; i < e->n_nodes; i++) {
        if (is_source(&graph->nodes[i]) || !backend->ops->node_prepare)
            continue;
        e->states[i] = e->graph_plan;
        vigil_status s = backend->ops->node_prepare(backend, graph, i, &e->states[i], err);
        if (s < 0) {
            name_node_in_error(err, &graph->nodes[i]);
            return s;
        }
        e->prepared[i] = true;
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_engine_create(vigil_graph *graph, vigil_backend *backend, vigil_engine **out,
                                 vigil_error *err) {
    if (out)
        *out = NULL;
    if (!graph || !backend || !backend->ops || !backend->ops->node_forward || !out)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "engine: needs a graph, a backend and a place for the engine");
    vigil_status s = vigil_graph_infer_shapes(graph, err);
    if (s < 0)
        return s;
    vigil_engine *e = engine_alloc(graph, backend);
    if (!e)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "engine: out of memory");
    s = prepare_nodes(e, err);
    if (s >= 0)
        s = vigil_engine_plan(e, err);
    if (s < 0) {
        vigil_engine_free(e);
        return s;
    }
    *out = e;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_engine_run(vigil_engine *e, vigil_error *err) {
    if (!e)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "engine: NULL engine");
    const vigil_graph *g = e->graph;
    for (int i = 0; i < e->n_nodes; i++) {
        if (!e->computed[i])
            continue;
        const int *inputs = e->run_inputs + e->run_first[i];
        for (int k = 0; k < e->run_count[i]; k++)
            e->scratch[k] = &e->values[inputs[k]];
        vigil_status s =
            e->backend->ops->node_forward(e->backend, g, i, e->states[i], &e->values[i],
                                          (const vigil_tensor *const *)e->scratch, err);
        if (s < 0)
            return name_node_in_error(err, &g->nodes[i]);
    }
    return VIGIL_STATUS_OK;
}

int vigil_engine_input_count(const vigil_engine *e) {
    return e ? e->n_inputs : 0;
}

vigil_tensor *vigil_engine_input(vigil_engine *e, int i) {
    if (!e || i < 0 || i >= e->n_inputs)
        return NULL;
    return &e->values[e->input_nodes[i]];
}

int vigil_engine_output_count(const vigil_engine *e) {
    return e ? e->graph->n_outputs : 0;
}

const vigil_tensor *vigil_engine_output(const vigil_engine *e, int i) {
    if (!e || i < 0 || i >= e->graph->n_outputs)
        return NULL;
    return &e->values[e->graph->outputs[i].node];
}

const char *vigil_engine_output_name(const vigil_engine *e, int i) {
    if (!e || i < 0 || i >= e->graph->n_outputs)
        return NULL;
    return e->graph->outputs[i].name;
}

int vigil_engine_find_output(const vigil_engine *e, const char *name) {
    if (!e || !name)
        return -1;
    for (int i = 0; i < e->graph->n_outputs; i++)
        if (strcmp(e->graph->outputs[i].name, name) == 0)
            return i;
    return -1;
}

size_t vigil_engine_arena_bytes(const vigil_engine *e) {
    return e ? e->arena_bytes : 0;
}
