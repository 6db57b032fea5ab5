/* bench_publisher — alerts per second through the Kafka publisher (spool with each sync
 * policy, and no spool), and kcat -P producing the same payloads to the same broker in
 * the same run. The broker is librdkafka's mock cluster on loopback (as `vigil broker`).
 * Each figure is end to end: start, send N alerts, wait until all are acknowledged; the
 * median of three runs after a warm-up. "on broker" is what the topic holds afterwards
 * (all runs), read from the partitions' high watermarks.
 *
 *     bench_publisher [--count N] [--kcat PATH]
 */
#include <getopt.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vigil/alerts.h"

enum { REPEATS = 3 };

static double median(double *v) {
    for (int i = 1; i < REPEATS; i++)
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[REPEATS / 2];
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct payloads {
    int count;
    char **json;
    char (*id)[VIGIL_ALERT_ID_SIZE];
    size_t bytes;
} payloads;

/* Realistic alerts: an intrusion with two objects and details, about 500 bytes. */
static payloads make_payloads(int n) {
    payloads p = {.count = n,
                  .json = calloc((size_t)n, sizeof(char *)),
                  .id = calloc((size_t)n, VIGIL_ALERT_ID_SIZE)};
    vigil_alert_object objs[2] = {
        {.track_id = 17, .label = "person", .box = {312.5f, 240, 41, 118}, .confidence = 0.87f},
        {.track_id = 23, .label = "backpack", .box = {330, 300, 22, 30}, .confidence = 0.61f}};
    for (int i = 0; i < n; i++) {
        vigil_alert a = {.camera_id = "plaza",
                         .rule = "keep-off-lawn",
                         .type = VIGIL_RULE_INTRUSION,
                         .zone = "lawn",
                         .severity = VIGIL_SEVERITY_WARNING,
                         .score = 0.87,
                         .started_at = 1.8e9 + i * 0.1,
                         .timestamp = 1.8e9 + i * 0.1,
                         .pts = i * 0.1,
                         .frame = i,
                         .object_count = 2,
                         .objects = objs,
                         .details = "{\"dwell\":4.2,\"threshold\":0}"};
        snprintf(a.alert_id, sizeof a.alert_id, "bench-%09d", i);
        snprintf(a.incident_id, sizeof a.incident_id, "incident-%09d", i);
        memcpy(p.id[i], a.alert_id, VIGIL_ALERT_ID_SIZE);
        size_t len;
        vigil_alert_to_json(&a, &p.json[i], &len, NULL);
        p.bytes += len;
    }
    return p;
}

typedef struct result {
    const char *name;
    int count;
    double seconds;
    double bytes;
    long on_broker; /* messages the broker holds for the topic afterwards */
} result;

/* Sums the high watermarks of the topic's partitions: what the broker really got. */
static long broker_count(const char *brokers, const char *topic, int partitions) {
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers, errstr, sizeof errstr);
    rd_kafka_conf_set_log_cb(conf, NULL);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk)
        return -1;
    long total = 0;
    for (int i = 0; i < partitions; i++) {
        int64_t lo, hi;
        if (rd_kafka_query_watermark_offsets(rk, topic, i, &lo, &hi, 10000))
            total = -1;
        else if (total >= 0)
            total += (long)hi;
    }
    rd_kafka_destroy(rk);
    return total;
}

static int run_publisher(const char *brokers, const char *topic, const payloads *p, int n,
                         const char *spool_dir, vigil_spool_sync_policy sync, result *r) {
    vigil_kafka_options o = vigil_kafka_options_default();
    o.brokers = brokers;
    o.topic = topic;
    o.spool_dir = spool_dir;
    o.spool.sync = sync;
    o.spool.max_bytes = 1ull << 30;
    vigil_publisher *pub;
    vigil_error err = {0};
    double t0 = now_s();
    if (vigil_publisher_kafka_create(&o, &pub, &err) < 0) {
        fprintf(stderr, "bench_publisher: %s\n", err.message);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (vigil_publisher_publish(pub, p->id[i], "plaza", p->json[i], strlen(p->json[i]), &err) <
            0) {
            fprintf(stderr, "bench_publisher: %s\n", err.message);
            return -1;
        }
    vigil_status st = vigil_publisher_flush(pub, 120000, &err);
    r->seconds = now_s() - t0;
    vigil_publisher_stats s;
    vigil_publisher_get_stats(pub, &s);
    vigil_publisher_free(pub);
    if (st < 0 || s.delivered != (uint64_t)n) {
        fprintf(stderr, "bench_publisher: %s: delivered %llu of %d\n", topic,
                (unsigned long long)s.delivered, n);
        return -1;
    }
    r->count = n;
    r->bytes = 0;
    for (int i = 0; i < n; i++)
        r->bytes += strlen(p->json[i]);
    return 0;
}

static int run_kcat(const char *kcat, const char *brokers, const char *topic, const payloads *p,
                    const char *dir, result *r) {
    char path[512], cmd[2048];
    snprintf(path, sizeof path, "%s/payloads.txt", dir);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < p->count; i++)
        fprintf(f, "plaza\t%s\n", p->json[i]);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "%s -P -q -b %s -t %s -K '\t' -X enable.idempotence=true -X acks=all "
             "-X linger.ms=5 -l %s",
             kcat, brokers, topic, path);
    double t0 = now_s();
    int rc = system(cmd);
    r->seconds = now_s() - t0;
    r->count = p->count;
    r->bytes = (double)p->bytes;
    return rc == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    static const struct option options[] = {{"count", required_argument, NULL, 'n'},
                                            {"kcat", required_argument, NULL, 'k'},
                                            {NULL, 0, NULL, 0}};
    int n = 20000, c;
    const char *kcat = "kcat";
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'n')
            n = atoi(optarg);
        else if (c == 'k')
            kcat = optarg;
        else
            return 2;
    }
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, NULL);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    rd_kafka_mock_cluster_t *mc = rk ? rd_kafka_mock_cluster_new(rk, 1) : NULL;
    if (!mc) {
        fprintf(stderr, "bench_publisher: cannot start the mock cluster\n");
        return 1;
    }
    const char *brokers = rd_kafka_mock_cluster_bootstraps(mc);
    static const char *const topics[] = {"b-interval", "b-always", "b-never", "b-memory", "b-kcat"};
    for (int i = 0; i < 5; i++)
        rd_kafka_mock_topic_create(mc, topics[i], 3, 1);
    char dir[] = "/tmp/vigil-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    payloads p = make_payloads(n);
    int always_n = n / 10; /* an fdatasync per alert: fewer, or it takes minutes */
    char spool[600];
    result r[5] = {{.name = "spool, sync every 200 ms (default)"},
                   {.name = "spool, fdatasync every alert"},
                   {.name = "spool, no sync (page cache)"},
                   {.name = "no spool (memory)"},
                   {.name = "kcat -P (same payloads)"}};
    int fails = 0;
    /* Warm-up: connections, topic metadata and page cache, not measured. */
    result warm;
    fails +=
        run_publisher(brokers, "b-warmup", &p, n / 10, NULL, VIGIL_SPOOL_SYNC_NEVER, &warm) < 0;
    double times[5][REPEATS];
    for (int k = 0; k < REPEATS; k++) {
        static const vigil_spool_sync_policy policy[3] = {
            VIGIL_SPOOL_SYNC_INTERVAL, VIGIL_SPOOL_SYNC_ALWAYS, VIGIL_SPOOL_SYNC_NEVER};
        static const char *const names[3] = {"interval", "always", "never"};
        for (int m = 0; m < 3; m++) {
            snprintf(spool, sizeof spool, "%s/%s-%d", dir, names[m], k);
            fails += run_publisher(brokers, topics[m], &p, m == 1 ? always_n : n, spool, policy[m],
                                   &r[m]) < 0;
        }
        fails += run_publisher(brokers, topics[3], &p, n, NULL, VIGIL_SPOOL_SYNC_NEVER, &r[3]) < 0;
        fails += run_kcat(kcat, brokers, topics[4], &p, dir, &r[4]) < 0;
        for (int m = 0; m < 5; m++)
            times[m][k] = r[m].seconds;
    }
    for (int m = 0; m < 5; m++)
        r[m].seconds = median(times[m]);
    printf("broker: librdkafka %s mock cluster at %s; payload %.0f bytes average; "
           "idempotent producer, acks=all\n\n",
           rd_kafka_version_str(), brokers, (double)p.bytes / n);
    printf("median of %d runs each; \"on broker\" counts all runs\n\n", REPEATS);
    printf("| %-36s | %7s | %9s | %7s | %9s | %6s |\n", "publisher", "alerts", "on broker",
           "seconds", "alerts/s", "MB/s");
    printf("|%s|%s|%s|%s|%s|%s|\n", "--------------------------------------", "---------",
           "-----------", "---------", "-----------", "--------");
    for (int i = 0; i < 5; i++) {
        r[i].on_broker = broker_count(brokers, topics[i], 3);
        if (r[i].on_broker != (long)r[i].count * REPEATS)
            fails++;
        printf("| %-36s | %7d | %9ld | %7.3f | %9.0f | %6.2f |\n", r[i].name, r[i].count,
               r[i].on_broker, r[i].seconds, r[i].seconds > 0 ? r[i].count / r[i].seconds : 0,
               r[i].seconds > 0 ? r[i].bytes / r[i].seconds / 1e6 : 0);
    }
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fails++;
    for (int i = 0; i < n; i++)
        free(p.json[i]);
    free(p.json);
    free(p.id);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return fails ? 1 : 0;
}
