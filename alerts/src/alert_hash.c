/* Alert and incident ids: a 128-bit hash of the fields that identify an event, so the
 * same input always gives the same id (two independent 64-bit FNV-1a lanes, each
 * finished with a mixer so that near-identical inputs differ in every digit). */
#include <stdint.h>
#include <stdio.h>

#include "engine.h"

static uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

void vigil_alerts_hash_hex(const char *text, char out[VIGIL_ALERT_ID_SIZE]) {
    uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        a = (a ^ *p) * 0x100000001b3ull;
        b = (b ^ *p) * 0x100000001b3ull;
        b ^= b >> 29;
    }
    snprintf(out, VIGIL_ALERT_ID_SIZE, "%016llx%016llx", (unsigned long long)mix(a),
             (unsigned long long)mix(b ^ a));
}
