/* The graph container: nodes in topological order, each naming its inputs by index. */
#include "vigil/graph.h"

#include <stdlib.h>
#include <string.h>

/* Inputs each op accepts; CONCAT takes any number from 1 up. */
static const struct {
    int min_inputs, max_inputs;
} op_arity[VIGIL_OP_COUNT] = {
    [VIGIL_OP_INPUT] = {0, 0},   [VIGIL_OP_CONST] = {0, 0},  [VIGIL_OP_CONV2D] = {2, 3},
    [VIGIL_OP_UNARY] = {1, 1},   [VIGIL_OP_BINARY] = {2, 2}, [VIGIL_OP_REDUCE] = {1, 1},
    [VIGIL_OP_POOL2D] = {1, 1},  [VIGIL_OP_RESIZE] = {1, 1}, [VIGIL_OP_CONCAT] = {1, 1 << 20},
    [VIGIL_OP_SLICE] = {1, 1},   [VIGIL_OP_PAD] = {1, 1},    [VIGIL_OP_TRANSPOSE] = {1, 1},
    [VIGIL_OP_RESHAPE] = {1, 1},
};

vigil_graph *vigil_graph_create(void) {
    return calloc(1, sizeof(vigil_graph));
}

void vigil_graph_free(vigil_graph *g) {
    if (!g)
        return;
    for (int i = 0; i < g->n_nodes; i++) {
        free(g->nodes[i].name);
        free(g->nodes[i].inputs);
        vigil_tensor_free(&g->nodes[i].value);
    }
    for (int i = 0; i < g->n_outputs; i++)
        free(g->outputs[i].name);
    free(g->nodes);
    free(g->outputs);
    free(g);
}

/* Appends a zeroed node with a copy of name; returns its index or a negative status. */
static int append_node(vigil_graph *g, vigil_op_type op, const char *name, vigil_error *err) {
    if (!g)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "graph: NULL graph");
    if (!name || !*name)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "graph: node %d (%s) has no name", g->n_nodes,
                               vigil_op_type_name(op));
    if (vigil_graph_find(g, name) >= 0)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "graph: node '%s' (%s): a node of that name already exists", name,
                               vigil_op_type_name(op));
    if (g->n_nodes == g->cap_nodes) {
        int cap = g->cap_nodes ? g->cap_nodes * 2 : 64;
        vigil_node *nodes = realloc(g->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes)
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "graph: node '%s': out of memory",
                                   name);
        g->nodes = nodes;
        g->cap_nodes = cap;
    }
    vigil_node *node = &g->nodes[g->n_nodes];
    memset(node, 0, sizeof *node);
    node->name = strdup(name);
    if (!node->name)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "graph: node '%s': out of memory",
                               name);
    node->op = op;
    node->out_dtype = VIGIL_DTYPE_F32;
    return g->n_nodes++;
}

int vigil_graph_add_input(vigil_graph *g, const char *name, int ndim, const int64_t *shape,
                          vigil_error *err) {
    if (ndim < 0 || ndim > VIGIL_MAX_DIMS || (ndim > 0 && !shape))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "graph: input '%s': %d dimensions (at most %d)", name ? name : "?",
                               ndim, VIGIL_MAX_DIMS);
    for (int i = 0; i < ndim; i++)
        if (shape[i] < 1)
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "graph: input '%s': dimension %d is %lld", name ? name : "?", i,
                                   (long long)shape[i]);
    int index = append_node(g, VIGIL_OP_INPUT, name, err);
    if (index < 0)
        return index;
    vigil_node *node = &g->nodes[index];
    vigil_tensor_view(&node->value, VIGIL_DTYPE_F32, ndim, shape, NULL);
    node->out_ndim = ndim;
    if (ndim > 0) /* a scalar input may come with no shape array at all */
        memcpy(node->out_shape, shape, (size_t)ndim * sizeof *shape);
    return index;
}

int vigil_graph_add_const(vigil_graph *g, const char *name, vigil_tensor *value, vigil_error *err) {
    if (!value || (!value->data && vigil_tensor_nbytes(value) > 0))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "graph: const '%s' has no data",
                               name ? name : "?");
    vigil_tensor held;
    if (value->owns_data) {
        held = *value;
    } else {
        vigil_status s = vigil_tensor_alloc(&held, value->dtype, value->ndim, value->shape, err);
        if (s < 0)
            return vigil_error_prefix(err, "graph: const '%s': ", name ? name : "?");
        memcpy(held.data, value->data, vigil_tensor_nbytes(value));
    }
    int index = append_node(g, VIGIL_OP_CONST, name, err);
    if (index < 0) {
        if (!value->owns_data)
            vigil_tensor_free(&held);
        return index;
    }
    /* The caller keeps a borrowed view: freeing it is now harmless. */
    value->owns_data = false;
    vigil_node *node = &g->nodes[index];
    node->value = held;
    node->out_dtype = held.dtype;
    node->out_ndim = held.ndim;
    memcpy(node->out_shape, held.shape, sizeof node->out_shape);
    return index;
}

int vigil_graph_add_node(vigil_graph *g, vigil_op_type op, const char *name, const int *inputs,
                         int n_inputs, const vigil_op_params *params, vigil_error *err) {
    const char *shown = name ? name : "?";
    if (!g)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "graph: NULL graph");
    if ((int)op <= VIGIL_OP_CONST || (int)op >= VIGIL_OP_COUNT)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "graph: node '%s': op %d cannot be added with add_node", shown,
                               (int)op);
    if (n_inputs < op_arity[op].min_inputs || n_inputs > op_arity[op].max_inputs)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "graph: node '%s' (%s): %d inputs, expected %d to %d", shown,
                               vigil_op_type_name(op), n_inputs, op_arity[op].min_inputs,
                               op_arity[op].max_inputs);
    for (int i = 0; i < n_inputs; i++)
        if (inputs[i] < 0 || inputs[i] >= g->n_nodes)
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "graph: node '%s' (%s): input %d refers to node %d, but only "
                                   "%d nodes precede it",
                                   shown, vigil_op_type_name(op), i, inputs[i], g->n_nodes);
    int *copy = malloc((size_t)n_inputs * sizeof *copy);
    if (!copy)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "graph: node '%s': out of memory",
                               shown);
    memcpy(copy, inputs, (size_t)n_inputs * sizeof *copy);
    int index = append_node(g, op, name, err);
    if (index < 0) {
        free(copy);
        return index;
    }
    vigil_node *node = &g->nodes[index];
    node->inputs = copy;
    node->n_inputs = n_inputs;
    if (params)
        node->params = *params;
    return index;
}

vigil_status vigil_graph_mark_output(vigil_graph *g, int node, const char *name, vigil_error *err) {
    if (!g || node < 0 || node >= g->n_nodes)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "graph: output '%s' refers to node %d, which does not exist",
                               name ? name : "?", node);
    const char *chosen = name && *name ? name : g->nodes[node].name;
    for (int i = 0; i < g->n_outputs; i++)
        if (strcmp(g->outputs[i].name, chosen) == 0)
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "graph: output '%s' is already marked", chosen);
    vigil_graph_output *outputs = realloc(g->outputs, (size_t)(g->n_outputs + 1) * sizeof *outputs);
    if (!outputs)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "graph: output '%s': out of memory",
                               chosen);
    g->outputs = outputs;
    char *copy = strdup(chosen);
    if (!copy)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "graph: output '%s': out of memory",
                               chosen);
    g->outputs[g->n_outputs].node = node;
    g->outputs[g->n_outputs].name = copy;
    g->n_outputs++;
    return VIGIL_STATUS_OK;
}

int vigil_graph_find(const vigil_graph *g, const char *name) {
    if (!g || !name)
        return -1;
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0)
            return i;
    return -1;
}
