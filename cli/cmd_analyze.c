/* vigil analyze — replays recorded tracks (MOT text) through a rules file and writes
 * the alerts as JSON lines or to Kafka: the "what if I change this threshold" tool. */
#define _GNU_SOURCE /* strptime, timegm */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "vigil/alerts.h"
#include "vigil/mot.h"

enum { MAX_PROPERTIES = 64 };

typedef struct analyze_args {
    const char *rules, *tracks, *jsonl, *brokers, *topic, *spool, *camera, *start_time;
    const char *default_class;
    double fps;
    bool no_spool, quiet;
    int flush_timeout;
    int property_count;
    const char *properties[MAX_PROPERTIES];
} analyze_args;

static void usage(FILE *out) {
    fprintf(out,
            "usage: vigil analyze --rules FILE --tracks MOT --fps F\n"
            "                     [--jsonl OUT | --kafka BROKERS --topic T] [options]\n"
            "\n"
            "Replays tracks (MOT text: frame,id,x,y,w,h,conf,class,...) through the rules and\n"
            "writes one alert JSON per line (start/update/end/instant events) to OUT (default\n"
            "stdout), or publishes them to Kafka through the disk spool.\n"
            "\n"
            "options:\n"
            "  --rules FILE          rules file (JSON; see docs/alerts.md)\n"
            "  --tracks MOT          tracks, MOT text; class is the COCO index + 1\n"
            "  --fps F               frame rate: frame n is at pts (n - 1) / F\n"
            "  --jsonl OUT           write JSON lines to OUT ('-' = stdout)\n"
            "  --kafka BROKERS       publish to Kafka (bootstrap servers)\n"
            "  --topic T             Kafka topic\n"
            "  -X, --property K=V    librdkafka property, repeatable (SASL/SSL included;\n"
            "                        secret values never appear in messages)\n"
            "  --spool DIR           Kafka spool folder (default: vigil-spool/CAMERA)\n"
            "  --no-spool            keep undelivered alerts in memory only\n"
            "  --flush-timeout S     seconds to wait for delivery at the end (default 30)\n"
            "  --camera ID           camera id (default: the rules file's camera_id)\n"
            "  --start-time T        wall clock of frame 1: RFC 3339 UTC or UNIX seconds\n"
            "                        (default 0, 1970-01-01T00:00:00Z, for stable alert ids)\n"
            "  --default-class NAME  label of tracks whose class column is absent (person)\n"
            "  --quiet               no summary on stderr\n");
}

static int parse_time(const char *text, double *out) {
    char *end;
    double v = strtod(text, &end);
    if (*text && !*end) {
        *out = v;
        return 0;
    }
    struct tm tm = {0};
    const char *rest = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest)
        return -1;
    double frac = 0;
    if (*rest == '.') {
        frac = strtod(rest, &end);
        rest = end;
    }
    if (strcmp(rest, "Z") != 0 && *rest)
        return -1;
    *out = (double)timegm(&tm) + frac;
    return 0;
}

static int parse_args(int argc, char **argv, analyze_args *a) {
    static const struct option options[] = {{"rules", required_argument, NULL, 'r'},
                                            {"tracks", required_argument, NULL, 't'},
                                            {"fps", required_argument, NULL, 'f'},
                                            {"jsonl", required_argument, NULL, 'j'},
                                            {"kafka", required_argument, NULL, 'k'},
                                            {"topic", required_argument, NULL, 'T'},
                                            {"property", required_argument, NULL, 'X'},
                                            {"spool", required_argument, NULL, 's'},
                                            {"no-spool", no_argument, NULL, 'N'},
                                            {"flush-timeout", required_argument, NULL, 'F'},
                                            {"camera", required_argument, NULL, 'c'},
                                            {"start-time", required_argument, NULL, 'S'},
                                            {"default-class", required_argument, NULL, 'D'},
                                            {"quiet", no_argument, NULL, 'q'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int c;
    a->flush_timeout = 30;
    a->default_class = "person";
    while ((c = getopt_long(argc, argv, "X:hq", options, NULL)) != -1) {
        switch (c) {
        case 'r':
            a->rules = optarg;
            break;
        case 't':
            a->tracks = optarg;
            break;
        case 'f':
            a->fps = atof(optarg);
            break;
        case 'j':
            a->jsonl = optarg;
            break;
        case 'k':
            a->brokers = optarg;
            break;
        case 'T':
            a->topic = optarg;
            break;
        case 's':
            a->spool = optarg;
            break;
        case 'N':
            a->no_spool = true;
            break;
        case 'F':
            a->flush_timeout = atoi(optarg);
            break;
        case 'c':
            a->camera = optarg;
            break;
        case 'S':
            a->start_time = optarg;
            break;
        case 'D':
            a->default_class = optarg;
            break;
        case 'q':
            a->quiet = true;
            break;
        case 'X':
            if (a->property_count == MAX_PROPERTIES || !strchr(optarg, '=')) {
                fprintf(stderr, "vigil analyze: -X takes name=value (at most %d)\n",
                        MAX_PROPERTIES);
                return 2;
            }
            a->properties[a->property_count++] = optarg;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return 2;
        }
    }
    const char *missing = !a->rules     ? "--rules"
                          : !a->tracks  ? "--tracks"
                          : a->fps <= 0 ? "--fps"
                                        : NULL;
    if (missing || optind < argc) {
        fprintf(stderr, "vigil analyze: %s\n", missing ? "missing option" : "unexpected argument");
        if (missing)
            fprintf(stderr, "vigil analyze: %s is required (--fps > 0)\n", missing);
        usage(stderr);
        return 2;
    }
    if (a->jsonl && a->brokers) {
        fprintf(stderr, "vigil analyze: choose --jsonl or --kafka, not both\n");
        return 2;
    }
    if (a->brokers && !a->topic) {
        fprintf(stderr, "vigil analyze: --kafka needs --topic\n");
        return 2;
    }
    return 0;
}

static void kafka_log(void *opaque, int level, const char *message) {
    (void)opaque;
    if (level <= 4)
        fprintf(stderr, "vigil analyze: %s\n", message);
}

static vigil_status open_publisher(const analyze_args *a, const char *camera, vigil_publisher **p,
                                   vigil_error *err) {
    if (!a->brokers)
        return vigil_publisher_jsonl_create(a->jsonl ? a->jsonl : "-", false, p, err);
    char spool[1024];
    snprintf(spool, sizeof spool, "vigil-spool/%s", camera);
    vigil_kafka_options o = vigil_kafka_options_default();
    o.brokers = a->brokers;
    o.topic = a->topic;
    o.properties = a->properties;
    o.property_count = a->property_count;
    o.spool_dir = a->no_spool ? NULL : a->spool ? a->spool : spool;
    o.log = kafka_log;
    return vigil_publisher_kafka_create(&o, p, err);
}

typedef struct tally {
    long events[4];
    long refused;
    vigil_status first_refusal;
    char refusal[VIGIL_ERROR_MESSAGE_SIZE];
} tally;

static void publish(vigil_publisher *p, const vigil_alert *alerts, int n, tally *t) {
    for (int i = 0; i < n; i++) {
        vigil_error err = {0};
        t->events[alerts[i].event]++;
        if (vigil_publisher_publish_alert(p, &alerts[i], &err) < 0) {
            if (!t->refused++) {
                t->first_refusal = err.status;
                snprintf(t->refusal, sizeof t->refusal, "%s", err.message);
            }
        }
    }
}

static int run(const analyze_args *a, vigil_rules *rules, const vigil_mot_records *mot) {
    vigil_error err = {0};
    double start = 0;
    if (a->start_time && parse_time(a->start_time, &start) < 0) {
        fprintf(stderr,
                "vigil analyze: --start-time '%s': expected RFC 3339 UTC "
                "(2026-11-29T08:00:00Z) or UNIX seconds\n",
                a->start_time);
        return 2;
    }
    int default_class = -1;
    for (int c = 0; c < 80; c++)
        if (!strcmp(vigil_coco_label(c), a->default_class))
            default_class = c;
    if (default_class < 0) {
        fprintf(stderr, "vigil analyze: --default-class '%s' is not a COCO label\n",
                a->default_class);
        return 2;
    }
    vigil_analytics *engine;
    if (vigil_analytics_create(rules, &engine, &err) < 0) {
        fprintf(stderr, "vigil analyze: %s\n", err.message);
        return 1;
    }
    vigil_publisher *pub;
    if (open_publisher(a, rules->camera_id, &pub, &err) < 0) {
        fprintf(stderr, "vigil analyze: %s\n", err.message);
        vigil_analytics_free(engine);
        return 1;
    }
    tally t = {0};
    int last = vigil_mot_last_frame(mot), index = 0, status = 0;
    vigil_track_object *objs = malloc(((size_t)mot->count + 1) * sizeof *objs);
    const vigil_alert *alerts;
    int n = 0;
    for (int frame = 1; frame <= last && objs && status == 0; frame++) {
        int count = 0;
        for (; index < mot->count && mot->items[index].frame == frame; index++) {
            const vigil_mot_record *r = &mot->items[index];
            objs[count++] =
                (vigil_track_object){.track_id = r->id,
                                     .class_id = r->class_id > 0 ? r->class_id - 1 : default_class,
                                     .box = {r->box[0], r->box[1], r->box[2], r->box[3]},
                                     .confidence = r->score < 0   ? 1.0f
                                                   : r->score > 1 ? 1.0f
                                                                  : r->score,
                                     .confirmed = true};
        }
        vigil_analytics_frame f = {
            .frame = frame, .pts = (frame - 1) / a->fps, .time = start + (frame - 1) / a->fps};
        if (vigil_analytics_update(engine, &f, objs, count, &alerts, &n, &err) < 0) {
            fprintf(stderr, "vigil analyze: frame %d: %s\n", frame, err.message);
            status = 1;
        }
        publish(pub, alerts, n, &t);
    }
    free(objs);
    vigil_analytics_frame end = {
        .frame = last + 1, .pts = last / a->fps, .time = start + last / a->fps};
    if (status == 0) {
        if (vigil_analytics_finish(engine, &end, &alerts, &n, &err) < 0) {
            fprintf(stderr, "vigil analyze: %s\n", err.message);
            status = 1;
        }
        publish(pub, alerts, n, &t);
    }
    if (t.refused) {
        fprintf(stderr, "vigil analyze: %ld alerts refused; first: %s\n", t.refused, t.refusal);
        status = 1;
    }
    if (vigil_publisher_flush(pub, a->flush_timeout * 1000, &err) < 0) {
        fprintf(stderr, "vigil analyze: %s\n", err.message);
        if (!status)
            status = 3;
    }
    vigil_publisher_stats s;
    vigil_publisher_get_stats(pub, &s);
    if (!a->quiet) {
        fprintf(stderr,
                "vigil analyze: %d frames, %d track rows, %ld alerts (start %ld, update %ld, "
                "end %ld, instant %ld)",
                last, mot->count, t.events[0] + t.events[1] + t.events[2] + t.events[3],
                t.events[VIGIL_ALERT_EVENT_START], t.events[VIGIL_ALERT_EVENT_UPDATE],
                t.events[VIGIL_ALERT_EVENT_END], t.events[VIGIL_ALERT_EVENT_INSTANT]);
        if (a->brokers)
            fprintf(stderr, "; kafka: delivered %llu, pending %llu, replayed %llu",
                    (unsigned long long)s.delivered, (unsigned long long)s.pending,
                    (unsigned long long)s.replayed);
        fprintf(stderr, "\n");
    }
    vigil_publisher_free(pub);
    vigil_analytics_free(engine);
    return status;
}

int vigil_cmd_analyze(int argc, char **argv) {
    analyze_args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc == 1 ? 0 : rc;
    vigil_error err = {0};
    vigil_rules *rules;
    if (vigil_rules_load(a.rules, &rules, &err) < 0) {
        fprintf(stderr, "vigil analyze: %s\n", err.message);
        return 1;
    }
    if (a.camera) {
        free(rules->camera_id);
        rules->camera_id = strdup(a.camera);
    }
    vigil_mot_records mot = {0};
    if (vigil_mot_read(a.tracks, VIGIL_MOT_TRACKS, &mot, &err) < 0) {
        fprintf(stderr, "vigil analyze: %s\n", err.message);
        vigil_rules_free(rules);
        return 1;
    }
    rc = run(&a, rules, &mot);
    vigil_mot_records_free(&mot);
    vigil_rules_free(rules);
    return rc;
}
