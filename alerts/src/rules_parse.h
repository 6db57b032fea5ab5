/* The rules loader's helpers: typed field access on cJSON with errors that name the
 * file, the line and the field. */
#ifndef VIGIL_ALERTS_RULES_PARSE_H
#define VIGIL_ALERTS_RULES_PARSE_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "vigil/rules.h"

typedef struct rules_parser {
    const char *text; /* the file's text, to find lines */
    const char *name; /* the file's name, for messages */
    vigil_error *err;
    vigil_rules *rules;
    int extra_label_count; /* "labels": names beyond COCO that classes may use */
    char **extra_labels;
} rules_parser;

/* Records "name:line: path: message" and returns status. */
vigil_status rules_fail(rules_parser *p, vigil_status status, const char *path, const char *format,
                        ...) __attribute__((format(printf, 4, 5)));

/* Fails on any member of obj not in allowed (a NULL-terminated list). */
vigil_status rules_check_fields(rules_parser *p, const cJSON *obj, const char *path,
                                const char *const *allowed);

/* Each getter leaves *out untouched (the default) when the field is absent and required
 * is false; wrong types and values out of [min, max] fail. */
vigil_status rules_number(rules_parser *p, const cJSON *obj, const char *path, const char *key,
                          bool required, double min, double max, double *out);
vigil_status rules_int(rules_parser *p, const cJSON *obj, const char *path, const char *key,
                       bool required, int min, int max, int *out);
vigil_status rules_bool(rules_parser *p, const cJSON *obj, const char *path, const char *key,
                        bool *out);
/* *out is malloc'd; NULL stays when absent and not required. */
vigil_status rules_string(rules_parser *p, const cJSON *obj, const char *path, const char *key,
                          bool required, char **out);
/* A [x, y] pair. */
vigil_status rules_point(rules_parser *p, const cJSON *value, const char *path, vigil_point *out);
/* A list of labels, each checked against COCO and the file's own "labels". */
vigil_status rules_labels(rules_parser *p, const cJSON *obj, const char *path, const char *key,
                          bool required, char ***out, int *count);

vigil_status rules_parse_rule(rules_parser *p, const cJSON *obj, const char *path,
                              vigil_rule *rule);
void rules_free_rule(vigil_rule *rule);

#endif
