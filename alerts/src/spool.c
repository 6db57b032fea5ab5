/* Appending, acknowledging, reading back and syncing spool records. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc32.h"
#include "spool_internal.h"

int spool_segment_of(const vigil_spool *s, uint64_t seq) {
    int lo = 0, hi = s->segment_count - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const spool_segment *g = &s->segments[mid];
        if (seq < g->first_seq)
            hi = mid - 1;
        else if (seq >= g->end_seq)
            lo = mid + 1;
        else
            return mid;
    }
    return -1;
}

void spool_collect(vigil_spool *s) {
    int drop = 0;
    while (drop < s->segment_count - 1) {
        const spool_segment *g = &s->segments[drop];
        if (g->acked < g->end_seq - g->first_seq)
            break;
        drop++;
    }
    if (!drop)
        return;
    uint64_t records = 0;
    for (int i = 0; i < drop; i++) {
        spool_segment *g = &s->segments[i];
        char path[4096];
        close(g->fd);
        close(g->ack_fd);
        /* The log goes first: an ack file without its log is ignored at open. */
        spool_segment_path(s, g->first_seq, "log", path, sizeof path);
        unlink(path);
        spool_segment_path(s, g->first_seq, "ack", path, sizeof path);
        unlink(path);
        s->stats.bytes -= g->bytes + g->ack_bytes;
        records += g->end_seq - g->first_seq;
    }
    memmove(s->segments, s->segments + drop,
            (size_t)(s->segment_count - drop) * sizeof *s->segments);
    s->segment_count -= drop;
    memmove(s->entries, s->entries + records, (s->entry_count - records) * sizeof *s->entries);
    s->entry_count -= records;
    s->base_seq += records;
    spool_sync_dir(s);
}

static bool no_space(int e) {
    return e == ENOSPC || e == EFBIG || e == EDQUOT;
}

static vigil_status refuse(vigil_spool *s, vigil_error *err, vigil_status status,
                           const char *format, const char *detail, size_t size) {
    s->stats.refused++;
    char what[256];
    snprintf(what, sizeof what, format, detail);
    return vigil_error_set(err, status,
                           "spool %s: %s: record of %zu bytes refused (%llu pending records "
                           "kept)",
                           s->dir, what, size, (unsigned long long)s->pending);
}

/* The segment to append size bytes to, opening a new one when the last is full. */
static spool_segment *active_segment(vigil_spool *s, size_t size, vigil_status *st,
                                     vigil_error *err) {
    spool_segment *last = s->segment_count ? &s->segments[s->segment_count - 1] : NULL;
    if (last && !last->broken &&
        (last->bytes == 0 || last->bytes + size <= s->options.segment_bytes))
        return last;
    if (s->segment_count == s->segment_capacity) {
        int cap = s->segment_capacity ? s->segment_capacity * 2 : 8;
        spool_segment *grown = realloc(s->segments, (size_t)cap * sizeof *grown);
        if (!grown) {
            *st = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
            return NULL;
        }
        s->segments = grown;
        s->segment_capacity = cap;
    }
    spool_segment *seg = &s->segments[s->segment_count];
    *st = spool_segment_open(s, s->next_seq, true, seg, err);
    if (*st < 0)
        return NULL;
    s->segment_count++;
    return seg;
}

vigil_status vigil_spool_append(vigil_spool *s, const char *id, const void *key, size_t key_len,
                                const void *value, size_t value_len, uint64_t *seq,
                                vigil_error *err) {
    size_t id_len = id ? strlen(id) : 0;
    size_t size = SPOOL_HEADER + id_len + key_len + value_len;
    if (id_len + key_len + value_len > SPOOL_MAX_RECORD)
        return refuse(s, err, VIGIL_STATUS_INVALID_ARGUMENT, "%s", "record too large", size);
    if (s->stats.bytes + size + 8 > s->options.max_bytes)
        return refuse(s, err, VIGIL_STATUS_FULL, "full (max_bytes %s)", "reached", size);
    vigil_status st = VIGIL_STATUS_OK;
    spool_segment *seg = active_segment(s, size, &st, err);
    if (!seg) {
        if (st == VIGIL_STATUS_FULL)
            s->stats.refused++;
        return st;
    }
    uint8_t *buffer = malloc(size);
    if (!buffer || !spool_push_entry(s, (uint32_t)seg->bytes, (uint32_t)size)) {
        free(buffer);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "spool %s: out of memory", s->dir);
    }
    s->entry_count--; /* reserved; committed once the bytes are written */
    spool_put32(buffer, SPOOL_MAGIC);
    spool_put64(buffer + 8, s->next_seq);
    spool_put32(buffer + 16, (uint32_t)id_len);
    spool_put32(buffer + 20, (uint32_t)key_len);
    spool_put32(buffer + 24, (uint32_t)value_len);
    memcpy(buffer + SPOOL_HEADER, id, id_len);
    memcpy(buffer + SPOOL_HEADER + id_len, key, key_len);
    memcpy(buffer + SPOOL_HEADER + id_len + key_len, value, value_len);
    spool_put32(buffer + 4, vigil_crc32(0, buffer + 8, size - 8));
    size_t done = 0;
    int saved = 0;
    while (done < size) {
        ssize_t n = write(seg->fd, buffer + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            saved = n < 0 ? errno : ENOSPC;
            break;
        }
        done += (size_t)n;
    }
    free(buffer);
    if (done < size) {
        /* Undo the partial record so the next append does not follow junk. */
        if (done > 0 && ftruncate(seg->fd, (off_t)seg->bytes) < 0)
            seg->broken = true;
        if (no_space(saved))
            return refuse(s, err, VIGIL_STATUS_FULL, "no space left on device (%s)",
                          strerror(saved), size);
        return refuse(s, err, VIGIL_STATUS_IO, "write failed: %s", strerror(saved), size);
    }
    s->entry_count++;
    seg->bytes += size;
    seg->end_seq++;
    seg->log_dirty = true;
    s->stats.bytes += size;
    s->stats.appended++;
    s->pending++;
    if (seq)
        *seq = s->next_seq;
    s->next_seq++;
    /* The record is accepted once written: a failed sync is counted and retried on the
     * next one, not reported as a refusal of a record that is in the file. */
    if (s->options.sync == VIGIL_SPOOL_SYNC_ALWAYS ||
        (s->options.sync == VIGIL_SPOOL_SYNC_INTERVAL && vigil_spool_sync_due_ms(s) == 0))
        vigil_spool_sync(s, NULL);
    return VIGIL_STATUS_OK;
}

vigil_status vigil_spool_ack(vigil_spool *s, uint64_t seq, vigil_error *err) {
    if (seq < s->base_seq || seq >= s->next_seq)
        return VIGIL_STATUS_OK;
    spool_entry *e = &s->entries[seq - s->base_seq];
    if (e->acked)
        return VIGIL_STATUS_OK;
    int index = spool_segment_of(s, seq);
    if (index < 0)
        return VIGIL_STATUS_OK;
    spool_segment *seg = &s->segments[index];
    /* Acknowledged in memory whatever the disk says: at worst a restart resends it. */
    e->acked = true;
    seg->acked++;
    s->pending--;
    s->stats.acked++;
    uint8_t bytes[8];
    spool_put64(bytes, seq);
    vigil_status st = VIGIL_STATUS_OK;
    ssize_t n;
    do
        n = write(seg->ack_fd, bytes, 8);
    while (n < 0 && errno == EINTR);
    if (n == 8) {
        seg->ack_bytes += 8;
        s->stats.bytes += 8;
        seg->ack_dirty = true;
    } else {
        if (n > 0 && ftruncate(seg->ack_fd, (off_t)seg->ack_bytes) < 0)
            seg->ack_bytes += (uint64_t)n; /* a torn ack is cut at the next open */
        st = vigil_error_set(err, VIGIL_STATUS_IO,
                             "spool %s: cannot record delivery of %llu (%s): it may be sent "
                             "again after a restart",
                             s->dir, (unsigned long long)seq, n < 0 ? strerror(errno) : "short");
    }
    spool_collect(s);
    return st;
}

vigil_status vigil_spool_read(vigil_spool *s, uint64_t seq, vigil_spool_record *rec,
                              vigil_error *err) {
    memset(rec, 0, sizeof *rec);
    int index = spool_segment_of(s, seq);
    if (index < 0 || seq < s->base_seq || s->entries[seq - s->base_seq].acked)
        return vigil_error_set(err, VIGIL_STATUS_NOT_FOUND, "spool %s: no pending record %llu",
                               s->dir, (unsigned long long)seq);
    const spool_entry *e = &s->entries[seq - s->base_seq];
    uint8_t *buffer = malloc(e->length);
    if (!buffer)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    if (pread(s->segments[index].fd, buffer, e->length, e->offset) != (ssize_t)e->length ||
        vigil_crc32(0, buffer + 8, e->length - 8) != spool_get32(buffer + 4)) {
        free(buffer);
        return vigil_error_set(err, VIGIL_STATUS_IO, "spool %s: record %llu unreadable", s->dir,
                               (unsigned long long)seq);
    }
    size_t lens[3] = {spool_get32(buffer + 16), spool_get32(buffer + 20), spool_get32(buffer + 24)};
    char *parts[3];
    size_t at = SPOOL_HEADER;
    for (int i = 0; i < 3; i++) {
        parts[i] = malloc(lens[i] + 1);
        if (parts[i]) {
            memcpy(parts[i], buffer + at, lens[i]);
            parts[i][lens[i]] = '\0';
        }
        at += lens[i];
    }
    free(buffer);
    rec->seq = seq;
    rec->id = parts[0];
    rec->key = parts[1];
    rec->value = parts[2];
    rec->id_len = lens[0];
    rec->key_len = lens[1];
    rec->value_len = lens[2];
    if (!parts[0] || !parts[1] || !parts[2]) {
        vigil_spool_record_free(rec);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    return VIGIL_STATUS_OK;
}

void vigil_spool_record_free(vigil_spool_record *rec) {
    free(rec->id);
    free(rec->key);
    free(rec->value);
    memset(rec, 0, sizeof *rec);
}

uint64_t vigil_spool_next_pending(const vigil_spool *s, uint64_t seq) {
    uint64_t q = seq == VIGIL_SPOOL_NONE ? s->base_seq : seq + 1;
    if (q < s->base_seq)
        q = s->base_seq;
    for (; q < s->next_seq; q++)
        if (!s->entries[q - s->base_seq].acked)
            return q;
    return VIGIL_SPOOL_NONE;
}

uint64_t vigil_spool_first_pending(const vigil_spool *s) {
    return vigil_spool_next_pending(s, VIGIL_SPOOL_NONE);
}

vigil_status vigil_spool_sync(vigil_spool *s, vigil_error *err) {
    vigil_status st = VIGIL_STATUS_OK;
    for (int i = 0; i < s->segment_count; i++) {
        spool_segment *g = &s->segments[i];
        bool failed =
            (g->log_dirty && fdatasync(g->fd) < 0) || (g->ack_dirty && fdatasync(g->ack_fd) < 0);
        if (failed) {
            s->stats.sync_failures++;
            st = vigil_error_set(err, VIGIL_STATUS_IO, "spool %s: fdatasync: %s", s->dir,
                                 strerror(errno));
            continue; /* stays dirty: tried again at the next sync */
        }
        if (g->log_dirty || g->ack_dirty)
            s->stats.syncs++;
        g->log_dirty = g->ack_dirty = false;
    }
    s->last_sync_ms = spool_now_ms();
    return st;
}

int vigil_spool_sync_due_ms(const vigil_spool *s) {
    bool dirty = false;
    for (int i = 0; i < s->segment_count && !dirty; i++)
        dirty = s->segments[i].log_dirty || s->segments[i].ack_dirty;
    if (!dirty || s->options.sync == VIGIL_SPOOL_SYNC_NEVER)
        return -1;
    uint64_t due = s->last_sync_ms + (uint64_t)s->options.sync_interval_ms, now = spool_now_ms();
    return now >= due ? 0 : (int)(due - now);
}

void vigil_spool_get_stats(const vigil_spool *s, vigil_spool_stats *stats) {
    *stats = s->stats;
    stats->pending = s->pending;
    stats->segments = (uint64_t)s->segment_count;
}
