/*
 * vigil/status.h — the status codes and error messages every vigil library returns.
 *
 * Libraries never print and never exit: a fallible call returns a vigil_status
 * (negative = error) and, when given a vigil_error, fills in a message that names
 * the file, node or line at fault. The caller decides what to tell the user.
 *
 *     vigil_error err = {0};
 *     if (vigil_model_load(&model, "nanodet.safetensors", &err) < 0)
 *         fprintf(stderr, "vigil: %s\n", err.message);
 */
#ifndef VIGIL_STATUS_H
#define VIGIL_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vigil_status {
    VIGIL_STATUS_OK = 0,
    VIGIL_STATUS_INVALID_ARGUMENT = -1, /* a caller passed something impossible */
    VIGIL_STATUS_IO = -2,               /* a file could not be opened, read or written */
    VIGIL_STATUS_FORMAT = -3,           /* a file was read but its content is wrong */
    VIGIL_STATUS_UNSUPPORTED = -4,      /* valid input that vigil does not handle (yet) */
    VIGIL_STATUS_NO_MEMORY = -5,
    VIGIL_STATUS_BACKEND = -6, /* oneDNN, CUDA, librdkafka or another library failed */
    VIGIL_STATUS_NOT_FOUND = -7,
    VIGIL_STATUS_FULL = -8, /* a bounded store (spool, queue) has no room */
    VIGIL_STATUS_TIMEOUT = -9,
    VIGIL_STATUS_END = -10, /* end of a stream: no more frames or records */
} vigil_status;

#define VIGIL_ERROR_MESSAGE_SIZE 512

typedef struct vigil_error {
    vigil_status status;
    char message[VIGIL_ERROR_MESSAGE_SIZE];
} vigil_error;

const char *vigil_status_to_string(vigil_status status);

/* Records status and a printf-style message in err (which may be NULL) and returns
 * status, so that a failure path reads `return vigil_error_set(err, ..., "...")`. */
vigil_status vigil_error_set(vigil_error *err, vigil_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the message already in err with more context ("model.json: " + message). */
vigil_status vigil_error_prefix(vigil_error *err, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif
#endif
