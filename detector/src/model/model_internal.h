/*
 * model_internal.h — the pieces of the model file shared inside detector/src/model/:
 * the safetensors container, the graph as JSON, and the input/head/labels JSON.
 *
 * Functions here write messages without the file name; vigil_model_load and
 * vigil_model_save prefix it, so every message the user sees names the file.
 */
#ifndef VIGIL_MODEL_INTERNAL_H
#define VIGIL_MODEL_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "vigil/model.h"

/* Tensor data starts at a multiple of this in the file, and so does every tensor. */
#define VIGIL_SAFETENSORS_ALIGN 64
/* Header entries whose name starts with this are alignment padding, not weights. */
#define VIGIL_SAFETENSORS_PAD_PREFIX "__pad"
/* A header larger than this is taken for a corrupt length rather than allocated. */
#define VIGIL_SAFETENSORS_MAX_HEADER ((uint64_t)256 << 20)

typedef struct vigil_safetensors_entry {
    const char *name; /* points into the parsed header */
    vigil_dtype dtype;
    int ndim;
    int64_t shape[VIGIL_MAX_DIMS];
    uint64_t begin, end; /* byte offsets relative to the start of the data section */
} vigil_safetensors_entry;

/* A safetensors file read whole into memory. */
typedef struct vigil_safetensors {
    uint8_t *bytes; /* the whole file */
    size_t size;
    const uint8_t *data; /* start of the data section */
    uint64_t data_size;
    cJSON *header;
    const cJSON *metadata; /* the __metadata__ object inside header, or NULL */
    int n_entries;
    vigil_safetensors_entry *entries;
} vigil_safetensors;

/* Reads and validates the container: header length, JSON, dtypes, shapes, offsets in
 * range and not overlapping, and sizes matching dtype x shape. */
vigil_status vigil_safetensors_read(const char *path, vigil_safetensors *st, vigil_error *err);
/* Parses an in-memory file; takes ownership of bytes (malloc'd) even on failure. */
vigil_status vigil_safetensors_parse(uint8_t *bytes, size_t size, vigil_safetensors *st,
                                     vigil_error *err);
void vigil_safetensors_close(vigil_safetensors *st);
const vigil_safetensors_entry *vigil_safetensors_find(const vigil_safetensors *st,
                                                      const char *name);
/* The string value of a __metadata__ key, or NULL. */
const char *vigil_safetensors_metadata(const vigil_safetensors *st, const char *key);

/* Writes metadata (an object of string values) and the tensors, every tensor 64-byte
 * aligned. Gaps are covered by "__pad<N>" U8 entries so that strict readers, which
 * want the tensors to tile the data section, accept the file. */
vigil_status vigil_safetensors_write(const char *path, const cJSON *metadata, int n_tensors,
                                     const char *const *names, const vigil_tensor *const *tensors,
                                     vigil_error *err);

/* The graph as JSON: {"nodes":[...],"outputs":[{"name":..,"node":..}]}. CONST nodes refer
 * to their data by tensor name (the node's name). */
cJSON *vigil_model_graph_to_json(const vigil_graph *g, vigil_error *err);
/* Builds a graph from JSON, taking CONST data from st (F16/BF16 converted to F32). */
vigil_status vigil_model_graph_from_json(const cJSON *json, const vigil_safetensors *st,
                                         vigil_graph **out, vigil_error *err);

/* Op parameters as a JSON object and back; ndim is the rank of the node's first input
 * (used for per-dimension parameters), 0 when unknown. */
cJSON *vigil_model_params_to_json(vigil_op_type op, const vigil_op_params *p, int ndim);
vigil_status vigil_model_params_from_json(vigil_op_type op, const cJSON *json, vigil_op_params *p,
                                          vigil_error *err);

cJSON *vigil_model_input_to_json(const vigil_model_input *input);
vigil_status vigil_model_input_from_json(const cJSON *json, vigil_model_input *input,
                                         vigil_error *err);
cJSON *vigil_model_head_to_json(const vigil_head_info *head);
vigil_status vigil_model_head_from_json(const cJSON *json, vigil_head_info *head, vigil_error *err);
void vigil_model_head_clear(vigil_head_info *head);
cJSON *vigil_model_labels_to_json(int n_labels, char *const *labels);
vigil_status vigil_model_labels_from_json(const cJSON *json, int *n_labels, char ***labels,
                                          vigil_error *err);

/* The double whose shortest decimal form reads back as f, so that 0.1f is written
 * "0.1" rather than "0.10000000149011612". */
static inline double vigil_model_float_json(float f) {
    char text[32];
    for (int digits = 6; digits <= 9; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, (double)f);
        if (strtof(text, NULL) == f)
            break;
    }
    return strtod(text, NULL);
}

/* Checks that every output the head names exists in the graph. */
vigil_status vigil_model_head_check(const vigil_head_info *head, const vigil_graph *g,
                                    vigil_error *err);

#endif
