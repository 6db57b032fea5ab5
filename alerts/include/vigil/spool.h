/*
 * vigil/spool.h — a bounded, crash-safe disk queue of records awaiting delivery.
 *
 * The spool is a directory of append-only segment files. A record is appended (and,
 * by the sync policy, made durable) before anyone tries to deliver it, and it is
 * acknowledged once delivered; acknowledgements go to a per-segment ack log. Reopening
 * a spool after a crash or kill -9 finds every record that was appended and not
 * acknowledged, in order, and nothing else. A segment whose records are all
 * acknowledged is deleted. The format and the policies are in docs/alerts.md.
 *
 *     vigil_spool *s;
 *     vigil_spool_options o = vigil_spool_options_default();
 *     if (vigil_spool_open("/var/lib/vigil/spool", &o, &s, &err) < 0) ...
 *     uint64_t seq;
 *     if (vigil_spool_append(s, id, key, klen, value, vlen, &seq, &err) == VIGIL_STATUS_FULL)
 *         ... refused: tell the caller, nothing accepted before is touched ...
 *     ... deliver; on success: vigil_spool_ack(s, seq, &err);
 *     for (uint64_t q = vigil_spool_first_pending(s); q != VIGIL_SPOOL_NONE;
 *          q = vigil_spool_next_pending(s, q)) ... vigil_spool_read(s, q, &rec, &err) ...
 *     vigil_spool_close(s);
 *
 * Not thread-safe: callers serialise access (the Kafka publisher holds a mutex).
 */
#ifndef VIGIL_SPOOL_H
#define VIGIL_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_SPOOL_NONE UINT64_MAX

typedef enum vigil_spool_sync_policy {
    VIGIL_SPOOL_SYNC_NEVER = 0, /* page cache only: survives a process crash, not the OS */
    VIGIL_SPOOL_SYNC_INTERVAL,  /* fdatasync at most every sync_interval_ms (default) */
    VIGIL_SPOOL_SYNC_ALWAYS,    /* fdatasync before append returns */
} vigil_spool_sync_policy;

typedef struct vigil_spool_options {
    uint64_t max_bytes;     /* all segment files together, default 256 MiB */
    uint64_t segment_bytes; /* a segment is closed past this size, default 4 MiB */
    vigil_spool_sync_policy sync;
    int sync_interval_ms; /* default 200 */
} vigil_spool_options;

typedef struct vigil_spool_record {
    uint64_t seq;
    char *id; /* NUL-terminated, like key and value (the NUL is not counted) */
    char *key;
    char *value;
    size_t id_len, key_len, value_len;
} vigil_spool_record;

typedef struct vigil_spool_stats {
    uint64_t appended;      /* records appended since open */
    uint64_t acked;         /* acknowledged since open */
    uint64_t refused;       /* appends refused: spool full or disk full */
    uint64_t recovered;     /* unacknowledged records found at open */
    uint64_t truncated;     /* bytes of torn records cut off at open */
    uint64_t pending;       /* appended, not acknowledged */
    uint64_t bytes;         /* size of the segment files */
    uint64_t segments;      /* segment files */
    uint64_t syncs;         /* fdatasync calls */
    uint64_t sync_failures; /* fdatasync calls that failed (retried at the next) */
} vigil_spool_stats;

typedef struct vigil_spool vigil_spool;

vigil_spool_options vigil_spool_options_default(void);
/* Creates dir if needed, recovers what is there. */
vigil_status vigil_spool_open(const char *dir, const vigil_spool_options *options,
                              vigil_spool **out, vigil_error *err);
/* Flushes by the sync policy and closes; pending records stay for the next open. */
void vigil_spool_close(vigil_spool *s);

/* Appends a record. VIGIL_STATUS_FULL when max_bytes or the disk has no room: the
 * record is refused (counted), the spool is unchanged and stays usable. */
vigil_status vigil_spool_append(vigil_spool *s, const char *id, const void *key, size_t key_len,
                                const void *value, size_t value_len, uint64_t *seq,
                                vigil_error *err);
/* Marks seq delivered. Acknowledging twice or an unknown seq is harmless. */
vigil_status vigil_spool_ack(vigil_spool *s, uint64_t seq, vigil_error *err);
/* Reads a pending record (fields malloc'd; free with vigil_spool_record_free). */
vigil_status vigil_spool_read(vigil_spool *s, uint64_t seq, vigil_spool_record *record,
                              vigil_error *err);
void vigil_spool_record_free(vigil_spool_record *record);

/* Pending records in seq order: VIGIL_SPOOL_NONE past the last. */
uint64_t vigil_spool_first_pending(const vigil_spool *s);
uint64_t vigil_spool_next_pending(const vigil_spool *s, uint64_t seq);

/* fdatasync now if anything was written since the last sync. */
vigil_status vigil_spool_sync(vigil_spool *s, vigil_error *err);
/* Milliseconds until the interval policy wants a sync, -1 when nothing is unsynced. */
int vigil_spool_sync_due_ms(const vigil_spool *s);
void vigil_spool_get_stats(const vigil_spool *s, vigil_spool_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
