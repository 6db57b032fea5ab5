#include "json_locate.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct locator {
    const char *p;
    int line;
    const char *target;
    size_t best_len;
    int best_line;
    int depth;
} locator;

enum { PATH_MAX_LEN = 512, MAX_DEPTH = 64 };

static void skip_space(locator *l) {
    while (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r') {
        if (*l->p == '\n')
            l->line++;
        l->p++;
    }
}

/* Copies a string token (without quotes, escapes left as they are) into out. */
static void scan_string(locator *l, char *out, size_t cap) {
    size_t n = 0;
    l->p++; /* opening quote */
    while (*l->p && *l->p != '"') {
        if (*l->p == '\\' && l->p[1])
            l->p++;
        if (*l->p == '\n')
            l->line++;
        if (out && n + 1 < cap)
            out[n++] = *l->p;
        l->p++;
    }
    if (*l->p == '"')
        l->p++;
    if (out)
        out[n] = '\0';
}

static void note(locator *l, const char *path, size_t len) {
    if (strncmp(l->target, path, len) != 0)
        return;
    char next = l->target[len];
    if ((next == '\0' || next == '.' || next == '[' || len == 0) && len >= l->best_len) {
        l->best_len = len;
        l->best_line = l->line;
    }
}

static bool scan_value(locator *l, char *path, size_t len) {
    skip_space(l);
    note(l, path, len);
    if (l->depth >= MAX_DEPTH)
        return false;
    if (*l->p == '{' || *l->p == '[') {
        bool object = *l->p == '{';
        char close = object ? '}' : ']';
        l->p++;
        l->depth++;
        for (int index = 0;; index++) {
            skip_space(l);
            if (*l->p == close) {
                l->p++;
                break;
            }
            size_t sub = len;
            if (object) {
                if (*l->p != '"')
                    return false;
                char key[256];
                scan_string(l, key, sizeof key);
                sub += snprintf(path + len, PATH_MAX_LEN - len, len ? ".%s" : "%s", key);
                skip_space(l);
                if (*l->p != ':')
                    return false;
                l->p++;
            } else {
                sub += snprintf(path + len, PATH_MAX_LEN - len, "[%d]", index);
            }
            if (sub >= PATH_MAX_LEN)
                sub = PATH_MAX_LEN - 1;
            if (!scan_value(l, path, sub))
                return false;
            path[len] = '\0';
            skip_space(l);
            if (*l->p == ',')
                l->p++;
            else if (*l->p != close)
                return false;
        }
        l->depth--;
        return true;
    }
    if (*l->p == '"') {
        scan_string(l, NULL, 0);
        return true;
    }
    if (!*l->p)
        return false;
    while (*l->p && !strchr(",]} \t\r\n", *l->p))
        l->p++;
    return true;
}

int vigil_json_locate(const char *text, const char *path) {
    char buffer[PATH_MAX_LEN] = "";
    locator l = {.p = text, .line = 1, .target = path, .best_line = 1};
    scan_value(&l, buffer, 0);
    return l.best_line;
}

int vigil_json_line_of(const char *text, const char *position) {
    int line = 1;
    for (const char *p = text; *p && p < position; p++)
        if (*p == '\n')
            line++;
    return line;
}
