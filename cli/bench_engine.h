/*
 * bench_engine.h — timing the detector network on one backend, shared by `vigil bench`
 * and the benchmark program bench/bench_detector.c.
 *
 * A row is one model on one backend configuration: the median and the fastest of
 * `runs` engine runs after a warm-up, and the FLOPs of one frame, so that frames/s and
 * GFLOP/s follow. Preprocessing and the head decode are not timed: the peers they are
 * compared with (ONNX Runtime, TF.js) run the network only.
 *
 *     vigil_bench_config cfg = {.backend = "cpu", .threads = 2, .runs = 30, .warmup = 3};
 *     vigil_bench_row row;
 *     if (vigil_bench_engine(model, &cfg, NULL, &row, &err) < 0) ...
 *     vigil_bench_print_header(stdout);
 *     vigil_bench_print_row(stdout, "nanodet", &row, NULL);
 */
#ifndef VIGIL_CLI_BENCH_ENGINE_H
#define VIGIL_CLI_BENCH_ENGINE_H

#include <stdio.h>

#include "vigil/model.h"

typedef struct vigil_bench_config {
    const char *backend; /* "cpu" or "ref" */
    bool bf16;           /* the cpu backend with bfloat16 convolutions */
    int threads;         /* <= 0: all cores */
    int runs;            /* timed runs, >= 1 */
    int warmup;          /* untimed runs first */
} vigil_bench_config;

typedef struct vigil_bench_row {
    char runtime[24]; /* "vigil", "onnxruntime", "tfjs" */
    char backend[24]; /* "cpu f32", "cpu bf16", "ref f32", "wasm f32" */
    int threads;
    int runs;
    double median_ms;
    double min_ms;
    double flops; /* of one frame; 0 when unknown */
} vigil_bench_row;

/* $VIGIL_HOME/models/NAME.safetensors for a bare name (no '/' and no '.'), else name. */
const char *vigil_bench_model_path(const char *name, char *buf, size_t size);

/* A fixed pseudo-random image, normalized as the model expects, as a [1, H, W, 3]
 * tensor (allocated into t). */
vigil_status vigil_bench_synthetic_input(const vigil_model *model, vigil_tensor *t,
                                         vigil_error *err);

/* Times the model's network. input: [1, H, W, 3] or [1, 3, H, W] (transposed when the
 * engine's INPUT node takes the other layout), or NULL for the synthetic image. The
 * model's graph is set to batch 1. */
vigil_status vigil_bench_engine(vigil_model *model, const vigil_bench_config *config,
                                const vigil_tensor *input, vigil_bench_row *row, vigil_error *err);

/* The median of n values (sorted in place). */
double vigil_bench_median(double *values, int n);
double vigil_bench_now_ms(void);

void vigil_bench_print_header(FILE *out);
/* extra: a last column (a ratio to a peer), or NULL. */
void vigil_bench_print_row(FILE *out, const char *model, const vigil_bench_row *row,
                           const char *extra);

#endif
