/* Preprocessing against TF.js: vigil_preprocess on each fixture's decoded frame must
 * give the tensor tests/reference/make_fixtures.js fed to TF.js (stretch resize,
 * bilinear with half-pixel centers in float32 on 0..255 values, the model's color order,
 * (x - mean) / std, the model's layout) to within 0.02 of a pixel level, and the
 * imported model must declare the input the fixtures were made for. */
#include <math.h>

#include "test_reference_fixture.h"
#include "vigil/detect.h"

#define MAX_LEVEL_ERROR 0.02 /* in 0..255 pixel units, before normalization */

/* The model file's vigil.input against the fixture's meta.json. */
static void check_declared_input(const vigil_model_input *in, const ref_fixture *fx) {
    const cJSON *meta = cJSON_GetObjectItem(fx->meta, "input");
    bool nchw = !strcmp(fx->layout, "NCHW");
    int64_t h = fx->input.shape[nchw ? 2 : 1], w = fx->input.shape[nchw ? 3 : 2];
    ck_assert_msg(in->width == w && in->height == h, "model input %dx%d, fixture %lldx%lld",
                  in->width, in->height, (long long)w, (long long)h);
    const char *color = cJSON_GetObjectItem(meta, "color")->valuestring;
    ck_assert_msg((in->color == VIGIL_COLOR_BGR) == !strcmp(color, "BGR"),
                  "model color order %s, fixture %s", in->color == VIGIL_COLOR_BGR ? "BGR" : "RGB",
                  color);
    ck_assert_msg(in->resize == VIGIL_RESIZE_POLICY_STRETCH, "model resize is not stretch");
    for (int c = 0; c < 3; c++) {
        double mean = cJSON_GetArrayItem(cJSON_GetObjectItem(meta, "mean"), c)->valuedouble;
        double std = cJSON_GetArrayItem(cJSON_GetObjectItem(meta, "std"), c)->valuedouble;
        ck_assert_msg(fabs(in->mean[c] - mean) <= 1e-4 && fabs(in->std[c] - std) <= 1e-4,
                      "channel %d: model mean %g std %g, fixture mean %g std %g", c, in->mean[c],
                      in->std[c], mean, std);
    }
}

/* Element (y, x, c) of a [1, H, W, 3] or [1, 3, H, W] tensor. */
static float at(const vigil_tensor *t, bool nchw, int64_t y, int64_t x, int64_t c) {
    const float *p = t->data;
    if (nchw)
        return p[(c * t->shape[2] + y) * t->shape[3] + x];
    return p[(y * t->shape[2] + x) * t->shape[3] + c];
}

START_TEST(test_preprocess_matches_tfjs) {
    const char *name = ref_models[_i];
    const char *path = ref_model_path(name);
    if (!path)
        return;
    vigil_error err = {0};
    vigil_model *m = NULL;
    ck_assert_msg(vigil_model_load(path, &m, &err) == 0, "%s", err.message);
    const vigil_model_input *in = &m->input;
    bool vigil_nchw = in->layout == VIGIL_LAYOUT_NCHW;
    int64_t shape[4] = {1, in->height, in->width, 3};
    if (vigil_nchw)
        memcpy(shape, (int64_t[]){1, 3, in->height, in->width}, sizeof shape);
    vigil_tensor t;
    ck_assert_int_eq(vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, 4, shape, &err), 0);

    for (int f = 0; f < REF_N_FRAMES; f++) {
        ref_fixture fx;
        if (!ref_fixture_load(name, ref_frames[f], &fx))
            break;
        check_declared_input(in, &fx);
        vigil_image frame = {.format = VIGIL_PIXEL_RGB24,
                             .width = fx.width,
                             .height = fx.height,
                             .planes = {fx.frame},
                             .strides = {3 * fx.width}};
        float sx = 0, sy = 0;
        ck_assert_msg(vigil_preprocess(in, &frame, &t, 0, &sx, &sy, &err) == 0, "%s", err.message);
        ck_assert_msg(fabsf(sx - (float)fx.width / in->width) <= 1e-5f &&
                          fabsf(sy - (float)fx.height / in->height) <= 1e-5f,
                      "%s f%d: scales %g %g, expected %g %g", name, ref_frames[f], sx, sy,
                      (double)fx.width / in->width, (double)fx.height / in->height);

        bool fx_nchw = !strcmp(fx.layout, "NCHW");
        double worst = 0.0;
        int64_t wy = 0, wx = 0, wc = 0;
        for (int64_t y = 0; y < in->height; y++)
            for (int64_t x = 0; x < in->width; x++)
                for (int64_t c = 0; c < 3; c++) {
                    double e = fabs((double)at(&t, vigil_nchw, y, x, c) -
                                    (double)at(&fx.input, fx_nchw, y, x, c)) *
                               in->std[c];
                    if (!(e <= worst)) {
                        worst = e;
                        wy = y, wx = x, wc = c;
                    }
                }
        printf("%s f%d: preprocess max error %.2e pixel levels at (y %lld, x %lld, c %lld)\n", name,
               ref_frames[f], worst, (long long)wy, (long long)wx, (long long)wc);
        ck_assert_msg(worst <= MAX_LEVEL_ERROR,
                      "%s f%d: preprocess differs from TF.js by %.3g pixel levels at (y %lld, x "
                      "%lld, c %lld): vigil %.6g, TF.js %.6g (normalized)",
                      name, ref_frames[f], worst, (long long)wy, (long long)wx, (long long)wc,
                      at(&t, vigil_nchw, wy, wx, wc), at(&fx.input, fx_nchw, wy, wx, wc));
        ref_fixture_free(&fx);
    }
    vigil_tensor_free(&t);
    vigil_model_free(m);
}
END_TEST

static Suite *reference_preprocess_suite(void) {
    Suite *s = suite_create("reference_preprocess");
    TCase *tc = tcase_create("tfjs");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_preprocess_matches_tfjs, 0, REF_N_MODELS);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(reference_preprocess_suite)
