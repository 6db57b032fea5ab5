#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_locate.h"
#include "vigil/coco.h"
#include "rules_parse.h"

vigil_status rules_fail(rules_parser *p, vigil_status status, const char *path, const char *format,
                        ...) {
    char message[VIGIL_ERROR_MESSAGE_SIZE];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    int line = vigil_json_locate(p->text, path);
    if (*path)
        return vigil_error_set(p->err, status, "%s:%d: %s: %s", p->name, line, path, message);
    return vigil_error_set(p->err, status, "%s:%d: %s", p->name, line, message);
}

static void join(char *out, size_t cap, const char *path, const char *key) {
    snprintf(out, cap, *path ? "%s.%s" : "%s%s", path, key);
}

vigil_status rules_check_fields(rules_parser *p, const cJSON *obj, const char *path,
                                const char *const *allowed) {
    for (const cJSON *item = obj->child; item; item = item->next) {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = !strcmp(*a, item->string);
        if (!known) {
            char field[256];
            join(field, sizeof field, path, item->string);
            return rules_fail(p, VIGIL_STATUS_FORMAT, field, "unknown field");
        }
    }
    return VIGIL_STATUS_OK;
}

vigil_status rules_number(rules_parser *p, const cJSON *obj, const char *path, const char *key,
                          bool required, double min, double max, double *out) {
    char field[256];
    join(field, sizeof field, path, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required)
            return rules_fail(p, VIGIL_STATUS_FORMAT, path, "missing field '%s'", key);
        return VIGIL_STATUS_OK;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "expected a number");
    if (v->valuedouble < min || v->valuedouble > max)
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "%g is out of range [%g, %g]",
                          v->valuedouble, min, max);
    *out = v->valuedouble;
    return VIGIL_STATUS_OK;
}

vigil_status rules_int(rules_parser *p, const cJSON *obj, const char *path, const char *key,
                       bool required, int min, int max, int *out) {
    double v = *out;
    vigil_status st = rules_number(p, obj, path, key, required, min, max, &v);
    if (st < 0)
        return st;
    if (v != floor(v)) {
        char field[256];
        join(field, sizeof field, path, key);
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "expected an integer, got %g", v);
    }
    *out = (int)v;
    return VIGIL_STATUS_OK;
}

vigil_status rules_bool(rules_parser *p, const cJSON *obj, const char *path, const char *key,
                        bool *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return VIGIL_STATUS_OK;
    if (!cJSON_IsBool(v)) {
        char field[256];
        join(field, sizeof field, path, key);
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "expected true or false");
    }
    *out = cJSON_IsTrue(v);
    return VIGIL_STATUS_OK;
}

vigil_status rules_string(rules_parser *p, const cJSON *obj, const char *path, const char *key,
                          bool required, char **out) {
    char field[256];
    join(field, sizeof field, path, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required)
            return rules_fail(p, VIGIL_STATUS_FORMAT, path, "missing field '%s'", key);
        return VIGIL_STATUS_OK;
    }
    if (!cJSON_IsString(v))
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "expected a string");
    if (!*v->valuestring)
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "must not be empty");
    char *copy = strdup(v->valuestring);
    if (!copy)
        return vigil_error_set(p->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    free(*out);
    *out = copy;
    return VIGIL_STATUS_OK;
}

vigil_status rules_point(rules_parser *p, const cJSON *value, const char *path, vigil_point *out) {
    if (!cJSON_IsArray(value) || cJSON_GetArraySize(value) != 2)
        return rules_fail(p, VIGIL_STATUS_FORMAT, path, "expected a point [x, y]");
    const cJSON *x = cJSON_GetArrayItem(value, 0), *y = cJSON_GetArrayItem(value, 1);
    if (!cJSON_IsNumber(x) || !cJSON_IsNumber(y) || !isfinite(x->valuedouble) ||
        !isfinite(y->valuedouble))
        return rules_fail(p, VIGIL_STATUS_FORMAT, path, "expected a point [x, y] of numbers");
    out->x = x->valuedouble;
    out->y = y->valuedouble;
    return VIGIL_STATUS_OK;
}

static bool label_known(const rules_parser *p, const char *label) {
    if (vigil_coco_class_id(label) >= 0)
        return true;
    for (int i = 0; i < p->extra_label_count; i++)
        if (!strcmp(p->extra_labels[i], label))
            return true;
    return false;
}

vigil_status rules_labels(rules_parser *p, const cJSON *obj, const char *path, const char *key,
                          bool required, char ***out, int *count) {
    char field[256];
    join(field, sizeof field, path, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required)
            return rules_fail(p, VIGIL_STATUS_FORMAT, path, "missing field '%s'", key);
        return VIGIL_STATUS_OK;
    }
    int n = cJSON_GetArraySize(v);
    if (!cJSON_IsArray(v) || n == 0)
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "expected a non-empty list of labels");
    char **labels = calloc((size_t)n, sizeof *labels);
    if (!labels)
        return vigil_error_set(p->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (int i = 0; i < n; i++) {
        const cJSON *item = cJSON_GetArrayItem(v, i);
        char at[300];
        snprintf(at, sizeof at, "%s[%d]", field, i);
        vigil_status st = VIGIL_STATUS_OK;
        if (!cJSON_IsString(item))
            st = rules_fail(p, VIGIL_STATUS_FORMAT, at, "expected a label string");
        else if (!label_known(p, item->valuestring))
            st = rules_fail(p, VIGIL_STATUS_FORMAT, at,
                            "unknown label '%s' (COCO names, or declare it in \"labels\")",
                            item->valuestring);
        else if (!(labels[i] = strdup(item->valuestring)))
            st = vigil_error_set(p->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
        if (st < 0) {
            for (int j = 0; j < i; j++)
                free(labels[j]);
            free(labels);
            return st;
        }
    }
    *out = labels;
    *count = n;
    return VIGIL_STATUS_OK;
}
