/* The weightsManifest: groups of weights, each group stored in one or more .bin shards
 * (paths relative to model.json) that concatenate into one buffer holding the group's
 * weights back to back. A weight is float32, int32 or bool, or quantized to uint8 or
 * uint16 (value = q * scale + min) or float16; quantized weights are widened here. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/tfjs_internal.h"

typedef struct weight_spec {
    const char *name;
    int ndim;
    int64_t shape[VIGIL_MAX_DIMS];
    int64_t numel;
    const char *dtype;     /* float32, int32, bool */
    const char *quantized; /* uint8, uint16, float16 or NULL */
    float scale, min;
    size_t bytes;
} weight_spec;

static vigil_status parse_spec(const cJSON *w, weight_spec *s, vigil_error *err) {
    memset(s, 0, sizeof *s);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(w, "name");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(w, "shape");
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(w, "dtype");
    if (!cJSON_IsString(name) || !cJSON_IsArray(shape) || !cJSON_IsString(dtype))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "weightsManifest entry needs \"name\", \"shape\" and \"dtype\"");
    s->name = name->valuestring;
    s->dtype = dtype->valuestring;
    s->ndim = cJSON_GetArraySize(shape);
    if (s->ndim > VIGIL_MAX_DIMS)
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED, "weight '%s': %d dimensions", s->name,
                               s->ndim);
    s->numel = 1;
    for (int i = 0; i < s->ndim; i++) {
        const cJSON *d = cJSON_GetArrayItem(shape, i);
        if (!cJSON_IsNumber(d) || d->valuedouble < 0 || d->valuedouble > (1 << 30))
            return vigil_error_set(err, VIGIL_STATUS_FORMAT, "weight '%s': bad shape", s->name);
        s->shape[i] = (int64_t)d->valuedouble;
        s->numel *= s->shape[i];
        if (s->numel > ((int64_t)1 << 32))
            return vigil_error_set(err, VIGIL_STATUS_FORMAT, "weight '%s': shape too large",
                                   s->name);
    }
    size_t element;
    if (strcmp(s->dtype, "float32") == 0 || strcmp(s->dtype, "int32") == 0)
        element = 4;
    else if (strcmp(s->dtype, "bool") == 0)
        element = 1;
    else
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED, "weight '%s': dtype '%s'", s->name,
                               s->dtype);
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(w, "quantization");
    if (q) {
        const cJSON *qdtype = cJSON_GetObjectItemCaseSensitive(q, "dtype");
        const cJSON *scale = cJSON_GetObjectItemCaseSensitive(q, "scale");
        const cJSON *min = cJSON_GetObjectItemCaseSensitive(q, "min");
        s->quantized = cJSON_IsString(qdtype) ? qdtype->valuestring : "";
        if (strcmp(s->quantized, "float16") == 0) {
            element = 2;
        } else if (strcmp(s->quantized, "uint8") == 0 || strcmp(s->quantized, "uint16") == 0) {
            element = s->quantized[4] == '8' ? 1 : 2;
            if (!cJSON_IsNumber(scale) || !cJSON_IsNumber(min))
                return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                       "weight '%s': %s quantization without scale and min",
                                       s->name, s->quantized);
            s->scale = (float)scale->valuedouble;
            s->min = (float)min->valuedouble;
        } else {
            return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                                   "weight '%s': quantization dtype '%s'", s->name, s->quantized);
        }
    }
    s->bytes = (size_t)s->numel * element;
    return VIGIL_STATUS_OK;
}

static vigil_status decode(const weight_spec *s, const uint8_t *src, vigil_tensor *t,
                           vigil_error *err) {
    bool is_int = strcmp(s->dtype, "float32") != 0;
    vigil_status status =
        vigil_tensor_alloc(t, is_int ? VIGIL_DTYPE_I32 : VIGIL_DTYPE_F32, s->ndim, s->shape, err);
    if (status < 0)
        return status;
    float *f = t->data;
    int32_t *i32 = t->data;
    for (int64_t i = 0; i < s->numel; i++) {
        double v;
        if (!s->quantized) {
            if (strcmp(s->dtype, "bool") == 0) {
                i32[i] = src[i] != 0;
                continue;
            }
            memcpy(&i32[i], src + 4 * i, 4); /* float32 and int32 alike, little-endian */
            continue;
        }
        if (s->quantized[0] == 'f')
            v = vigil_f16_to_f32((uint16_t)(src[2 * i] | src[2 * i + 1] << 8));
        else if (s->quantized[4] == '8')
            v = src[i] * (double)s->scale + s->min;
        else
            v = (src[2 * i] | src[2 * i + 1] << 8) * (double)s->scale + s->min;
        if (is_int)
            i32[i] = (int32_t)lround(v);
        else
            f[i] = (float)v;
    }
    return VIGIL_STATUS_OK;
}

/* Reads the shards of one group and concatenates them. */
static vigil_status read_shards(const vigil_tfjs_graph *g, const cJSON *paths, uint8_t **out,
                                size_t *size, vigil_error *err) {
    *out = NULL;
    *size = 0;
    uint8_t *buf = NULL;
    size_t used = 0;
    for (const cJSON *p = paths ? paths->child : NULL; p; p = p->next) {
        if (!cJSON_IsString(p)) {
            free(buf);
            return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                   "weightsManifest path is not a string");
        }
        char path[4096];
        snprintf(path, sizeof path, "%s%s", p->valuestring[0] == '/' ? "" : g->dir, p->valuestring);
        FILE *f = fopen(path, "rb");
        if (!f) {
            free(buf);
            return vigil_error_set(err, VIGIL_STATUS_IO, "weight shard %s: cannot open: %s", path,
                                   strerror(errno));
        }
        long length = -1;
        if (fseek(f, 0, SEEK_END) == 0)
            length = ftell(f);
        uint8_t *grown = length >= 0 && fseek(f, 0, SEEK_SET) == 0
                             ? realloc(buf, used + (size_t)length + 1)
                             : NULL;
        if (!grown || fread(grown + used, 1, (size_t)length, f) != (size_t)length) {
            fclose(f);
            free(grown ? grown : buf);
            return vigil_error_set(err, VIGIL_STATUS_IO, "weight shard %s: cannot read: %s", path,
                                   strerror(errno));
        }
        fclose(f);
        buf = grown;
        used += (size_t)length;
    }
    *out = buf;
    *size = used;
    return VIGIL_STATUS_OK;
}

static vigil_status read_group(vigil_tfjs_graph *g, const cJSON *group, int index,
                               vigil_error *err) {
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(group, "paths");
    const cJSON *weights = cJSON_GetObjectItemCaseSensitive(group, "weights");
    if (!cJSON_IsArray(paths) || !cJSON_IsArray(weights))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "weightsManifest[%d] needs \"paths\" and \"weights\" lists", index);
    size_t expected = 0;
    weight_spec spec;
    for (const cJSON *w = weights->child; w; w = w->next) {
        vigil_status status = parse_spec(w, &spec, err);
        if (status < 0)
            return status;
        expected += spec.bytes;
    }
    uint8_t *buf = NULL;
    size_t size = 0;
    vigil_status status = read_shards(g, paths, &buf, &size, err);
    if (status < 0)
        return status;
    const cJSON *first = paths->child;
    if (size != expected) {
        free(buf);
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "weight shards of group %d (%s%s%s) hold %zu bytes but its %d "
                               "weights need %zu (%s)",
                               index, g->dir, cJSON_IsString(first) ? first->valuestring : "?",
                               first && first->next ? ", ..." : "", size,
                               cJSON_GetArraySize(weights), expected,
                               size < expected ? "truncated shard?" : "wrong shard?");
    }
    size_t offset = 0;
    for (const cJSON *w = weights->child; w && status >= 0; w = w->next) {
        parse_spec(w, &spec, err);
        int node = vigil_tfjs_graph_find(g, spec.name);
        if (node >= 0) {
            vigil_tfjs_node *n = &g->nodes[node];
            vigil_tensor_free(&n->value);
            status = decode(&spec, buf + offset, &n->value, err);
            n->has_value = status >= 0;
        }
        offset += spec.bytes;
    }
    free(buf);
    return status;
}

vigil_status vigil_tfjs_weights_read(vigil_tfjs_graph *g, vigil_error *err) {
    const cJSON *manifest = cJSON_GetObjectItemCaseSensitive(g->doc, "weightsManifest");
    if (manifest && !cJSON_IsArray(manifest))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s: weightsManifest is not a list",
                               g->path);
    int index = 0;
    for (const cJSON *group = manifest ? manifest->child : NULL; group; group = group->next) {
        vigil_status status = read_group(g, group, index++, err);
        if (status < 0) {
            vigil_error_prefix(err, "%s: ", g->path);
            return status;
        }
    }
    return VIGIL_STATUS_OK;
}
