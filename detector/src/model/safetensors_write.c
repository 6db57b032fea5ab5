/* Writing a safetensors container with 64-byte aligned tensors.
 *
 * The data section starts at a multiple of 64 (the JSON header is padded with spaces)
 * and so does every tensor. Strict readers (Hugging Face's among them) insist that
 * the tensors tile the data section with no holes, so each alignment gap is listed as
 * a small U8 tensor named "__pad<N>"; vigil's reader skips those. The file is written
 * next to its destination and renamed into place, so a failed save leaves no half file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"

static uint64_t align_up(uint64_t x) {
    return (x + VIGIL_SAFETENSORS_ALIGN - 1) / VIGIL_SAFETENSORS_ALIGN * VIGIL_SAFETENSORS_ALIGN;
}

static bool add_entry(cJSON *header, const char *name, vigil_dtype dtype, int ndim,
                      const int64_t *shape, uint64_t begin, uint64_t end) {
    cJSON *entry = cJSON_AddObjectToObject(header, name);
    if (!entry || !cJSON_AddStringToObject(entry, "dtype", vigil_dtype_name(dtype)))
        return false;
    cJSON *dims = cJSON_AddArrayToObject(entry, "shape");
    cJSON *offsets = cJSON_AddArrayToObject(entry, "data_offsets");
    if (!dims || !offsets)
        return false;
    for (int i = 0; i < ndim; i++)
        if (!cJSON_AddItemToArray(dims, cJSON_CreateNumber((double)shape[i])))
            return false;
    return cJSON_AddItemToArray(offsets, cJSON_CreateNumber((double)begin)) &&
           cJSON_AddItemToArray(offsets, cJSON_CreateNumber((double)end));
}

/* Builds the header JSON and the data offset of every tensor. */
static vigil_status build_header(const cJSON *metadata, int n, const char *const *names,
                                 const vigil_tensor *const *tensors, uint64_t *begins, cJSON **out,
                                 uint64_t *data_size, vigil_error *err) {
    cJSON *header = cJSON_CreateObject();
    if (!header)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    if (metadata) {
        cJSON *copy = cJSON_Duplicate(metadata, true);
        if (!copy || !cJSON_AddItemToObject(header, "__metadata__", copy)) {
            cJSON_Delete(copy);
            goto no_memory;
        }
    }
    uint64_t offset = 0;
    int pads = 0;
    for (int i = 0; i < n; i++) {
        const vigil_tensor *t = tensors[i];
        if (!names[i] || !names[i][0] || strcmp(names[i], "__metadata__") == 0 ||
            strncmp(names[i], VIGIL_SAFETENSORS_PAD_PREFIX, strlen(VIGIL_SAFETENSORS_PAD_PREFIX)) ==
                0) {
            cJSON_Delete(header);
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "tensor name '%s' is empty or reserved",
                                   names[i] ? names[i] : "");
        }
        if (cJSON_GetObjectItemCaseSensitive(header, names[i])) {
            cJSON_Delete(header);
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "two tensors are named '%s'",
                                   names[i]);
        }
        if (t->ndim > 0 && !t->data && vigil_tensor_nbytes(t) > 0) {
            cJSON_Delete(header);
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "tensor '%s' has no data",
                                   names[i]);
        }
        uint64_t begin = align_up(offset);
        if (begin > offset) {
            char pad_name[32];
            snprintf(pad_name, sizeof pad_name, VIGIL_SAFETENSORS_PAD_PREFIX "%d", pads++);
            int64_t gap = (int64_t)(begin - offset);
            if (!add_entry(header, pad_name, VIGIL_DTYPE_U8, 1, &gap, offset, begin))
                goto no_memory;
        }
        uint64_t end = begin + vigil_tensor_nbytes(t);
        if (!add_entry(header, names[i], t->dtype, t->ndim, t->shape, begin, end))
            goto no_memory;
        begins[i] = begin;
        offset = end;
    }
    *out = header;
    *data_size = offset;
    return VIGIL_STATUS_OK;
no_memory:
    cJSON_Delete(header);
    return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory building the header");
}

static vigil_status write_all(FILE *f, const void *data, size_t size, vigil_error *err) {
    if (size > 0 && fwrite(data, 1, size, f) != size)
        return vigil_error_set(err, VIGIL_STATUS_IO, "write failed: %s", strerror(errno));
    return VIGIL_STATUS_OK;
}

static vigil_status write_file(FILE *f, const char *text, size_t text_length, size_t header_length,
                               int n, const vigil_tensor *const *tensors, const uint64_t *begins,
                               vigil_error *err) {
    uint8_t length_bytes[8];
    for (int i = 0; i < 8; i++)
        length_bytes[i] = (uint8_t)((uint64_t)header_length >> (8 * i));
    vigil_status status = write_all(f, length_bytes, 8, err);
    if (status < 0)
        return status;
    if ((status = write_all(f, text, text_length, err)) < 0)
        return status;
    char spaces[VIGIL_SAFETENSORS_ALIGN];
    memset(spaces, ' ', sizeof spaces);
    if ((status = write_all(f, spaces, header_length - text_length, err)) < 0)
        return status;
    static const uint8_t zeros[VIGIL_SAFETENSORS_ALIGN];
    uint64_t offset = 0;
    for (int i = 0; i < n; i++) {
        if ((status = write_all(f, zeros, (size_t)(begins[i] - offset), err)) < 0)
            return status;
        size_t bytes = vigil_tensor_nbytes(tensors[i]);
        if ((status = write_all(f, tensors[i]->data, bytes, err)) < 0)
            return status;
        offset = begins[i] + bytes;
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_safetensors_write(const char *path, const cJSON *metadata, int n_tensors,
                                     const char *const *names, const vigil_tensor *const *tensors,
                                     vigil_error *err) {
    uint64_t *begins = calloc((size_t)(n_tensors > 0 ? n_tensors : 1), sizeof *begins);
    if (!begins)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    cJSON *header = NULL;
    uint64_t data_size = 0;
    char *text = NULL, *tmp_path = NULL;
    FILE *f = NULL;
    vigil_status status =
        build_header(metadata, n_tensors, names, tensors, begins, &header, &data_size, err);
    if (status < 0)
        goto done;
    text = cJSON_PrintUnformatted(header);
    if (!text) {
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory printing the header");
        goto done;
    }
    size_t text_length = strlen(text);
    size_t header_length = (size_t)align_up(8 + text_length) - 8;
    size_t path_length = strlen(path);
    tmp_path = malloc(path_length + 5);
    if (!tmp_path) {
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
        goto done;
    }
    memcpy(tmp_path, path, path_length);
    memcpy(tmp_path + path_length, ".tmp", 5);
    f = fopen(tmp_path, "wb");
    if (!f) {
        status = vigil_error_set(err, VIGIL_STATUS_IO, "cannot create %s: %s", tmp_path,
                                 strerror(errno));
        goto done;
    }
    status = write_file(f, text, text_length, header_length, n_tensors, tensors, begins, err);
    int close_result = fclose(f);
    f = NULL;
    if (status >= 0 && close_result != 0)
        status = vigil_error_set(err, VIGIL_STATUS_IO, "write failed: %s", strerror(errno));
    if (status >= 0 && rename(tmp_path, path) != 0)
        status = vigil_error_set(err, VIGIL_STATUS_IO, "cannot rename %s into place: %s", tmp_path,
                                 strerror(errno));
    if (status < 0)
        remove(tmp_path);
done:
    if (f)
        fclose(f);
    free(tmp_path);
    free(text);
    cJSON_Delete(header);
    free(begins);
    return status;
}
