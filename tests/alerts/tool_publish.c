/* alerts_tool_publish — publishes alerts "alert-0000000".."alert-N-1" through the Kafka
 * publisher, for the delivery tests (tests/cli/test_delivery*.sh). It can be killed at
 * any moment and restarted: --progress records each alert the publisher accepted, so a
 * restart goes on from the next one, and --replayed lists the alert ids the spool still
 * held (the ones in flight when it died), the only ones allowed to arrive twice. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vigil/alerts.h"

static void log_line(void *opaque, int level, const char *message) {
    (void)opaque;
    if (level <= 4)
        fprintf(stderr, "tool_publish: %s\n", message);
}

static long read_progress(const char *path) {
    FILE *f = path ? fopen(path, "r") : NULL;
    long next = 0, v;
    if (!f)
        return 0;
    while (fscanf(f, "%ld", &v) == 1)
        if (v + 1 > next)
            next = v + 1;
    fclose(f);
    return next;
}

static int list_replayed(const char *dir, const char *path) {
    vigil_spool *s;
    vigil_error err = {0};
    if (vigil_spool_open(dir, NULL, &s, &err) < 0) {
        fprintf(stderr, "tool_publish: %s\n", err.message);
        return -1;
    }
    FILE *f = fopen(path, "a");
    int n = 0;
    for (uint64_t q = vigil_spool_first_pending(s); f && q != VIGIL_SPOOL_NONE;
         q = vigil_spool_next_pending(s, q)) {
        vigil_spool_record r;
        if (vigil_spool_read(s, q, &r, &err) == VIGIL_STATUS_OK) {
            fprintf(f, "%s\n", r.id);
            vigil_spool_record_free(&r);
            n++;
        }
    }
    if (f)
        fclose(f);
    vigil_spool_close(s);
    return n;
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
    static const struct option options[] = {{"brokers", required_argument, NULL, 'b'},
                                            {"topic", required_argument, NULL, 't'},
                                            {"count", required_argument, NULL, 'n'},
                                            {"spool", required_argument, NULL, 's'},
                                            {"progress", required_argument, NULL, 'P'},
                                            {"replayed", required_argument, NULL, 'R'},
                                            {"rate", required_argument, NULL, 'r'},
                                            {"prop", required_argument, NULL, 'X'},
                                            {"flush-timeout", required_argument, NULL, 'f'},
                                            {"cameras", required_argument, NULL, 'c'},
                                            {NULL, 0, NULL, 0}};
    const char *brokers = NULL, *topic = "alerts", *spool = NULL, *progress = NULL,
               *replayed = NULL;
    const char *props[32];
    int prop_count = 0, c;
    long count = 1000, rate = 0, flush_s = 60, cameras = 1;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'b':
            brokers = optarg;
            break;
        case 't':
            topic = optarg;
            break;
        case 'n':
            count = atol(optarg);
            break;
        case 's':
            spool = optarg;
            break;
        case 'P':
            progress = optarg;
            break;
        case 'R':
            replayed = optarg;
            break;
        case 'r':
            rate = atol(optarg);
            break;
        case 'f':
            flush_s = atol(optarg);
            break;
        case 'c':
            cameras = atol(optarg);
            break;
        case 'X':
            if (prop_count < 32)
                props[prop_count++] = optarg;
            break;
        default:
            return 2;
        }
    }
    if (!brokers) {
        fprintf(stderr, "tool_publish: --brokers is required\n");
        return 2;
    }
    if (spool && replayed) {
        int n = list_replayed(spool, replayed);
        if (n < 0)
            return 1;
        fprintf(stderr, "tool_publish: %d records pending in the spool at start\n", n);
    }
    long start = read_progress(progress);
    FILE *prog = progress ? fopen(progress, "a") : NULL;
    setvbuf(prog ? prog : stderr, NULL, _IONBF, 0); /* each line reaches the kernel at once */

    vigil_kafka_options o = vigil_kafka_options_default();
    o.brokers = brokers;
    o.topic = topic;
    o.spool_dir = spool;
    o.properties = props;
    o.property_count = prop_count;
    o.log = log_line;
    vigil_publisher *p;
    vigil_error err = {0};
    if (vigil_publisher_kafka_create(&o, &p, &err) < 0) {
        fprintf(stderr, "tool_publish: %s\n", err.message);
        return 1;
    }
    vigil_alert_object obj = {
        .track_id = 7, .label = "person", .box = {100, 200, 40, 90}, .confidence = 0.9f};
    vigil_alert a = {.camera_id = "plaza",
                     .rule = "keep-off-lawn",
                     .type = VIGIL_RULE_INTRUSION,
                     .zone = "lawn",
                     .severity = VIGIL_SEVERITY_WARNING,
                     .score = 0.9,
                     .started_at = 1.7e9,
                     .timestamp = 1.7e9,
                     .object_count = 1,
                     .objects = &obj,
                     .details = "{\"dwell\":0}"};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long refused = 0;
    for (long i = start; i < count; i++) {
        snprintf(a.alert_id, sizeof a.alert_id, "alert-%07ld", i);
        snprintf(a.incident_id, sizeof a.incident_id, "incident-%07ld", i);
        /* Several cameras spread the keys over partitions (the mock broker keeps only
         * about 5 MB per partition and drops older messages beyond that). */
        char camera[32];
        snprintf(camera, sizeof camera, "cam-%ld", i % (cameras > 0 ? cameras : 1));
        a.camera_id = cameras > 1 ? camera : "plaza";
        a.frame = i;
        a.pts = i / 10.0;
        vigil_status st;
        while ((st = vigil_publisher_publish_alert(p, &a, &err)) == VIGIL_STATUS_FULL) {
            refused++;
            sleep_ms(10);
        }
        if (st < 0) {
            fprintf(stderr, "tool_publish: %s\n", err.message);
            return 1;
        }
        if (prog)
            fprintf(prog, "%ld\n", i);
        if (rate > 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            double elapsed = (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
            double due = (double)(i - start + 1) / rate;
            if (due > elapsed)
                sleep_ms((int)((due - elapsed) * 1000));
        }
    }
    vigil_status st = vigil_publisher_flush(p, (int)flush_s * 1000, &err);
    vigil_publisher_stats s;
    vigil_publisher_get_stats(p, &s);
    fprintf(stderr,
            "tool_publish: accepted=%llu delivered=%llu failed=%llu produced=%llu "
            "replayed=%llu restarts=%llu pending=%llu refused=%ld\n",
            (unsigned long long)s.accepted, (unsigned long long)s.delivered,
            (unsigned long long)s.failed, (unsigned long long)s.produced,
            (unsigned long long)s.replayed, (unsigned long long)s.restarts,
            (unsigned long long)s.pending, refused);
    if (st < 0)
        fprintf(stderr, "tool_publish: %s\n", err.message);
    vigil_publisher_free(p);
    if (prog)
        fclose(prog);
    return st < 0 ? 3 : 0;
}
