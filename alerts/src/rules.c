/* Loads a rules file: camera, zones, lines, homography, then the rules themselves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geometry.h"
#include "json_locate.h"
#include "rules_parse.h"

static const char *const top_fields[] = {
    "$schema",       "description", "camera_id",        "zones",
    "lines",         "rules",       "labels",           "homography",
    "track_timeout", "min_hits",    "snapshot_quality", NULL};

static vigil_status parse_zone(rules_parser *p, const cJSON *obj, const char *path, vigil_zone *z) {
    static const char *const fields[] = {"name", "polygon", "anchor", "description", NULL};
    if (!cJSON_IsObject(obj))
        return rules_fail(p, VIGIL_STATUS_FORMAT, path, "expected a zone object");
    vigil_status st = rules_check_fields(p, obj, path, fields);
    if (st < 0 || (st = rules_string(p, obj, path, "name", true, &z->name)) < 0)
        return st;
    char field[256], *anchor = NULL;
    if ((st = rules_string(p, obj, path, "anchor", false, &anchor)) < 0)
        return st;
    z->anchor = VIGIL_ANCHOR_BOTTOM;
    if (anchor) {
        bool center = !strcmp(anchor, "center"), bottom = !strcmp(anchor, "bottom");
        z->anchor = center ? VIGIL_ANCHOR_CENTER : VIGIL_ANCHOR_BOTTOM;
        free(anchor);
        if (!center && !bottom) {
            snprintf(field, sizeof field, "%s.anchor", path);
            return rules_fail(p, VIGIL_STATUS_FORMAT, field, "expected \"bottom\" or \"center\"");
        }
    }
    snprintf(field, sizeof field, "%s.polygon", path);
    const cJSON *poly = cJSON_GetObjectItemCaseSensitive(obj, "polygon");
    if (!poly)
        return rules_fail(p, VIGIL_STATUS_FORMAT, path, "missing field 'polygon'");
    int n = cJSON_GetArraySize(poly);
    if (!cJSON_IsArray(poly) || n < 3)
        return rules_fail(p, VIGIL_STATUS_FORMAT, field,
                          "expected a list of at least 3 points [x, y]");
    z->points = calloc((size_t)n, sizeof *z->points);
    if (!z->points)
        return vigil_error_set(p->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    z->count = n;
    for (int i = 0; i < n; i++) {
        char at[300];
        snprintf(at, sizeof at, "%s[%d]", field, i);
        if ((st = rules_point(p, cJSON_GetArrayItem(poly, i), at, &z->points[i])) < 0)
            return st;
        for (int j = 0; j < i; j++)
            if (z->points[j].x == z->points[i].x && z->points[j].y == z->points[i].y)
                return rules_fail(p, VIGIL_STATUS_FORMAT, at, "repeats point %d", j);
    }
    int a, b;
    if (vigil_geometry_polygon_self_intersects(z->points, n, &a, &b))
        return rules_fail(p, VIGIL_STATUS_FORMAT, field,
                          "polygon intersects itself: edge %d-%d crosses edge %d-%d", a,
                          (a + 1) % n, b, (b + 1) % n);
    if (vigil_geometry_polygon_area(z->points, n) <= 0)
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "polygon has no area");
    return VIGIL_STATUS_OK;
}

static vigil_status parse_line(rules_parser *p, const cJSON *obj, const char *path, vigil_line *l) {
    static const char *const fields[] = {"name",   "points",      "direction", "anchor",
                                         "margin", "description", NULL};
    if (!cJSON_IsObject(obj))
        return rules_fail(p, VIGIL_STATUS_FORMAT, path, "expected a line object");
    vigil_status st = rules_check_fields(p, obj, path, fields);
    if (st < 0 || (st = rules_string(p, obj, path, "name", true, &l->name)) < 0)
        return st;
    char field[256];
    snprintf(field, sizeof field, "%s.points", path);
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(obj, "points");
    if (!pts)
        return rules_fail(p, VIGIL_STATUS_FORMAT, path, "missing field 'points'");
    if (!cJSON_IsArray(pts) || cJSON_GetArraySize(pts) != 2)
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "expected two points [[x, y], [x, y]]");
    char at[300];
    snprintf(at, sizeof at, "%s[0]", field);
    if ((st = rules_point(p, cJSON_GetArrayItem(pts, 0), at, &l->a)) < 0)
        return st;
    snprintf(at, sizeof at, "%s[1]", field);
    if ((st = rules_point(p, cJSON_GetArrayItem(pts, 1), at, &l->b)) < 0)
        return st;
    if (l->a.x == l->b.x && l->a.y == l->b.y)
        return rules_fail(p, VIGIL_STATUS_FORMAT, field, "the two points are the same");
    const cJSON *dir = cJSON_GetObjectItemCaseSensitive(obj, "direction");
    if (dir) {
        snprintf(at, sizeof at, "%s.direction", path);
        if ((st = rules_point(p, dir, at, &l->direction)) < 0)
            return st;
        double along = -(l->b.y - l->a.y) * l->direction.x + (l->b.x - l->a.x) * l->direction.y;
        if (along == 0)
            return rules_fail(p, VIGIL_STATUS_FORMAT, at,
                              "direction runs along the line: it must point across it");
        l->directed = true;
    }
    l->margin = 3;
    l->anchor = VIGIL_ANCHOR_BOTTOM;
    char *anchor = NULL;
    if ((st = rules_number(p, obj, path, "margin", false, 0, 1e5, &l->margin)) < 0 ||
        (st = rules_string(p, obj, path, "anchor", false, &anchor)) < 0)
        return st;
    if (anchor) {
        bool center = !strcmp(anchor, "center"), bottom = !strcmp(anchor, "bottom");
        l->anchor = center ? VIGIL_ANCHOR_CENTER : VIGIL_ANCHOR_BOTTOM;
        free(anchor);
        if (!center && !bottom) {
            snprintf(at, sizeof at, "%s.anchor", path);
            return rules_fail(p, VIGIL_STATUS_FORMAT, at, "expected \"bottom\" or \"center\"");
        }
    }
    return VIGIL_STATUS_OK;
}

static vigil_status parse_homography(rules_parser *p, const cJSON *obj) {
    static const char *const fields[] = {"image", "world", NULL};
    if (!cJSON_IsObject(obj))
        return rules_fail(p, VIGIL_STATUS_FORMAT, "homography",
                          "expected {\"image\": [4 points], \"world\": [4 points]}");
    vigil_status st = rules_check_fields(p, obj, "homography", fields);
    if (st < 0)
        return st;
    vigil_point pts[2][4];
    const char *keys[2] = {"image", "world"};
    for (int k = 0; k < 2; k++) {
        char field[64];
        snprintf(field, sizeof field, "homography.%s", keys[k]);
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, keys[k]);
        if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) != 4)
            return rules_fail(p, VIGIL_STATUS_FORMAT, list ? field : "homography",
                              "expected 4 points [x, y] in '%s'", keys[k]);
        for (int i = 0; i < 4; i++) {
            char at[80];
            snprintf(at, sizeof at, "%s[%d]", field, i);
            if ((st = rules_point(p, cJSON_GetArrayItem(list, i), at, &pts[k][i])) < 0)
                return st;
        }
    }
    if (!vigil_geometry_homography(pts[0], pts[1], p->rules->homography))
        return rules_fail(p, VIGIL_STATUS_FORMAT, "homography",
                          "degenerate: three of the four points lie on one line");
    p->rules->has_homography = true;
    return VIGIL_STATUS_OK;
}

/* Fails when two entries of a list share a name. */
static vigil_status unique(rules_parser *p, const char *list, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(names[i], names[j])) {
                char field[64];
                snprintf(field, sizeof field, "%s[%d].name", list, i);
                return rules_fail(p, VIGIL_STATUS_FORMAT, field,
                                  "name '%s' is already used by %s[%d]", names[i], list, j);
            }
    return VIGIL_STATUS_OK;
}

/* Parses a list member by member into a fresh array of n items of `size` bytes. */
static vigil_status parse_list(rules_parser *p, const cJSON *root, const char *key, bool required,
                               size_t size, void **items, int *count) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!list) {
        if (required)
            return rules_fail(p, VIGIL_STATUS_FORMAT, "", "missing field '%s'", key);
        return VIGIL_STATUS_OK;
    }
    if (!cJSON_IsArray(list))
        return rules_fail(p, VIGIL_STATUS_FORMAT, key, "expected a list");
    int n = cJSON_GetArraySize(list);
    *items = calloc((size_t)n + 1, size);
    if (!*items)
        return vigil_error_set(p->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (int i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "%s[%d]", key, i);
        const cJSON *item = cJSON_GetArrayItem(list, i);
        vigil_status st;
        *count = i + 1; /* so that a failure frees what was filled */
        if (!strcmp(key, "zones"))
            st = parse_zone(p, item, path, (vigil_zone *)*items + i);
        else if (!strcmp(key, "lines"))
            st = parse_line(p, item, path, (vigil_line *)*items + i);
        else
            st = rules_parse_rule(p, item, path, (vigil_rule *)*items + i);
        if (st < 0)
            return st;
    }
    return VIGIL_STATUS_OK;
}

static vigil_status parse_labels(rules_parser *p, const cJSON *root) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "labels");
    if (!list)
        return VIGIL_STATUS_OK;
    if (!cJSON_IsArray(list))
        return rules_fail(p, VIGIL_STATUS_FORMAT, "labels", "expected a list of label strings");
    int n = cJSON_GetArraySize(list);
    p->extra_labels = calloc((size_t)n + 1, sizeof(char *));
    if (!p->extra_labels)
        return vigil_error_set(p->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (int i = 0; i < n; i++) {
        const cJSON *item = cJSON_GetArrayItem(list, i);
        if (!cJSON_IsString(item) || !*item->valuestring) {
            char at[32];
            snprintf(at, sizeof at, "labels[%d]", i);
            return rules_fail(p, VIGIL_STATUS_FORMAT, at, "expected a label string");
        }
        p->extra_labels[p->extra_label_count++] = strdup(item->valuestring);
    }
    return VIGIL_STATUS_OK;
}

/* A relative state_file is relative to the rules file's folder. */
static vigil_status resolve_paths(rules_parser *p) {
    const char *slash = strrchr(p->name, '/');
    if (!slash || !p->rules->path)
        return VIGIL_STATUS_OK;
    int dir_len = (int)(slash - p->name);
    for (int i = 0; i < p->rules->rule_count; i++) {
        vigil_rule *r = &p->rules->rules[i];
        if (r->type != VIGIL_RULE_ANOMALY || !r->anomaly.state_file ||
            r->anomaly.state_file[0] == '/')
            continue;
        size_t len = (size_t)dir_len + strlen(r->anomaly.state_file) + 2;
        char *full = malloc(len);
        if (!full)
            return vigil_error_set(p->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
        snprintf(full, len, "%.*s/%s", dir_len, p->name, r->anomaly.state_file);
        free(r->anomaly.state_file);
        r->anomaly.state_file = full;
    }
    return VIGIL_STATUS_OK;
}

static vigil_status parse_root(rules_parser *p, const cJSON *root) {
    vigil_rules *r = p->rules;
    if (!cJSON_IsObject(root))
        return rules_fail(p, VIGIL_STATUS_FORMAT, "", "expected a JSON object");
    vigil_status st = rules_check_fields(p, root, "", top_fields);
    if (st < 0 || (st = rules_string(p, root, "", "camera_id", false, &r->camera_id)) < 0 ||
        (st = rules_number(p, root, "", "track_timeout", false, 0, 1e6, &r->track_timeout)) < 0 ||
        (st = rules_int(p, root, "", "min_hits", false, 1, 1000, &r->min_hits)) < 0 ||
        (st = rules_int(p, root, "", "snapshot_quality", false, 1, 100, &r->snapshot_quality)) <
            0 ||
        (st = parse_labels(p, root)) < 0)
        return st;
    if (!r->camera_id && !(r->camera_id = strdup("camera")))
        return vigil_error_set(p->err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(root, "homography");
    if (h && (st = parse_homography(p, h)) < 0)
        return st;
    if ((st = parse_list(p, root, "zones", false, sizeof(vigil_zone), (void **)&r->zones,
                         &r->zone_count)) < 0 ||
        (st = parse_list(p, root, "lines", false, sizeof(vigil_line), (void **)&r->lines,
                         &r->line_count)) < 0 ||
        (st = parse_list(p, root, "rules", true, sizeof(vigil_rule), (void **)&r->rules,
                         &r->rule_count)) < 0)
        return st;
    const char *names[1024];
    int n = r->zone_count < 1024 ? r->zone_count : 1024;
    for (int i = 0; i < n; i++)
        names[i] = r->zones[i].name;
    if ((st = unique(p, "zones", names, n)) < 0)
        return st;
    n = r->line_count < 1024 ? r->line_count : 1024;
    for (int i = 0; i < n; i++)
        names[i] = r->lines[i].name;
    if ((st = unique(p, "lines", names, n)) < 0)
        return st;
    n = r->rule_count < 1024 ? r->rule_count : 1024;
    for (int i = 0; i < n; i++)
        names[i] = r->rules[i].name;
    if ((st = unique(p, "rules", names, n)) < 0)
        return st;
    return resolve_paths(p);
}

vigil_status vigil_rules_parse(const char *text, const char *name, vigil_rules **out,
                               vigil_error *err) {
    if (!text || !out)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "rules: no text");
    if (!name)
        name = "rules";
    *out = NULL;
    vigil_rules *rules = calloc(1, sizeof *rules);
    if (!rules)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    rules->track_timeout = 1.0;
    rules->min_hits = 1;
    rules->snapshot_quality = 80;
    rules->homography[0] = rules->homography[4] = rules->homography[8] = 1;
    rules->path = strdup(name);
    rules_parser p = {.text = text, .name = name, .err = err, .rules = rules};
    vigil_status st;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, true);
    if (!root) {
        const char *at = end ? end : cJSON_GetErrorPtr();
        int line = at ? vigil_json_line_of(text, at) : 1;
        st = vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s:%d: not valid JSON near '%.20s'", name,
                             line, at ? at : "");
    } else {
        st = parse_root(&p, root);
        cJSON_Delete(root);
    }
    for (int i = 0; i < p.extra_label_count; i++)
        free(p.extra_labels[i]);
    free(p.extra_labels);
    if (st < 0) {
        vigil_rules_free(rules);
        return st;
    }
    *out = rules;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_rules_load(const char *path, vigil_rules **out, vigil_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: cannot open rules file", path);
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *grown = realloc(text, cap);
            if (!grown) {
                free(text);
                fclose(f);
                return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
            }
            text = grown;
        }
        size_t got = fread(text + len, 1, 4096, f);
        len += got;
        if (got < 4096)
            break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(text);
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: read error", path);
    }
    text[len] = '\0';
    vigil_status st = vigil_rules_parse(text, path, out, err);
    free(text);
    return st;
}

void vigil_rules_free(vigil_rules *rules) {
    if (!rules)
        return;
    for (int i = 0; i < rules->zone_count; i++) {
        free(rules->zones[i].name);
        free(rules->zones[i].points);
    }
    for (int i = 0; i < rules->line_count; i++)
        free(rules->lines[i].name);
    for (int i = 0; i < rules->rule_count; i++)
        rules_free_rule(&rules->rules[i]);
    free(rules->zones);
    free(rules->lines);
    free(rules->rules);
    free(rules->camera_id);
    free(rules->path);
    free(rules);
}

vigil_point vigil_rules_to_world(const vigil_rules *rules, vigil_point p) {
    if (!rules->has_homography)
        return p;
    return vigil_geometry_apply_homography(rules->homography, p);
}
