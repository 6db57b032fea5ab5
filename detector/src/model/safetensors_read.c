/* Reading a safetensors container: the whole file in memory, every header entry checked
 * against the file before anyone touches the data. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"

static vigil_status read_file(const char *path, uint8_t **bytes, size_t *size, vigil_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return vigil_error_set(err, VIGIL_STATUS_IO, "cannot open: %s", strerror(errno));
    vigil_status status = VIGIL_STATUS_OK;
    uint8_t *buf = NULL;
    long length = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        length = ftell(f);
    if (length < 0 || fseek(f, 0, SEEK_SET) != 0) {
        status = vigil_error_set(err, VIGIL_STATUS_IO, "cannot seek: %s", strerror(errno));
        goto done;
    }
    buf = malloc(length > 0 ? (size_t)length : 1);
    if (!buf) {
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "cannot allocate %ld bytes", length);
        goto done;
    }
    if (length > 0 && fread(buf, 1, (size_t)length, f) != (size_t)length) {
        status = vigil_error_set(err, VIGIL_STATUS_IO, "cannot read %ld bytes: %s", length,
                                 ferror(f) ? strerror(errno) : "file shrank while reading");
        goto done;
    }
    *bytes = buf;
    *size = (size_t)length;
    buf = NULL;
done:
    free(buf);
    fclose(f);
    return status;
}

vigil_status vigil_safetensors_read(const char *path, vigil_safetensors *st, vigil_error *err) {
    memset(st, 0, sizeof *st);
    uint8_t *bytes = NULL;
    size_t size = 0;
    vigil_status status = read_file(path, &bytes, &size, err);
    if (status < 0)
        return status;
    return vigil_safetensors_parse(bytes, size, st, err);
}

static vigil_status parse_entry(const cJSON *item, uint64_t data_size, vigil_safetensors_entry *e,
                                vigil_error *err) {
    const char *name = item->string;
    if (!cJSON_IsObject(item))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "tensor '%s': header entry is not an object", name);
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(item, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(item, "shape");
    const cJSON *offsets = cJSON_GetObjectItemCaseSensitive(item, "data_offsets");
    if (!cJSON_IsString(dtype) || !cJSON_IsArray(shape) || !cJSON_IsArray(offsets))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "tensor '%s': needs \"dtype\" (string), \"shape\" and "
                               "\"data_offsets\" (arrays)",
                               name);
    e->name = name;
    if (!vigil_dtype_from_name(dtype->valuestring, &e->dtype))
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED, "tensor '%s': unsupported dtype '%s'",
                               name, dtype->valuestring);
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > VIGIL_MAX_DIMS)
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                               "tensor '%s': %d dimensions (at most %d)", name, ndim,
                               VIGIL_MAX_DIMS);
    e->ndim = ndim;
    /* Bounding every dimension and the product keeps numel * dtype size from overflowing. */
    uint64_t numel = 1;
    for (int i = 0; i < ndim; i++) {
        const cJSON *d = cJSON_GetArrayItem(shape, i);
        if (!cJSON_IsNumber(d) || d->valuedouble < 0 || d->valuedouble > 9.0e15 ||
            d->valuedouble != (double)(int64_t)d->valuedouble)
            return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                   "tensor '%s': dimension %d is not a non-negative integer", name,
                                   i);
        e->shape[i] = (int64_t)d->valuedouble;
        if (e->shape[i] != 0 && numel > ((uint64_t)1 << 50) / (uint64_t)e->shape[i])
            return vigil_error_set(err, VIGIL_STATUS_FORMAT, "tensor '%s': shape is too large",
                                   name);
        numel *= (uint64_t)e->shape[i];
    }
    if (cJSON_GetArraySize(offsets) != 2)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "tensor '%s': data_offsets must be [begin, end]", name);
    double b = cJSON_GetArrayItem(offsets, 0)->valuedouble;
    double en = cJSON_GetArrayItem(offsets, 1)->valuedouble;
    if (!cJSON_IsNumber(cJSON_GetArrayItem(offsets, 0)) ||
        !cJSON_IsNumber(cJSON_GetArrayItem(offsets, 1)) || b < 0 || en < b ||
        b != (double)(uint64_t)b || en != (double)(uint64_t)en)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "tensor '%s': data_offsets [%.0f, %.0f] are not a valid range", name,
                               b, en);
    e->begin = (uint64_t)b;
    e->end = (uint64_t)en;
    if (e->end > data_size)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "tensor '%s': data_offsets [%llu, %llu] run past the end of the "
                               "data (%llu bytes; file truncated?)",
                               name, (unsigned long long)e->begin, (unsigned long long)e->end,
                               (unsigned long long)data_size);
    uint64_t expected = numel * vigil_dtype_size(e->dtype);
    if (e->end - e->begin != expected) {
        char buf[128];
        return vigil_error_set(
            err, VIGIL_STATUS_FORMAT, "tensor '%s': %llu bytes of data, but %s %s needs %llu", name,
            (unsigned long long)(e->end - e->begin), dtype->valuestring,
            vigil_shape_format(ndim, e->shape, buf, sizeof buf), (unsigned long long)expected);
    }
    return VIGIL_STATUS_OK;
}

static int compare_begin(const void *a, const void *b) {
    const vigil_safetensors_entry *x = *(const vigil_safetensors_entry *const *)a;
    const vigil_safetensors_entry *y = *(const vigil_safetensors_entry *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : 0;
}

static vigil_status check_overlaps(vigil_safetensors *st, vigil_error *err) {
    if (st->n_entries < 2)
        return VIGIL_STATUS_OK;
    vigil_safetensors_entry **sorted = malloc((size_t)st->n_entries * sizeof *sorted);
    if (!sorted)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (int i = 0; i < st->n_entries; i++)
        sorted[i] = &st->entries[i];
    qsort(sorted, (size_t)st->n_entries, sizeof *sorted, compare_begin);
    vigil_status status = VIGIL_STATUS_OK;
    const vigil_safetensors_entry *last = NULL; /* the non-empty entry reaching furthest */
    for (int i = 0; i < st->n_entries; i++) {
        const vigil_safetensors_entry *e = sorted[i];
        if (e->end == e->begin)
            continue;
        if (last && e->begin < last->end) {
            status = vigil_error_set(
                err, VIGIL_STATUS_FORMAT, "tensors '%s' [%llu, %llu] and '%s' [%llu, %llu] overlap",
                last->name, (unsigned long long)last->begin, (unsigned long long)last->end, e->name,
                (unsigned long long)e->begin, (unsigned long long)e->end);
            break;
        }
        if (!last || e->end > last->end)
            last = e;
    }
    free(sorted);
    return status;
}

static vigil_status parse_header(vigil_safetensors *st, const char *text, size_t length,
                                 vigil_error *err) {
    const char *end = NULL;
    st->header = cJSON_ParseWithLengthOpts(text, length, &end, false);
    if (!st->header) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "header is not valid JSON (error near byte %zu of %zu)", at, length);
    }
    if (!cJSON_IsObject(st->header))
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "header is not a JSON object");
    /* Only whitespace may follow the object: writers pad the header with spaces. */
    for (const char *p = end; p && p < text + length; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\0')
            return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                   "header has trailing bytes after the JSON object (byte %zu)",
                                   (size_t)(p - text));
    int count = 0;
    for (const cJSON *item = st->header->child; item; item = item->next)
        count++;
    st->entries = calloc((size_t)(count > 0 ? count : 1), sizeof *st->entries);
    if (!st->entries)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (const cJSON *item = st->header->child; item; item = item->next) {
        if (!item->string)
            return vigil_error_set(err, VIGIL_STATUS_FORMAT, "header entry without a name");
        for (const cJSON *prev = st->header->child; prev != item; prev = prev->next)
            if (strcmp(prev->string, item->string) == 0)
                return vigil_error_set(err, VIGIL_STATUS_FORMAT, "header names '%s' twice",
                                       item->string);
        if (strcmp(item->string, "__metadata__") == 0) {
            if (!cJSON_IsObject(item))
                return vigil_error_set(err, VIGIL_STATUS_FORMAT, "__metadata__ is not an object");
            for (const cJSON *m = item->child; m; m = m->next)
                if (!cJSON_IsString(m))
                    return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                           "__metadata__ value '%s' is not a string", m->string);
            st->metadata = item;
            continue;
        }
        vigil_status status = parse_entry(item, st->data_size, &st->entries[st->n_entries], err);
        if (status < 0)
            return status;
        st->n_entries++;
    }
    return check_overlaps(st, err);
}

vigil_status vigil_safetensors_parse(uint8_t *bytes, size_t size, vigil_safetensors *st,
                                     vigil_error *err) {
    memset(st, 0, sizeof *st);
    st->bytes = bytes;
    st->size = size;
    if (size < 8) {
        vigil_safetensors_close(st);
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "truncated: %zu bytes, shorter than the 8-byte header length", size);
    }
    uint64_t header_length = 0;
    for (int i = 7; i >= 0; i--)
        header_length = header_length << 8 | bytes[i];
    if (header_length > size - 8) {
        vigil_safetensors_close(st);
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "header length %llu runs past the end of the file (%zu bytes; "
                               "truncated or not a safetensors file)",
                               (unsigned long long)header_length, size);
    }
    if (header_length > VIGIL_SAFETENSORS_MAX_HEADER) {
        vigil_safetensors_close(st);
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "header length %llu is implausibly large",
                               (unsigned long long)header_length);
    }
    st->data = bytes + 8 + header_length;
    st->data_size = size - 8 - header_length;
    vigil_status status = parse_header(st, (const char *)bytes + 8, (size_t)header_length, err);
    if (status < 0)
        vigil_safetensors_close(st);
    return status;
}

void vigil_safetensors_close(vigil_safetensors *st) {
    if (!st)
        return;
    cJSON_Delete(st->header);
    free(st->entries);
    free(st->bytes);
    memset(st, 0, sizeof *st);
}

const vigil_safetensors_entry *vigil_safetensors_find(const vigil_safetensors *st,
                                                      const char *name) {
    for (int i = 0; i < st->n_entries; i++)
        if (strcmp(st->entries[i].name, name) == 0)
            return &st->entries[i];
    return NULL;
}

const char *vigil_safetensors_metadata(const vigil_safetensors *st, const char *key) {
    if (!st->metadata)
        return NULL;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(st->metadata, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}
