/* One entry of "rules": the fields every rule has, then those of its type. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_parse.h"

typedef struct rule_kind {
    const char *name;
    vigil_rule_type type;
    vigil_severity severity;
    const char *const *fields; /* the type's own fields, beyond the common ones */
} rule_kind;

static const char *const common_fields[] = {
    "name",           "type",        "zone",     "line",           "classes",
    "min_confidence", "cooldown",    "severity", "update_seconds", "snapshot",
    "seconds",        "description", NULL};

static const char *const dwell_fields[] = {"grace", "class_seconds", NULL};
static const char *const crowding_fields[] = {"min_count", "clear_count", "clear_seconds", NULL};
static const char *const crossing_fields[] = {"once_per_track", NULL};
static const char *const wrong_way_fields[] = {"direction", "tolerance", "min_speed", "window",
                                               NULL};
static const char *const speed_fields[] = {"max_speed", "window", NULL};
static const char *const abandoned_fields[] = {"owner_distance", "still_distance", "owner_classes",
                                               NULL};
static const char *const tamper_fields[] = {"dark_level",   "min_contrast",  "blur_ratio",
                                            "scene_change", "learn_seconds", NULL};
static const char *const anomaly_fields[] = {"threshold",    "learn_seconds", "cell_size",
                                             "hour_buckets", "min_samples",   "smoothing",
                                             "utc_offset",   "state_file",    NULL};

static const rule_kind kinds[] = {
    {"intrusion", VIGIL_RULE_INTRUSION, VIGIL_SEVERITY_WARNING, dwell_fields},
    {"loitering", VIGIL_RULE_LOITERING, VIGIL_SEVERITY_WARNING, dwell_fields},
    {"crowding", VIGIL_RULE_CROWDING, VIGIL_SEVERITY_WARNING, crowding_fields},
    {"line_crossing", VIGIL_RULE_LINE_CROSSING, VIGIL_SEVERITY_INFO, crossing_fields},
    {"wrong_way", VIGIL_RULE_WRONG_WAY, VIGIL_SEVERITY_WARNING, wrong_way_fields},
    {"speed", VIGIL_RULE_SPEED, VIGIL_SEVERITY_WARNING, speed_fields},
    {"abandoned_object", VIGIL_RULE_ABANDONED_OBJECT, VIGIL_SEVERITY_CRITICAL, abandoned_fields},
    {"tamper", VIGIL_RULE_TAMPER, VIGIL_SEVERITY_CRITICAL, tamper_fields},
    {"anomaly", VIGIL_RULE_ANOMALY, VIGIL_SEVERITY_WARNING, anomaly_fields},
};

const char *vigil_rule_type_name(vigil_rule_type type) {
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].type == type)
            return kinds[i].name;
    return "unknown";
}

const char *vigil_severity_name(vigil_severity severity) {
    switch (severity) {
    case VIGIL_SEVERITY_INFO:
        return "info";
    case VIGIL_SEVERITY_WARNING:
        return "warning";
    case VIGIL_SEVERITY_CRITICAL:
        return "critical";
    }
    return "warning";
}

static vigil_status check_fields(rules_parser *p, const cJSON *obj, const char *path,
                                 const rule_kind *kind) {
    const char *allowed[32];
    int n = 0;
    for (const char *const *f = common_fields; *f; f++)
        allowed[n++] = *f;
    for (const char *const *f = kind->fields; *f; f++)
        allowed[n++] = *f;
    allowed[n] = NULL;
    return rules_check_fields(p, obj, path, allowed);
}

/* Resolves "zone" or "line" to an index; lists the known names when it is unknown. */
static vigil_status reference(rules_parser *p, const cJSON *obj, const char *path, const char *key,
                              bool required, int *index) {
    char *name = NULL;
    vigil_status st = rules_string(p, obj, path, key, required, &name);
    if (st < 0 || !name)
        return st;
    bool zone = !strcmp(key, "zone");
    int n = zone ? p->rules->zone_count : p->rules->line_count;
    char known[256] = "";
    for (int i = 0; i < n; i++) {
        const char *candidate = zone ? p->rules->zones[i].name : p->rules->lines[i].name;
        if (!strcmp(candidate, name)) {
            *index = i;
            free(name);
            return VIGIL_STATUS_OK;
        }
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", candidate);
    }
    char field[256];
    snprintf(field, sizeof field, "%s.%s", path, key);
    st = rules_fail(p, VIGIL_STATUS_FORMAT, field, "unknown %s '%s' (%ss: %s)", key, name, key,
                    n ? known : "none defined");
    free(name);
    return st;
}

static vigil_status direction(rules_parser *p, const cJSON *obj, const char *path,
                              vigil_point *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "direction");
    char field[256];
    snprintf(field, sizeof field, "%s.direction", path);
    if (!v)
        return rules_fail(p, VIGIL_STATUS_FORMAT, path, "missing field 'direction'");
    vigil_status st = rules_point(p, v, field, out);
    if (st < 0)
        return st;
    if (out->x == 0 && out->y == 0)
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "direction must not be [0, 0]");
    return VIGIL_STATUS_OK;
}

static vigil_status parse_dwell(rules_parser *p, const cJSON *obj, const char *path,
                                vigil_rule *r) {
    r->dwell.grace = 1.0;
    vigil_status st = rules_number(p, obj, path, "grace", false, 0, 1e6, &r->dwell.grace);
    if (st < 0)
        return st;
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(obj, "class_seconds");
    if (!map)
        return VIGIL_STATUS_OK;
    char field[256];
    snprintf(field, sizeof field, "%s.class_seconds", path);
    if (!cJSON_IsObject(map))
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "expected {\"label\": seconds, ...}");
    int n = cJSON_GetArraySize(map);
    r->dwell.class_seconds = calloc((size_t)n + 1, sizeof *r->dwell.class_seconds);
    if (!r->dwell.class_seconds)
        return vigil_error_set(p->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    /* Reuse the label check: build a one-element list per key. */
    for (const cJSON *item = map->child; item; item = item->next) {
        char at[300];
        snprintf(at, sizeof at, "%s.%s", field, item->string);
        if (!cJSON_IsNumber(item) || item->valuedouble < 0 || !isfinite(item->valuedouble))
            return rules_fail(p, VIGIL_STATUS_FORMAT, at, "expected seconds >= 0");
        cJSON *probe = cJSON_CreateObject();
        cJSON *list = cJSON_AddArrayToObject(probe, "label");
        cJSON_AddItemToArray(list, cJSON_CreateString(item->string));
        char **labels = NULL;
        int count = 0;
        st = rules_labels(p, probe, field, "label", true, &labels, &count);
        cJSON_Delete(probe);
        if (st < 0)
            return rules_fail(p, VIGIL_STATUS_FORMAT, at, "unknown label '%s'", item->string);
        vigil_class_seconds *cs = &r->dwell.class_seconds[r->dwell.class_seconds_count++];
        cs->label = labels[0];
        cs->seconds = item->valuedouble;
        free(labels);
    }
    return VIGIL_STATUS_OK;
}

static vigil_status parse_type(rules_parser *p, const cJSON *obj, const char *path, vigil_rule *r) {
    vigil_status st = VIGIL_STATUS_OK;
    switch (r->type) {
    case VIGIL_RULE_INTRUSION:
        if ((st = reference(p, obj, path, "zone", true, &r->zone)) < 0)
            return st;
        return parse_dwell(p, obj, path, r);
    case VIGIL_RULE_LOITERING:
        if ((st = reference(p, obj, path, "zone", true, &r->zone)) < 0 ||
            (st = rules_number(p, obj, path, "seconds", true, 0, 1e7, &r->seconds)) < 0)
            return st;
        return parse_dwell(p, obj, path, r);
    case VIGIL_RULE_CROWDING:
        if ((st = reference(p, obj, path, "zone", true, &r->zone)) < 0 ||
            (st = rules_int(p, obj, path, "min_count", true, 1, 1000000, &r->crowding.min_count)) <
                0)
            return st;
        r->crowding.clear_count = r->crowding.min_count - 1;
        r->crowding.clear_seconds = r->seconds;
        if ((st = rules_int(p, obj, path, "clear_count", false, 0, r->crowding.min_count - 1,
                            &r->crowding.clear_count)) < 0)
            return st;
        return rules_number(p, obj, path, "clear_seconds", false, 0, 1e7,
                            &r->crowding.clear_seconds);
    case VIGIL_RULE_LINE_CROSSING:
        r->crossing.once_per_track = true;
        if ((st = reference(p, obj, path, "line", true, &r->line)) < 0)
            return st;
        return rules_bool(p, obj, path, "once_per_track", &r->crossing.once_per_track);
    case VIGIL_RULE_WRONG_WAY:
        if (!cJSON_GetObjectItemCaseSensitive(obj, "seconds"))
            r->seconds = 1.0;
        r->motion.tolerance_deg = 60;
        r->motion.min_speed = 10;
        r->motion.window = 0.5;
        if ((st = direction(p, obj, path, &r->motion.direction)) < 0 ||
            (st = rules_number(p, obj, path, "tolerance", false, 0, 90, &r->motion.tolerance_deg)) <
                0 ||
            (st = rules_number(p, obj, path, "min_speed", false, 0, 1e6, &r->motion.min_speed)) < 0)
            return st;
        return rules_number(p, obj, path, "window", false, 0.05, 60, &r->motion.window);
    case VIGIL_RULE_SPEED:
        r->speed.window = 0.5;
        if ((st = rules_number(p, obj, path, "max_speed", true, 1e-9, 1e9, &r->speed.max_speed)) <
            0)
            return st;
        return rules_number(p, obj, path, "window", false, 0.05, 60, &r->speed.window);
    case VIGIL_RULE_ABANDONED_OBJECT:
        r->abandoned.owner_distance = 150;
        r->abandoned.still_distance = 15;
        if (r->class_count == 0)
            return rules_fail(p, VIGIL_STATUS_FORMAT, path,
                              "missing field 'classes' (the labels of left objects)");
        if ((st = rules_number(p, obj, path, "seconds", true, 0, 1e7, &r->seconds)) < 0 ||
            (st = rules_number(p, obj, path, "owner_distance", false, 0, 1e6,
                               &r->abandoned.owner_distance)) < 0 ||
            (st = rules_number(p, obj, path, "still_distance", false, 0, 1e6,
                               &r->abandoned.still_distance)) < 0 ||
            (st = rules_labels(p, obj, path, "owner_classes", false, &r->abandoned.owner_classes,
                               &r->abandoned.owner_class_count)) < 0)
            return st;
        if (!r->abandoned.owner_classes) {
            r->abandoned.owner_classes = calloc(1, sizeof(char *));
            if (!r->abandoned.owner_classes || !(r->abandoned.owner_classes[0] = strdup("person")))
                return vigil_error_set(p->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
            r->abandoned.owner_class_count = 1;
        }
        return VIGIL_STATUS_OK;
    case VIGIL_RULE_TAMPER:
        if (!cJSON_GetObjectItemCaseSensitive(obj, "seconds"))
            r->seconds = 2.0;
        r->tamper.dark_level = 20;
        r->tamper.min_contrast = 4;
        r->tamper.blur_ratio = 0.35;
        r->tamper.scene_change = 0.5;
        r->tamper.learn_seconds = 5;
        if ((st = rules_number(p, obj, path, "dark_level", false, 0, 255, &r->tamper.dark_level)) <
                0 ||
            (st = rules_number(p, obj, path, "min_contrast", false, 0, 255,
                               &r->tamper.min_contrast)) < 0 ||
            (st = rules_number(p, obj, path, "blur_ratio", false, 0, 1, &r->tamper.blur_ratio)) <
                0 ||
            (st = rules_number(p, obj, path, "scene_change", false, 0, 2,
                               &r->tamper.scene_change)) < 0)
            return st;
        return rules_number(p, obj, path, "learn_seconds", false, 0, 1e6, &r->tamper.learn_seconds);
    case VIGIL_RULE_ANOMALY:
        r->anomaly.threshold = 0.95;
        r->anomaly.learn_seconds = 600;
        r->anomaly.cell_size = 64;
        r->anomaly.hour_buckets = 4;
        r->anomaly.min_samples = 30;
        r->anomaly.smoothing = 0.5;
        if ((st = rules_number(p, obj, path, "threshold", false, 0, 1, &r->anomaly.threshold)) <
                0 ||
            (st = rules_number(p, obj, path, "learn_seconds", false, 0, 1e9,
                               &r->anomaly.learn_seconds)) < 0 ||
            (st = rules_number(p, obj, path, "cell_size", false, 4, 1e5, &r->anomaly.cell_size)) <
                0 ||
            (st = rules_int(p, obj, path, "hour_buckets", false, 1, 24, &r->anomaly.hour_buckets)) <
                0 ||
            (st = rules_int(p, obj, path, "min_samples", false, 1, 1000000,
                            &r->anomaly.min_samples)) < 0 ||
            (st = rules_number(p, obj, path, "smoothing", false, 0, 60, &r->anomaly.smoothing)) <
                0 ||
            (st = rules_number(p, obj, path, "utc_offset", false, -24, 24,
                               &r->anomaly.utc_offset)) < 0)
            return st;
        return rules_string(p, obj, path, "state_file", false, &r->anomaly.state_file);
    }
    return VIGIL_STATUS_OK;
}

static vigil_status severity(rules_parser *p, const cJSON *obj, const char *path, vigil_rule *r) {
    char *s = NULL;
    vigil_status st = rules_string(p, obj, path, "severity", false, &s);
    if (st < 0 || !s)
        return st;
    if (!strcmp(s, "info"))
        r->severity = VIGIL_SEVERITY_INFO;
    else if (!strcmp(s, "warning"))
        r->severity = VIGIL_SEVERITY_WARNING;
    else if (!strcmp(s, "critical"))
        r->severity = VIGIL_SEVERITY_CRITICAL;
    else {
        char field[256];
        snprintf(field, sizeof field, "%s.severity", path);
        st = rules_fail(p, VIGIL_STATUS_FORMAT, field,
                        "unknown severity '%s' (info, warning, critical)", s);
    }
    free(s);
    return st;
}

vigil_status rules_parse_rule(rules_parser *p, const cJSON *obj, const char *path, vigil_rule *r) {
    memset(r, 0, sizeof *r);
    r->zone = r->line = -1;
    r->update_seconds = 10;
    r->snapshot = true;
    if (!cJSON_IsObject(obj))
        return rules_fail(p, VIGIL_STATUS_FORMAT, path, "expected a rule object");
    char *type = NULL;
    vigil_status st = rules_string(p, obj, path, "name", true, &r->name);
    if (st < 0 || (st = rules_string(p, obj, path, "type", true, &type)) < 0)
        return st;
    const rule_kind *kind = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i].name, type))
            kind = &kinds[i];
    if (!kind) {
        char field[256];
        snprintf(field, sizeof field, "%s.type", path);
        st = rules_fail(p, VIGIL_STATUS_FORMAT, field,
                        "unknown rule type '%s' (intrusion, loitering, crowding, line_crossing, "
                        "wrong_way, speed, abandoned_object, tamper, anomaly)",
                        type);
        free(type);
        return st;
    }
    free(type);
    r->type = kind->type;
    r->severity = kind->severity;
    if ((st = check_fields(p, obj, path, kind)) < 0 ||
        (st = rules_labels(p, obj, path, "classes", false, &r->classes, &r->class_count)) < 0 ||
        (st = rules_number(p, obj, path, "min_confidence", false, 0, 1, &r->min_confidence)) < 0 ||
        (st = rules_number(p, obj, path, "cooldown", false, 0, 1e7, &r->cooldown)) < 0 ||
        (st = rules_number(p, obj, path, "update_seconds", false, 0, 1e7, &r->update_seconds)) <
            0 ||
        (st = rules_number(p, obj, path, "seconds", false, 0, 1e7, &r->seconds)) < 0 ||
        (st = rules_bool(p, obj, path, "snapshot", &r->snapshot)) < 0 ||
        (st = severity(p, obj, path, r)) < 0)
        return st;
    /* Types without a zone or line of their own may still narrow to one. */
    bool needs_zone = r->type == VIGIL_RULE_INTRUSION || r->type == VIGIL_RULE_LOITERING ||
                      r->type == VIGIL_RULE_CROWDING;
    if (!needs_zone && r->type != VIGIL_RULE_TAMPER &&
        (st = reference(p, obj, path, "zone", false, &r->zone)) < 0)
        return st;
    if (r->type != VIGIL_RULE_LINE_CROSSING && cJSON_GetObjectItemCaseSensitive(obj, "line")) {
        char field[256];
        snprintf(field, sizeof field, "%s.line", path);
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "only line_crossing rules take a line");
    }
    if (r->type == VIGIL_RULE_TAMPER && cJSON_GetObjectItemCaseSensitive(obj, "zone")) {
        char field[256];
        snprintf(field, sizeof field, "%s.zone", path);
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "tamper watches the whole frame");
    }
    return parse_type(p, obj, path, r);
}

void rules_free_rule(vigil_rule *r) {
    free(r->name);
    for (int i = 0; i < r->class_count; i++)
        free(r->classes[i]);
    free(r->classes);
    switch (r->type) {
    case VIGIL_RULE_INTRUSION:
    case VIGIL_RULE_LOITERING:
        for (int i = 0; i < r->dwell.class_seconds_count; i++)
            free(r->dwell.class_seconds[i].label);
        free(r->dwell.class_seconds);
        break;
    case VIGIL_RULE_ABANDONED_OBJECT:
        for (int i = 0; i < r->abandoned.owner_class_count; i++)
            free(r->abandoned.owner_classes[i]);
        free(r->abandoned.owner_classes);
        break;
    case VIGIL_RULE_ANOMALY:
        free(r->anomaly.state_file);
        break;
    default:
        break;
    }
}
