/* Engine timing shared by `vigil bench` and bench/bench_detector.c (see bench_engine.h). */
#include "bench_engine.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vigil/engine.h"

const char *vigil_bench_model_path(const char *name, char *buf, size_t size) {
    if (strchr(name, '/') || strchr(name, '.'))
        return name;
    const char *home = getenv("VIGIL_HOME");
    if (home && *home)
        snprintf(buf, size, "%s/models/%s.safetensors", home, name);
    else
        snprintf(buf, size, "%s/.cache/vigil/models/%s.safetensors",
                 getenv("HOME") ? getenv("HOME") : "/tmp", name);
    return buf;
}

vigil_status vigil_bench_synthetic_input(const vigil_model *model, vigil_tensor *t,
                                         vigil_error *err) {
    const vigil_model_input *in = &model->input;
    vigil_status st =
        vigil_tensor_alloc(t, VIGIL_DTYPE_F32, 4, (int64_t[]){1, in->height, in->width, 3}, err);
    if (st < 0)
        return st;
    float *data = t->data;
    int64_t n = vigil_tensor_numel(t);
    uint32_t state = 12345u;
    for (int64_t i = 0; i < n; i++) {
        /* A fixed LCG: the same image on every run and machine. */
        state = state * 1664525u + 1013904223u;
        int c = (int)(i % 3);
        float std = in->std[c] != 0.0f ? in->std[c] : 1.0f;
        data[i] = ((float)(state >> 24) - in->mean[c]) / std;
    }
    return VIGIL_STATUS_OK;
}

double vigil_bench_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double vigil_bench_median(double *values, int n) {
    if (n <= 0)
        return 0.0;
    qsort(values, (size_t)n, sizeof *values, compare_doubles);
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

/* Copies the input into the engine's, transposing between NCHW and NHWC when the INPUT
 * node takes the other layout. */
static vigil_status feed(vigil_tensor *in, const vigil_tensor *input, vigil_error *err) {
    const float *src = input->data;
    const int64_t *src_shape = input->shape;
    char a[64], b[64];
    if (input->dtype != VIGIL_DTYPE_F32 || input->ndim != 4 || input->shape[0] != 1)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "bench: the input must be F32 [1,H,W,C] or [1,C,H,W]");
    if (in->dtype != VIGIL_DTYPE_F32)
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED, "bench: engine input is %s, not F32",
                               vigil_dtype_name(in->dtype));
    if (vigil_shape_equal(4, src_shape, in->ndim, in->shape)) {
        memcpy(in->data, src, vigil_tensor_nbytes(in));
        return VIGIL_STATUS_OK;
    }
    float *d = in->data;
    if (in->ndim == 4 && in->shape[0] == 1 && in->shape[1] == src_shape[2] &&
        in->shape[2] == src_shape[3] && in->shape[3] == src_shape[1]) {
        int64_t c = src_shape[1], h = src_shape[2], w = src_shape[3];
        for (int64_t y = 0; y < h; y++)
            for (int64_t x = 0; x < w; x++)
                for (int64_t k = 0; k < c; k++)
                    d[(y * w + x) * c + k] = src[(k * h + y) * w + x];
        return VIGIL_STATUS_OK;
    }
    if (in->ndim == 4 && in->shape[0] == 1 && in->shape[1] == src_shape[3] &&
        in->shape[2] == src_shape[1] && in->shape[3] == src_shape[2]) {
        int64_t h = src_shape[1], w = src_shape[2], c = src_shape[3];
        for (int64_t k = 0; k < c; k++)
            for (int64_t y = 0; y < h; y++)
                for (int64_t x = 0; x < w; x++)
                    d[(k * h + y) * w + x] = src[(y * w + x) * c + k];
        return VIGIL_STATUS_OK;
    }
    return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                           "bench: the input %s does not fit the engine's INPUT node %s",
                           vigil_shape_format(4, src_shape, a, sizeof a),
                           vigil_shape_format(in->ndim, in->shape, b, sizeof b));
}

static vigil_backend *create_backend(const vigil_bench_config *cfg, vigil_error *err) {
    if (cfg->bf16) {
        if (strcmp(cfg->backend, "cpu") != 0) {
            vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                            "bench: bfloat16 is a mode of the cpu backend, not of '%s'",
                            cfg->backend);
            return NULL;
        }
        return vigil_backend_cpu_create_bf16(cfg->threads, err);
    }
    return vigil_backend_create(cfg->backend, cfg->threads, err);
}

vigil_status vigil_bench_engine(vigil_model *model, const vigil_bench_config *config,
                                const vigil_tensor *input, vigil_bench_row *row, vigil_error *err) {
    vigil_bench_config cfg = *config;
    if (cfg.threads <= 0)
        cfg.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (cfg.runs < 1)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "bench: %d runs", cfg.runs);
    memset(row, 0, sizeof *row);
    snprintf(row->runtime, sizeof row->runtime, "vigil");
    snprintf(row->backend, sizeof row->backend, "%s %s", cfg.backend, cfg.bf16 ? "bf16" : "f32");
    row->threads = cfg.threads;
    row->runs = cfg.runs;

    vigil_status st = vigil_graph_set_batch(model->graph, 1, err);
    if (st < 0)
        return st;
    row->flops = vigil_graph_flops(model->graph);

    vigil_tensor synthetic = {0};
    if (!input) {
        st = vigil_bench_synthetic_input(model, &synthetic, err);
        if (st < 0)
            return st;
        input = &synthetic;
    }
    double *times = calloc((size_t)cfg.runs, sizeof *times);
    vigil_backend *backend = create_backend(&cfg, err);
    vigil_engine *engine = NULL;
    if (!times || !backend) {
        st = times ? (err && err->status < 0 ? err->status : VIGIL_STATUS_BACKEND)
                   : vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "bench: out of memory");
        goto done;
    }
    st = vigil_engine_create(model->graph, backend, &engine, err);
    if (st < 0)
        goto done;
    if (vigil_engine_input_count(engine) != 1) {
        st = vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED, "bench: the model has %d inputs",
                             vigil_engine_input_count(engine));
        goto done;
    }
    st = feed(vigil_engine_input(engine, 0), input, err);
    for (int i = 0; st >= 0 && i < cfg.warmup; i++)
        st = vigil_engine_run(engine, err);
    for (int i = 0; st >= 0 && i < cfg.runs; i++) {
        double t0 = vigil_bench_now_ms();
        st = vigil_engine_run(engine, err);
        times[i] = vigil_bench_now_ms() - t0;
    }
    if (st >= 0) {
        row->median_ms = vigil_bench_median(times, cfg.runs);
        row->min_ms = times[0]; /* sorted by the median */
    }
done:
    vigil_engine_free(engine);
    vigil_backend_free(backend);
    free(times);
    vigil_tensor_free(&synthetic);
    return st;
}

void vigil_bench_print_header(FILE *out) {
    fprintf(out, "%-10s %-12s %-9s %7s %5s %10s %9s %8s %9s  %s\n", "model", "runtime", "backend",
            "threads", "runs", "median ms", "min ms", "frames/s", "GFLOP/s", "");
}

void vigil_bench_print_row(FILE *out, const char *model, const vigil_bench_row *row,
                           const char *extra) {
    double fps = row->median_ms > 0 ? 1e3 / row->median_ms : 0.0;
    double gflops = row->median_ms > 0 ? row->flops / (row->median_ms * 1e6) : 0.0;
    fprintf(out, "%-10s %-12s %-9s %7d %5d %10.2f %9.2f %8.1f %9.1f  %s\n", model, row->runtime,
            row->backend, row->threads, row->runs, row->median_ms, row->min_ms, fps, gflops,
            extra ? extra : "");
}
