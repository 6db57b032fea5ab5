/* vigil bench — times the detector network on the engine and prints a table. The full
 * benchmark with the speed peers (ONNX Runtime, TF.js) is bench/bench_detector. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_engine.h"
#include "commands.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: vigil bench [OPTIONS]\n"
            "\n"
            "Times the detector network (without preprocessing and head decode) on one\n"
            "backend: median and fastest of N runs after a warm-up, frames/s and the GFLOP/s\n"
            "it achieves. bench/bench_detector adds ONNX Runtime and TF.js side by side.\n"
            "\n"
            "options:\n"
            "  -m, --model MODEL    nanodet (default), centernet, or a model file path;\n"
            "                       names are looked up in $VIGIL_HOME/models/NAME.safetensors\n"
            "  -j, --threads N      CPU threads (default: a row with 1 and one with all cores)\n"
            "  -n, --runs N         timed runs (default 30; the ref backend's default is 1)\n"
            "  -b, --backend NAME   cpu (oneDNN, default) or ref (plain C, slow)\n"
            "      --bf16           the cpu backend with bfloat16 convolutions\n"
            "  -h, --help           this text\n"
            "\n"
            "Exit status: 0 on success, 1 when the model cannot be read or run, 2 on a\n"
            "usage error.\n");
}

static bool parse_count(const char *s, int min, int *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < min || v > 1000000)
        return false;
    *out = (int)v;
    return true;
}

int vigil_cmd_bench(int argc, char **argv) {
    static const struct option options[] = {{"model", required_argument, NULL, 'm'},
                                            {"threads", required_argument, NULL, 'j'},
                                            {"runs", required_argument, NULL, 'n'},
                                            {"backend", required_argument, NULL, 'b'},
                                            {"bf16", no_argument, NULL, 'B'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *model_name = "nanodet";
    vigil_bench_config cfg = {.backend = "cpu", .threads = 0, .runs = -1, .warmup = 3};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:j:n:b:h", options, NULL)) != -1) {
        switch (c) {
        case 'm':
            model_name = optarg;
            break;
        case 'j':
            if (!parse_count(optarg, 1, &cfg.threads)) {
                fprintf(stderr, "vigil bench: --threads wants a positive number, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'n':
            if (!parse_count(optarg, 1, &cfg.runs)) {
                fprintf(stderr, "vigil bench: --runs wants a positive number, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'b':
            cfg.backend = optarg;
            break;
        case 'B':
            cfg.bf16 = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "vigil bench: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    bool ref = !strcmp(cfg.backend, "ref");
    if (!ref && strcmp(cfg.backend, "cpu") != 0) {
        fprintf(stderr, "vigil bench: --backend is cpu or ref, not '%s'\n", cfg.backend);
        return 2;
    }
    if (ref && cfg.bf16) {
        fprintf(stderr, "vigil bench: --bf16 is a mode of the cpu backend\n");
        return 2;
    }
    /* The plain-C reference takes seconds per frame: one run unless asked for more. */
    if (cfg.runs < 0)
        cfg.runs = ref ? 1 : 30;
    if (ref)
        cfg.warmup = 0;

    char buf[1024];
    const char *path = vigil_bench_model_path(model_name, buf, sizeof buf);
    vigil_error err = {0};
    vigil_model *model = NULL;
    if (vigil_model_load(path, &model, &err) < 0) {
        fprintf(stderr, "vigil bench: %s\n", err.message);
        return 1;
    }
    /* Without --threads: one thread, then all cores, to show how it scales. */
    int cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
    int threads[2] = {cfg.threads, 0}, n_threads = 1;
    if (cfg.threads <= 0) {
        threads[0] = 1;
        threads[1] = cores;
        n_threads = cores > 1 ? 2 : 1;
    }
    const char *slash = strrchr(model_name, '/');
    vigil_bench_print_header(stdout);
    int status = 0;
    for (int i = 0; i < n_threads; i++) {
        cfg.threads = threads[i];
        vigil_bench_row row;
        if (vigil_bench_engine(model, &cfg, NULL, &row, &err) < 0) {
            fprintf(stderr, "vigil bench: %s: %s\n", path, err.message);
            status = 1;
            break;
        }
        vigil_bench_print_row(stdout, slash ? slash + 1 : model_name, &row, NULL);
        fflush(stdout);
    }
    vigil_model_free(model);
    return status;
}
