/* The graph as JSON and back.
 *
 *   {"nodes": [{"name": "image", "op": "input", "shape": [1, 416, 416, 3]},
 *              {"name": "conv1/w", "op": "const", "tensor": "conv1/w"},
 *              {"name": "conv1", "op": "conv2d", "inputs": ["image", "conv1/w"],
 *               "params": {"stride": [2, 2], ...}}],
 *    "outputs": [{"name": "features", "node": "conv1"}]}
 *
 * Nodes are listed in topological order and name their inputs by node name; a CONST
 * names the safetensors tensor that holds its data. */
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"

/* ---- writing ---- */

static cJSON *node_to_json(const vigil_graph *g, const vigil_node *n) {
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    cJSON_AddStringToObject(obj, "name", n->name);
    cJSON_AddStringToObject(obj, "op", vigil_op_type_name(n->op));
    if (n->op == VIGIL_OP_INPUT) {
        cJSON *shape = cJSON_AddArrayToObject(obj, "shape");
        for (int i = 0; shape && i < n->value.ndim; i++)
            cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)n->value.shape[i]));
        cJSON_AddStringToObject(obj, "dtype", vigil_dtype_name(n->value.dtype));
        return obj;
    }
    if (n->op == VIGIL_OP_CONST) {
        cJSON_AddStringToObject(obj, "tensor", n->name);
        return obj;
    }
    cJSON *inputs = cJSON_AddArrayToObject(obj, "inputs");
    for (int i = 0; inputs && i < n->n_inputs; i++)
        cJSON_AddItemToArray(inputs, cJSON_CreateString(g->nodes[n->inputs[i]].name));
    int ndim = n->n_inputs > 0 ? g->nodes[n->inputs[0]].out_ndim : 0;
    cJSON *params = vigil_model_params_to_json(n->op, &n->params, ndim);
    if (params && params->child)
        cJSON_AddItemToObject(obj, "params", params);
    else
        cJSON_Delete(params);
    return obj;
}

cJSON *vigil_model_graph_to_json(const vigil_graph *g, vigil_error *err) {
    cJSON *root = cJSON_CreateObject();
    cJSON *nodes = root ? cJSON_AddArrayToObject(root, "nodes") : NULL;
    cJSON *outputs = root ? cJSON_AddArrayToObject(root, "outputs") : NULL;
    if (!nodes || !outputs)
        goto no_memory;
    for (int i = 0; i < g->n_nodes; i++) {
        cJSON *node = node_to_json(g, &g->nodes[i]);
        if (!node || !cJSON_AddItemToArray(nodes, node)) {
            cJSON_Delete(node);
            goto no_memory;
        }
    }
    for (int i = 0; i < g->n_outputs; i++) {
        cJSON *out = cJSON_CreateObject();
        if (!out || !cJSON_AddItemToArray(outputs, out)) {
            cJSON_Delete(out);
            goto no_memory;
        }
        cJSON_AddStringToObject(out, "name", g->outputs[i].name);
        cJSON_AddStringToObject(out, "node", g->nodes[g->outputs[i].node].name);
    }
    return root;
no_memory:
    cJSON_Delete(root);
    vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory writing the graph JSON");
    return NULL;
}

/* ---- reading ---- */

static const char *string_member(const cJSON *obj, const char *key) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(item) && item->valuestring[0] ? item->valuestring : NULL;
}

/* Copies a tensor's data out of the file, widening F16 and BF16 to F32 (the engine
 * computes in F32); the model file stores little-endian data, as x86 and ARM hosts do. */
static vigil_status const_from_entry(const vigil_safetensors *st, const vigil_safetensors_entry *e,
                                     vigil_tensor *t, vigil_error *err) {
    bool widen = e->dtype == VIGIL_DTYPE_F16 || e->dtype == VIGIL_DTYPE_BF16;
    vigil_status status =
        vigil_tensor_alloc(t, widen ? VIGIL_DTYPE_F32 : e->dtype, e->ndim, e->shape, err);
    if (status < 0)
        return status;
    const uint8_t *src = st->data + e->begin;
    if (!widen) {
        memcpy(t->data, src, (size_t)(e->end - e->begin));
        return VIGIL_STATUS_OK;
    }
    float *dst = t->data;
    int64_t n = vigil_tensor_numel(t);
    for (int64_t i = 0; i < n; i++) {
        uint16_t h = (uint16_t)(src[2 * i] | src[2 * i + 1] << 8);
        dst[i] = e->dtype == VIGIL_DTYPE_F16 ? vigil_f16_to_f32(h) : vigil_bf16_to_f32(h);
    }
    return VIGIL_STATUS_OK;
}

static vigil_status input_from_json(vigil_graph *g, const cJSON *obj, const char *name,
                                    vigil_error *err) {
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(obj, "shape");
    int ndim = cJSON_GetArraySize(shape);
    if (!cJSON_IsArray(shape) || ndim < 1 || ndim > VIGIL_MAX_DIMS)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "\"shape\" must list 1 to %d dimensions",
                               VIGIL_MAX_DIMS);
    int64_t dims[VIGIL_MAX_DIMS];
    for (int i = 0; i < ndim; i++) {
        const cJSON *d = cJSON_GetArrayItem(shape, i);
        if (!cJSON_IsNumber(d) || d->valuedouble < 1 || d->valuedouble > 1e9 ||
            d->valuedouble != (double)(int64_t)d->valuedouble)
            return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                   "\"shape\" dimension %d is not a positive integer", i);
        dims[i] = (int64_t)d->valuedouble;
    }
    const char *dtype = string_member(obj, "dtype");
    if (dtype && strcmp(dtype, "F32") != 0)
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED, "input dtype %s (only F32)", dtype);
    int index = vigil_graph_add_input(g, name, ndim, dims, err);
    return index < 0 ? (vigil_status)index : VIGIL_STATUS_OK;
}

static vigil_status const_from_json(vigil_graph *g, const cJSON *obj, const char *name,
                                    const vigil_safetensors *st, vigil_error *err) {
    const char *tensor_name = string_member(obj, "tensor");
    if (!tensor_name)
        tensor_name = name;
    const vigil_safetensors_entry *e = vigil_safetensors_find(st, tensor_name);
    if (!e)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "tensor '%s' is not in the file",
                               tensor_name);
    vigil_tensor t;
    vigil_status status = const_from_entry(st, e, &t, err);
    if (status < 0)
        return status;
    int index = vigil_graph_add_const(g, name, &t, err);
    if (index < 0) {
        vigil_tensor_free(&t);
        return (vigil_status)index;
    }
    return VIGIL_STATUS_OK;
}

static bool input_count_ok(vigil_op_type op, int n) {
    switch (op) {
    case VIGIL_OP_CONV2D:
        return n == 2 || n == 3;
    case VIGIL_OP_BINARY:
        return n == 2;
    case VIGIL_OP_CONCAT:
        return n >= 1;
    default:
        return n == 1;
    }
}

/* Says whether a node named `name` appears after position `at`, to tell a forward
 * reference (the nodes are out of order) from a name that is nowhere. */
static bool named_later(const cJSON *nodes, int at, const char *name) {
    for (int i = at + 1; i < cJSON_GetArraySize(nodes); i++) {
        const char *other = string_member(cJSON_GetArrayItem(nodes, i), "name");
        if (other && strcmp(other, name) == 0)
            return true;
    }
    return false;
}

static vigil_status op_from_json(vigil_graph *g, const cJSON *nodes, int at, const cJSON *obj,
                                 vigil_op_type op, const char *name, vigil_error *err) {
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(obj, "inputs");
    int n = cJSON_GetArraySize(inputs);
    if (!cJSON_IsArray(inputs) || !input_count_ok(op, n))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "wrong number of inputs (%d)",
                               cJSON_IsArray(inputs) ? n : 0);
    int *indices = malloc((size_t)n * sizeof *indices);
    if (!indices)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    vigil_status status = VIGIL_STATUS_OK;
    for (int i = 0; i < n && status >= 0; i++) {
        const cJSON *item = cJSON_GetArrayItem(inputs, i);
        if (!cJSON_IsString(item)) {
            status = vigil_error_set(err, VIGIL_STATUS_FORMAT, "input %d is not a node name", i);
            break;
        }
        indices[i] = vigil_graph_find(g, item->valuestring);
        if (indices[i] < 0)
            status = vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                     named_later(nodes, at, item->valuestring)
                                         ? "input '%s' is a later node (nodes must be in "
                                           "topological order)"
                                         : "input '%s' is not a node of the graph",
                                     item->valuestring);
    }
    vigil_op_params params;
    if (status >= 0)
        status = vigil_model_params_from_json(op, cJSON_GetObjectItemCaseSensitive(obj, "params"),
                                              &params, err);
    if (status >= 0) {
        int index = vigil_graph_add_node(g, op, name, indices, n, &params, err);
        if (index < 0)
            status = (vigil_status)index;
    }
    free(indices);
    return status;
}

static vigil_status nodes_from_json(vigil_graph *g, const cJSON *nodes, const vigil_safetensors *st,
                                    vigil_error *err) {
    int count = cJSON_GetArraySize(nodes);
    for (int i = 0; i < count; i++) {
        const cJSON *obj = cJSON_GetArrayItem(nodes, i);
        const char *name = string_member(obj, "name");
        const char *op_name = string_member(obj, "op");
        if (!cJSON_IsObject(obj) || !name || !op_name)
            return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                   "graph node %d needs a \"name\" and an \"op\"", i);
        vigil_op_type op;
        if (!vigil_op_type_from_name(op_name, &op))
            return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED, "node '%s': unknown op '%s'",
                                   name, op_name);
        if (vigil_graph_find(g, name) >= 0)
            return vigil_error_set(err, VIGIL_STATUS_FORMAT, "node '%s': name used twice", name);
        vigil_status status;
        if (op == VIGIL_OP_INPUT)
            status = input_from_json(g, obj, name, err);
        else if (op == VIGIL_OP_CONST)
            status = const_from_json(g, obj, name, st, err);
        else
            status = op_from_json(g, nodes, i, obj, op, name, err);
        if (status < 0) {
            vigil_error_prefix(err, "node '%s' (%s): ", name, op_name);
            return status;
        }
    }
    return VIGIL_STATUS_OK;
}

static vigil_status outputs_from_json(vigil_graph *g, const cJSON *outputs, vigil_error *err) {
    int count = cJSON_GetArraySize(outputs);
    if (!cJSON_IsArray(outputs) || count == 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "graph has no \"outputs\"");
    for (int i = 0; i < count; i++) {
        const cJSON *obj = cJSON_GetArrayItem(outputs, i);
        const char *name = string_member(obj, "name");
        const char *node = string_member(obj, "node");
        if (!name || !node)
            return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                   "graph output %d needs a \"name\" and a \"node\"", i);
        int index = vigil_graph_find(g, node);
        if (index < 0)
            return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                   "graph output '%s' names node '%s', which is not in the graph",
                                   name, node);
        vigil_status status = vigil_graph_mark_output(g, index, name, err);
        if (status < 0)
            return status;
    }
    return VIGIL_STATUS_OK;
}

/* Per-dimension parameters shorter than the input's rank would leave dimensions
 * unspecified: refuse them once the ranks are known. */
static vigil_status check_param_ranks(const vigil_graph *g, const cJSON *nodes, vigil_error *err) {
    for (int i = 0; i < g->n_nodes; i++) {
        const vigil_node *n = &g->nodes[i];
        const char *key = n->op == VIGIL_OP_SLICE       ? "begin"
                          : n->op == VIGIL_OP_PAD       ? "before"
                          : n->op == VIGIL_OP_TRANSPOSE ? "perm"
                                                        : NULL;
        if (!key)
            continue;
        const cJSON *params =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(nodes, i), "params");
        int given = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(params, key));
        int rank = g->nodes[n->inputs[0]].out_ndim;
        if (given < rank)
            return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                   "node '%s': \"%s\" gives %d dimensions, its input has %d",
                                   n->name, key, given, rank);
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_model_graph_from_json(const cJSON *json, const vigil_safetensors *st,
                                         vigil_graph **out, vigil_error *err) {
    *out = NULL;
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(json, "nodes");
    if (!cJSON_IsObject(json) || !cJSON_IsArray(nodes) || cJSON_GetArraySize(nodes) == 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "graph has no \"nodes\"");
    vigil_graph *g = vigil_graph_create();
    if (!g)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    vigil_status status = nodes_from_json(g, nodes, st, err);
    if (status >= 0)
        status = outputs_from_json(g, cJSON_GetObjectItemCaseSensitive(json, "outputs"), err);
    if (status >= 0)
        status = vigil_graph_infer_shapes(g, err);
    if (status >= 0)
        status = check_param_ranks(g, nodes, err);
    if (status < 0) {
        vigil_graph_free(g);
        return status;
    }
    *out = g;
    return VIGIL_STATUS_OK;
}
