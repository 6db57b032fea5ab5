/* vigil.input, vigil.head and vigil.labels: what surrounds the network, as JSON.
 *
 *   vigil.input  {"width":416,"height":416,"layout":"NHWC","color":"BGR",
 *                 "mean":[103.53,116.28,123.675],"std":[57.375,57.12,58.395],
 *                 "resize":"stretch"}      ("scale" may stand in for std: std = 1/scale)
 *   vigil.head   {"type":"gfl","num_classes":80,"reg_max":10,
 *                 "levels":[{"stride":8,"class_output":"..","box_output":".."},...]}
 *                {"type":"centernet","num_classes":80,"heatmap_output":"..",
 *                 "size_output":"..","output_stride":4}
 *                {"type":"none"}
 *   vigil.labels ["person","bicycle",...] */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"

static const char *const layout_names[] = {"NHWC", "NCHW"};
static const char *const color_names[] = {"RGB", "BGR"};
static const char *const resize_names[] = {"stretch", "letterbox"};
static const char *const head_names[] = {"none", "gfl", "centernet"};

#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

static const cJSON *member(const cJSON *obj, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static vigil_status get_enum(const cJSON *obj, const char *key, const char *const *names, int n,
                             int def, int *out, vigil_error *err) {
    const cJSON *item = member(obj, key);
    if (!item) {
        if (def >= 0) {
            *out = def;
            return VIGIL_STATUS_OK;
        }
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "\"%s\" is missing", key);
    }
    for (int i = 0; cJSON_IsString(item) && i < n; i++)
        if (strcmp(item->valuestring, names[i]) == 0) {
            *out = i;
            return VIGIL_STATUS_OK;
        }
    return vigil_error_set(err, VIGIL_STATUS_FORMAT, "\"%s\": unknown value '%s'", key,
                           cJSON_IsString(item) ? item->valuestring : "(not a string)");
}

static vigil_status get_positive_int(const cJSON *obj, const char *key, int *out,
                                     vigil_error *err) {
    const cJSON *item = member(obj, key);
    if (!cJSON_IsNumber(item) || item->valuedouble < 1 || item->valuedouble > 1e6 ||
        item->valuedouble != floor(item->valuedouble))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "\"%s\" is missing or not a positive integer", key);
    *out = (int)item->valuedouble;
    return VIGIL_STATUS_OK;
}

/* Reads three numbers (or one, applied to all three channels). */
static vigil_status get_triple(const cJSON *obj, const char *key, float def, float out[3],
                               bool *present, vigil_error *err) {
    const cJSON *item = member(obj, key);
    *present = item != NULL;
    if (!item) {
        out[0] = out[1] = out[2] = def;
        return VIGIL_STATUS_OK;
    }
    if (cJSON_IsNumber(item)) {
        out[0] = out[1] = out[2] = (float)item->valuedouble;
        return VIGIL_STATUS_OK;
    }
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) != 3)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "\"%s\" must be a number or 3 numbers",
                               key);
    for (int i = 0; i < 3; i++) {
        const cJSON *v = cJSON_GetArrayItem(item, i);
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return vigil_error_set(err, VIGIL_STATUS_FORMAT, "\"%s\" must be a number or 3 numbers",
                                   key);
        out[i] = (float)v->valuedouble;
    }
    return VIGIL_STATUS_OK;
}

cJSON *vigil_model_input_to_json(const vigil_model_input *in) {
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    cJSON_AddNumberToObject(obj, "width", in->width);
    cJSON_AddNumberToObject(obj, "height", in->height);
    cJSON_AddStringToObject(obj, "layout", layout_names[in->layout & 1]);
    cJSON_AddStringToObject(obj, "color", color_names[in->color & 1]);
    double mean[3], std[3];
    for (int i = 0; i < 3; i++) {
        mean[i] = vigil_model_float_json(in->mean[i]);
        std[i] = vigil_model_float_json(in->std[i]);
    }
    cJSON_AddItemToObject(obj, "mean", cJSON_CreateDoubleArray(mean, 3));
    cJSON_AddItemToObject(obj, "std", cJSON_CreateDoubleArray(std, 3));
    cJSON_AddStringToObject(obj, "resize", resize_names[in->resize & 1]);
    return obj;
}

vigil_status vigil_model_input_from_json(const cJSON *obj, vigil_model_input *in,
                                         vigil_error *err) {
    memset(in, 0, sizeof *in);
    if (!cJSON_IsObject(obj))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "not a JSON object");
    int layout = 0, color = 0, resize = 0;
    bool has_mean, has_std, has_scale;
    float scale[3];
    vigil_status status;
    if ((status = get_positive_int(obj, "width", &in->width, err)) < 0 ||
        (status = get_positive_int(obj, "height", &in->height, err)) < 0 ||
        (status = get_enum(obj, "layout", layout_names, COUNT(layout_names), 0, &layout, err)) <
            0 ||
        (status = get_enum(obj, "color", color_names, COUNT(color_names), 0, &color, err)) < 0 ||
        (status = get_enum(obj, "resize", resize_names, COUNT(resize_names), 0, &resize, err)) <
            0 ||
        (status = get_triple(obj, "mean", 0.0f, in->mean, &has_mean, err)) < 0 ||
        (status = get_triple(obj, "std", 1.0f, in->std, &has_std, err)) < 0 ||
        (status = get_triple(obj, "scale", 1.0f, scale, &has_scale, err)) < 0)
        return status;
    in->layout = (vigil_layout)layout;
    in->color = (vigil_color_order)color;
    in->resize = (vigil_resize_policy)resize;
    if (has_scale && has_std)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "give \"std\" or \"scale\", not both");
    for (int i = 0; i < 3; i++) {
        if (has_scale)
            in->std[i] = scale[i] != 0.0f ? 1.0f / scale[i] : 0.0f;
        if (!(in->std[i] != 0.0f) || !isfinite(in->std[i]))
            return vigil_error_set(err, VIGIL_STATUS_FORMAT, "\"%s\" must be finite and non-zero",
                                   has_scale ? "scale" : "std");
    }
    return VIGIL_STATUS_OK;
}

cJSON *vigil_model_head_to_json(const vigil_head_info *h) {
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    int type = (int)h->type >= 0 && (int)h->type < COUNT(head_names) ? (int)h->type : 0;
    cJSON_AddStringToObject(obj, "type", head_names[type]);
    if (h->type == VIGIL_HEAD_NONE)
        return obj;
    cJSON_AddNumberToObject(obj, "num_classes", h->num_classes);
    if (h->type == VIGIL_HEAD_GFL) {
        cJSON_AddNumberToObject(obj, "reg_max", h->reg_max);
        cJSON *levels = cJSON_AddArrayToObject(obj, "levels");
        for (int i = 0; levels && i < h->n_levels; i++) {
            cJSON *level = cJSON_CreateObject();
            if (!level || !cJSON_AddItemToArray(levels, level)) {
                cJSON_Delete(level);
                break;
            }
            cJSON_AddNumberToObject(level, "stride", h->strides[i]);
            cJSON_AddStringToObject(level, "class_output", h->class_outputs[i]);
            cJSON_AddStringToObject(level, "box_output", h->box_outputs[i]);
        }
    } else {
        cJSON_AddStringToObject(obj, "heatmap_output", h->heatmap_output);
        cJSON_AddStringToObject(obj, "size_output", h->size_output);
        cJSON_AddNumberToObject(obj, "output_stride", h->output_stride);
    }
    return obj;
}

static vigil_status dup_string(const cJSON *obj, const char *key, char **out, vigil_error *err) {
    const cJSON *item = member(obj, key);
    if (!cJSON_IsString(item) || !item->valuestring[0])
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "\"%s\" is missing or empty", key);
    *out = strdup(item->valuestring);
    return *out ? VIGIL_STATUS_OK : vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
}

static vigil_status gfl_from_json(const cJSON *obj, vigil_head_info *h, vigil_error *err) {
    vigil_status status = get_positive_int(obj, "reg_max", &h->reg_max, err);
    if (status < 0)
        return status;
    const cJSON *levels = member(obj, "levels");
    int n = cJSON_GetArraySize(levels);
    if (!cJSON_IsArray(levels) || n < 1 || n > VIGIL_HEAD_MAX_LEVELS)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "\"levels\" must list 1 to %d levels",
                               VIGIL_HEAD_MAX_LEVELS);
    for (int i = 0; i < n; i++) {
        const cJSON *level = cJSON_GetArrayItem(levels, i);
        h->n_levels = i + 1;
        if ((status = get_positive_int(level, "stride", &h->strides[i], err)) < 0 ||
            (status = dup_string(level, "class_output", &h->class_outputs[i], err)) < 0 ||
            (status = dup_string(level, "box_output", &h->box_outputs[i], err)) < 0) {
            vigil_error_prefix(err, "level %d: ", i);
            return status;
        }
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_model_head_from_json(const cJSON *obj, vigil_head_info *h, vigil_error *err) {
    memset(h, 0, sizeof *h);
    if (!cJSON_IsObject(obj))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "not a JSON object");
    int type = 0;
    vigil_status status = get_enum(obj, "type", head_names, COUNT(head_names), -1, &type, err);
    if (status < 0)
        return status;
    h->type = (vigil_head_type)type;
    if (h->type == VIGIL_HEAD_NONE)
        return VIGIL_STATUS_OK;
    status = get_positive_int(obj, "num_classes", &h->num_classes, err);
    if (status >= 0 && h->type == VIGIL_HEAD_GFL)
        status = gfl_from_json(obj, h, err);
    else if (status >= 0) {
        if ((status = dup_string(obj, "heatmap_output", &h->heatmap_output, err)) >= 0 &&
            (status = dup_string(obj, "size_output", &h->size_output, err)) >= 0)
            status = get_positive_int(obj, "output_stride", &h->output_stride, err);
    }
    if (status < 0)
        vigil_model_head_clear(h);
    return status;
}

void vigil_model_head_clear(vigil_head_info *h) {
    for (int i = 0; i < VIGIL_HEAD_MAX_LEVELS; i++) {
        free(h->class_outputs[i]);
        free(h->box_outputs[i]);
    }
    free(h->heatmap_output);
    free(h->size_output);
    memset(h, 0, sizeof *h);
}

cJSON *vigil_model_labels_to_json(int n, char *const *labels) {
    return cJSON_CreateStringArray((const char *const *)labels, n);
}

vigil_status vigil_model_labels_from_json(const cJSON *json, int *n_labels, char ***labels,
                                          vigil_error *err) {
    *n_labels = 0;
    *labels = NULL;
    int n = cJSON_GetArraySize(json);
    if (!cJSON_IsArray(json))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "not a JSON list");
    char **list = calloc((size_t)(n > 0 ? n : 1), sizeof *list);
    if (!list)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (int i = 0; i < n; i++) {
        const cJSON *item = cJSON_GetArrayItem(json, i);
        list[i] = cJSON_IsString(item) ? strdup(item->valuestring) : NULL;
        if (!list[i]) {
            for (int j = 0; j < i; j++)
                free(list[j]);
            free(list);
            return cJSON_IsString(item)
                       ? vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory")
                       : vigil_error_set(err, VIGIL_STATUS_FORMAT, "label %d is not a string", i);
        }
    }
    *n_labels = n;
    *labels = list;
    return VIGIL_STATUS_OK;
}

/* Finds the graph output called name; its node's shape tells whether the head fits. */
static const vigil_node *output_node(const vigil_graph *g, const char *name) {
    for (int i = 0; i < g->n_outputs; i++)
        if (strcmp(g->outputs[i].name, name) == 0)
            return &g->nodes[g->outputs[i].node];
    return NULL;
}

static vigil_status check_output(const vigil_graph *g, const char *role, const char *name, int ndim,
                                 const int64_t *expect, vigil_error *err) {
    const vigil_node *n = output_node(g, name);
    if (!n)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "vigil.head: %s '%s' is not an output of the graph", role, name);
    bool ok = n->out_ndim == ndim;
    for (int i = 0; ok && i < ndim; i++)
        ok = expect[i] < 0 || n->out_shape[i] == expect[i];
    if (!ok) {
        char have[96], want[96];
        return vigil_error_set(
            err, VIGIL_STATUS_FORMAT, "vigil.head: %s '%s' has shape %s, expected %s (-1: any)",
            role, name, vigil_shape_format(n->out_ndim, n->out_shape, have, sizeof have),
            vigil_shape_format(ndim, expect, want, sizeof want));
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_model_head_check(const vigil_head_info *h, const vigil_graph *g,
                                    vigil_error *err) {
    vigil_status status = VIGIL_STATUS_OK;
    if (h->type == VIGIL_HEAD_GFL) {
        for (int i = 0; i < h->n_levels && status >= 0; i++) {
            int64_t cls[3] = {-1, -1, h->num_classes};
            int64_t box[3] = {-1, -1, 4 * (h->reg_max + 1)};
            status = check_output(g, "class output", h->class_outputs[i], 3, cls, err);
            if (status >= 0)
                status = check_output(g, "box output", h->box_outputs[i], 3, box, err);
        }
    } else if (h->type == VIGIL_HEAD_CENTERNET) {
        int64_t heat[4] = {-1, -1, -1, h->num_classes};
        int64_t size[4] = {-1, -1, -1, 4};
        status = check_output(g, "heatmap output", h->heatmap_output, 4, heat, err);
        if (status >= 0)
            status = check_output(g, "size output", h->size_output, 4, size, err);
    }
    return status;
}
