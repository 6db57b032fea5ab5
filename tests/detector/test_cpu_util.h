/*
 * Helpers for the cpu backend tests: one-node graphs built with the public graph API,
 * run through vigil_engine on the cpu backend and on the ref backend (the plain-C
 * reference), outputs compared with a tolerance relative to the output's magnitude.
 */
#ifndef VIGIL_TEST_CPU_UTIL_H
#define VIGIL_TEST_CPU_UTIL_H

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/backend.h"
#include "vigil/engine.h"
#include "vigil/graph.h"

/* xorshift32: the same inputs on every backend and every run */
static inline float cpu_test_uniform(uint32_t *state, float lo, float hi) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return lo + (hi - lo) * (float)(x >> 8) / 16777216.0f;
}

static inline void cpu_test_fill(float *p, int64_t n, uint32_t seed, float lo, float hi) {
    uint32_t state = seed * 2654435761u + 1u;
    for (int64_t i = 0; i < n; i++)
        p[i] = cpu_test_uniform(&state, lo, hi);
}

static inline int cpu_test_input(vigil_graph *g, const char *name, int ndim, const int64_t *shape) {
    vigil_error err = {0};
    int id = vigil_graph_add_input(g, name, ndim, shape, &err);
    ck_assert_msg(id >= 0, "%s", err.message);
    return id;
}

/* A constant of uniform values in [lo, hi]. */
static inline int cpu_test_const(vigil_graph *g, const char *name, int ndim, const int64_t *shape,
                                 uint32_t seed, float lo, float hi) {
    vigil_error err = {0};
    vigil_tensor t;
    ck_assert_msg(vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, ndim, shape, &err) == VIGIL_STATUS_OK,
                  "%s", err.message);
    cpu_test_fill(t.data, vigil_tensor_numel(&t), seed, lo, hi);
    int id = vigil_graph_add_const(g, name, &t, &err);
    ck_assert_msg(id >= 0, "%s", err.message);
    vigil_tensor_free(&t);
    return id;
}

static inline int cpu_test_node(vigil_graph *g, vigil_op_type op, const int *inputs, int n_inputs,
                                const vigil_op_params *p) {
    vigil_error err = {0};
    char name[32];
    snprintf(name, sizeof name, "op%d", g->n_nodes);
    int id = vigil_graph_add_node(g, op, name, inputs, n_inputs, p, &err);
    ck_assert_msg(id >= 0, "%s", err.message);
    return id;
}

/* Runs g (inputs filled with uniform values in [-1, 1], seeded by input index) and
 * returns a copy of output 0; *n is its element count. */
static inline float *cpu_test_run(vigil_graph *g, vigil_backend *b, int64_t *n) {
    vigil_error err = {0};
    vigil_engine *e = NULL;
    ck_assert_msg(vigil_engine_create(g, b, &e, &err) == VIGIL_STATUS_OK, "%s: %s", b->ops->name,
                  err.message);
    for (int i = 0; i < vigil_engine_input_count(e); i++) {
        vigil_tensor *in = vigil_engine_input(e, i);
        cpu_test_fill(in->data, vigil_tensor_numel(in), 100u + (uint32_t)i, -1.f, 1.f);
    }
    ck_assert_msg(vigil_engine_run(e, &err) == VIGIL_STATUS_OK, "%s: %s", b->ops->name,
                  err.message);
    const vigil_tensor *out = vigil_engine_output(e, 0);
    *n = vigil_tensor_numel(out);
    float *copy = malloc((size_t)*n * sizeof *copy + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, out->data, (size_t)*n * sizeof *copy);
    vigil_engine_free(e);
    return copy;
}

/* Largest |a - b| over the largest |b| (at least 1): an error relative to the scale of
 * the output, which is what float accumulation errors are proportional to. */
static inline double cpu_test_error(const float *a, const float *b, int64_t n) {
    double max_err = 0.0, scale = 1.0;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d > max_err || isnan(d))
            max_err = isnan(d) ? INFINITY : d;
        if (fabs((double)b[i]) > scale)
            scale = fabs((double)b[i]);
    }
    return max_err / scale;
}

/* Marks `node` as the output, runs g on cpu and on ref, and checks the outputs agree
 * within tol. expect: "dnnl" (the node must run on oneDNN), "ref" (it must be delegated),
 * "any", or a substring the oneDNN implementation name must contain. Returns the error. */
static inline double cpu_test_compare(vigil_graph *g, int node, vigil_backend *cpu, double tol,
                                      const char *expect) {
    vigil_error err = {0};
    ck_assert_msg(vigil_graph_mark_output(g, node, "out", &err) == VIGIL_STATUS_OK, "%s",
                  err.message);
    vigil_backend *ref = vigil_backend_ref_create(&err);
    ck_assert_msg(ref != NULL, "%s", err.message);
    int64_t n_ref, n_cpu;
    float *want = cpu_test_run(g, ref, &n_ref);
    float *got = cpu_test_run(g, cpu, &n_cpu);
    const char *impl = vigil_backend_cpu_node_impl(cpu, g, node);
    ck_assert_msg(impl != NULL, "no implementation recorded for node %d", node);
    if (strcmp(expect, "dnnl") == 0)
        ck_assert_msg(strcmp(impl, "ref") != 0, "node ran on ref, expected oneDNN");
    else if (strcmp(expect, "any") != 0)
        ck_assert_msg(strstr(impl, expect) != NULL, "node ran on '%s', expected '%s'", impl,
                      expect);
    ck_assert_int_eq(n_ref, n_cpu);
    double e = cpu_test_error(got, want, n_ref);
    ck_assert_msg(e <= tol, "cpu (%s) vs ref: relative error %.3g > %.3g", impl, e, tol);
    if (getenv("VIGIL_TEST_VERBOSE"))
        printf("%-8s %-32s error %.2e\n", vigil_op_type_name(g->nodes[node].op), impl, e);
    free(want);
    free(got);
    vigil_backend_free(ref);
    return e;
}

#endif
