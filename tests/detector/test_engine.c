/* The engine: storage planning (reuse, in place, reshape aliases), outputs that must
 * survive, batches, and no allocation per run. Expected values are closed forms of
 * the small graphs built here (e.g. four 1x1 convolutions by 2*I give 16 * x). */
#include <check.h>
#include <math.h>
#include <string.h>

#include "test_util.h"
#include "vigil/engine.h"

#define MAX_NODES 64

/* Wraps the ref backend to record the storage every node runs on, and optionally to
 * refuse running in place. */
typedef struct recorder {
    vigil_backend base; /* first, so that a vigil_backend * is a recorder * */
    vigil_backend *inner;
    bool allow_in_place;
    int pass, calls;
    void *out[MAX_NODES];
    const void *in0[MAX_NODES];
    int moved; /* pointers that differ between pass 0 and later passes */
} recorder;

static void rec_destroy(vigil_backend *b) {
    (void)b;
}

static vigil_status rec_prepare(vigil_backend *b, const vigil_graph *g, int node, void **state,
                                vigil_error *err) {
    recorder *r = (recorder *)b;
    return r->inner->ops->node_prepare(r->inner, g, node, state, err);
}

static vigil_status rec_forward(vigil_backend *b, const vigil_graph *g, int node, void *state,
                                vigil_tensor *out, const vigil_tensor *const *inputs,
                                vigil_error *err) {
    recorder *r = (recorder *)b;
    r->calls++;
    if (r->pass == 0) {
        r->out[node] = out->data;
        r->in0[node] = inputs[0]->data;
    } else if (r->out[node] != out->data || r->in0[node] != inputs[0]->data) {
        r->moved++;
    }
    return r->inner->ops->node_forward(r->inner, g, node, state, out, inputs, err);
}

static void rec_release(vigil_backend *b, void *state) {
    recorder *r = (recorder *)b;
    r->inner->ops->node_release(r->inner, state);
}

static bool rec_in_place(vigil_backend *b, const vigil_graph *g, int node) {
    recorder *r = (recorder *)b;
    return r->allow_in_place && r->inner->ops->node_in_place(r->inner, g, node);
}

static const vigil_backend_ops rec_ops = {.name = "recorder",
                                          .destroy = rec_destroy,
                                          .node_prepare = rec_prepare,
                                          .node_forward = rec_forward,
                                          .node_release = rec_release,
                                          .node_in_place = rec_in_place};

static void recorder_init(recorder *r, bool allow_in_place) {
    vigil_error err = {0};
    memset(r, 0, sizeof *r);
    r->inner = vigil_backend_ref_create(&err);
    ck_assert_ptr_nonnull(r->inner);
    r->inner->threads = 2;
    r->base.ops = &rec_ops;
    r->base.threads = 2;
    r->allow_in_place = allow_in_place;
}

static int add_const(vigil_graph *g, const char *name, int ndim, const int64_t *shape,
                     const float *values) {
    vigil_tensor t;
    vigil_error err = {0};
    ck_assert_int_eq(vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, ndim, shape, &err), VIGIL_STATUS_OK);
    memcpy(t.data, values, vigil_tensor_nbytes(&t));
    int index = vigil_graph_add_const(g, name, &t, &err);
    ck_assert_msg(index >= 0, "%s", err.message);
    return index;
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

static void fill(vigil_tensor *t, float seed) {
    float *v = t->data;
    for (int64_t i = 0; i < vigil_tensor_numel(t); i++)
        v[i] = sinf(seed + 0.37f * (float)i) * 3.0f;
}

/* in [N,8,8,4] -> four 1x1 convolutions, each by 2 * identity -> 16 * in. */
static vigil_graph *conv_chain(void) {
    vigil_graph *g = vigil_graph_create();
    vigil_error err = {0};
    int x = vigil_graph_add_input(g, "in", 4, (int64_t[]){1, 8, 8, 4}, &err);
    float eye2[16] = {2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2};
    int w = add_const(g, "w", 4, (int64_t[]){1, 1, 4, 4}, eye2);
    vigil_op_params conv = {.conv2d = {.stride = {1, 1}, .groups = 1}};
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "conv%d", i);
        x = add_op(g, VIGIL_OP_CONV2D, name, (int[]){x, w}, 2, conv);
    }
    ck_assert_int_eq(vigil_graph_mark_output(g, x, "out", &err), VIGIL_STATUS_OK);
    return g;
}

START_TEST(test_arena_reuses_memory_and_runs_allocate_nothing) {
    vigil_graph *g = conv_chain();
    recorder rec;
    recorder_init(&rec, true);
    vigil_engine *e;
    vigil_error err = {0};
    ck_assert_msg(vigil_engine_create(g, &rec.base, &e, &err) == VIGIL_STATUS_OK, "%s",
                  err.message);
    size_t one = 8 * 8 * 4 * sizeof(float);
    /* The input and four activations would need 5 buffers; the input plus two that
     * alternate suffice. */
    ck_assert_uint_eq(vigil_engine_arena_bytes(e), 3 * one);
    ck_assert_uint_lt(vigil_engine_arena_bytes(e), 5 * one);

    vigil_tensor *in = vigil_engine_input(e, 0);
    ck_assert_int_eq(vigil_engine_input_count(e), 1);
    void *in_data = in->data;
    const vigil_tensor *out = vigil_engine_output(e, 0);
    const void *out_data = out->data;
    for (int pass = 0; pass < 3; pass++) {
        rec.pass = pass;
        fill(in, (float)pass);
        ck_assert_int_eq(vigil_engine_run(e, &err), VIGIL_STATUS_OK);
        const float *x = in->data, *y = out->data;
        for (int i = 0; i < 256; i++)
            ck_assert_float_eq_tol(y[i], 16.0f * x[i], 1e-5f);
    }
    ck_assert_int_eq(rec.calls, 12);
    ck_assert_int_eq(rec.moved, 0);
    ck_assert_ptr_eq(vigil_engine_input(e, 0)->data, in_data);
    ck_assert_ptr_eq(vigil_engine_output(e, 0)->data, out_data);
    /* Adjacent layers never share bytes; layers two apart may. */
    ck_assert_ptr_ne(rec.out[2], rec.out[3]);
    ck_assert_ptr_ne(rec.out[3], rec.out[4]);
    ck_assert_ptr_ne(rec.out[2], in_data);
    vigil_engine_free(e);
    vigil_backend_free(rec.inner);
    vigil_graph_free(g);
}
END_TEST

/* in -> neg -> relu -> neg -> sigmoid: elementwise, each input dying where it is read. */
static vigil_graph *unary_chain(void) {
    vigil_graph *g = vigil_graph_create();
    vigil_error err = {0};
    int x = vigil_graph_add_input(g, "in", 4, (int64_t[]){1, 16, 16, 8}, &err);
    x = add_unary(g, "neg1", x, VIGIL_ACTIVATION_NEG);
    x = add_unary(g, "relu", x, VIGIL_ACTIVATION_RELU);
    x = add_unary(g, "neg2", x, VIGIL_ACTIVATION_NEG);
    x = add_unary(g, "sigmoid", x, VIGIL_ACTIVATION_SIGMOID);
    vigil_graph_mark_output(g, x, "out", &err);
    return g;
}

START_TEST(test_in_place) {
    size_t one = 16 * 16 * 8 * sizeof(float);
    for (int allow = 0; allow < 2; allow++) {
        vigil_graph *g = unary_chain();
        recorder rec;
        recorder_init(&rec, allow);
        vigil_engine *e;
        vigil_error err = {0};
        ck_assert_int_eq(vigil_engine_create(g, &rec.base, &e, &err), VIGIL_STATUS_OK);
        /* In place: the input (kept for the caller) plus one buffer all four ops share.
         * Without: the input plus two buffers in turn. */
        ck_assert_uint_eq(vigil_engine_arena_bytes(e), (allow ? 2 : 3) * one);
        vigil_tensor *in = vigil_engine_input(e, 0);
        fill(in, 1.0f);
        ck_assert_int_eq(vigil_engine_run(e, &err), VIGIL_STATUS_OK);
        const float *x = in->data, *y = vigil_engine_output(e, 0)->data;
        for (int i = 0; i < 16 * 16 * 8; i++) {
            float want = 1.0f / (1.0f + expf(x[i] > 0 ? 0.0f : -x[i])); /* sigmoid(-relu(-x)) */
            ck_assert_float_eq_tol(y[i], want, 1e-6f);
        }
        if (allow)
            ck_assert_ptr_eq(rec.out[2], rec.out[4]);
        vigil_engine_free(e);
        vigil_backend_free(rec.inner);
        vigil_graph_free(g);
    }
}
END_TEST

START_TEST(test_reshape_alias_and_lifetime) {
    vigil_graph *g = vigil_graph_create();
    vigil_error err = {0};
    int x = vigil_graph_add_input(g, "in", 4, (int64_t[]){1, 4, 4, 2}, &err);
    vigil_op_params flat = {.reshape = {.ndim = 2, .shape = {1, 32}, .keep_batch = true}};
    int a = add_unary(g, "a", x, VIGIL_ACTIVATION_NEG);
    int r = add_op(g, VIGIL_OP_RESHAPE, "r", &a, 1, flat);
    /* A chain that, if a's bytes were released at the reshape, would land on them. */
    int b1 = add_unary(g, "b1", x, VIGIL_ACTIVATION_RELU);
    int b2 = add_unary(g, "b2", b1, VIGIL_ACTIVATION_NEG);
    int b3 = add_unary(g, "b3", b2, VIGIL_ACTIVATION_EXP);
    int b4 = add_op(g, VIGIL_OP_RESHAPE, "b4", &b3, 1, flat);
    vigil_op_params add = {.binary = {.op = VIGIL_BINARY_ADD}};
    int sum = add_op(g, VIGIL_OP_BINARY, "sum", (int[]){r, b4}, 2, add);
    /* A reshape of the input and of a const are views too. */
    int rin = add_op(g, VIGIL_OP_RESHAPE, "rin", &x, 1, flat);
    float k[4] = {1, 2, 3, 4};
    int c = add_const(g, "k", 2, (int64_t[]){2, 2}, k);
    vigil_op_params k_flat = {.reshape = {.ndim = 1, .shape = {-1}}};
    int rc = add_op(g, VIGIL_OP_RESHAPE, "rc", &c, 1, k_flat);
    vigil_graph_mark_output(g, sum, "sum", &err);
    vigil_graph_mark_output(g, rin, "rin", &err);
    vigil_graph_mark_output(g, rc, "rc", &err);

    vigil_backend *ref = vigil_backend_ref_create(&err);
    vigil_engine *e;
    ck_assert_int_eq(vigil_engine_create(g, ref, &e, &err), VIGIL_STATUS_OK);
    vigil_tensor *in = vigil_engine_input(e, 0);
    fill(in, 0.5f);
    ck_assert_int_eq(vigil_engine_run(e, &err), VIGIL_STATUS_OK);
    const vigil_tensor *out = vigil_engine_output(e, vigil_engine_find_output(e, "sum"));
    ck_assert_int_eq(out->ndim, 2);
    const float *xv = in->data, *yv = out->data;
    for (int i = 0; i < 32; i++) {
        float want = -xv[i] + expf(-(xv[i] > 0 ? xv[i] : 0.0f));
        ck_assert_float_eq_tol(yv[i], want, 1e-5f);
    }
    const vigil_tensor *in_view = vigil_engine_output(e, vigil_engine_find_output(e, "rin"));
    ck_assert_ptr_eq(in_view->data, in->data);
    ck_assert_int_eq(in_view->ndim, 2);
    ck_assert_int_eq(in_view->shape[1], 32);
    const vigil_tensor *k_view = vigil_engine_output(e, vigil_engine_find_output(e, "rc"));
    ck_assert_ptr_eq(k_view->data, g->nodes[c].value.data);
    ck_assert_int_eq(k_view->shape[0], 4);
    ck_assert_int_eq(vigil_engine_find_output(e, "absent"), -1);
    vigil_engine_free(e);
    vigil_backend_free(ref);
    vigil_graph_free(g);
}
END_TEST

/* x [N,6,6,3] -> conv 3x3 SAME (fixed weights) -> leaky relu -> early (output, also used
 * later) -> mul by 2 -> add per-channel bias -> mean over H,W; plus a reshape output. */
static vigil_graph *mixed_graph(int64_t batch) {
    vigil_graph *g = vigil_graph_create();
    vigil_error err = {0};
    int x = vigil_graph_add_input(g, "in", 4, (int64_t[]){batch, 6, 6, 3}, &err);
    float w[3 * 3 * 3 * 4];
    for (int i = 0; i < 108; i++)
        w[i] = cosf(0.7f * (float)i) * 0.5f;
    int wi = add_const(g, "w", 4, (int64_t[]){3, 3, 3, 4}, w);
    vigil_op_params conv = {.conv2d = {.stride = {1, 1},
                                       .padding = VIGIL_PADDING_SAME,
                                       .activation = VIGIL_ACTIVATION_LEAKY_RELU,
                                       .alpha = 0.1f}};
    int early = add_op(g, VIGIL_OP_CONV2D, "early", (int[]){x, wi}, 2, conv);
    float two = 2.0f, bias[4] = {1, -1, 0.5f, 3};
    int c2 = add_const(g, "two", 0, NULL, &two);
    int cb = add_const(g, "bias", 1, (int64_t[]){4}, bias);
    vigil_op_params mul = {.binary = {.op = VIGIL_BINARY_MUL}};
    vigil_op_params add = {.binary = {.op = VIGIL_BINARY_ADD}};
    int m = add_op(g, VIGIL_OP_BINARY, "mul", (int[]){early, c2}, 2, mul);
    int s = add_op(g, VIGIL_OP_BINARY, "add", (int[]){m, cb}, 2, add);
    vigil_op_params mean = {.reduce = {.op = VIGIL_REDUCE_MEAN, .naxes = 2, .axes = {1, 2}}};
    int r = add_op(g, VIGIL_OP_REDUCE, "mean", &s, 1, mean);
    vigil_op_params flat = {.reshape = {.ndim = 3, .shape = {1, -1, 4}, .keep_batch = true}};
    int f = add_op(g, VIGIL_OP_RESHAPE, "flat", &s, 1, flat);
    vigil_graph_mark_output(g, early, "early", &err);
    vigil_graph_mark_output(g, r, "mean", &err);
    vigil_graph_mark_output(g, f, "flat", &err);
    return g;
}

START_TEST(test_outputs_survive) {
    vigil_graph *g = mixed_graph(1);
    vigil_error err = {0};
    vigil_backend *ref = vigil_backend_ref_create(&err);
    vigil_engine *e;
    ck_assert_int_eq(vigil_engine_create(g, ref, &e, &err), VIGIL_STATUS_OK);
    fill(vigil_engine_input(e, 0), 2.0f);
    ck_assert_int_eq(vigil_engine_run(e, &err), VIGIL_STATUS_OK);
    const float *early = vigil_engine_output(e, 0)->data;
    const float *mean = vigil_engine_output(e, 1)->data;
    const float *flat = vigil_engine_output(e, 2)->data;
    ck_assert_int_eq(vigil_engine_output(e, 2)->shape[1], 36);
    const float bias[4] = {1, -1, 0.5f, 3};
    /* "early" was read by later nodes that may run in place: it must still hold the
     * conv result, consistent with flat = 2 * early + bias and mean = mean of flat. */
    double sums[4] = {0};
    for (int i = 0; i < 36 * 4; i++) {
        ck_assert_float_eq_tol(flat[i], 2.0f * early[i] + bias[i % 4], 1e-5f);
        sums[i % 4] += flat[i];
    }
    for (int c = 0; c < 4; c++)
        ck_assert_float_eq_tol(mean[c], (float)(sums[c] / 36.0), 1e-4f);
    ck_assert_str_eq(vigil_engine_output_name(e, 1), "mean");
    ck_assert_int_eq(vigil_engine_output_count(e), 3);
    vigil_engine_free(e);
    vigil_backend_free(ref);
    vigil_graph_free(g);
}
END_TEST

START_TEST(test_batch_two_equals_two_runs) {
    vigil_error err = {0};
    vigil_backend *ref = vigil_backend_ref_create(&err);
    size_t image = 6 * 6 * 3;
    float inputs[2][6 * 6 * 3];
    float results[2][3][6 * 6 * 4];
    int64_t sizes[3] = {6 * 6 * 4, 4, 6 * 6 * 4};
    for (int b = 0; b < 2; b++) {
        vigil_graph *g = mixed_graph(1);
        vigil_engine *e;
        ck_assert_int_eq(vigil_engine_create(g, ref, &e, &err), VIGIL_STATUS_OK);
        vigil_tensor *in = vigil_engine_input(e, 0);
        fill(in, 3.0f + (float)b * 11.0f);
        memcpy(inputs[b], in->data, image * sizeof(float));
        ck_assert_int_eq(vigil_engine_run(e, &err), VIGIL_STATUS_OK);
        for (int o = 0; o < 3; o++)
            memcpy(results[b][o], vigil_engine_output(e, o)->data,
                   (size_t)sizes[o] * sizeof(float));
        vigil_engine_free(e);
        vigil_graph_free(g);
    }
    vigil_graph *g = mixed_graph(1);
    ck_assert_int_eq(vigil_graph_set_batch(g, 2, &err), VIGIL_STATUS_OK);
    vigil_engine *e;
    ck_assert_int_eq(vigil_engine_create(g, ref, &e, &err), VIGIL_STATUS_OK);
    vigil_tensor *in = vigil_engine_input(e, 0);
    ck_assert_int_eq(in->shape[0], 2);
    memcpy(in->data, inputs[0], image * sizeof(float));
    memcpy((float *)in->data + image, inputs[1], image * sizeof(float));
    ck_assert_int_eq(vigil_engine_run(e, &err), VIGIL_STATUS_OK);
    for (int o = 0; o < 3; o++) {
        const vigil_tensor *t = vigil_engine_output(e, o);
        ck_assert_int_eq(t->shape[0], 2);
        for (int b = 0; b < 2; b++) {
            const float *got = (const float *)t->data + b * sizes[o];
            for (int64_t i = 0; i < sizes[o]; i++)
                ck_assert_float_eq_tol(got[i], results[b][o][i], 1e-6f);
        }
    }
    vigil_engine_free(e);
    vigil_graph_free(g);
    vigil_backend_free(ref);
}
END_TEST

START_TEST(test_errors_name_the_node) {
    vigil_error err = {0};
    vigil_backend *ref = vigil_backend_ref_create(&err);
    vigil_graph *g = vigil_graph_create();
    int x = vigil_graph_add_input(g, "in", 2, (int64_t[]){2, 3}, &err);
    float v[4] = {0};
    int k = add_const(g, "k", 1, (int64_t[]){4}, v);
    add_op(g, VIGIL_OP_BINARY, "broken_add", (int[]){x, k}, 2,
           (vigil_op_params){.binary = {.op = VIGIL_BINARY_ADD}});
    vigil_engine *e = (vigil_engine *)&err; /* must come back NULL */
    ck_assert_int_eq(vigil_engine_create(g, ref, &e, &err), VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_null(e);
    ck_assert_ptr_nonnull(strstr(err.message, "broken_add"));
    vigil_graph_free(g);

    /* The reference runs float32 only: an F16 const is refused at create, by name. */
    g = vigil_graph_create();
    x = vigil_graph_add_input(g, "in", 1, (int64_t[]){4}, &err);
    vigil_tensor h;
    ck_assert_int_eq(vigil_tensor_alloc(&h, VIGIL_DTYPE_F16, 1, (int64_t[]){4}, &err), 0);
    k = vigil_graph_add_const(g, "half", &h, &err);
    add_op(g, VIGIL_OP_BINARY, "mixed", (int[]){x, k}, 2,
           (vigil_op_params){.binary = {.op = VIGIL_BINARY_ADD}});
    ck_assert_int_eq(vigil_engine_create(g, ref, &e, &err), VIGIL_STATUS_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "mixed"));
    ck_assert_ptr_nonnull(strstr(err.message, "F16"));
    vigil_graph_free(g);
    vigil_backend_free(ref);
}
END_TEST

START_TEST(test_backend_by_name_and_accessors) {
    vigil_error err = {0};
    vigil_backend *ref = vigil_backend_create("ref", 3, &err);
    ck_assert_ptr_nonnull(ref);
    ck_assert_str_eq(ref->ops->name, "ref");
    ck_assert_int_eq(ref->threads, 3);
    ck_assert_ptr_null(vigil_backend_create("cuda", 1, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "without CUDA"));
    ck_assert_ptr_null(vigil_backend_create("tpu", 1, &err));
    ck_assert_int_eq(err.status, VIGIL_STATUS_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "tpu"));

    vigil_graph *g = conv_chain();
    vigil_engine *e;
    ck_assert_int_eq(vigil_engine_create(g, ref, &e, &err), VIGIL_STATUS_OK);
    ck_assert_ptr_null(vigil_engine_input(e, 1));
    ck_assert_ptr_null(vigil_engine_input(e, -1));
    ck_assert_ptr_null(vigil_engine_output(e, 1));
    ck_assert_ptr_null(vigil_engine_output_name(e, 1));
    ck_assert_str_eq(vigil_engine_output_name(e, 0), "out");
    ck_assert_int_eq(vigil_engine_find_output(e, "out"), 0);
    vigil_engine_free(e);
    vigil_engine_free(NULL);
    vigil_graph_free(g);
    vigil_backend_free(ref);
    vigil_backend_free(NULL);
}
END_TEST

static Suite *engine_suite(void) {
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("engine");
    tcase_add_test(tc, test_arena_reuses_memory_and_runs_allocate_nothing);
    tcase_add_test(tc, test_in_place);
    tcase_add_test(tc, test_reshape_alias_and_lifetime);
    tcase_add_test(tc, test_outputs_survive);
    tcase_add_test(tc, test_batch_two_equals_two_runs);
    tcase_add_test(tc, test_errors_name_the_node);
    tcase_add_test(tc, test_backend_by_name_and_accessors);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(engine_suite)
