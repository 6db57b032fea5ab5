/* The imported NanoDet and CenterNet networks against TF.js: each reference fixture's
 * input tensor (tests/reference/make_fixtures.js, TF.js CPU backend) goes through the
 * vigil engine on the "ref" and the "cpu" backends, and every output must match TF.js's
 * within a relative error of 1e-3, measured as |vigil - tfjs| / max(|tfjs|, floor) with
 * floor = max(1e-2, 1e-2 * the output's largest |tfjs|). Float32 rounding error scales
 * with the magnitudes summed into a value, not with the value: an output that crosses
 * zero (a box logit, CenterNet's x16 sizes) has elements far smaller than their error
 * budget, so those are compared against 1% of the output's scale instead. */
#include <math.h>

#include "test_reference_fixture.h"
#include "vigil/engine.h"
#include "vigil/model.h"

#define MAX_REL_ERROR 1e-3
#define REL_FLOOR 1e-2        /* absolute floor of the denominator */
#define REL_FLOOR_OF_MAX 1e-2 /* and as a fraction of the output's largest magnitude */

/* Copies the fixture input into the engine's input tensor: as is when the shapes agree,
 * transposed between NCHW and NHWC when the engine takes the other layout. */
static void feed_input(const ref_fixture *fx, vigil_tensor *in) {
    const vigil_tensor *src = &fx->input;
    char a[64], b[64];
    vigil_shape_format(src->ndim, src->shape, a, sizeof a);
    vigil_shape_format(in->ndim, in->shape, b, sizeof b);
    ck_assert_msg(in->dtype == VIGIL_DTYPE_F32, "engine input is %s, not F32",
                  vigil_dtype_name(in->dtype));
    if (vigil_shape_equal(src->ndim, src->shape, in->ndim, in->shape)) {
        memcpy(in->data, src->data, vigil_tensor_nbytes(src));
        return;
    }
    ck_assert_msg(src->ndim == 4 && in->ndim == 4 && src->shape[0] == in->shape[0],
                  "fixture input %s does not fit the engine input %s", a, b);
    const float *s = src->data;
    float *d = in->data;
    int64_t n = src->shape[0];
    if (!strcmp(fx->layout, "NCHW") && in->shape[1] == src->shape[2] &&
        in->shape[2] == src->shape[3] && in->shape[3] == src->shape[1]) {
        int64_t c = src->shape[1], h = src->shape[2], w = src->shape[3];
        for (int64_t i = 0; i < n; i++)
            for (int64_t y = 0; y < h; y++)
                for (int64_t x = 0; x < w; x++)
                    for (int64_t k = 0; k < c; k++)
                        d[((i * h + y) * w + x) * c + k] = s[((i * c + k) * h + y) * w + x];
    } else if (!strcmp(fx->layout, "NHWC") && in->shape[1] == src->shape[3] &&
               in->shape[2] == src->shape[1] && in->shape[3] == src->shape[2]) {
        int64_t h = src->shape[1], w = src->shape[2], c = src->shape[3];
        for (int64_t i = 0; i < n; i++)
            for (int64_t k = 0; k < c; k++)
                for (int64_t y = 0; y < h; y++)
                    for (int64_t x = 0; x < w; x++)
                        d[((i * c + k) * h + y) * w + x] = s[((i * h + y) * w + x) * c + k];
    } else {
        ck_abort_msg("fixture input %s (%s) does not fit the engine input %s", a, fx->layout, b);
    }
}

/* The model's declared layout must be the one its INPUT node takes: vigil_preprocess
 * writes per model->input.layout into that node's tensor. */
static void check_input_layout(const vigil_model *m, const vigil_tensor *in) {
    bool nhwc = in->ndim == 4 && in->shape[1] == m->input.height &&
                in->shape[2] == m->input.width && in->shape[3] == 3;
    bool nchw = in->ndim == 4 && in->shape[1] == 3 && in->shape[2] == m->input.height &&
                in->shape[3] == m->input.width;
    char buf[64];
    ck_assert_msg(m->input.layout == VIGIL_LAYOUT_NHWC ? nhwc : nchw,
                  "model input says %s %dx%d but the INPUT node is %s",
                  m->input.layout == VIGIL_LAYOUT_NHWC ? "NHWC" : "NCHW", m->input.width,
                  m->input.height, vigil_shape_format(in->ndim, in->shape, buf, sizeof buf));
}

static int find_output(const vigil_engine *e, const char *name) {
    int i = vigil_engine_find_output(e, name);
    if (i < 0) {
        char with_port[256];
        snprintf(with_port, sizeof with_port, "%s:0", name);
        i = vigil_engine_find_output(e, with_port);
    }
    return i;
}

/* Compares one output; returns its worst relative error. */
static double compare_output(const char *label, const char *name, const vigil_tensor *got,
                             const vigil_tensor *want) {
    char a[64], b[64];
    ck_assert_msg(got->dtype == VIGIL_DTYPE_F32, "%s %s: output is %s", label, name,
                  vigil_dtype_name(got->dtype));
    ck_assert_msg(vigil_shape_equal(got->ndim, got->shape, want->ndim, want->shape),
                  "%s %s: vigil shape %s, TF.js %s", label, name,
                  vigil_shape_format(got->ndim, got->shape, a, sizeof a),
                  vigil_shape_format(want->ndim, want->shape, b, sizeof b));
    const float *g = got->data, *w = want->data;
    int64_t n = vigil_tensor_numel(want), worst = 0;
    double largest = 0.0;
    for (int64_t i = 0; i < n; i++)
        largest = fmax(largest, fabs((double)w[i]));
    double floor = fmax(REL_FLOOR, REL_FLOOR_OF_MAX * largest);
    double worst_err = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double denom = fmax(fabs((double)w[i]), floor);
        double e = fabs((double)g[i] - (double)w[i]) / denom;
        if (!(e <= worst_err)) { /* NaN counts as worst */
            worst_err = e;
            worst = i;
            if (isnan(e))
                break;
        }
    }
    printf("%s %-18s max rel error %.2e at flat index %lld (vigil %.7g, TF.js %.7g; floor %.3g)\n",
           label, name, worst_err, (long long)worst, g[worst], w[worst], floor);
    ck_assert_msg(worst_err <= MAX_REL_ERROR,
                  "%s %s: relative error %.3e > %.0e at flat index %lld: vigil %.7g, TF.js %.7g",
                  label, name, worst_err, MAX_REL_ERROR, (long long)worst, g[worst], w[worst]);
    return worst_err;
}

/* Runs every frame of one model through the engine on one backend. */
static void check_backend(const char *model_name, vigil_model *m, const char *backend_name,
                          int n_frames) {
    vigil_error err = {0};
    vigil_backend *backend = vigil_backend_create(backend_name, 2, &err);
    ck_assert_msg(backend, "backend %s: %s", backend_name, err.message);
    vigil_engine *e = NULL;
    ck_assert_msg(vigil_engine_create(m->graph, backend, &e, &err) == 0, "%s on %s: %s", model_name,
                  backend_name, err.message);
    ck_assert_int_eq(vigil_engine_input_count(e), 1);
    vigil_tensor *in = vigil_engine_input(e, 0);
    check_input_layout(m, in);

    for (int f = 0; f < n_frames; f++) {
        ref_fixture fx;
        if (!ref_fixture_load(model_name, ref_frames[f], &fx))
            break;
        feed_input(&fx, in);
        ck_assert_msg(vigil_engine_run(e, &err) == 0, "%s on %s: %s", model_name, backend_name,
                      err.message);
        char label[96];
        snprintf(label, sizeof label, "%s f%d %s:", model_name, ref_frames[f], backend_name);
        int compared = 0;
        const cJSON *out;
        cJSON_ArrayForEach(out, cJSON_GetObjectItem(fx.meta, "outputs")) {
            const char *name = cJSON_GetObjectItem(out, "name")->valuestring;
            int i = find_output(e, name);
            /* CenterNet's TopK tail is vigil's head decode, not part of its network. */
            if (i < 0 && !strcmp(name, "tower_0/detections"))
                continue;
            ck_assert_msg(i >= 0, "%s: vigil has no output named %s", label, name);
            vigil_tensor want;
            int64_t shape[VIGIL_MAX_DIMS];
            int ndim = ref_json_shape(cJSON_GetObjectItem(out, "shape"), shape);
            ref_read_tensor(&fx, cJSON_GetObjectItem(out, "file")->valuestring, ndim, shape, &want);
            compare_output(label, name, vigil_engine_output(e, i), &want);
            vigil_tensor_free(&want);
            compared++;
        }
        ck_assert_msg(compared == vigil_engine_output_count(e),
                      "%s: compared %d outputs, the engine has %d", label, compared,
                      vigil_engine_output_count(e));
        ref_fixture_free(&fx);
    }
    vigil_engine_free(e);
    vigil_backend_free(backend);
}

static void check_model(int model_index, const char *backend_name, int n_frames) {
    const char *name = ref_models[model_index];
    const char *path = ref_model_path(name);
    if (!path)
        return;
    vigil_error err = {0};
    vigil_model *m = NULL;
    ck_assert_msg(vigil_model_load(path, &m, &err) == 0, "%s", err.message);
    check_backend(name, m, backend_name, n_frames);
    vigil_model_free(m);
}

START_TEST(test_ref_backend) {
    check_model(_i, "ref", REF_N_FRAMES);
}
END_TEST

START_TEST(test_cpu_backend) {
    check_model(_i, "cpu", REF_N_FRAMES);
}
END_TEST

static Suite *reference_outputs_suite(void) {
    /* This test checks float32: a bfloat16 cpu backend chosen by the environment would
     * fail it for the wrong reason. */
    unsetenv("VIGIL_CPU_BF16");
    Suite *s = suite_create("reference_outputs");
    TCase *tc = tcase_create("tfjs");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_cpu_backend, 0, REF_N_MODELS);
    tcase_add_loop_test(tc, test_ref_backend, 0, REF_N_MODELS);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(reference_outputs_suite)
