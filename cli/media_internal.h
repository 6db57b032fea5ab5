/* Insides of media.c shared with media_still.c: still-image decoding. */
#ifndef VIGIL_CLI_MEDIA_INTERNAL_H
#define VIGIL_CLI_MEDIA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/status.h"

typedef enum vigil_still_kind {
    VIGIL_STILL_NONE = 0, /* not an image we decode ourselves */
    VIGIL_STILL_JPEG,
    VIGIL_STILL_PNM, /* binary PPM (P6) or PGM (P5) */
} vigil_still_kind;

/* What data (the start of a file) holds, by its magic bytes. */
vigil_still_kind vigil_still_sniff(const uint8_t *data, size_t size);
/* The kind a file name's extension promises (.jpg, .jpeg, .ppm, .pgm, .pnm). */
vigil_still_kind vigil_still_kind_of_name(const char *path);

/* Decodes a whole image file held in memory into a malloc'ed RGB24 buffer (rows of
 * 3 * width bytes). Errors name path. */
vigil_status vigil_still_decode(const char *path, vigil_still_kind kind, const uint8_t *data,
                                size_t size, uint8_t **rgb, int *width, int *height,
                                vigil_error *err);

#endif
