#include "vigil/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *vigil_status_to_string(vigil_status status) {
    switch (status) {
    case VIGIL_STATUS_OK:
        return "ok";
    case VIGIL_STATUS_INVALID_ARGUMENT:
        return "invalid argument";
    case VIGIL_STATUS_IO:
        return "input/output error";
    case VIGIL_STATUS_FORMAT:
        return "bad format";
    case VIGIL_STATUS_UNSUPPORTED:
        return "unsupported";
    case VIGIL_STATUS_NO_MEMORY:
        return "out of memory";
    case VIGIL_STATUS_BACKEND:
        return "backend failure";
    case VIGIL_STATUS_NOT_FOUND:
        return "not found";
    case VIGIL_STATUS_FULL:
        return "full";
    case VIGIL_STATUS_TIMEOUT:
        return "timed out";
    case VIGIL_STATUS_END:
        return "end of stream";
    }
    return "unknown status";
}

vigil_status vigil_error_set(vigil_error *err, vigil_status status, const char *format, ...) {
    if (err) {
        va_list args;
        va_start(args, format);
        vsnprintf(err->message, sizeof err->message, format, args);
        va_end(args);
        err->status = status;
    }
    return status;
}

vigil_status vigil_error_prefix(vigil_error *err, const char *format, ...) {
    if (!err)
        return VIGIL_STATUS_OK;
    char prefix[VIGIL_ERROR_MESSAGE_SIZE];
    va_list args;
    va_start(args, format);
    vsnprintf(prefix, sizeof prefix, format, args);
    va_end(args);
    /* Joined by hand: snprintf("%s%s") into the same size trips -Wformat-truncation. */
    size_t prefix_len = strlen(prefix);
    size_t room = sizeof err->message - 1;
    if (prefix_len > room)
        prefix_len = room;
    size_t message_len = strnlen(err->message, room);
    if (message_len > room - prefix_len)
        message_len = room - prefix_len;
    memmove(err->message + prefix_len, err->message, message_len);
    memcpy(err->message, prefix, prefix_len);
    err->message[prefix_len + message_len] = '\0';
    return err->status;
}
