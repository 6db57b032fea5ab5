/* CRC-32 (IEEE 802.3, as zlib's crc32) for spool records. */
#ifndef VIGIL_ALERTS_CRC32_H
#define VIGIL_ALERTS_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t vigil_crc32(uint32_t crc, const void *data, size_t size);

#endif
