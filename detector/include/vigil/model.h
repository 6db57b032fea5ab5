/*
 * vigil/model.h — the model file: a safetensors container holding the weights, with
 * the network and what surrounds it in the header's __metadata__:
 *
 *   vigil.format_version  "1"
 *   vigil.graph           the graph as JSON (nodes, ops, params; CONST data by tensor name)
 *   vigil.input           {"width","height","layout":"NHWC|NCHW","color":"RGB|BGR",
 *                          "mean":[3],"std":[3],"resize":"stretch|letterbox"}
 *   vigil.head            {"type":"gfl|centernet", ...} (see vigil_head_info)
 *   vigil.labels          JSON list of class names
 *
 * Layout: 8-byte little-endian header length, the JSON header, then tensor data with
 * every tensor's offset 64-byte aligned. Any safetensors reader lists the weights.
 *
 *     vigil_model *m;
 *     if (vigil_model_load("nanodet.safetensors", &m, &err) < 0) ...
 *     ... m->graph, m->input, m->head, m->labels ...
 *     vigil_model_free(m);
 */
#ifndef VIGIL_MODEL_H
#define VIGIL_MODEL_H

#include "vigil/coco.h"
#include "vigil/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_MODEL_FORMAT_VERSION 1
#define VIGIL_HEAD_MAX_LEVELS 8

typedef enum vigil_layout { VIGIL_LAYOUT_NHWC = 0, VIGIL_LAYOUT_NCHW } vigil_layout;
typedef enum vigil_color_order { VIGIL_COLOR_RGB = 0, VIGIL_COLOR_BGR } vigil_color_order;
typedef enum vigil_resize_policy {
    VIGIL_RESIZE_POLICY_STRETCH = 0, /* scale x and y independently to the input size */
    VIGIL_RESIZE_POLICY_LETTERBOX,   /* keep aspect, pad bottom/right with the mean */
} vigil_resize_policy;

typedef struct vigil_model_input {
    int width, height;
    vigil_layout layout;
    vigil_color_order color;
    float mean[3], std[3]; /* per channel in the model's color order, on 0..255 pixels */
    vigil_resize_policy resize;
} vigil_model_input;

typedef enum vigil_head_type {
    VIGIL_HEAD_NONE = 0,
    VIGIL_HEAD_GFL,       /* NanoDet: per level sigmoid class scores and 4 x (reg_max+1) bins */
    VIGIL_HEAD_CENTERNET, /* heatmap (sigmoid applied in-graph) and box sizes */
} vigil_head_type;

typedef struct vigil_head_info {
    vigil_head_type type;
    int num_classes;
    /* GFL: one entry per level; outputs are [N, H*W, classes] and [N, H*W, 4*(reg_max+1)] */
    int n_levels;
    int strides[VIGIL_HEAD_MAX_LEVELS];
    char *class_outputs[VIGIL_HEAD_MAX_LEVELS];
    char *box_outputs[VIGIL_HEAD_MAX_LEVELS];
    int reg_max;
    /* CenterNet: heatmap [N, H, W, classes] and sizes [N, H, W, 4] */
    char *heatmap_output;
    char *size_output;
    int output_stride;
} vigil_head_info;

typedef struct vigil_model {
    vigil_graph *graph;
    vigil_model_input input;
    vigil_head_info head;
    int n_labels;
    char **labels;
} vigil_model;

vigil_status vigil_model_load(const char *path, vigil_model **out, vigil_error *err);
vigil_status vigil_model_save(const vigil_model *model, const char *path, vigil_error *err);
void vigil_model_free(vigil_model *model);

#ifdef __cplusplus
}
#endif
#endif
