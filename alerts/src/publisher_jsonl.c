/* The JSON-lines publisher: one alert per line to a file or stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "publisher_internal.h"

typedef struct jsonl_publisher {
    vigil_publisher base;
    FILE *out;
    bool owned, sync;
    char *path;
    vigil_publisher_stats stats;
} jsonl_publisher;

static vigil_status jsonl_publish(vigil_publisher *base, const char *id, const char *key,
                                  const void *value, size_t len, vigil_error *err) {
    jsonl_publisher *p = (jsonl_publisher *)base;
    if (fwrite(value, 1, len, p->out) != len || fputc('\n', p->out) == EOF ||
        fflush(p->out) == EOF || (p->sync && fdatasync(fileno(p->out)) < 0)) {
        p->stats.refused++;
        return vigil_error_set(err, errno == ENOSPC ? VIGIL_STATUS_FULL : VIGIL_STATUS_IO,
                               "%s: cannot write alert %s: %s", p->path, id, strerror(errno));
    }
    p->stats.accepted++;
    p->stats.delivered++;
    return VIGIL_STATUS_OK;
}

static vigil_status jsonl_flush(vigil_publisher *base, int timeout_ms, vigil_error *err) {
    jsonl_publisher *p = (jsonl_publisher *)base;
    if (fflush(p->out) == EOF)
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: %s", p->path, strerror(errno));
    return VIGIL_STATUS_OK;
}

static void jsonl_stats(vigil_publisher *base, vigil_publisher_stats *stats) {
    *stats = ((jsonl_publisher *)base)->stats;
}

static void jsonl_destroy(vigil_publisher *base) {
    jsonl_publisher *p = (jsonl_publisher *)base;
    if (p->owned)
        fclose(p->out);
    else
        fflush(p->out);
    free(p->path);
    free(p);
}

static const publisher_ops jsonl_ops = {jsonl_publish, jsonl_flush, jsonl_stats, jsonl_destroy};

vigil_status vigil_publisher_jsonl_create(const char *path, bool sync, vigil_publisher **out,
                                          vigil_error *err) {
    if (!path || !out)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "jsonl publisher: no path");
    jsonl_publisher *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path))) {
        free(p);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    p->base.ops = &jsonl_ops;
    p->sync = sync;
    if (!strcmp(path, "-")) {
        p->out = stdout;
    } else {
        p->out = fopen(path, "w");
        p->owned = true;
    }
    if (!p->out) {
        vigil_status st =
            vigil_error_set(err, VIGIL_STATUS_IO, "%s: cannot create: %s", path, strerror(errno));
        free(p->path);
        free(p);
        return st;
    }
    *out = &p->base;
    return VIGIL_STATUS_OK;
}
