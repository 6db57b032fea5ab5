/* model.json of a TF.js graph model: the node list, its attributes and the signature.
 *
 * Attributes keep TensorFlow's AttrValue JSON: {"i": "2"} (int64 as a string),
 * {"f": 0.1}, {"b": true}, {"s": "<base64>"}, {"list": {"i": [...], "s": [...]}},
 * {"shape": {"dim": [{"size": "1"}, ...]}}, {"type": "DT_FLOAT"}. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/tfjs_internal.h"

static vigil_status read_text(const char *path, char **text, vigil_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    vigil_status status = VIGIL_STATUS_OK;
    long length = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        length = ftell(f);
    char *buf = length >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)length + 1) : NULL;
    if (!buf)
        status = vigil_error_set(err, length < 0 ? VIGIL_STATUS_IO : VIGIL_STATUS_NO_MEMORY,
                                 "%s: cannot read", path);
    else if (fread(buf, 1, (size_t)length, f) != (size_t)length)
        status =
            vigil_error_set(err, VIGIL_STATUS_IO, "%s: cannot read: %s", path, strerror(errno));
    fclose(f);
    if (status < 0) {
        free(buf);
        return status;
    }
    buf[length] = '\0';
    *text = buf;
    return VIGIL_STATUS_OK;
}

/* Line and column of a byte offset, for JSON syntax errors. */
static void locate(const char *text, size_t at, int *line, int *column) {
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < at && text[i]; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *column = 1;
        } else {
            (*column)++;
        }
    }
}

static const vigil_tfjs_graph *sort_graph;

static int compare_names(const void *a, const void *b) {
    return strcmp(sort_graph->nodes[*(const int *)a].name, sort_graph->nodes[*(const int *)b].name);
}

static vigil_status index_names(vigil_tfjs_graph *g, vigil_error *err) {
    g->by_name = malloc((size_t)(g->n_nodes > 0 ? g->n_nodes : 1) * sizeof *g->by_name);
    if (!g->by_name)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (int i = 0; i < g->n_nodes; i++)
        g->by_name[i] = i;
    sort_graph = g;
    qsort(g->by_name, (size_t)g->n_nodes, sizeof *g->by_name, compare_names);
    sort_graph = NULL;
    for (int i = 1; i < g->n_nodes; i++)
        if (strcmp(g->nodes[g->by_name[i]].name, g->nodes[g->by_name[i - 1]].name) == 0)
            return vigil_error_set(err, VIGIL_STATUS_FORMAT, "two nodes are named '%s'",
                                   g->nodes[g->by_name[i]].name);
    return VIGIL_STATUS_OK;
}

int vigil_tfjs_graph_find(const vigil_tfjs_graph *g, const char *name) {
    int lo = 0, hi = g->n_nodes - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(name, g->nodes[g->by_name[mid]].name);
        if (c == 0)
            return g->by_name[mid];
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

bool vigil_tfjs_graph_resolve(const vigil_tfjs_graph *g, const char *ref, int *node, int *slot) {
    *slot = 0;
    int index = vigil_tfjs_graph_find(g, ref);
    if (index < 0) {
        /* "name:k" names output k; the name itself may not contain ':'. */
        const char *colon = strrchr(ref, ':');
        if (!colon || !colon[1])
            return false;
        char *end = NULL;
        long k = strtol(colon + 1, &end, 10);
        if (*end || k < 0 || k > 1000)
            return false;
        char name[512];
        size_t length = (size_t)(colon - ref);
        if (length >= sizeof name)
            return false;
        memcpy(name, ref, length);
        name[length] = '\0';
        index = vigil_tfjs_graph_find(g, name);
        *slot = (int)k;
    }
    *node = index;
    return index >= 0;
}

static vigil_status read_node(vigil_tfjs_node *n, const cJSON *obj, int position,
                              vigil_error *err) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(obj, "op");
    if (!cJSON_IsString(name) || !cJSON_IsString(op) || !name->valuestring[0])
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "modelTopology.node[%d] needs a \"name\" and an \"op\"", position);
    n->name = strdup(name->valuestring);
    n->op = op->valuestring;
    n->attr = cJSON_GetObjectItemCaseSensitive(obj, "attr");
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(obj, "input");
    int count = cJSON_IsArray(inputs) ? cJSON_GetArraySize(inputs) : 0;
    n->inputs = calloc((size_t)count + 1, sizeof *n->inputs);
    n->in_node = calloc((size_t)count + 1, sizeof *n->in_node);
    n->in_slot = calloc((size_t)count + 1, sizeof *n->in_slot);
    if (!n->name || !n->inputs || !n->in_node || !n->in_slot)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (int i = 0; i < count; i++) {
        const cJSON *in = cJSON_GetArrayItem(inputs, i);
        if (!cJSON_IsString(in))
            return vigil_error_set(err, VIGIL_STATUS_FORMAT, "node '%s': input %d is not a string",
                                   n->name, i);
        if (in->valuestring[0] == '^') /* a control dependency carries no data */
            continue;
        if (!(n->inputs[n->n_inputs++] = strdup(in->valuestring)))
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    for (int i = 0; i < (int)(sizeof n->ir / sizeof n->ir[0]); i++)
        n->ir[i] = -1;
    return VIGIL_STATUS_OK;
}

static vigil_status resolve_inputs(vigil_tfjs_graph *g, vigil_error *err) {
    for (int i = 0; i < g->n_nodes; i++) {
        vigil_tfjs_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_inputs; k++)
            if (!vigil_tfjs_graph_resolve(g, n->inputs[k], &n->in_node[k], &n->in_slot[k]))
                return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                       "node '%s': input '%s' is not a node of the graph", n->name,
                                       n->inputs[k]);
    }
    return VIGIL_STATUS_OK;
}

static vigil_status read_signature(vigil_tfjs_graph *g, vigil_error *err) {
    const cJSON *signature = cJSON_GetObjectItemCaseSensitive(g->doc, "signature");
    if (!signature) {
        const cJSON *topology = cJSON_GetObjectItemCaseSensitive(g->doc, "modelTopology");
        signature = cJSON_GetObjectItemCaseSensitive(topology, "signature");
    }
    const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(signature, "outputs");
    if (!cJSON_IsObject(outputs))
        return VIGIL_STATUS_OK;
    int count = 0;
    for (const cJSON *o = outputs->child; o; o = o->next)
        count++;
    g->signature_outputs = calloc((size_t)count + 1, sizeof *g->signature_outputs);
    if (!g->signature_outputs)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (const cJSON *o = outputs->child; o; o = o->next) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
        const char *ref = cJSON_IsString(name) ? name->valuestring : o->string;
        if (!ref)
            continue;
        if (!(g->signature_outputs[g->n_signature_outputs++] = strdup(ref)))
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    return VIGIL_STATUS_OK;
}

static vigil_status read_graph(vigil_tfjs_graph *g, const char *text, vigil_error *err) {
    const char *end = NULL;
    g->doc = cJSON_ParseWithOpts(text, &end, false);
    if (!g->doc) {
        int line, column;
        locate(text, end && end >= text ? (size_t)(end - text) : 0, &line, &column);
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "not valid JSON (error at line %d, column %d)", line, column);
    }
    const cJSON *topology = cJSON_GetObjectItemCaseSensitive(g->doc, "modelTopology");
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(topology, "node");
    if (!cJSON_IsArray(nodes) || cJSON_GetArraySize(nodes) == 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "no modelTopology.node list (is this a TF.js graph model? layers "
                               "models are not supported)");
    int count = cJSON_GetArraySize(nodes);
    g->nodes = calloc((size_t)count, sizeof *g->nodes);
    if (!g->nodes)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    int i = 0;
    for (const cJSON *obj = nodes->child; obj; obj = obj->next, i++) {
        g->n_nodes = i + 1;
        vigil_status status = read_node(&g->nodes[i], obj, i, err);
        if (status < 0)
            return status;
    }
    vigil_status status = index_names(g, err);
    if (status >= 0)
        status = resolve_inputs(g, err);
    if (status >= 0)
        status = read_signature(g, err);
    return status;
}

vigil_status vigil_tfjs_graph_read(const char *path, vigil_tfjs_graph *g, vigil_error *err) {
    memset(g, 0, sizeof *g);
    g->path = strdup(path);
    const char *slash = strrchr(path, '/');
    g->dir = slash ? strndup(path, (size_t)(slash - path + 1)) : strdup("");
    if (!g->path || !g->dir)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    char *text = NULL;
    vigil_status status = read_text(path, &text, err);
    if (status < 0)
        return status;
    status = read_graph(g, text, err);
    free(text);
    if (status < 0)
        vigil_error_prefix(err, "%s: ", path);
    return status;
}

void vigil_tfjs_graph_free(vigil_tfjs_graph *g) {
    if (!g)
        return;
    for (int i = 0; i < g->n_nodes; i++) {
        vigil_tfjs_node *n = &g->nodes[i];
        free(n->name);
        for (int k = 0; k < n->n_inputs; k++)
            free(n->inputs[k]);
        free(n->inputs);
        free(n->in_node);
        free(n->in_slot);
        vigil_tensor_free(&n->value);
    }
    free(g->nodes);
    free(g->by_name);
    for (int i = 0; i < g->n_signature_outputs; i++)
        free(g->signature_outputs[i]);
    free(g->signature_outputs);
    cJSON_Delete(g->doc);
    free(g->path);
    free(g->dir);
    memset(g, 0, sizeof *g);
}

/* ---- attributes ---- */

static const cJSON *attr(const vigil_tfjs_node *n, const char *key) {
    return n->attr ? cJSON_GetObjectItemCaseSensitive(n->attr, key) : NULL;
}

/* TensorFlow's JSON writes int64 values as strings. */
static bool number_of(const cJSON *item, double *out) {
    if (cJSON_IsNumber(item)) {
        *out = item->valuedouble;
        return true;
    }
    if (cJSON_IsString(item)) {
        char *end = NULL;
        *out = strtod(item->valuestring, &end);
        return end != item->valuestring && *end == '\0';
    }
    return false;
}

bool vigil_tfjs_attr_has(const vigil_tfjs_node *n, const char *key) {
    return attr(n, key) != NULL;
}

int64_t vigil_tfjs_attr_int(const vigil_tfjs_node *n, const char *key, int64_t def) {
    double v;
    return number_of(cJSON_GetObjectItemCaseSensitive(attr(n, key), "i"), &v) ? (int64_t)v : def;
}

float vigil_tfjs_attr_float(const vigil_tfjs_node *n, const char *key, float def) {
    double v;
    return number_of(cJSON_GetObjectItemCaseSensitive(attr(n, key), "f"), &v) ? (float)v : def;
}

bool vigil_tfjs_attr_bool(const vigil_tfjs_node *n, const char *key, bool def) {
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(attr(n, key), "b");
    return cJSON_IsBool(b) ? cJSON_IsTrue(b) : def;
}

const char *vigil_tfjs_attr_string(const vigil_tfjs_node *n, const char *key, const char *def,
                                   char *buf, size_t size) {
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(attr(n, key), "s");
    if (!cJSON_IsString(s) || size == 0)
        return def;
    long length = vigil_base64_decode(s->valuestring, (uint8_t *)buf, size - 1);
    if (length < 0)
        return def;
    buf[length] = '\0';
    return buf;
}

int vigil_tfjs_attr_ints(const vigil_tfjs_node *n, const char *key, int64_t *out, int max) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(attr(n, key), "list");
    if (!list)
        return -1;
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(list, "i");
    int count = 0;
    for (const cJSON *v = values ? values->child : NULL; v && count < max; v = v->next) {
        double d;
        if (!number_of(v, &d))
            return -1;
        out[count++] = (int64_t)d;
    }
    return count;
}

int vigil_tfjs_attr_strings(const vigil_tfjs_node *n, const char *key, char out[][32], int max) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(attr(n, key), "list");
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(list, "s");
    int count = 0;
    for (const cJSON *v = values ? values->child : NULL; v && count < max; v = v->next) {
        long length =
            cJSON_IsString(v) ? vigil_base64_decode(v->valuestring, (uint8_t *)out[count], 31) : -1;
        if (length < 0)
            return -1;
        out[count++][length] = '\0';
    }
    return count;
}

int vigil_tfjs_attr_shape(const vigil_tfjs_node *n, const char *key, int64_t *out, int max) {
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(attr(n, key), "shape");
    if (!shape || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(shape, "unknownRank")))
        return -1;
    const cJSON *dims = cJSON_GetObjectItemCaseSensitive(shape, "dim");
    int count = 0;
    for (const cJSON *d = dims ? dims->child : NULL; d; d = d->next) {
        if (count >= max)
            return -1;
        double size;
        out[count++] =
            number_of(cJSON_GetObjectItemCaseSensitive(d, "size"), &size) ? (int64_t)size : -1;
    }
    return count;
}

long vigil_base64_decode(const char *in, uint8_t *out, size_t size) {
    uint32_t accumulator = 0;
    int bits = 0;
    size_t length = 0;
    for (const char *p = in; *p && *p != '='; p++) {
        int v;
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+' || c == '-')
            v = 62;
        else if (c == '/' || c == '_')
            v = 63;
        else if (c == '\n' || c == '\r' || c == ' ')
            continue;
        else
            return -1;
        accumulator = accumulator << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (length >= size)
                return -1;
            out[length++] = (uint8_t)(accumulator >> bits);
        }
    }
    return (long)length;
}
