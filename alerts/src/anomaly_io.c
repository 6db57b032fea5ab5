/* The learned model on disk: JSON, written to a temporary file, synced and renamed
 * over the old one so a crash mid-save leaves the previous model intact. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anomaly_model.h"

static const char *const FORMAT = "vigil.anomaly.v1";

static cJSON *gauss_json(const anomaly_gauss *g) {
    double v[3] = {g->n, g->mean, g->m2};
    return cJSON_CreateDoubleArray(v, 3);
}

static char *serialise(const vigil_anomaly *m) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", FORMAT);
    cJSON *o = cJSON_AddObjectToObject(root, "options");
    cJSON_AddNumberToObject(o, "cell_size", m->options.cell_size);
    cJSON_AddNumberToObject(o, "hour_buckets", m->options.hour_buckets);
    cJSON_AddNumberToObject(o, "direction_bins", m->options.direction_bins);
    cJSON_AddNumberToObject(o, "min_speed", m->options.min_speed);
    cJSON_AddNumberToObject(o, "min_samples", m->options.min_samples);
    cJSON_AddNumberToObject(o, "max_weight", m->options.max_weight);
    cJSON_AddNumberToObject(o, "utc_offset", m->options.utc_offset);
    cJSON_AddNumberToObject(root, "learned_seconds", m->learned_seconds);
    cJSON *cells = cJSON_AddArrayToObject(root, "cells");
    for (int i = 0; i < m->count; i++) {
        const anomaly_cell *c = &m->cells[i];
        cJSON *j = cJSON_CreateObject();
        int key[4] = {c->cx, c->cy, c->class_id, c->bucket};
        cJSON_AddItemToObject(j, "key", cJSON_CreateIntArray(key, 4));
        cJSON_AddItemToObject(j, "speed", gauss_json(&c->speed));
        cJSON_AddItemToObject(j, "dwell", gauss_json(&c->dwell));
        cJSON_AddItemToObject(j, "direction",
                              cJSON_CreateDoubleArray(c->direction, m->options.direction_bins));
        cJSON_AddItemToArray(cells, j);
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

vigil_status vigil_anomaly_save(const vigil_anomaly *m, const char *path, vigil_error *err) {
    char *text = serialise(m);
    if (!text)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    size_t len = strlen(text);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        free(text);
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: cannot write anomaly state: %s", tmp,
                               strerror(errno));
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    int saved = errno;
    free(text);
    if (done < len || fsync(fd) < 0) {
        if (done == len)
            saved = errno;
        close(fd);
        unlink(tmp);
        return vigil_error_set(err, saved == ENOSPC ? VIGIL_STATUS_FULL : VIGIL_STATUS_IO,
                               "%s: cannot write anomaly state: %s (the previous state is kept)",
                               path, strerror(saved));
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        saved = errno;
        unlink(tmp);
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: cannot replace anomaly state: %s", path,
                               strerror(saved));
    }
    return VIGIL_STATUS_OK;
}

static bool read_gauss(const cJSON *a, anomaly_gauss *g) {
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 3)
        return false;
    double v[3];
    for (int i = 0; i < 3; i++) {
        const cJSON *x = cJSON_GetArrayItem(a, i);
        if (!cJSON_IsNumber(x))
            return false;
        v[i] = x->valuedouble;
    }
    if (v[0] < 0 || v[2] < 0)
        return false;
    *g = (anomaly_gauss){v[0], v[1], v[2]};
    return true;
}

static double number(const cJSON *obj, const char *key, double fallback) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

static vigil_status parse(const char *text, const char *path, vigil_anomaly **out,
                          vigil_error *err) {
    cJSON *root = cJSON_Parse(text);
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!root || !cJSON_IsString(format) || strcmp(format->valuestring, FORMAT) != 0) {
        cJSON_Delete(root);
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s: not a %s file", path, FORMAT);
    }
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "options");
    vigil_anomaly_options opt = vigil_anomaly_options_default();
    opt.cell_size = number(o, "cell_size", opt.cell_size);
    opt.hour_buckets = (int)number(o, "hour_buckets", opt.hour_buckets);
    opt.direction_bins = (int)number(o, "direction_bins", opt.direction_bins);
    opt.min_speed = number(o, "min_speed", opt.min_speed);
    opt.min_samples = (int)number(o, "min_samples", opt.min_samples);
    opt.max_weight = number(o, "max_weight", opt.max_weight);
    opt.utc_offset = number(o, "utc_offset", opt.utc_offset);
    vigil_anomaly *m;
    vigil_status st = vigil_anomaly_create(&opt, &m, err);
    if (st < 0) {
        cJSON_Delete(root);
        return vigil_error_prefix(err, "%s: ", path);
    }
    m->learned_seconds = number(root, "learned_seconds", 0);
    const cJSON *cells = cJSON_GetObjectItemCaseSensitive(root, "cells");
    int index = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cells) {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(c, "key");
        const cJSON *dir = cJSON_GetObjectItemCaseSensitive(c, "direction");
        anomaly_gauss speed, dwell;
        bool ok = cJSON_IsArray(key) && cJSON_GetArraySize(key) == 4 && cJSON_IsArray(dir) &&
                  cJSON_GetArraySize(dir) == opt.direction_bins &&
                  read_gauss(cJSON_GetObjectItemCaseSensitive(c, "speed"), &speed) &&
                  read_gauss(cJSON_GetObjectItemCaseSensitive(c, "dwell"), &dwell);
        anomaly_cell *cell = NULL;
        if (ok) {
            int k[4];
            for (int i = 0; i < 4; i++)
                k[i] = (int)cJSON_GetArrayItem(key, i)->valuedouble;
            ok = k[3] >= 0 && k[3] < opt.hour_buckets &&
                 (cell = anomaly_cell_get(m, k[0], k[1], k[2], k[3], true)) != NULL;
        }
        if (!ok) {
            vigil_anomaly_free(m);
            cJSON_Delete(root);
            return vigil_error_set(err, VIGIL_STATUS_FORMAT, "%s: cells[%d] is malformed", path,
                                   index);
        }
        cell->speed = speed;
        cell->dwell = dwell;
        for (int b = 0; b < opt.direction_bins; b++) {
            cell->direction[b] = cJSON_GetArrayItem(dir, b)->valuedouble;
            cell->direction_total += cell->direction[b];
        }
        index++;
    }
    cJSON_Delete(root);
    *out = m;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_anomaly_load(const char *path, vigil_anomaly **out, vigil_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return vigil_error_set(err, errno == ENOENT ? VIGIL_STATUS_NOT_FOUND : VIGIL_STATUS_IO,
                               "%s: cannot open anomaly state: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = size >= 0 ? malloc((size_t)size + 1) : NULL;
    if (!text) {
        fclose(f);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "%s: out of memory", path);
    }
    size_t got = fread(text, 1, (size_t)size, f);
    fclose(f);
    text[got] = '\0';
    vigil_status st = parse(text, path, out, err);
    free(text);
    return st;
}
