/*
 * vigil/tfjs.h — importing TensorFlow.js graph models.
 *
 * Reads MODEL.json (topology + weightsManifest) and its .bin shards, decodes the
 * weights (float16-quantized included), constant-folds the shape subgraphs, cancels
 * transpose pairs, fuses what the engine fuses, and maps the rest onto vigil ops.
 * An op with no mapping is an error naming the op and the node.
 *
 *     vigil_model *m;
 *     if (vigil_tfjs_import("models/nanodet.json", NULL, &m, &err) < 0) ...
 *     vigil_model_save(m, "nanodet.safetensors", &err);
 */
#ifndef VIGIL_TFJS_H
#define VIGIL_TFJS_H

#include "vigil/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_tfjs_options {
    /* Output node names to keep; NULL = the model's signature outputs (CenterNet's
     * built-in TopK decode is dropped: the head decode does that work). */
    const char *const *outputs;
    int n_outputs;
} vigil_tfjs_options;

/* Recognizes the two bundled detector families (NanoDet, CenterNet) by their input and
 * outputs and fills model->input, ->head and ->labels; other graphs import with
 * VIGIL_HEAD_NONE. */
vigil_status vigil_tfjs_import(const char *json_path, const vigil_tfjs_options *options,
                               vigil_model **out, vigil_error *err);

#ifdef __cplusplus
}
#endif
#endif
