/* The spool's insides, shared by spool_open.c (recovery) and spool.c (append, ack,
 * read, sync, segment removal). On-disk format: docs/alerts.md. */
#ifndef VIGIL_ALERTS_SPOOL_INTERNAL_H
#define VIGIL_ALERTS_SPOOL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "vigil/spool.h"

#define SPOOL_MAGIC 0x31505356u /* "VSP1" little-endian */
#define SPOOL_HEADER 28         /* magic, crc, seq, id_len, key_len, value_len */
#define SPOOL_MAX_RECORD (64u << 20)

typedef struct spool_segment {
    uint64_t first_seq, end_seq; /* records first_seq .. end_seq - 1 */
    uint64_t bytes;              /* of the log file */
    uint64_t ack_bytes;          /* of the ack file */
    uint64_t acked;
    int fd, ack_fd;
    bool log_dirty, ack_dirty; /* written since the last sync */
    bool broken;               /* a failed append could not be undone: closed for appends */
} spool_segment;

typedef struct spool_entry {
    uint32_t offset, length;
    bool acked;
} spool_entry;

struct vigil_spool {
    char *dir;
    vigil_spool_options options;
    int lock_fd;
    int segment_count, segment_capacity;
    spool_segment *segments;
    uint64_t base_seq, next_seq; /* entries[i] is record base_seq + i */
    size_t entry_count, entry_capacity;
    spool_entry *entries;
    uint64_t pending;
    uint64_t last_sync_ms;
    vigil_spool_stats stats;
};

uint64_t spool_now_ms(void);
void spool_segment_path(const vigil_spool *s, uint64_t first_seq, const char *ext, char *out,
                        size_t cap);
/* Index of the segment holding seq, -1 when none. */
int spool_segment_of(const vigil_spool *s, uint64_t seq);
/* Opens (creating) the log and ack files of a segment starting at first_seq. */
vigil_status spool_segment_open(vigil_spool *s, uint64_t first_seq, bool create, spool_segment *seg,
                                vigil_error *err);
bool spool_push_entry(vigil_spool *s, uint32_t offset, uint32_t length);
/* Deletes fully acknowledged segments at the front (never the last one). */
void spool_collect(vigil_spool *s);
void spool_sync_dir(const vigil_spool *s);

void spool_put32(uint8_t *p, uint32_t v);
void spool_put64(uint8_t *p, uint64_t v);
uint32_t spool_get32(const uint8_t *p);
uint64_t spool_get64(const uint8_t *p);

#endif
