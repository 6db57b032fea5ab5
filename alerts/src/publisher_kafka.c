/* The Kafka publisher: spool first, then librdkafka; a service thread serves delivery
 * reports, retries failures and replays what the spool held at start. */
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "publisher_internal.h"

enum { RECORD_WAITING = 0, RECORD_IN_FLIGHT, RECORD_DONE };
enum { POLL_MS = 20 };

typedef struct kafka_record {
    uint8_t state;
    uint64_t retry_at_ms;
    char *id, *key, *value; /* only without a spool: the spool holds them otherwise */
    size_t key_len, value_len;
} kafka_record;

typedef struct kafka_publisher {
    vigil_publisher base;
    char *brokers, *topic, *spool_dir;
    int property_count;
    char **properties;
    vigil_kafka_options options;
    kafka_secrets secrets;
    rd_kafka_t *rk;
    vigil_spool *spool;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t thread;
    bool thread_started, stop, fatal, recreating;
    /* Records head_seq .. head_seq + count - 1, in seq order. */
    kafka_record *records;
    size_t count, capacity;
    uint64_t head_seq, next_memory_seq, scan_from;
    uint64_t waiting;
    vigil_publisher_stats stats;
} kafka_publisher;

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void say(kafka_publisher *p, int level, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void say(kafka_publisher *p, int level, const char *format, ...) {
    if (!p->options.log)
        return;
    char text[1024], clean[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    kafka_secrets_redact(&p->secrets, text, clean, sizeof clean);
    p->options.log(p->options.log_opaque, level, clean);
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    kafka_publisher *p = rd_kafka_opaque(rk);
    if (p)
        say(p, level, "librdkafka %s: %s", fac, buf);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    kafka_publisher *p = opaque;
    bool fatal = err == RD_KAFKA_RESP_ERR__FATAL;
    say(p, fatal ? 2 : 4, "kafka %s: %s", fatal ? "fatal error" : "error", reason);
    if (fatal) {
        pthread_mutex_lock(&p->lock);
        p->fatal = true;
        pthread_mutex_unlock(&p->lock);
    }
}

static kafka_record *record_of(kafka_publisher *p, uint64_t seq) {
    if (seq < p->head_seq || seq - p->head_seq >= p->count)
        return NULL;
    return &p->records[seq - p->head_seq];
}

/* Drops delivered records from the front once they are half the array. */
static void compact(kafka_publisher *p) {
    size_t done = 0;
    while (done < p->count && p->records[done].state == RECORD_DONE)
        done++;
    if (done == 0 || (done < p->count && done < p->capacity / 2))
        return;
    memmove(p->records, p->records + done, (p->count - done) * sizeof *p->records);
    p->count -= done;
    p->head_seq += done;
    if (p->scan_from < p->head_seq)
        p->scan_from = p->head_seq;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    kafka_publisher *p = opaque;
    uint64_t seq = (uint64_t)(uintptr_t)m->_private;
    pthread_mutex_lock(&p->lock);
    kafka_record *r = record_of(p, seq);
    if (!r || r->state != RECORD_IN_FLIGHT) {
        pthread_mutex_unlock(&p->lock);
        return;
    }
    p->stats.in_flight--;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        r->state = RECORD_DONE;
        p->stats.delivered++;
        p->stats.pending--;
        if (p->spool) {
            vigil_error err = {0};
            if (vigil_spool_ack(p->spool, seq, &err) < 0)
                say(p, 4, "%s", err.message);
        }
        free(r->id);
        free(r->key);
        free(r->value);
        r->id = r->key = r->value = NULL;
        compact(p);
    } else {
        /* Kept: produced again after the backoff, with a fresh producer if need be. */
        r->state = RECORD_WAITING;
        r->retry_at_ms = now_ms() + (uint64_t)p->options.retry_backoff_ms;
        p->waiting++;
        bool purged =
            m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT;
        if (purged) {
            /* Our own purge (stop or producer restart), not a delivery failure. */
            pthread_cond_broadcast(&p->changed);
            pthread_mutex_unlock(&p->lock);
            return;
        }
        p->stats.failed++;
        if (seq < p->scan_from)
            p->scan_from = seq;
        if (m->err == RD_KAFKA_RESP_ERR__FATAL)
            p->fatal = true;
        if (p->stats.failed <= 5 || p->stats.failed % 1000 == 0)
            say(p, 4, "delivery of record %llu failed (%s); %llu failures so far, kept for retry",
                (unsigned long long)seq, rd_kafka_err2str(m->err),
                (unsigned long long)p->stats.failed);
    }
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

static vigil_status conf_set(kafka_publisher *p, rd_kafka_conf_t *conf, const char *name,
                             const char *value, vigil_error *err) {
    char errstr[512];
    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) == RD_KAFKA_CONF_OK)
        return VIGIL_STATUS_OK;
    char clean[512];
    kafka_secrets_redact(&p->secrets, errstr, clean, sizeof clean);
    return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "kafka property '%s': %s", name,
                           vigil_kafka_property_is_secret(name) ? "invalid value (not shown)"
                                                                : clean);
}

static vigil_status create_producer(kafka_publisher *p, vigil_error *err) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    static const char *const defaults[][2] = {
        {"enable.idempotence", "true"}, {"acks", "all"}, {"linger.ms", "5"}};
    vigil_status st = conf_set(p, conf, "bootstrap.servers", p->brokers, err);
    for (size_t i = 0; st >= 0 && i < sizeof defaults / sizeof defaults[0]; i++)
        st = conf_set(p, conf, defaults[i][0], defaults[i][1], err);
    char limit[32];
    snprintf(limit, sizeof limit, "%d", p->options.max_in_flight + 1000);
    if (st >= 0)
        st = conf_set(p, conf, "queue.buffering.max.messages", limit, err);
    for (int i = 0; st >= 0 && i < p->property_count; i++) {
        char *eq = strchr(p->properties[i], '=');
        *eq = '\0';
        st = conf_set(p, conf, p->properties[i], eq + 1, err);
        *eq = '=';
    }
    if (st < 0) {
        rd_kafka_conf_destroy(conf);
        return st;
    }
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log); /* librdkafka would print to stderr otherwise */
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        char clean[512];
        kafka_secrets_redact(&p->secrets, errstr, clean, sizeof clean);
        return vigil_error_set(err, VIGIL_STATUS_BACKEND, "kafka: cannot create producer: %s",
                               clean);
    }
    p->rk = rk;
    return VIGIL_STATUS_OK;
}

/* Hands one waiting record to librdkafka; false when its queue is full. Lock held. */
static bool produce(kafka_publisher *p, uint64_t seq, kafka_record *r) {
    vigil_spool_record sr = {0};
    const char *id = r->id, *key = r->key, *value = r->value;
    size_t key_len = r->key_len, value_len = r->value_len;
    if (p->spool) {
        vigil_error err = {0};
        if (vigil_spool_read(p->spool, seq, &sr, &err) < 0) {
            say(p, 3, "%s", err.message);
            r->retry_at_ms = now_ms() + (uint64_t)p->options.retry_backoff_ms;
            return true;
        }
        id = sr.id;
        key = sr.key;
        value = sr.value;
        key_len = sr.key_len;
        value_len = sr.value_len;
    }
    rd_kafka_resp_err_t e = rd_kafka_producev(
        p->rk, RD_KAFKA_V_TOPIC(p->topic), RD_KAFKA_V_KEY(key, key_len),
        RD_KAFKA_V_VALUE((void *)value, value_len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADER("alert_id", id, -1), RD_KAFKA_V_OPAQUE((void *)(uintptr_t)seq),
        RD_KAFKA_V_END);
    vigil_spool_record_free(&sr);
    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        return false;
    if (e) {
        r->retry_at_ms = now_ms() + (uint64_t)p->options.retry_backoff_ms;
        if (e == RD_KAFKA_RESP_ERR__FATAL)
            p->fatal = true;
        return true;
    }
    r->state = RECORD_IN_FLIGHT;
    p->waiting--;
    p->stats.in_flight++;
    p->stats.produced++;
    return true;
}

/* Produces what is waiting and due, oldest first. Lock held. */
static void produce_waiting(kafka_publisher *p) {
    if (p->recreating || p->fatal || !p->waiting)
        return;
    uint64_t now = now_ms(), first_left = UINT64_MAX;
    for (uint64_t seq = p->scan_from; seq - p->head_seq < p->count; seq++) {
        kafka_record *r = record_of(p, seq);
        if (r->state != RECORD_WAITING)
            continue;
        if (r->retry_at_ms > now || p->stats.in_flight >= (uint64_t)p->options.max_in_flight ||
            !produce(p, seq, r)) {
            if (first_left == UINT64_MAX)
                first_left = seq;
            if (p->stats.in_flight >= (uint64_t)p->options.max_in_flight)
                break;
            continue;
        }
        if (r->state == RECORD_WAITING && first_left == UINT64_MAX)
            first_left = seq;
    }
    p->scan_from = first_left == UINT64_MAX ? p->head_seq + p->count : first_left;
}

static bool grow(kafka_publisher *p) {
    if (p->count < p->capacity)
        return true;
    size_t cap = p->capacity ? p->capacity * 2 : 1024;
    kafka_record *grown = realloc(p->records, cap * sizeof *grown);
    if (!grown)
        return false;
    p->records = grown;
    p->capacity = cap;
    return true;
}

/* Appends a record for seq (filling any gap with delivered placeholders). Lock held. */
static kafka_record *track(kafka_publisher *p, uint64_t seq) {
    if (p->count == 0)
        p->head_seq = p->scan_from = seq;
    while (p->head_seq + p->count < seq) {
        if (!grow(p))
            return NULL;
        memset(&p->records[p->count++], 0, sizeof *p->records);
        p->records[p->count - 1].state = RECORD_DONE;
    }
    if (!grow(p))
        return NULL;
    kafka_record *r = &p->records[p->count++];
    memset(r, 0, sizeof *r);
    r->state = RECORD_WAITING;
    p->waiting++;
    p->stats.pending++;
    if (seq < p->scan_from)
        p->scan_from = seq;
    return r;
}

static void recreate(kafka_publisher *p) {
    pthread_mutex_lock(&p->lock);
    p->recreating = true;
    rd_kafka_t *old = p->rk;
    pthread_mutex_unlock(&p->lock);
    say(p, 3, "kafka: recreating the producer after a fatal error; pending records are kept");
    rd_kafka_purge(old, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(old, 0); /* purged records come back as failures and wait again */
    rd_kafka_destroy(old);
    pthread_mutex_lock(&p->lock);
    vigil_error err = {0};
    p->rk = NULL;
    if (create_producer(p, &err) < 0) {
        say(p, 3, "%s", err.message);
        p->rk = old = NULL;
    }
    /* Anything still marked in flight belonged to the old producer. */
    for (size_t i = 0; i < p->count; i++)
        if (p->records[i].state == RECORD_IN_FLIGHT) {
            p->records[i].state = RECORD_WAITING;
            p->waiting++;
            p->stats.in_flight--;
        }
    p->scan_from = p->head_seq;
    p->fatal = false;
    p->recreating = p->rk == NULL;
    p->stats.restarts++;
    pthread_mutex_unlock(&p->lock);
}

static void *service(void *arg) {
    kafka_publisher *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        rd_kafka_t *rk = p->rk;
        bool fatal = p->fatal || (rk && rd_kafka_fatal_error(rk, NULL, 0));
        pthread_mutex_unlock(&p->lock);
        if (fatal || !rk) {
            if (rk)
                recreate(p);
            else {
                struct timespec ts = {0, 200 * 1000000L};
                nanosleep(&ts, NULL);
                pthread_mutex_lock(&p->lock);
                vigil_error err = {0};
                if (create_producer(p, &err) == VIGIL_STATUS_OK)
                    p->recreating = false;
                pthread_mutex_unlock(&p->lock);
            }
        } else {
            rd_kafka_poll(rk, POLL_MS);
        }
        pthread_mutex_lock(&p->lock);
        produce_waiting(p);
        if (p->spool && vigil_spool_sync_due_ms(p->spool) == 0) {
            vigil_error err = {0};
            if (vigil_spool_sync(p->spool, &err) < 0)
                say(p, 3, "%s", err.message);
        }
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static vigil_status kafka_publish(vigil_publisher *base, const char *id, const char *key,
                                  const void *value, size_t len, vigil_error *err) {
    kafka_publisher *p = (kafka_publisher *)base;
    pthread_mutex_lock(&p->lock);
    uint64_t seq;
    vigil_status st = VIGIL_STATUS_OK;
    if (p->spool) {
        st = vigil_spool_append(p->spool, id, key, strlen(key), value, len, &seq, err);
    } else if (p->stats.pending >= (uint64_t)p->options.max_memory_records) {
        st = vigil_error_set(err, VIGIL_STATUS_FULL,
                             "kafka: %llu records await delivery (max_memory_records): "
                             "alert %s refused",
                             (unsigned long long)p->stats.pending, id);
    } else {
        seq = p->next_memory_seq++;
    }
    if (st < 0) {
        p->stats.refused++;
        pthread_mutex_unlock(&p->lock);
        return st;
    }
    kafka_record *r = track(p, seq);
    if (!r) {
        pthread_mutex_unlock(&p->lock);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    if (!p->spool) {
        r->id = strdup(id);
        r->key = malloc(strlen(key) + 1);
        r->value = malloc(len + 1);
        if (!r->id || !r->key || !r->value) {
            /* Not accepted: undo the tracking entry. */
            free(r->id);
            free(r->key);
            free(r->value);
            p->count--;
            p->waiting--;
            p->stats.pending--;
            p->next_memory_seq--;
            pthread_mutex_unlock(&p->lock);
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
        }
        memcpy(r->key, key, strlen(key) + 1);
        memcpy(r->value, value, len);
        r->value[len] = '\0';
        r->key_len = strlen(key);
        r->value_len = len;
    }
    p->stats.accepted++;
    if (!p->recreating && !p->fatal && p->rk &&
        p->stats.in_flight < (uint64_t)p->options.max_in_flight && seq == p->scan_from)
        produce(p, seq, r);
    if (r->state == RECORD_IN_FLIGHT && p->scan_from == seq)
        p->scan_from = seq + 1;
    pthread_mutex_unlock(&p->lock);
    return VIGIL_STATUS_OK;
}

static vigil_status kafka_flush(vigil_publisher *base, int timeout_ms, vigil_error *err) {
    kafka_publisher *p = (kafka_publisher *)base;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    while (p->stats.pending > 0 && rc == 0)
        rc = pthread_cond_timedwait(&p->changed, &p->lock, &deadline);
    uint64_t left = p->stats.pending;
    pthread_mutex_unlock(&p->lock);
    if (left)
        return vigil_error_set(
            err, VIGIL_STATUS_TIMEOUT, "kafka: %llu records not yet delivered after %d ms%s",
            (unsigned long long)left, timeout_ms, p->spool ? " (kept in the spool)" : "");
    return VIGIL_STATUS_OK;
}

static void kafka_stats(vigil_publisher *base, vigil_publisher_stats *stats) {
    kafka_publisher *p = (kafka_publisher *)base;
    pthread_mutex_lock(&p->lock);
    *stats = p->stats;
    if (p->spool) {
        vigil_spool_stats ss;
        vigil_spool_get_stats(p->spool, &ss);
        stats->spool_bytes = ss.bytes;
        stats->refused = p->stats.refused;
    }
    pthread_mutex_unlock(&p->lock);
}

static void kafka_destroy(vigil_publisher *base) {
    kafka_publisher *p = (kafka_publisher *)base;
    if (p->thread_started) {
        pthread_mutex_lock(&p->lock);
        p->stop = true;
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
    }
    if (p->rk) {
        /* Undelivered records stay in the spool; librdkafka's copies are dropped. */
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(p->rk, 0);
        rd_kafka_destroy(p->rk);
    }
    vigil_spool_close(p->spool);
    for (size_t i = 0; i < p->count; i++) {
        free(p->records[i].id);
        free(p->records[i].key);
        free(p->records[i].value);
    }
    free(p->records);
    for (int i = 0; i < p->property_count; i++)
        free(p->properties[i]);
    free(p->properties);
    kafka_secrets_free(&p->secrets);
    free(p->brokers);
    free(p->topic);
    free(p->spool_dir);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->changed);
    free(p);
}

static const publisher_ops kafka_ops = {kafka_publish, kafka_flush, kafka_stats, kafka_destroy};

vigil_kafka_options vigil_kafka_options_default(void) {
    return (vigil_kafka_options){.spool = vigil_spool_options_default(),
                                 .retry_backoff_ms = 500,
                                 .max_in_flight = 50000,
                                 .max_memory_records = 100000};
}

static vigil_status copy_options(kafka_publisher *p, const vigil_kafka_options *o,
                                 vigil_error *err) {
    p->options = *o;
    p->brokers = strdup(o->brokers);
    p->topic = strdup(o->topic);
    p->spool_dir = o->spool_dir ? strdup(o->spool_dir) : NULL;
    p->properties = calloc((size_t)o->property_count + 1, sizeof(char *));
    p->secrets.values = calloc((size_t)o->property_count + 1, sizeof(char *));
    if (!p->brokers || !p->topic || (o->spool_dir && !p->spool_dir) || !p->properties ||
        !p->secrets.values)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    for (int i = 0; i < o->property_count; i++) {
        const char *prop = o->properties[i];
        const char *eq = prop ? strchr(prop, '=') : NULL;
        if (!eq || eq == prop)
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "kafka property %d: expected name=value", i + 1);
        if (!(p->properties[i] = strdup(prop)))
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
        p->property_count++;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(eq - prop), prop);
        if (vigil_kafka_property_is_secret(name) && eq[1] &&
            !(p->secrets.values[p->secrets.count++] = strdup(eq + 1)))
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    }
    return VIGIL_STATUS_OK;
}

/* Tracks what the spool still holds, to be produced again. */
static vigil_status replay(kafka_publisher *p, vigil_error *err) {
    for (uint64_t q = vigil_spool_first_pending(p->spool); q != VIGIL_SPOOL_NONE;
         q = vigil_spool_next_pending(p->spool, q)) {
        kafka_record *r = track(p, q);
        if (!r)
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
        p->stats.replayed++;
    }
    if (p->stats.replayed)
        say(p, 5, "spool %s: %llu undelivered records from before are being sent again",
            p->spool_dir, (unsigned long long)p->stats.replayed);
    return VIGIL_STATUS_OK;
}

vigil_status vigil_publisher_kafka_create(const vigil_kafka_options *o, vigil_publisher **out,
                                          vigil_error *err) {
    if (!o || !o->brokers || !*o->brokers || !o->topic || !*o->topic || !out)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "kafka: brokers and topic are required");
    if (o->max_in_flight < 1 || o->retry_backoff_ms < 0 || o->max_memory_records < 1)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "kafka: max_in_flight and max_memory_records must be >= 1");
    kafka_publisher *p = calloc(1, sizeof *p);
    if (!p)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    p->base.ops = &kafka_ops;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    vigil_status st = copy_options(p, o, err);
    if (st >= 0 && p->spool_dir &&
        (st = vigil_spool_open(p->spool_dir, &o->spool, &p->spool, err)) >= 0)
        st = replay(p, err);
    if (st >= 0)
        st = create_producer(p, err);
    if (st >= 0 && pthread_create(&p->thread, NULL, service, p) != 0)
        st = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "kafka: cannot start a thread");
    else if (st >= 0)
        p->thread_started = true;
    if (st < 0) {
        kafka_destroy(&p->base);
        return st;
    }
    *out = &p->base;
    return VIGIL_STATUS_OK;
}
