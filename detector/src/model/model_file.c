/* vigil_model_load / vigil_model_save: the safetensors container plus the vigil.*
 * metadata entries, every failure reported with the file's name. */
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"

/* Parses the JSON held in a __metadata__ string; NULL with err set when absent or bad. */
static cJSON *metadata_json(const vigil_safetensors *st, const char *key, bool required,
                            vigil_status *status, vigil_error *err) {
    *status = VIGIL_STATUS_OK;
    const char *text = vigil_safetensors_metadata(st, key);
    if (!text) {
        if (required)
            *status = vigil_error_set(err, VIGIL_STATUS_FORMAT, "__metadata__ has no %s", key);
        return NULL;
    }
    cJSON *json = cJSON_Parse(text);
    if (!json)
        *status = vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s is not valid JSON", key);
    return json;
}

static vigil_status check_version(const vigil_safetensors *st, vigil_error *err) {
    const char *version = vigil_safetensors_metadata(st, "vigil.format_version");
    if (!version)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "not a vigil model: __metadata__ has no vigil.format_version");
    char *end = NULL;
    long v = strtol(version, &end, 10);
    if (!end || *end || v != VIGIL_MODEL_FORMAT_VERSION)
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                               "model format version '%s' (this vigil reads %d)", version,
                               VIGIL_MODEL_FORMAT_VERSION);
    return VIGIL_STATUS_OK;
}

static vigil_status model_from_file(const vigil_safetensors *st, vigil_model *m, vigil_error *err) {
    vigil_status status = check_version(st, err);
    if (status < 0)
        return status;
    cJSON *json = metadata_json(st, "vigil.graph", true, &status, err);
    if (status < 0)
        return status;
    status = vigil_model_graph_from_json(json, st, &m->graph, err);
    cJSON_Delete(json);
    if (status < 0) {
        vigil_error_prefix(err, "vigil.graph: ");
        return status;
    }
    if ((json = metadata_json(st, "vigil.input", true, &status, err)) != NULL) {
        status = vigil_model_input_from_json(json, &m->input, err);
        cJSON_Delete(json);
        if (status < 0)
            vigil_error_prefix(err, "vigil.input: ");
    }
    if (status < 0)
        return status;
    if ((json = metadata_json(st, "vigil.head", false, &status, err)) != NULL) {
        status = vigil_model_head_from_json(json, &m->head, err);
        cJSON_Delete(json);
        if (status < 0)
            vigil_error_prefix(err, "vigil.head: ");
    }
    if (status < 0)
        return status;
    if ((json = metadata_json(st, "vigil.labels", false, &status, err)) != NULL) {
        status = vigil_model_labels_from_json(json, &m->n_labels, &m->labels, err);
        cJSON_Delete(json);
        if (status < 0)
            vigil_error_prefix(err, "vigil.labels: ");
    }
    if (status < 0)
        return status;
    if ((status = vigil_model_head_check(&m->head, m->graph, err)) < 0)
        return status;
    if (m->head.type != VIGIL_HEAD_NONE && m->n_labels > 0 && m->n_labels < m->head.num_classes)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "vigil.labels lists %d names for %d classes", m->n_labels,
                               m->head.num_classes);
    return VIGIL_STATUS_OK;
}

vigil_status vigil_model_load(const char *path, vigil_model **out, vigil_error *err) {
    if (!out || !path)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "vigil_model_load: no path");
    *out = NULL;
    vigil_safetensors st;
    vigil_status status = vigil_safetensors_read(path, &st, err);
    if (status < 0) {
        vigil_error_prefix(err, "%s: ", path);
        return status;
    }
    vigil_model *m = calloc(1, sizeof *m);
    if (!m)
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    else
        status = model_from_file(&st, m, err);
    vigil_safetensors_close(&st);
    if (status < 0) {
        vigil_model_free(m);
        vigil_error_prefix(err, "%s: ", path);
        return status;
    }
    *out = m;
    return VIGIL_STATUS_OK;
}

/* Adds key: JSON text of item (consumed) to the metadata object. */
static bool add_json_string(cJSON *metadata, const char *key, cJSON *item) {
    if (!item)
        return false;
    char *text = cJSON_PrintUnformatted(item);
    cJSON_Delete(item);
    bool ok = text && cJSON_AddStringToObject(metadata, key, text);
    free(text);
    return ok;
}

static vigil_status save_model(const vigil_model *m, const char *path, vigil_error *err) {
    const vigil_graph *g = m->graph;
    int n_consts = 0;
    for (int i = 0; i < g->n_nodes; i++)
        n_consts += g->nodes[i].op == VIGIL_OP_CONST;
    const char **names = calloc((size_t)n_consts + 1, sizeof *names);
    const vigil_tensor **tensors = calloc((size_t)n_consts + 1, sizeof *tensors);
    cJSON *metadata = cJSON_CreateObject();
    vigil_status status = VIGIL_STATUS_OK;
    if (!names || !tensors || !metadata) {
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
        goto done;
    }
    for (int i = 0, k = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == VIGIL_OP_CONST) {
            names[k] = g->nodes[i].name;
            tensors[k++] = &g->nodes[i].value;
        }
    cJSON *graph = vigil_model_graph_to_json(g, err);
    if (!graph) {
        status = err ? err->status : VIGIL_STATUS_NO_MEMORY;
        goto done;
    }
    if (!cJSON_AddStringToObject(metadata, "vigil.format_version", "1") ||
        !add_json_string(metadata, "vigil.graph", graph) ||
        !add_json_string(metadata, "vigil.input", vigil_model_input_to_json(&m->input)) ||
        !add_json_string(metadata, "vigil.head", vigil_model_head_to_json(&m->head)) ||
        !add_json_string(metadata, "vigil.labels",
                         vigil_model_labels_to_json(m->n_labels, m->labels))) {
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory writing metadata");
        goto done;
    }
    status = vigil_safetensors_write(path, metadata, n_consts, names, tensors, err);
done:
    cJSON_Delete(metadata);
    free(names);
    free(tensors);
    return status;
}

vigil_status vigil_model_save(const vigil_model *m, const char *path, vigil_error *err) {
    if (!m || !m->graph || !path)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "vigil_model_save: no model, graph or path");
    vigil_status status = vigil_model_head_check(&m->head, m->graph, err);
    if (status >= 0)
        status = save_model(m, path, err);
    if (status < 0)
        vigil_error_prefix(err, "%s: ", path);
    return status;
}

void vigil_model_free(vigil_model *m) {
    if (!m)
        return;
    vigil_graph_free(m->graph);
    vigil_model_head_clear(&m->head);
    for (int i = 0; i < m->n_labels; i++)
        free(m->labels[i]);
    free(m->labels);
    free(m);
}
