/* Publishers against an in-process mock cluster: secrets never reach logs or errors,
 * the in-memory mode, refusal when the spool is full, and the JSON-lines file. */
#include <check.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "alerts_test_util.h"
#include "test_util.h"

static char logs[1 << 20];
static size_t logs_len;

static void capture(void *opaque, int level, const char *message) {
    (void)opaque;
    (void)level;
    logs_len += (size_t)snprintf(logs + logs_len, sizeof logs - logs_len, "%s\n", message);
    if (logs_len >= sizeof logs)
        logs_len = sizeof logs - 1;
}

typedef struct cluster {
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;
} cluster;

static cluster start_cluster(void) {
    cluster c;
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, NULL);
    c.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    ck_assert_ptr_nonnull(c.rk);
    c.mc = rd_kafka_mock_cluster_new(c.rk, 1);
    ck_assert_ptr_nonnull(c.mc);
    rd_kafka_mock_topic_create(c.mc, "alerts", 1, 1);
    return c;
}

static void stop_cluster(cluster c) {
    rd_kafka_mock_cluster_destroy(c.mc);
    rd_kafka_destroy(c.rk);
}

static vigil_alert sample(int i, char *id) {
    static vigil_alert_object obj = {
        .track_id = 3, .label = "person", .box = {1, 2, 3, 4}, .confidence = 0.5f};
    vigil_alert a = {.camera_id = "cam",
                     .rule = "r",
                     .type = VIGIL_RULE_INTRUSION,
                     .started_at = 1.7e9,
                     .timestamp = 1.7e9 + i,
                     .frame = i,
                     .object_count = 1,
                     .objects = &obj};
    snprintf(a.alert_id, sizeof a.alert_id, "%s", id);
    return a;
}

/* A secret librdkafka itself logs (the path in an SSL key error) comes out as ***. */
START_TEST(secrets_are_redacted) {
    const char *props[] = {"security.protocol=ssl", "ssl.key.location=/nonexistent/TOPSECRETFILE",
                           "ssl.key.password=Sup3rS3cret"};
    vigil_kafka_options o = vigil_kafka_options_default();
    o.brokers = "127.0.0.1:9";
    o.topic = "alerts";
    o.properties = props;
    o.property_count = 3;
    o.log = capture;
    logs_len = 0;
    vigil_publisher *p = NULL;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_publisher_kafka_create(&o, &p, &err), VIGIL_STATUS_BACKEND);
    ck_assert_ptr_null(strstr(err.message, "TOPSECRETFILE"));
    ck_assert_ptr_null(strstr(logs, "TOPSECRETFILE"));
    ck_assert_ptr_null(strstr(logs, "Sup3rS3cret"));
    ck_assert_msg(strstr(logs, "fopen(***, r)"), "logs: %s", logs);
    ck_assert(vigil_kafka_property_is_secret("sasl.password"));
    ck_assert(vigil_kafka_property_is_secret("sasl.oauthbearer.client.secret"));
    ck_assert(!vigil_kafka_property_is_secret("bootstrap.servers"));
}
END_TEST

/* With debug logging on, a SASL password set as a property appears in no log line. */
START_TEST(debug_logs_hold_no_password) {
    cluster c = start_cluster();
    const char *props[] = {"sasl.username=cam", "sasl.password=Sup3rS3cret", "debug=all"};
    vigil_kafka_options o = vigil_kafka_options_default();
    o.brokers = rd_kafka_mock_cluster_bootstraps(c.mc);
    o.topic = "alerts";
    o.properties = props;
    o.property_count = 3;
    o.log = capture;
    logs_len = 0;
    vigil_publisher *p;
    vigil_error err = {0};
    ck_assert_msg(vigil_publisher_kafka_create(&o, &p, &err) == 0, "%s", err.message);
    vigil_alert a = sample(0, "one");
    ck_assert_int_eq(vigil_publisher_publish_alert(p, &a, &err), 0);
    ck_assert_msg(vigil_publisher_flush(p, 10000, &err) == 0, "%s", err.message);
    vigil_publisher_free(p);
    ck_assert_int_gt(logs_len, 1000); /* debug=all did log */
    ck_assert_ptr_null(strstr(logs, "Sup3rS3cret"));
    stop_cluster(c);
}
END_TEST

/* Without a spool the records wait in memory; all are delivered. */
START_TEST(memory_mode_delivers) {
    cluster c = start_cluster();
    vigil_kafka_options o = vigil_kafka_options_default();
    o.brokers = rd_kafka_mock_cluster_bootstraps(c.mc);
    o.topic = "alerts";
    vigil_publisher *p;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_publisher_kafka_create(&o, &p, &err), 0);
    for (int i = 0; i < 500; i++) {
        char id[32];
        snprintf(id, sizeof id, "a%d", i);
        vigil_alert a = sample(i, id);
        ck_assert_int_eq(vigil_publisher_publish_alert(p, &a, &err), 0);
    }
    ck_assert_msg(vigil_publisher_flush(p, 10000, &err) == 0, "%s", err.message);
    vigil_publisher_stats s;
    vigil_publisher_get_stats(p, &s);
    ck_assert_int_eq(s.accepted, 500);
    ck_assert_int_eq(s.delivered, 500);
    ck_assert_int_eq(s.pending, 0);
    vigil_publisher_free(p);
    stop_cluster(c);
}
END_TEST

/* The broker is down and the spool small: publish refuses with FULL once the spool
 * is full, counts the refusals, and delivers every accepted record once the broker
 * is back. */
START_TEST(full_spool_refuses_and_keeps) {
    cluster c = start_cluster();
    char dir[128];
    snprintf(dir, sizeof dir, "/tmp/vigil-pub-test-%d", (int)getpid());
    vigil_kafka_options o = vigil_kafka_options_default();
    o.brokers = rd_kafka_mock_cluster_bootstraps(c.mc);
    o.topic = "alerts";
    o.spool_dir = dir;
    o.spool.segment_bytes = 4096;
    o.spool.max_bytes = 16384;
    rd_kafka_mock_broker_set_down(c.mc, -1);
    vigil_publisher *p;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_publisher_kafka_create(&o, &p, &err), 0);
    int accepted = 0, refused = 0;
    for (int i = 0; i < 200; i++) {
        char id[32];
        snprintf(id, sizeof id, "a%d", i);
        vigil_alert a = sample(i, id);
        vigil_status st = vigil_publisher_publish_alert(p, &a, &err);
        if (st == VIGIL_STATUS_OK)
            accepted++;
        else {
            ck_assert_int_eq(st, VIGIL_STATUS_FULL);
            refused++;
        }
    }
    ck_assert_int_gt(accepted, 10);
    ck_assert_int_gt(refused, 0);
    ck_assert_int_eq(vigil_publisher_flush(p, 300, &err), VIGIL_STATUS_TIMEOUT);
    rd_kafka_mock_broker_set_up(c.mc, -1);
    ck_assert_msg(vigil_publisher_flush(p, 20000, &err) == 0, "%s", err.message);
    vigil_publisher_stats s;
    vigil_publisher_get_stats(p, &s);
    ck_assert_int_eq(s.accepted, (uint64_t)accepted);
    ck_assert_int_eq(s.refused, (uint64_t)refused);
    ck_assert_int_eq(s.delivered, (uint64_t)accepted);
    vigil_publisher_free(p);
    stop_cluster(c);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(jsonl_writes_lines) {
    char path[128];
    snprintf(path, sizeof path, "/tmp/vigil-jsonl-%d.jsonl", (int)getpid());
    vigil_publisher *p;
    ck_assert_int_eq(vigil_publisher_jsonl_create(path, false, &p, NULL), 0);
    for (int i = 0; i < 3; i++) {
        vigil_alert a = sample(i, "x");
        ck_assert_int_eq(vigil_publisher_publish_alert(p, &a, NULL), 0);
    }
    vigil_publisher_free(p);
    FILE *f = fopen(path, "r");
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        ck_assert_ptr_nonnull(strstr(line, "\"schema\":\"vigil.alert.v1\""));
        ck_assert_int_eq(line[strlen(line) - 1], '\n');
        n++;
    }
    fclose(f);
    ck_assert_int_eq(n, 3);
    unlink(path);
    vigil_error err = {0};
    ck_assert_int_eq(vigil_publisher_jsonl_create("/nonexistent/x.jsonl", false, &p, &err),
                     VIGIL_STATUS_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/x.jsonl"));
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("publisher");
    TCase *t = tcase_create("publisher");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, secrets_are_redacted);
    tcase_add_test(t, debug_logs_hold_no_password);
    tcase_add_test(t, memory_mode_delivers);
    tcase_add_test(t, full_spool_refuses_and_keeps);
    tcase_add_test(t, jsonl_writes_lines);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
