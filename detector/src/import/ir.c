/* The importer's editable graph: nodes in any order, replaced in place, and emitted as a
 * vigil_graph in topological order at the end.
 *
 * A node whose uses all go away is killed at once (inputs dropped, marked dead), and so,
 * in turn, are its inputs that are left without uses; use counts over the whole array
 * are therefore the live counts the fusion passes need. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/tfjs_internal.h"

void vigil_ir_init(vigil_ir *ir) {
    memset(ir, 0, sizeof *ir);
}

static void node_clear(vigil_ir_node *n) {
    free(n->name);
    free(n->inputs);
    vigil_tensor_free(&n->value);
    memset(n, 0, sizeof *n);
}

void vigil_ir_free(vigil_ir *ir) {
    for (int i = 0; i < ir->n_nodes; i++)
        node_clear(&ir->nodes[i]);
    free(ir->nodes);
    for (int i = 0; i < ir->n_outputs; i++)
        free(ir->output_names[i]);
    free(ir->outputs);
    free(ir->output_names);
    memset(ir, 0, sizeof *ir);
}

static int append(vigil_ir *ir, vigil_op_type op, const char *name, const int *inputs, int n,
                  const vigil_op_params *params, vigil_error *err) {
    if (ir->n_nodes == ir->cap_nodes) {
        int cap = ir->cap_nodes ? 2 * ir->cap_nodes : 256;
        vigil_ir_node *grown = realloc(ir->nodes, (size_t)cap * sizeof *grown);
        if (!grown)
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
        ir->nodes = grown;
        ir->cap_nodes = cap;
    }
    vigil_ir_node *node = &ir->nodes[ir->n_nodes];
    memset(node, 0, sizeof *node);
    node->op = op;
    node->name = strdup(name);
    node->inputs = malloc((size_t)(n > 0 ? n : 1) * sizeof *node->inputs);
    if (!node->name || !node->inputs) {
        node_clear(node);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        if (inputs[i] < 0 || inputs[i] >= ir->n_nodes || ir->nodes[inputs[i]].dead) {
            node_clear(node);
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "node '%s': input %d is not a live node", name, i);
        }
        node->inputs[i] = inputs[i];
    }
    node->n_inputs = n;
    if (params)
        node->params = *params;
    return ir->n_nodes++;
}

int vigil_ir_add(vigil_ir *ir, vigil_op_type op, const char *name, const int *inputs, int n_inputs,
                 const vigil_op_params *params, vigil_error *err) {
    int index = append(ir, op, name, inputs, n_inputs, params, err);
    if (index < 0)
        return index;
    vigil_status status = vigil_ir_infer(ir, index, err);
    if (status < 0) {
        node_clear(&ir->nodes[--ir->n_nodes]);
        return status;
    }
    return index;
}

int vigil_ir_add_input(vigil_ir *ir, const char *name, int ndim, const int64_t *shape,
                       vigil_error *err) {
    int index = append(ir, VIGIL_OP_INPUT, name, NULL, 0, NULL, err);
    if (index < 0)
        return index;
    vigil_tensor_view(&ir->nodes[index].value, VIGIL_DTYPE_F32, ndim, shape, NULL);
    vigil_ir_infer(ir, index, err);
    return index;
}

int vigil_ir_add_const(vigil_ir *ir, const char *name, vigil_tensor *value, vigil_error *err) {
    if (value->dtype == VIGIL_DTYPE_I32) {
        /* Activations are float: integer constants used as data become float. */
        vigil_tensor f;
        vigil_status status =
            vigil_tensor_alloc(&f, VIGIL_DTYPE_F32, value->ndim, value->shape, err);
        if (status < 0)
            return status;
        for (int64_t i = 0; i < vigil_tensor_numel(value); i++)
            ((float *)f.data)[i] = (float)((const int32_t *)value->data)[i];
        vigil_tensor_free(value);
        *value = f;
    }
    if (value->dtype != VIGIL_DTYPE_F32 || !value->owns_data)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "constant '%s': needs owned F32 data", name);
    int index = append(ir, VIGIL_OP_CONST, name, NULL, 0, NULL, err);
    if (index < 0)
        return index;
    ir->nodes[index].value = *value;
    memset(value, 0, sizeof *value);
    vigil_ir_infer(ir, index, err);
    return index;
}

vigil_status vigil_ir_add_output(vigil_ir *ir, int node, const char *name, vigil_error *err) {
    int *outputs = realloc(ir->outputs, (size_t)(ir->n_outputs + 1) * sizeof *outputs);
    if (outputs)
        ir->outputs = outputs;
    char **names = realloc(ir->output_names, (size_t)(ir->n_outputs + 1) * sizeof *names);
    if (names)
        ir->output_names = names;
    char *copy = strdup(name);
    if (!outputs || !names || !copy) {
        free(copy);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    ir->outputs[ir->n_outputs] = node;
    ir->output_names[ir->n_outputs++] = copy;
    return VIGIL_STATUS_OK;
}

bool vigil_ir_is_output(const vigil_ir *ir, int node) {
    for (int i = 0; i < ir->n_outputs; i++)
        if (ir->outputs[i] == node)
            return true;
    return false;
}

int vigil_ir_use_count(const vigil_ir *ir, int node) {
    int count = 0;
    for (int i = 0; i < ir->n_nodes; i++)
        for (int k = 0; k < ir->nodes[i].n_inputs; k++)
            count += ir->nodes[i].inputs[k] == node;
    for (int i = 0; i < ir->n_outputs; i++)
        count += ir->outputs[i] == node;
    return count;
}

static void kill(vigil_ir *ir, int node) {
    vigil_ir_node *n = &ir->nodes[node];
    if (n->dead)
        return;
    n->dead = true;
    int count = n->n_inputs;
    int *inputs = n->inputs;
    n->n_inputs = 0;
    for (int k = 0; k < count; k++)
        if (vigil_ir_use_count(ir, inputs[k]) == 0)
            kill(ir, inputs[k]);
}

void vigil_ir_replace_uses(vigil_ir *ir, int old_node, int new_node) {
    if (old_node == new_node)
        return;
    for (int i = 0; i < ir->n_nodes; i++) {
        if (i == new_node)
            continue;
        for (int k = 0; k < ir->nodes[i].n_inputs; k++)
            if (ir->nodes[i].inputs[k] == old_node)
                ir->nodes[i].inputs[k] = new_node;
    }
    for (int i = 0; i < ir->n_outputs; i++)
        if (ir->outputs[i] == old_node)
            ir->outputs[i] = new_node;
    if (vigil_ir_use_count(ir, old_node) == 0)
        kill(ir, old_node);
}

void vigil_ir_drop_if_unused(vigil_ir *ir, int node) {
    if (!ir->nodes[node].dead && vigil_ir_use_count(ir, node) == 0)
        kill(ir, node);
}

/* Depth-first post-order from the outputs; state 1 = on the stack, 2 = done. */
static vigil_status visit(const vigil_ir *ir, int node, char *state, int *order, int *n,
                          vigil_error *err) {
    if (state[node] == 2)
        return VIGIL_STATUS_OK;
    if (state[node] == 1)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "node '%s' is part of a cycle",
                               ir->nodes[node].name);
    state[node] = 1;
    for (int k = 0; k < ir->nodes[node].n_inputs; k++) {
        vigil_status status = visit(ir, ir->nodes[node].inputs[k], state, order, n, err);
        if (status < 0)
            return status;
    }
    state[node] = 2;
    order[(*n)++] = node;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_ir_order(const vigil_ir *ir, int **order, int *n, vigil_error *err) {
    *order = malloc((size_t)(ir->n_nodes > 0 ? ir->n_nodes : 1) * sizeof **order);
    char *state = calloc((size_t)(ir->n_nodes > 0 ? ir->n_nodes : 1), 1);
    *n = 0;
    vigil_status status = VIGIL_STATUS_OK;
    if (!*order || !state)
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (int i = 0; i < ir->n_outputs && status >= 0; i++)
        status = visit(ir, ir->outputs[i], state, *order, n, err);
    free(state);
    if (status < 0) {
        free(*order);
        *order = NULL;
        *n = 0;
    }
    return status;
}

vigil_status vigil_ir_infer_all(vigil_ir *ir, vigil_error *err) {
    int *order, n;
    vigil_status status = vigil_ir_order(ir, &order, &n, err);
    for (int i = 0; i < n && status >= 0; i++)
        status = vigil_ir_infer(ir, order[i], err);
    free(order);
    return status;
}

static bool name_taken(const vigil_ir *ir, const char *name) {
    for (int i = 0; i < ir->n_nodes; i++)
        if (ir->nodes[i].name && strcmp(ir->nodes[i].name, name) == 0)
            return true;
    return false;
}

char *vigil_ir_unique_name(const vigil_ir *ir, const char *base, const char *suffix) {
    size_t size = strlen(base) + strlen(suffix) + 16;
    char *name = malloc(size);
    if (!name)
        return NULL;
    snprintf(name, size, "%s%s", base, suffix);
    for (int k = 1; name_taken(ir, name); k++)
        snprintf(name, size, "%s%s_%d", base, suffix, k);
    return name;
}

vigil_status vigil_ir_emit(vigil_ir *ir, vigil_graph **out, vigil_error *err) {
    *out = NULL;
    int *order = NULL, n = 0;
    int *map = malloc((size_t)(ir->n_nodes > 0 ? ir->n_nodes : 1) * sizeof *map);
    int *inputs = malloc((size_t)(ir->n_nodes > 0 ? ir->n_nodes : 1) * sizeof *inputs);
    vigil_graph *g = vigil_graph_create();
    vigil_status status = !map || !inputs || !g
                              ? vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory")
                              : vigil_ir_order(ir, &order, &n, err);
    for (int i = 0; i < n && status >= 0; i++) {
        vigil_ir_node *node = &ir->nodes[order[i]];
        int index;
        if (node->op == VIGIL_OP_INPUT) {
            index = vigil_graph_add_input(g, node->name, node->value.ndim, node->value.shape, err);
        } else if (node->op == VIGIL_OP_CONST) {
            index = vigil_graph_add_const(g, node->name, &node->value, err);
            if (index >= 0)
                memset(&node->value, 0, sizeof node->value); /* the graph owns the data now */
        } else {
            for (int k = 0; k < node->n_inputs; k++)
                inputs[k] = map[node->inputs[k]];
            index = vigil_graph_add_node(g, node->op, node->name, inputs, node->n_inputs,
                                         &node->params, err);
        }
        if (index < 0)
            status = (vigil_status)index;
        else
            map[order[i]] = index;
    }
    for (int i = 0; i < ir->n_outputs && status >= 0; i++)
        status = vigil_graph_mark_output(g, map[ir->outputs[i]], ir->output_names[i], err);
    free(order);
    free(map);
    free(inputs);
    if (status < 0) {
        vigil_graph_free(g);
        return status;
    }
    *out = g;
    return VIGIL_STATUS_OK;
}
