/*
 * vigil/publisher.h — where alerts go: Kafka (behind a disk spool) or a JSON-lines file.
 *
 * The Kafka publisher delivers at least once. publish() appends the record to the
 * spool first, then hands it to librdkafka (idempotent producer, acks=all, key =
 * camera id). A background thread serves delivery reports: a success acknowledges the
 * record in the spool; a failure (message.timeout.ms expired, broker error, fatal
 * idempotence error) keeps it and produces it again after retry_backoff_ms, recreating
 * the producer when librdkafka declares a fatal error. Records found in the spool at
 * start (a crash, a kill -9, an outage that outlived the process) are produced again.
 * When the spool is full publish() refuses the new record with VIGIL_STATUS_FULL and
 * counts it; what was accepted is never dropped.
 *
 *     const char *props[] = {"security.protocol=SASL_SSL", "sasl.mechanism=PLAIN",
 *                            "sasl.username=cam", "sasl.password=..."};
 *     vigil_kafka_options o = vigil_kafka_options_default();
 *     o.brokers = "kafka1:9092"; o.topic = "alerts"; o.spool_dir = "/var/spool/vigil";
 *     o.properties = props; o.property_count = 4;
 *     vigil_publisher *p;
 *     if (vigil_publisher_kafka_create(&o, &p, &err) < 0) ...
 *     vigil_publisher_publish_alert(p, &alert, &err);
 *     vigil_publisher_flush(p, 10000, &err);   // TIMEOUT: some still pending (kept)
 *     vigil_publisher_free(p);
 *
 * Secrets (any property whose name holds "password", "secret", "key", "token",
 * "jaas" or "credential") are never written to logs or error messages: their values
 * are replaced by "***" in everything the publisher reports.
 * All calls are thread-safe.
 */
#ifndef VIGIL_PUBLISHER_H
#define VIGIL_PUBLISHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/alert.h"
#include "vigil/spool.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_publisher_stats {
    uint64_t accepted;    /* publish calls that returned OK */
    uint64_t refused;     /* publish calls refused (spool or queue full) */
    uint64_t delivered;   /* successful delivery reports */
    uint64_t failed;      /* delivery reports with an error (the record is retried) */
    uint64_t produced;    /* hand-overs to librdkafka, retries included */
    uint64_t replayed;    /* records found pending in the spool at start */
    uint64_t pending;     /* accepted or replayed, not yet delivered */
    uint64_t in_flight;   /* handed to librdkafka, no report yet */
    uint64_t restarts;    /* producers recreated after a fatal error */
    uint64_t spool_bytes; /* 0 without a spool */
} vigil_publisher_stats;

/* level: syslog levels (3 error .. 7 debug); message has secrets redacted. */
typedef void (*vigil_publisher_log_fn)(void *opaque, int level, const char *message);

typedef struct vigil_kafka_options {
    const char *brokers; /* bootstrap.servers */
    const char *topic;
    const char *const *properties; /* "name=value" passed to librdkafka as they are */
    int property_count;
    const char *spool_dir; /* NULL: no spool, records wait in memory only */
    vigil_spool_options spool;
    int retry_backoff_ms;       /* before producing a failed record again, default 500 */
    int max_in_flight;          /* records librdkafka holds at once, default 50000 */
    int max_memory_records;     /* without a spool: accepted and undelivered, default 100000 */
    vigil_publisher_log_fn log; /* librdkafka's and the publisher's log lines; NULL: none */
    void *log_opaque;
} vigil_kafka_options;

typedef struct vigil_publisher vigil_publisher;

vigil_kafka_options vigil_kafka_options_default(void);
vigil_status vigil_publisher_kafka_create(const vigil_kafka_options *options, vigil_publisher **out,
                                          vigil_error *err);
/* One alert JSON per line; path "-" is stdout. sync: fdatasync after every line. */
vigil_status vigil_publisher_jsonl_create(const char *path, bool sync, vigil_publisher **out,
                                          vigil_error *err);

/* Accepts one record: id is the alert_id (for the spool and diagnostics), key the
 * Kafka key, value the payload. Copies what it needs. */
vigil_status vigil_publisher_publish(vigil_publisher *p, const char *id, const char *key,
                                     const void *value, size_t len, vigil_error *err);
/* Serialises the alert and publishes it with key = camera_id. */
vigil_status vigil_publisher_publish_alert(vigil_publisher *p, const vigil_alert *alert,
                                           vigil_error *err);
/* Waits until nothing is pending; VIGIL_STATUS_TIMEOUT with the count left otherwise. */
vigil_status vigil_publisher_flush(vigil_publisher *p, int timeout_ms, vigil_error *err);
void vigil_publisher_get_stats(vigil_publisher *p, vigil_publisher_stats *stats);
/* Stops without waiting: what is pending stays in the spool for the next start. */
void vigil_publisher_free(vigil_publisher *p);

/* Whether a librdkafka property name carries a secret (its value is never shown). */
bool vigil_kafka_property_is_secret(const char *name);

#ifdef __cplusplus
}
#endif
#endif
