/* Opening a spool: lock the folder, read every segment, cut torn tails, apply the ack
 * logs; what is left unacknowledged is what a crash interrupted. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crc32.h"
#include "spool_internal.h"

vigil_spool_options vigil_spool_options_default(void) {
    return (vigil_spool_options){.max_bytes = 256ull << 20,
                                 .segment_bytes = 4ull << 20,
                                 .sync = VIGIL_SPOOL_SYNC_INTERVAL,
                                 .sync_interval_ms = 200};
}

uint64_t spool_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void spool_put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void spool_put64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t spool_get32(const uint8_t *p) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

uint64_t spool_get64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void spool_segment_path(const vigil_spool *s, uint64_t first_seq, const char *ext, char *out,
                        size_t cap) {
    snprintf(out, cap, "%s/%016llx.%s", s->dir, (unsigned long long)first_seq, ext);
}

void spool_sync_dir(const vigil_spool *s) {
    if (s->options.sync == VIGIL_SPOOL_SYNC_NEVER)
        return;
    int fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

vigil_status spool_segment_open(vigil_spool *s, uint64_t first_seq, bool create, spool_segment *seg,
                                vigil_error *err) {
    char path[4096];
    int flags = O_RDWR | O_APPEND | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
    memset(seg, 0, sizeof *seg);
    seg->first_seq = seg->end_seq = first_seq;
    seg->fd = seg->ack_fd = -1;
    spool_segment_path(s, first_seq, "log", path, sizeof path);
    seg->fd = open(path, flags, 0644);
    if (seg->fd >= 0) {
        spool_segment_path(s, first_seq, "ack", path, sizeof path);
        seg->ack_fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_CREAT, 0644);
    }
    if (seg->fd < 0 || seg->ack_fd < 0) {
        int saved = errno;
        if (seg->fd >= 0)
            close(seg->fd);
        if (create) {
            spool_segment_path(s, first_seq, "log", path, sizeof path);
            unlink(path);
        }
        bool full = saved == ENOSPC || saved == EDQUOT;
        return vigil_error_set(err, full ? VIGIL_STATUS_FULL : VIGIL_STATUS_IO,
                               "spool %s: cannot open %s: %s", s->dir, path, strerror(saved));
    }
    if (create)
        spool_sync_dir(s);
    return VIGIL_STATUS_OK;
}

bool spool_push_entry(vigil_spool *s, uint32_t offset, uint32_t length) {
    if (s->entry_count == s->entry_capacity) {
        size_t cap = s->entry_capacity ? s->entry_capacity * 2 : 1024;
        spool_entry *grown = realloc(s->entries, cap * sizeof *grown);
        if (!grown)
            return false;
        s->entries = grown;
        s->entry_capacity = cap;
    }
    s->entries[s->entry_count++] = (spool_entry){offset, length, false};
    return true;
}

/* Reads a segment's records; cuts the file at the first one that is incomplete or fails
 * its checksum (a write the crash interrupted). */
static vigil_status recover_log(vigil_spool *s, spool_segment *seg, vigil_error *err) {
    struct stat st;
    if (fstat(seg->fd, &st) < 0)
        return vigil_error_set(err, VIGIL_STATUS_IO, "spool %s: %s", s->dir, strerror(errno));
    uint64_t size = (uint64_t)st.st_size, offset = 0;
    uint8_t *buffer = NULL;
    size_t buffer_cap = 0;
    while (offset + SPOOL_HEADER <= size) {
        uint8_t header[SPOOL_HEADER];
        if (pread(seg->fd, header, SPOOL_HEADER, (off_t)offset) != SPOOL_HEADER)
            break;
        uint64_t seq = spool_get64(header + 8);
        uint64_t body = (uint64_t)spool_get32(header + 16) + spool_get32(header + 20) +
                        spool_get32(header + 24);
        if (spool_get32(header) != SPOOL_MAGIC || seq != seg->end_seq || body > SPOOL_MAX_RECORD ||
            offset + SPOOL_HEADER + body > size)
            break;
        size_t length = SPOOL_HEADER + (size_t)body;
        if (length > buffer_cap) {
            uint8_t *grown = realloc(buffer, length);
            if (!grown)
                break;
            buffer = grown;
            buffer_cap = length;
        }
        if (pread(seg->fd, buffer, length, (off_t)offset) != (ssize_t)length ||
            vigil_crc32(0, buffer + 8, length - 8) != spool_get32(header + 4))
            break;
        if (!spool_push_entry(s, (uint32_t)offset, (uint32_t)length)) {
            free(buffer);
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "spool %s: out of memory", s->dir);
        }
        seg->end_seq++;
        offset += length;
    }
    free(buffer);
    if (offset < size) {
        if (ftruncate(seg->fd, (off_t)offset) < 0)
            seg->broken = true; /* keep reading what is good, never append after junk */
        s->stats.truncated += size - offset;
    }
    seg->bytes = offset;
    return VIGIL_STATUS_OK;
}

static void recover_acks(vigil_spool *s, spool_segment *seg) {
    struct stat st;
    if (fstat(seg->ack_fd, &st) < 0)
        return;
    uint64_t whole = (uint64_t)st.st_size / 8 * 8;
    if (whole < (uint64_t)st.st_size && ftruncate(seg->ack_fd, (off_t)whole) == 0)
        s->stats.truncated += (uint64_t)st.st_size - whole;
    seg->ack_bytes = whole;
    uint8_t chunk[8 * 512];
    for (uint64_t off = 0; off < whole; off += sizeof chunk) {
        ssize_t got = pread(seg->ack_fd, chunk, sizeof chunk, (off_t)off);
        if (got <= 0)
            break;
        for (ssize_t i = 0; i + 8 <= got; i += 8) {
            uint64_t seq = spool_get64(chunk + i);
            if (seq < seg->first_seq || seq >= seg->end_seq)
                continue;
            spool_entry *e = &s->entries[seq - s->base_seq];
            if (!e->acked) {
                e->acked = true;
                seg->acked++;
            }
        }
    }
}

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static vigil_status list_segments(vigil_spool *s, uint64_t **firsts, int *count, vigil_error *err) {
    DIR *d = opendir(s->dir);
    if (!d)
        return vigil_error_set(err, VIGIL_STATUS_IO, "spool %s: %s", s->dir, strerror(errno));
    int n = 0, cap = 0;
    uint64_t *list = NULL;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        unsigned long long first;
        char tail[8];
        if (strlen(ent->d_name) != 20 || sscanf(ent->d_name, "%16llx.%3s", &first, tail) != 2 ||
            strcmp(tail, "log") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            uint64_t *grown = realloc(list, (size_t)cap * sizeof *grown);
            if (!grown) {
                free(list);
                closedir(d);
                return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
            }
            list = grown;
        }
        list[n++] = first;
    }
    closedir(d);
    if (n > 1)
        qsort(list, (size_t)n, sizeof *list, compare_u64);
    *firsts = list;
    *count = n;
    return VIGIL_STATUS_OK;
}

static vigil_status make_dirs(const char *dir, vigil_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return vigil_error_set(err, VIGIL_STATUS_IO, "spool %s: cannot create %s: %s", dir,
                                       path, strerror(errno));
            if (end)
                break;
            *p = '/';
        }
    }
    return VIGIL_STATUS_OK;
}

static vigil_status recover(vigil_spool *s, vigil_error *err) {
    uint64_t *firsts = NULL;
    int n = 0;
    vigil_status st = list_segments(s, &firsts, &n, err);
    if (st < 0)
        return st;
    s->segments = calloc((size_t)n + 1, sizeof *s->segments);
    s->segment_capacity = n + 1;
    if (!s->segments) {
        free(firsts);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    s->base_seq = s->next_seq = n ? firsts[0] : 0;
    for (int i = 0; i < n && st >= 0; i++) {
        /* Segments are contiguous; a gap would mean a lost file: start afresh after it. */
        if (firsts[i] != s->next_seq) {
            st = vigil_error_set(err, VIGIL_STATUS_FORMAT,
                                 "spool %s: segment %016llx does not follow record %llu "
                                 "(a segment file is missing)",
                                 s->dir, (unsigned long long)firsts[i],
                                 (unsigned long long)s->next_seq);
            break;
        }
        spool_segment *seg = &s->segments[s->segment_count];
        st = spool_segment_open(s, firsts[i], false, seg, err);
        if (st < 0)
            break;
        s->segment_count++;
        if ((st = recover_log(s, seg, err)) < 0)
            break;
        recover_acks(s, seg);
        s->next_seq = seg->end_seq;
        s->stats.bytes += seg->bytes + seg->ack_bytes;
        s->pending += (seg->end_seq - seg->first_seq) - seg->acked;
    }
    free(firsts);
    if (st < 0)
        return st;
    s->stats.recovered = s->pending;
    spool_collect(s);
    return VIGIL_STATUS_OK;
}

vigil_status vigil_spool_open(const char *dir, const vigil_spool_options *options,
                              vigil_spool **out, vigil_error *err) {
    vigil_spool_options o = options ? *options : vigil_spool_options_default();
    if (!dir || !*dir || !out)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "spool: no folder");
    if (o.segment_bytes < 4096 || o.max_bytes < 2 * o.segment_bytes || o.sync_interval_ms < 0)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "spool %s: max_bytes must hold two segments of >= 4 KiB", dir);
    vigil_status st = make_dirs(dir, err);
    if (st < 0)
        return st;
    vigil_spool *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = strdup(dir))) {
        free(s);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    s->options = o;
    s->lock_fd = -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/lock", dir);
    s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        /* One writer per spool: two would interleave records and both resend them. */
        st = vigil_error_set(err, VIGIL_STATUS_IO, "spool %s: %s", dir,
                             s->lock_fd < 0 ? strerror(errno)
                                            : "in use by another process (locked)");
        vigil_spool_close(s);
        return st;
    }
    if ((st = recover(s, err)) < 0) {
        vigil_spool_close(s);
        return st;
    }
    s->last_sync_ms = spool_now_ms();
    *out = s;
    return VIGIL_STATUS_OK;
}

void vigil_spool_close(vigil_spool *s) {
    if (!s)
        return;
    if (s->options.sync != VIGIL_SPOOL_SYNC_NEVER)
        vigil_spool_sync(s, NULL);
    for (int i = 0; i < s->segment_count; i++) {
        close(s->segments[i].fd);
        close(s->segments[i].ack_fd);
    }
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    free(s->segments);
    free(s->entries);
    free(s->dir);
    free(s);
}
