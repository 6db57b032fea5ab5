/* The engine with a backend that plans the whole graph (vigil_backend_ops.graph_prepare):
 * fused consumers computed by their producer, the inputs those add, running in place on
 * such an input, other storage sizes, and the plans the engine refuses. A test backend
 * wraps the ref backend and applies fused binary ops itself; expected values are closed
 * forms of the small graphs (relu(x) * k, -x + relu(x), ...). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vigil/engine.h"

#define MAX_NODES 32
#define ONE (8 * 8 * 4 * sizeof(float)) /* bytes of one [1,8,8,4] tensor */

typedef struct planner {
    vigil_backend base; /* first, so that a vigil_backend * is a planner * */
    vigil_backend *inner;
    vigil_backend_node_plan plan[MAX_NODES];
    int plan_token; /* what graph_prepare hands out; node_prepare must see its address */
    int prepared_with_plan, graph_releases, node_releases_after_graph_release;
    int forwards[MAX_NODES];
    int n_inputs_seen[MAX_NODES];
    const void *out_seen[MAX_NODES];
    const void *inputs_seen[MAX_NODES][4];
} planner;

static void pl_destroy(vigil_backend *b) {
    (void)b;
}

static vigil_status pl_graph_prepare(vigil_backend *b, const vigil_graph *g,
                                     vigil_backend_node_plan *nodes, void **plan,
                                     vigil_error *err) {
    planner *p = (planner *)b;
    (void)err;
    for (int i = 0; i < g->n_nodes; i++) {
        ck_assert_int_eq(nodes[i].fused_input, -1); /* the engine's defaults */
        ck_assert_int_eq(nodes[i].in_place_input, -1);
        ck_assert_uint_eq(nodes[i].output_bytes, 0);
        nodes[i] = p->plan[i];
    }
    *plan = &p->plan_token;
    return VIGIL_STATUS_OK;
}

static void pl_graph_release(vigil_backend *b, void *plan) {
    planner *p = (planner *)b;
    ck_assert_ptr_eq(plan, &p->plan_token);
    p->graph_releases++;
}

static vigil_status pl_prepare(vigil_backend *b, const vigil_graph *g, int node, void **state,
                               vigil_error *err) {
    planner *p = (planner *)b;
    p->prepared_with_plan += *state == &p->plan_token;
    return p->inner->ops->node_prepare(p->inner, g, node, state, err);
}

static void pl_release(vigil_backend *b, void *state) {
    planner *p = (planner *)b;
    p->node_releases_after_graph_release += p->graph_releases > 0;
    p->inner->ops->node_release(p->inner, state);
}

static bool pl_in_place(vigil_backend *b, const vigil_graph *g, int node) {
    planner *p = (planner *)b;
    return p->inner->ops->node_in_place(p->inner, g, node);
}

static float apply(vigil_binary_op op, float a, float b) {
    switch (op) {
    case VIGIL_BINARY_ADD:
        return a + b;
    case VIGIL_BINARY_SUB:
        return a - b;
    case VIGIL_BINARY_MUL:
        return a * b;
    default:
        ck_abort_msg("the test backend fuses add, sub and mul only");
    }
    return 0.0f;
}

/* Runs the node on ref into a temporary (out may be one of the extra inputs), then each
 * binary node fused into it, reading the extra inputs in the order the engine gives. */
static vigil_status pl_forward(vigil_backend *b, const vigil_graph *g, int node, void *state,
                               vigil_tensor *out, const vigil_tensor *const *inputs,
                               vigil_error *err) {
    planner *p = (planner *)b;
    p->forwards[node]++;
    p->out_seen[node] = out->data;
    int64_t n = vigil_tensor_numel(out);
    float *value = malloc((size_t)n * sizeof *value);
    vigil_tensor tmp = *out;
    tmp.data = value;
    vigil_status s = p->inner->ops->node_forward(p->inner, g, node, state, &tmp, inputs, err);
    int k = g->nodes[node].n_inputs, at = node;
    for (int j = node + 1; s == VIGIL_STATUS_OK && j < g->n_nodes; j++) {
        const vigil_node *jn = &g->nodes[j];
        int f = p->plan[j].fused_input;
        if (f < 0 || jn->inputs[f] != at)
            continue;
        ck_assert_int_eq(jn->op, VIGIL_OP_BINARY);
        const vigil_tensor *other = inputs[k++];
        const float *o = other->data;
        int64_t other_n = vigil_tensor_numel(other);
        for (int64_t i = 0; i < n; i++) {
            float y = o[other_n == 1 ? 0 : i];
            value[i] = f == 0 ? apply(jn->params.binary.op, value[i], y)
                              : apply(jn->params.binary.op, y, value[i]);
        }
        at = j;
    }
    p->n_inputs_seen[node] = k;
    for (int i = 0; i < k && i < 4; i++)
        p->inputs_seen[node][i] = inputs[i]->data;
    memcpy(out->data, value, (size_t)n * sizeof *value);
    free(value);
    return s;
}

static const vigil_backend_ops planner_ops = {.name = "planner",
                                              .destroy = pl_destroy,
                                              .node_prepare = pl_prepare,
                                              .node_forward = pl_forward,
                                              .node_release = pl_release,
                                              .node_in_place = pl_in_place,
                                              .graph_prepare = pl_graph_prepare,
                                              .graph_release = pl_graph_release};

static void planner_init(planner *p) {
    vigil_error err = {0};
    memset(p, 0, sizeof *p);
    p->inner = vigil_backend_ref_create(&err);
    ck_assert_ptr_nonnull(p->inner);
    p->base.ops = &planner_ops;
    for (int i = 0; i < MAX_NODES; i++)
        p->plan[i] = (vigil_backend_node_plan){.fused_input = -1, .in_place_input = -1};
}

static int add_op(vigil_graph *g, vigil_op_type op, const char *name, const int *inputs, int n,
                  vigil_op_params p) {
    vigil_error err = {0};
    int index = vigil_graph_add_node(g, op, name, inputs, n, &p, &err);
    ck_assert_msg(index >= 0, "%s", err.message);
    return index;
}

static int add_unary(vigil_graph *g, const char *name, int x, vigil_activation a) {
    return add_op(g, VIGIL_OP_UNARY, name, &x, 1, (vigil_op_params){.unary = {.activation = a}});
}

static int add_binary(vigil_graph *g, const char *name, int a, int b, vigil_binary_op op) {
    return add_op(g, VIGIL_OP_BINARY, name, (int[]){a, b}, 2,
                  (vigil_op_params){.binary = {.op = op}});
}

static int add_scalar(vigil_graph *g, const char *name, float v) {
    vigil_tensor t;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, 0, NULL, &err), VIGIL_STATUS_OK);
    *(float *)t.data = v;
    int index = vigil_graph_add_const(g, name, &t, &err);
    ck_assert_msg(index >= 0, "%s", err.message);
    return index;
}

static int add_input(vigil_graph *g) {
    vigil_error err = {0};
    return vigil_graph_add_input(g, "in", 4, (int64_t[]){1, 8, 8, 4}, &err);
}

static void fill(vigil_tensor *t, float seed) {
    float *v = t->data;
    for (int64_t i = 0; i < vigil_tensor_numel(t); i++)
        v[i] = sinf(seed + 0.37f * (float)i) * 3.0f;
}

static vigil_engine *create_ok(vigil_graph *g, planner *p) {
    vigil_engine *e = NULL;
    vigil_error err = {0};
    ck_assert_msg(vigil_engine_create(g, &p->base, &e, &err) == VIGIL_STATUS_OK, "%s", err.message);
    return e;
}

static void finish(vigil_engine *e, vigil_graph *g, planner *p) {
    vigil_engine_free(e);
    ck_assert_int_eq(p->graph_releases, 1);
    ck_assert_int_eq(p->node_releases_after_graph_release, 0);
    vigil_backend_free(p->inner);
    vigil_graph_free(g);
}

/* in -> a = relu(in) -> m = a * 2.5 (fused into a) -> out = -m */
START_TEST(test_fused_consumer_runs_with_its_producer) {
    vigil_graph *g = vigil_graph_create();
    int x = add_input(g);
    int a = add_unary(g, "a", x, VIGIL_ACTIVATION_RELU);
    int k = add_scalar(g, "k", 2.5f);
    int m = add_binary(g, "m", a, k, VIGIL_BINARY_MUL);
    int out = add_unary(g, "out", m, VIGIL_ACTIVATION_NEG);
    vigil_error err = {0};
    vigil_graph_mark_output(g, out, "out", &err);
    planner p;
    planner_init(&p);
    p.plan[m].fused_input = 0;
    vigil_engine *e = create_ok(g, &p);
    /* Every computed node was prepared with the plan in *state, the fused one too. */
    ck_assert_int_eq(p.prepared_with_plan, 3);
    /* The input, then one buffer: a (holding m) and out in place on it. */
    ck_assert_uint_eq(vigil_engine_arena_bytes(e), 2 * ONE);
    vigil_tensor *in = vigil_engine_input(e, 0);
    for (int run = 0; run < 2; run++) {
        fill(in, (float)run);
        ck_assert_int_eq(vigil_engine_run(e, &err), VIGIL_STATUS_OK);
        const float *xv = in->data, *y = vigil_engine_output(e, 0)->data;
        for (int i = 0; i < 8 * 8 * 4; i++)
            ck_assert_float_eq_tol(y[i], -(xv[i] > 0 ? xv[i] : 0.0f) * 2.5f, 1e-6f);
    }
    ck_assert_int_eq(p.forwards[m], 0);
    ck_assert_int_eq(p.forwards[a], 2);
    ck_assert_int_eq(p.n_inputs_seen[a], 2); /* its own input, then m's scalar */
    ck_assert_ptr_eq(p.inputs_seen[a][1], g->nodes[k].value.data);
    ck_assert_ptr_eq(p.out_seen[out], p.out_seen[a]);
    finish(e, g, &p);
}
END_TEST

/* in -> r = relu(in); b = -in; s = b + r (fused into b, which may overwrite r); when
 * `r_read_later`, t = exp(r) also reads r after s, so b must not overwrite it. */
static vigil_graph *sum_graph(bool r_read_later, int *r, int *b, int *s) {
    vigil_graph *g = vigil_graph_create();
    vigil_error err = {0};
    int x = add_input(g);
    *r = add_unary(g, "r", x, VIGIL_ACTIVATION_RELU);
    *b = add_unary(g, "b", x, VIGIL_ACTIVATION_NEG);
    *s = add_binary(g, "s", *b, *r, VIGIL_BINARY_ADD);
    vigil_graph_mark_output(g, *s, "s", &err);
    if (r_read_later)
        vigil_graph_mark_output(g, add_unary(g, "t", *r, VIGIL_ACTIVATION_EXP), "t", &err);
    return g;
}

START_TEST(test_fused_sum_in_place_on_an_added_input) {
    for (int later = 0; later < 2; later++) {
        int r, b, s;
        vigil_graph *g = sum_graph(later, &r, &b, &s);
        planner p;
        planner_init(&p);
        p.plan[s].fused_input = 0;
        p.plan[b].in_place_input = 1; /* b's inputs: in, then s's other input r */
        vigil_engine *e = create_ok(g, &p);
        vigil_tensor *in = vigil_engine_input(e, 0);
        fill(in, 0.25f);
        vigil_error err = {0};
        ck_assert_int_eq(vigil_engine_run(e, &err), VIGIL_STATUS_OK);
        const float *xv = in->data, *y = vigil_engine_output(e, 0)->data;
        for (int i = 0; i < 8 * 8 * 4; i++)
            ck_assert_float_eq_tol(y[i], -xv[i] + (xv[i] > 0 ? xv[i] : 0.0f), 1e-6f);
        ck_assert_int_eq(p.forwards[s], 0);
        ck_assert_int_eq(p.n_inputs_seen[b], 2);
        ck_assert_ptr_eq(p.inputs_seen[b][1], p.out_seen[r]);
        if (later) {
            /* r is still read by t: b gets its own storage, and t sees relu(in). */
            ck_assert_ptr_ne(p.out_seen[b], p.out_seen[r]);
            const float *t = vigil_engine_output(e, 1)->data;
            for (int i = 0; i < 8 * 8 * 4; i++)
                ck_assert_float_eq_tol(t[i], expf(xv[i] > 0 ? xv[i] : 0.0f), 1e-4f);
        } else {
            ck_assert_ptr_eq(p.out_seen[b], p.out_seen[r]);
            ck_assert_uint_eq(vigil_engine_arena_bytes(e), 2 * ONE);
        }
        finish(e, g, &p);
    }
}
END_TEST

/* in -> a = relu(in) -> b = -a (out): a stored in 2x its bytes cannot be overwritten by
 * b, which then needs its own buffer. */
START_TEST(test_planned_output_bytes) {
    vigil_graph *g = vigil_graph_create();
    int x = add_input(g);
    int a = add_unary(g, "a", x, VIGIL_ACTIVATION_RELU);
    int b = add_unary(g, "b", a, VIGIL_ACTIVATION_NEG);
    vigil_error err = {0};
    vigil_graph_mark_output(g, b, "b", &err);
    planner p;
    planner_init(&p);
    vigil_engine *e = create_ok(g, &p);
    ck_assert_uint_eq(vigil_engine_arena_bytes(e), 2 * ONE); /* b in place on a */
    vigil_engine_free(e);
    p.graph_releases = 0;
    p.plan[a].output_bytes = 2 * ONE;
    e = create_ok(g, &p);
    ck_assert_uint_eq(vigil_engine_arena_bytes(e), 4 * ONE);
    finish(e, g, &p);
}
END_TEST

static void create_fails(vigil_graph *g, planner *p, const char *node, const char *why) {
    vigil_engine *e = NULL;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_engine_create(g, &p->base, &e, &err), VIGIL_STATUS_BACKEND);
    ck_assert_ptr_null(e);
    ck_assert_msg(strstr(err.message, node) && strstr(err.message, why), "%s", err.message);
    ck_assert_int_eq(p->graph_releases, 1);
}

/* Forgets the plan and the counts, keeping the inner backend. */
static void planner_reset(planner *p) {
    vigil_backend *inner = p->inner;
    planner_init(p);
    vigil_backend_free(p->inner);
    p->inner = inner;
}

START_TEST(test_plans_the_engine_refuses) {
    vigil_error err = {0};
    /* Fused into a producer that another node reads too. */
    vigil_graph *g = vigil_graph_create();
    int x = add_input(g);
    int a = add_unary(g, "a", x, VIGIL_ACTIVATION_RELU);
    int m = add_binary(g, "m", a, add_scalar(g, "k", 2.0f), VIGIL_BINARY_MUL);
    int n = add_binary(g, "n", m, a, VIGIL_BINARY_ADD);
    vigil_graph_mark_output(g, n, "n", &err);
    planner p;
    planner_init(&p);
    p.plan[m].fused_input = 0;
    create_fails(g, &p, "'m'", "others read too");

    /* A graph output (and an input) must keep the storage callers read. */
    planner_reset(&p);
    p.plan[n].output_bytes = 1;
    create_fails(g, &p, "'n'", "callers read");
    planner_reset(&p);
    p.plan[x].output_bytes = 3 * ONE;
    create_fails(g, &p, "'in'", "callers read");

    /* Fused into a graph input. */
    planner_reset(&p);
    p.plan[a].fused_input = 0;
    create_fails(g, &p, "'a'", "not computed");
    vigil_graph_free(g);

    /* Fused into r, but reading c, computed after r. */
    g = vigil_graph_create();
    x = add_input(g);
    int r = add_unary(g, "r", x, VIGIL_ACTIVATION_RELU);
    int c = add_unary(g, "c", x, VIGIL_ACTIVATION_NEG);
    int s = add_binary(g, "s", c, r, VIGIL_BINARY_ADD);
    vigil_graph_mark_output(g, s, "s", &err);
    planner_reset(&p);
    p.plan[s].fused_input = 1;
    create_fails(g, &p, "'s'", "computed later");
    /* Fused into c, which runs after r: accepted. */
    planner_reset(&p);
    p.plan[s].fused_input = 0;
    vigil_engine *e = create_ok(g, &p);
    finish(e, g, &p);
}
END_TEST

static Suite *engine_plan_suite(void) {
    Suite *s = suite_create("engine_plan");
    TCase *tc = tcase_create("engine_plan");
    tcase_add_test(tc, test_fused_consumer_runs_with_its_producer);
    tcase_add_test(tc, test_fused_sum_in_place_on_an_added_input);
    tcase_add_test(tc, test_planned_output_bytes);
    tcase_add_test(tc, test_plans_the_engine_refuses);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(engine_plan_suite)
