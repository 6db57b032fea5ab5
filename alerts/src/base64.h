/* Base64 (RFC 4648, with padding) for JPEG snapshots inside alert JSON. */
#ifndef VIGIL_ALERTS_BASE64_H
#define VIGIL_ALERTS_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* malloc'd, NUL-terminated; NULL when out of memory. */
char *vigil_base64_encode(const uint8_t *data, size_t size);

#endif
