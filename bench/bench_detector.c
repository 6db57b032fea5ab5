/* bench_detector — the detector network on vigil's engine next to its speed peers.
 *
 * For each model: vigil's cpu backend in float32 and in bfloat16 at each thread count,
 * the plain-C ref backend once, then ONNX Runtime (CPU, graph optimization 'all') at the
 * same thread counts and TF.js on its WASM backend with one thread, all on the same input
 * tensor (the frame-200 reference fixture's when present, else a fixed synthetic image).
 * Prints one table: median ms per frame over N runs, frames/s, GFLOP/s achieved (vigil's
 * FLOP count of the network over the median time, for every runtime), and vigil's time
 * as a multiple of ONNX Runtime's at the same thread count.
 *
 *     build/bench/bench_detector [--runs 30] [--threads 1,2] [--models nanodet,centernet]
 *                                [--no-peers] [--no-ref] [--no-bf16]
 *
 * The peers run in `node bench/peers/peers.js` (packages from scripts/fetch-assets.sh). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_engine.h"

#define MAX_THREAD_COUNTS 8
#define MAX_ROWS 32

typedef struct bench_args {
    int runs;
    int threads[MAX_THREAD_COUNTS];
    int n_threads;
    char models[256];
    bool peers, ref, bf16;
} bench_args;

static void usage(FILE *out) {
    fprintf(out, "usage: bench_detector [--runs N] [--threads LIST] [--models LIST]\n"
                 "                      [--no-peers] [--no-ref] [--no-bf16]\n"
                 "\n"
                 "  --runs N         timed runs per row (default 30; ref runs once)\n"
                 "  --threads LIST   thread counts, comma-separated (default 1,2)\n"
                 "  --models LIST    nanodet,centernet (default) or model file paths\n"
                 "  --no-peers       skip ONNX Runtime and TF.js\n"
                 "  --no-ref         skip the plain-C ref backend\n"
                 "  --no-bf16        skip the cpu backend's bfloat16 mode\n");
}

static bool parse_args(int argc, char **argv, bench_args *a) {
    *a = (bench_args){
        .runs = 30, .threads = {1, 2}, .n_threads = 2, .peers = true, .ref = true, .bf16 = true};
    snprintf(a->models, sizeof a->models, "nanodet,centernet");
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(arg, "--no-peers")) {
            a->peers = false;
        } else if (!strcmp(arg, "--no-ref")) {
            a->ref = false;
        } else if (!strcmp(arg, "--no-bf16")) {
            a->bf16 = false;
        } else if (!strcmp(arg, "--runs") && value) {
            a->runs = atoi(value);
            i++;
        } else if (!strcmp(arg, "--models") && value) {
            snprintf(a->models, sizeof a->models, "%s", value);
            i++;
        } else if (!strcmp(arg, "--threads") && value) {
            a->n_threads = 0;
            char list[128];
            snprintf(list, sizeof list, "%s", value);
            for (char *save, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (a->n_threads < MAX_THREAD_COUNTS)
                    a->threads[a->n_threads++] = atoi(t);
            i++;
        } else {
            return false;
        }
    }
    for (int i = 0; i < a->n_threads; i++)
        if (a->threads[i] < 1)
            return false;
    return a->runs >= 1 && a->n_threads >= 1;
}

static const char *asset_dir(char *buf, size_t size) {
    const char *home = getenv("VIGIL_HOME");
    if (home && *home)
        return home;
    snprintf(buf, size, "%s/.cache/vigil", getenv("HOME") ? getenv("HOME") : "/tmp");
    return buf;
}

/* Reads a whole small file as a string; NULL if absent. */
static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    char buf[4096];
    size_t n;
    while (mem && (n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, mem);
    if (mem)
        fclose(mem);
    fclose(f);
    return text;
}

/* The frame-200 reference fixture's input tensor (in the TF.js model's layout, as its
 * meta.json says): a real frame rather than noise. False when absent or malformed. */
static bool read_fixture_input(const char *model, vigil_tensor *t) {
    char dir[1024], path[1200];
    snprintf(path, sizeof path, "%s/reference/%s_f200/meta.json", asset_dir(dir, sizeof dir),
             model);
    char *text = read_text(path);
    cJSON *meta = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *dims = cJSON_GetObjectItem(cJSON_GetObjectItem(meta, "input"), "shape");
    int64_t shape[4];
    bool ok = cJSON_GetArraySize(dims) == 4;
    for (int i = 0; ok && i < 4; i++)
        shape[i] = (int64_t)cJSON_GetArrayItem(dims, i)->valuedouble;
    cJSON_Delete(meta);
    vigil_error err = {0};
    if (!ok || vigil_tensor_alloc(t, VIGIL_DTYPE_F32, 4, shape, &err) < 0)
        return false;
    snprintf(path, sizeof path, "%s/reference/%s_f200/input.bin", asset_dir(dir, sizeof dir),
             model);
    FILE *f = fopen(path, "rb");
    ok = f && fread(t->data, 1, vigil_tensor_nbytes(t), f) == vigil_tensor_nbytes(t) &&
         fgetc(f) == EOF;
    if (f)
        fclose(f);
    if (!ok)
        vigil_tensor_free(t);
    return ok;
}

static bool is_named_model(const char *model) {
    return !strcmp(model, "nanodet") || !strcmp(model, "centernet");
}

/* Runs the peers; fills rows (runtime, backend, threads, times). Returns the count, or
 * -1 after printing why. */
static int run_peers(const bench_args *a, const char *model, const vigil_tensor *input,
                     double flops, vigil_bench_row *rows, int max) {
    const int64_t *shape = input->shape;
    char input_path[] = "/tmp/vigil-bench-input-XXXXXX";
    int fd = mkstemp(input_path);
    if (fd < 0) {
        perror("bench_detector: mkstemp");
        return -1;
    }
    size_t bytes = vigil_tensor_nbytes(input);
    bool written = write(fd, input->data, bytes) == (ssize_t)bytes;
    close(fd);

    const char *src = getenv("VIGIL_SOURCE_DIR") ? getenv("VIGIL_SOURCE_DIR") : VIGIL_SOURCE_DIR;
    char threads[64] = "", cmd[2048];
    for (int i = 0; i < a->n_threads; i++)
        snprintf(threads + strlen(threads), sizeof threads - strlen(threads), "%s%d", i ? "," : "",
                 a->threads[i]);
    snprintf(cmd, sizeof cmd,
             "node '%s/bench/peers/peers.js' --model %s --input '%s' --shape %lld,%lld,%lld,%lld "
             "--runs %d --threads %s",
             src, model, input_path, (long long)shape[0], (long long)shape[1], (long long)shape[2],
             (long long)shape[3], a->runs, threads);
    FILE *p = written ? popen(cmd, "r") : NULL;
    char *out = NULL;
    size_t len = 0;
    if (p) {
        FILE *mem = open_memstream(&out, &len);
        char buf[4096];
        size_t n;
        while (mem && (n = fread(buf, 1, sizeof buf, p)) > 0)
            fwrite(buf, 1, n, mem);
        if (mem)
            fclose(mem);
        int status = pclose(p);
        if (status != 0) {
            free(out);
            out = NULL;
        }
    }
    unlink(input_path);
    cJSON *json = out ? cJSON_Parse(out) : NULL;
    free(out);
    if (!json) {
        fprintf(stderr, "bench_detector: %s: the peers did not run (%s); see the messages above\n",
                model, cmd);
        return -1;
    }
    int count = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(json, "results")) {
        if (count == max)
            break;
        vigil_bench_row *row = &rows[count++];
        memset(row, 0, sizeof *row);
        snprintf(row->runtime, sizeof row->runtime, "%s",
                 cJSON_GetStringValue(cJSON_GetObjectItem(r, "runtime")));
        snprintf(row->backend, sizeof row->backend, "%s f32",
                 cJSON_GetStringValue(cJSON_GetObjectItem(r, "backend")));
        row->threads = cJSON_GetObjectItem(r, "threads")->valueint;
        row->runs = cJSON_GetObjectItem(r, "runs")->valueint;
        row->median_ms = cJSON_GetObjectItem(r, "median_ms")->valuedouble;
        row->min_ms = cJSON_GetObjectItem(r, "min_ms")->valuedouble;
        row->flops = flops;
    }
    cJSON_Delete(json);
    return count;
}

static const vigil_bench_row *find_ort(const vigil_bench_row *rows, int n, int threads) {
    for (int i = 0; i < n; i++)
        if (!strcmp(rows[i].runtime, "onnxruntime") && rows[i].threads == threads)
            return &rows[i];
    return NULL;
}

static int bench_model(const bench_args *a, const char *name) {
    char buf[1024];
    const char *path = vigil_bench_model_path(name, buf, sizeof buf);
    vigil_error err = {0};
    vigil_model *model = NULL;
    if (vigil_model_load(path, &model, &err) < 0) {
        fprintf(stderr, "bench_detector: %s\n", err.message);
        return 1;
    }
    vigil_tensor input = {0};
    bool real = is_named_model(name) && read_fixture_input(name, &input);
    if (!real && vigil_bench_synthetic_input(model, &input, &err) < 0) {
        fprintf(stderr, "bench_detector: %s\n", err.message);
        vigil_model_free(model);
        return 1;
    }
    const int64_t *shape = input.shape;
    const char *slash = strrchr(name, '/');
    const char *label = slash ? slash + 1 : name;
    printf("# %s: input %s [%lld,%lld,%lld,%lld], %.2f GFLOP per frame (vigil's count)\n", label,
           real ? "vtest.avi frame 200 (reference fixture)" : "synthetic", (long long)shape[0],
           (long long)shape[1], (long long)shape[2], (long long)shape[3],
           vigil_graph_flops(model->graph) / 1e9);
    fflush(stdout);

    vigil_bench_row peers[MAX_ROWS];
    int n_peers = 0;
    if (a->peers && is_named_model(name)) {
        if (vigil_graph_set_batch(model->graph, 1, &err) < 0) {
            fprintf(stderr, "bench_detector: %s\n", err.message);
        } else {
            n_peers = run_peers(a, name, &input, vigil_graph_flops(model->graph), peers, MAX_ROWS);
            n_peers = n_peers < 0 ? 0 : n_peers;
        }
    }

    int status = 0;
    for (int mode = 0; mode < 3 && status == 0; mode++) {
        bool bf16 = mode == 1, ref = mode == 2;
        if ((bf16 && !a->bf16) || (ref && !a->ref))
            continue;
        for (int t = 0; t < a->n_threads; t++) {
            /* The ref backend is slow: once, at the highest thread count. */
            if (ref && t != a->n_threads - 1)
                continue;
            vigil_bench_config cfg = {.backend = ref ? "ref" : "cpu",
                                      .bf16 = bf16,
                                      .threads = a->threads[t],
                                      .runs = ref ? 1 : a->runs,
                                      .warmup = ref ? 0 : 3};
            vigil_bench_row row;
            if (vigil_bench_engine(model, &cfg, &input, &row, &err) < 0) {
                fprintf(stderr, "bench_detector: %s on %s: %s\n", label, row.backend, err.message);
                status = 1;
                break;
            }
            char ratio[64] = "";
            const vigil_bench_row *ort = find_ort(peers, n_peers, row.threads);
            if (ort && ort->median_ms > 0)
                snprintf(ratio, sizeof ratio, "%.2fx ORT", row.median_ms / ort->median_ms);
            vigil_bench_print_row(stdout, label, &row, ratio);
            fflush(stdout);
        }
    }
    for (int i = 0; i < n_peers; i++)
        vigil_bench_print_row(stdout, label, &peers[i], NULL);
    vigil_tensor_free(&input);
    vigil_model_free(model);
    return status;
}

int main(int argc, char **argv) {
    bench_args a;
    if (!parse_args(argc, argv, &a)) {
        usage(stderr);
        return 2;
    }
    vigil_bench_print_header(stdout);
    int status = 0;
    char models[256];
    snprintf(models, sizeof models, "%s", a.models);
    for (char *save, *m = strtok_r(models, ",", &save); m; m = strtok_r(NULL, ",", &save))
        status |= bench_model(&a, m);
    printf("# median of %d runs after 3 warm-up runs (ref: 1 run; TF.js WASM: at most 10);\n"
           "# \"x ORT\" is vigil's median over ONNX Runtime's at the same thread count.\n",
           a.runs);
    return status;
}
