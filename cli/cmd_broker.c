/* vigil broker — a development Kafka cluster on loopback: librdkafka's mock cluster in
 * a process of its own, steered from stdin so tests and demos can take brokers down
 * and inject errors. Not a real broker: data lives in memory and dies with it. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

enum { PRODUCE_API_KEY = 0 };

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: vigil broker [--brokers N] [--topic T [--partitions P]]\n"
            "\n"
            "Runs a development Kafka cluster (librdkafka's mock cluster) on 127.0.0.1 and\n"
            "prints its bootstrap address as the first line on stdout. Commands on stdin:\n"
            "  down [ID]                   take broker ID (default: all) down\n"
            "  up [ID]                     bring it back\n"
            "  error produce CODE COUNT    fail the next COUNT produce requests with CODE\n"
            "                              (a number or a name like NOT_LEADER_FOR_PARTITION)\n"
            "  rtt MS [ID]                 delay every response of broker ID (all) by MS\n"
            "  quit                        stop (so do SIGINT and SIGTERM)\n"
            "Each command is answered by one line: 'ok ...' or 'error: ...'. When stdin\n"
            "closes the broker keeps serving until it is signalled. Messages live in memory;\n"
            "past about 5 MB per partition the oldest are dropped (a mock cluster limit).\n"
            "\n"
            "options:\n"
            "  --brokers N      brokers in the cluster (default 1)\n"
            "  --topic T        create topic T up front (otherwise topics are auto-created)\n"
            "  --partitions P   partitions of --topic (default 1)\n");
}

static void quiet_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    if (level <= 3)
        fprintf(stderr, "vigil broker: %s: %s\n", fac, buf);
}

/* Error code from a number or a librdkafka error name. */
static int error_code(const char *text, rd_kafka_resp_err_t *code) {
    char *end;
    long v = strtol(text, &end, 10);
    if (*text && !*end) {
        *code = (rd_kafka_resp_err_t)v;
        return 0;
    }
    const char *name = text;
    if (!strncmp(name, "RD_KAFKA_RESP_ERR_", 18))
        name += 18;
    const struct rd_kafka_err_desc *descs;
    size_t n;
    rd_kafka_get_err_descs(&descs, &n);
    for (size_t i = 0; i < n; i++)
        if (descs[i].name && !strcasecmp(descs[i].name, name)) {
            *code = descs[i].code;
            return 0;
        }
    return -1;
}

static void reply(const char *format, ...) __attribute__((format(printf, 1, 2)));

static void reply(const char *format, ...) {
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
}

static int broker_id(const char *arg, int brokers, int32_t *id) {
    if (!arg) {
        *id = -1;
        return 0;
    }
    char *end;
    long v = strtol(arg, &end, 10);
    if (*end || v < 1 || v > brokers)
        return -1;
    *id = (int32_t)v;
    return 0;
}

/* Runs one command line; returns 1 on quit. */
static int command(rd_kafka_mock_cluster_t *mc, int brokers, char *line) {
    char *words[6] = {0};
    int n = 0;
    for (char *w = strtok(line, " \t\r\n"); w && n < 6; w = strtok(NULL, " \t\r\n"))
        words[n++] = w;
    if (n == 0)
        return 0;
    int32_t id;
    if (!strcmp(words[0], "quit") || !strcmp(words[0], "exit")) {
        reply("ok quit");
        return 1;
    }
    if (!strcmp(words[0], "down") || !strcmp(words[0], "up")) {
        bool down = !strcmp(words[0], "down");
        if (n > 2 || broker_id(words[1], brokers, &id) < 0) {
            reply("error: %s takes an optional broker id 1..%d", words[0], brokers);
            return 0;
        }
        rd_kafka_resp_err_t e =
            down ? rd_kafka_mock_broker_set_down(mc, id) : rd_kafka_mock_broker_set_up(mc, id);
        if (e)
            reply("error: %s", rd_kafka_err2str(e));
        else if (id < 0)
            reply("ok %s all", words[0]);
        else
            reply("ok %s %d", words[0], id);
        return 0;
    }
    if (!strcmp(words[0], "error")) {
        rd_kafka_resp_err_t code;
        char *end = NULL;
        long count = n == 4 ? strtol(words[3], &end, 10) : 0;
        if (n != 4 || strcmp(words[1], "produce") != 0 || error_code(words[2], &code) < 0 || *end ||
            count < 1 || count > 1000000) {
            reply("error: usage: error produce CODE COUNT (CODE a number or a name)");
            return 0;
        }
        rd_kafka_resp_err_t *codes = malloc((size_t)count * sizeof *codes);
        if (!codes) {
            reply("error: out of memory");
            return 0;
        }
        for (long i = 0; i < count; i++)
            codes[i] = code;
        rd_kafka_mock_push_request_errors_array(mc, PRODUCE_API_KEY, (size_t)count, codes);
        free(codes);
        reply("ok error produce %d (%s) x%ld", (int)code, rd_kafka_err2name(code), count);
        return 0;
    }
    if (!strcmp(words[0], "rtt")) {
        char *end = NULL;
        long ms = n >= 2 ? strtol(words[1], &end, 10) : -1;
        if (n < 2 || n > 3 || *end || ms < 0 || ms > 600000 ||
            broker_id(words[2], brokers, &id) < 0) {
            reply("error: usage: rtt MS [ID]");
            return 0;
        }
        rd_kafka_resp_err_t e = rd_kafka_mock_broker_set_rtt(mc, id, (int)ms);
        if (e)
            reply("error: %s", rd_kafka_err2str(e));
        else
            reply("ok rtt %ld", ms);
        return 0;
    }
    if (!strcmp(words[0], "help")) {
        reply("ok commands: down [ID], up [ID], error produce CODE COUNT, rtt MS [ID], quit");
        return 0;
    }
    reply("error: unknown command '%s' (help lists them)", words[0]);
    return 0;
}

int vigil_cmd_broker(int argc, char **argv) {
    static const struct option options[] = {{"brokers", required_argument, NULL, 'b'},
                                            {"topic", required_argument, NULL, 't'},
                                            {"partitions", required_argument, NULL, 'p'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int brokers = 1, partitions = 1, c;
    const char *topic = NULL;
    while ((c = getopt_long(argc, argv, "b:t:p:h", options, NULL)) != -1) {
        switch (c) {
        case 'b':
            brokers = atoi(optarg);
            break;
        case 't':
            topic = optarg;
            break;
        case 'p':
            partitions = atoi(optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc || brokers < 1 || brokers > 16 || partitions < 1 || partitions > 1000) {
        fprintf(stderr, "vigil broker: --brokers is 1..16, --partitions 1..1000\n");
        usage(stderr);
        return 2;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, quiet_log);
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "vigil broker: %s\n", errstr);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        fprintf(stderr, "vigil broker: cannot start the mock cluster\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    if (topic) {
        rd_kafka_resp_err_t e =
            rd_kafka_mock_topic_create(mc, topic, partitions, brokers < 3 ? brokers : 3);
        if (e) {
            fprintf(stderr, "vigil broker: topic %s: %s\n", topic, rd_kafka_err2str(e));
            rd_kafka_mock_cluster_destroy(mc);
            rd_kafka_destroy(rk);
            return 1;
        }
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal; /* no SA_RESTART: a signal interrupts the read */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    fprintf(stderr, "vigil broker: %d broker(s) at %s; commands on stdin (help)\n", brokers,
            rd_kafka_mock_cluster_bootstraps(mc));
    char line[512];
    bool open_input = true;
    while (!stop_requested) {
        if (!open_input) {
            pause();
            continue;
        }
        if (!fgets(line, sizeof line, stdin)) {
            if (ferror(stdin) && errno == EINTR) {
                clearerr(stdin);
                continue;
            }
            open_input = false;
            fprintf(stderr, "vigil broker: stdin closed; serving until SIGINT or SIGTERM\n");
            continue;
        }
        if (command(mc, brokers, line))
            break;
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
