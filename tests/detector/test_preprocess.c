/* Preprocessing against hand-worked values: layouts, color order, normalization,
 * half-pixel bilinear resize, letterbox padding, and YUV conversion (expected colors
 * also produced by FFmpeg: `ffmpeg -f rawvideo -pix_fmt yuv420p -s 4x2 -i x.yuv
 * -sws_flags accurate_rnd+full_chroma_int -pix_fmt rgb24`). */
#include <check.h>

#include "test_util.h"
#include "vigil/detect.h"

static vigil_model_input plain_input(int w, int h) {
    return (vigil_model_input){.width = w,
                               .height = h,
                               .layout = VIGIL_LAYOUT_NHWC,
                               .color = VIGIL_COLOR_RGB,
                               .mean = {0, 0, 0},
                               .std = {1, 1, 1},
                               .resize = VIGIL_RESIZE_POLICY_STRETCH};
}

static vigil_tensor input_tensor(const vigil_model_input *in, int batch) {
    vigil_tensor t;
    int64_t nhwc[4] = {batch, in->height, in->width, 3};
    int64_t nchw[4] = {batch, 3, in->height, in->width};
    ck_assert_int_eq(vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, 4,
                                        in->layout == VIGIL_LAYOUT_NCHW ? nchw : nhwc, NULL),
                     VIGIL_STATUS_OK);
    return t;
}

static float nhwc(const vigil_tensor *t, int b, int y, int x, int c) {
    return ((float *)t->data)[((b * t->shape[1] + y) * t->shape[2] + x) * 3 + c];
}

static float nchw(const vigil_tensor *t, int b, int c, int y, int x) {
    return ((float *)t->data)[((b * 3 + c) * t->shape[2] + y) * t->shape[3] + x];
}

static vigil_image rgb_image(const uint8_t *rgb, int w, int h) {
    return (vigil_image){
        .format = VIGIL_PIXEL_RGB24, .width = w, .height = h, .planes = {rgb}, .strides = {3 * w}};
}

/* 2x2 RGB image: pixel (x, y) = (10y + x + 1, 100 + 10y + x, 200 + 10y + x). */
static const uint8_t px2x2[12] = {1, 100, 200, 2, 101, 201, 11, 110, 210, 12, 111, 211};

START_TEST(same_size_nhwc_is_exact) {
    vigil_model_input in = plain_input(2, 2);
    vigil_tensor t = input_tensor(&in, 1);
    vigil_image img = rgb_image(px2x2, 2, 2);
    float sx = 0, sy = 0;
    ck_assert_int_eq(vigil_preprocess(&in, &img, &t, 0, &sx, &sy, NULL), VIGIL_STATUS_OK);
    for (int i = 0; i < 12; i++)
        ck_assert_float_eq(((float *)t.data)[i], (float)px2x2[i]);
    ck_assert_float_eq(sx, 1.0f);
    ck_assert_float_eq(sy, 1.0f);
    vigil_tensor_free(&t);
}
END_TEST

START_TEST(nchw_bgr_mean_std) {
    vigil_model_input in = plain_input(2, 2);
    in.layout = VIGIL_LAYOUT_NCHW;
    in.color = VIGIL_COLOR_BGR;
    /* In the model's (BGR) order. */
    in.mean[0] = 200, in.mean[1] = 100, in.mean[2] = 1;
    in.std[0] = 2, in.std[1] = 4, in.std[2] = 0.5f;
    vigil_tensor t = input_tensor(&in, 1);
    vigil_image img = rgb_image(px2x2, 2, 2);
    ck_assert_int_eq(vigil_preprocess(&in, &img, &t, 0, NULL, NULL, NULL), VIGIL_STATUS_OK);
    /* Channel 0 = blue: (200 + 10y + x - 200) / 2. */
    ck_assert_float_eq_tol(nchw(&t, 0, 0, 0, 0), 0.0f, 1e-6f);
    ck_assert_float_eq_tol(nchw(&t, 0, 0, 0, 1), 0.5f, 1e-6f);
    ck_assert_float_eq_tol(nchw(&t, 0, 0, 1, 0), 5.0f, 1e-6f);
    ck_assert_float_eq_tol(nchw(&t, 0, 0, 1, 1), 5.5f, 1e-6f);
    /* Channel 1 = green: (100 + 10y + x - 100) / 4. */
    ck_assert_float_eq_tol(nchw(&t, 0, 1, 1, 1), 2.75f, 1e-6f);
    /* Channel 2 = red: (10y + x + 1 - 1) / 0.5. */
    ck_assert_float_eq_tol(nchw(&t, 0, 2, 0, 1), 2.0f, 1e-6f);
    ck_assert_float_eq_tol(nchw(&t, 0, 2, 1, 0), 20.0f, 1e-6f);
    vigil_tensor_free(&t);
}
END_TEST

START_TEST(formats_agree) {
    /* The same 2x2 picture as BGR24, RGBX and BGRX, with padded rows. */
    uint8_t bgr[2 * 8] = {0}, rgbx[2 * 12] = {0}, bgrx[2 * 12] = {0};
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 2; x++) {
            const uint8_t *p = px2x2 + (y * 2 + x) * 3;
            for (int c = 0; c < 3; c++) {
                bgr[y * 8 + x * 3 + c] = p[2 - c];
                rgbx[y * 12 + x * 4 + c] = p[c];
                bgrx[y * 12 + x * 4 + c] = p[2 - c];
            }
            rgbx[y * 12 + x * 4 + 3] = bgrx[y * 12 + x * 4 + 3] = 77;
        }
    vigil_image images[3] = {
        {.format = VIGIL_PIXEL_BGR24, .width = 2, .height = 2, .planes = {bgr}, .strides = {8}},
        {.format = VIGIL_PIXEL_RGBX, .width = 2, .height = 2, .planes = {rgbx}, .strides = {12}},
        {.format = VIGIL_PIXEL_BGRX, .width = 2, .height = 2, .planes = {bgrx}, .strides = {12}},
    };
    vigil_model_input in = plain_input(2, 2);
    vigil_tensor t = input_tensor(&in, 1);
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(vigil_preprocess(&in, &images[k], &t, 0, NULL, NULL, NULL),
                         VIGIL_STATUS_OK);
        for (int i = 0; i < 12; i++)
            ck_assert_float_eq(((float *)t.data)[i], (float)px2x2[i]);
    }
    vigil_tensor_free(&t);
}
END_TEST

/* Gray image: every channel equal. */
static void gray_rgb(const uint8_t *gray, int n, uint8_t *rgb) {
    for (int i = 0; i < n; i++)
        rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
}

START_TEST(half_pixel_upscale) {
    /* 2x2 -> 4x4: destination i samples source (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75,
     * 1.25, clamped to 0 and 1 at the ends; so the weights of the second sample are
     * 0, 0.25, 0.75, 0 (from sample 0, 0, 0, 1). Source [[0, 100], [200, 40]]. */
    const uint8_t gray[4] = {0, 100, 200, 40};
    static const float expect[4][4] = {
        {0, 25, 75, 100},
        {50, 58.75f, 76.25f, 85},
        {150, 126.25f, 78.75f, 55},
        {200, 160, 80, 40},
    };
    uint8_t rgb[12];
    gray_rgb(gray, 4, rgb);
    vigil_model_input in = plain_input(4, 4);
    vigil_tensor t = input_tensor(&in, 1);
    vigil_image img = rgb_image(rgb, 2, 2);
    float sx, sy;
    ck_assert_int_eq(vigil_preprocess(&in, &img, &t, 0, &sx, &sy, NULL), VIGIL_STATUS_OK);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            for (int c = 0; c < 3; c++)
                ck_assert_float_eq_tol(nhwc(&t, 0, y, x, c), expect[y][x], 1e-4f);
    ck_assert_float_eq(sx, 0.5f);
    ck_assert_float_eq(sy, 0.5f);
    vigil_tensor_free(&t);
}
END_TEST

START_TEST(half_pixel_downscale_stretch) {
    /* 4x1 -> 2x1 (x scale 2): samples at 0.5 and 2.5. 3x3 -> ... y stays 1:1.
     * Source row [10, 20, 30, 50] -> [15, 40]. */
    const uint8_t gray[4] = {10, 20, 30, 50};
    uint8_t rgb[12];
    gray_rgb(gray, 4, rgb);
    vigil_model_input in = plain_input(2, 1);
    vigil_tensor t = input_tensor(&in, 1);
    vigil_image img = rgb_image(rgb, 4, 1);
    float sx, sy;
    ck_assert_int_eq(vigil_preprocess(&in, &img, &t, 0, &sx, &sy, NULL), VIGIL_STATUS_OK);
    ck_assert_float_eq_tol(nhwc(&t, 0, 0, 0, 0), 15.0f, 1e-5f);
    ck_assert_float_eq_tol(nhwc(&t, 0, 0, 1, 1), 40.0f, 1e-5f);
    ck_assert_float_eq(sx, 2.0f);
    ck_assert_float_eq(sy, 1.0f);
    vigil_tensor_free(&t);
}
END_TEST

START_TEST(letterbox_pads_bottom_and_right) {
    /* 8x4 -> 4x4 letterbox: scale 1/2 both ways, image in rows 0-1, rows 2-3 padding.
     * Columns [0..8) -> samples at 0.5, 2.5, 4.5, 6.5; rows at 0.5. */
    uint8_t gray[32], rgb[96];
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 8; x++)
            gray[y * 8 + x] = (uint8_t)(10 * x + 100 * (y & 1));
    gray_rgb(gray, 32, rgb);
    vigil_model_input in = plain_input(4, 4);
    in.resize = VIGIL_RESIZE_POLICY_LETTERBOX;
    in.mean[0] = in.mean[1] = in.mean[2] = 50;
    in.std[0] = in.std[1] = in.std[2] = 10;
    vigil_tensor t = input_tensor(&in, 1);
    vigil_image img = rgb_image(rgb, 8, 4);
    float sx, sy;
    ck_assert_int_eq(vigil_preprocess(&in, &img, &t, 0, &sx, &sy, NULL), VIGIL_STATUS_OK);
    ck_assert_float_eq(sx, 2.0f);
    ck_assert_float_eq(sy, 2.0f);
    /* Row 0 samples rows 0 and 1 half-half (+50), column 1 columns 2 and 3 (25):
     * (75 - 50) / 10. */
    ck_assert_float_eq_tol(nhwc(&t, 0, 0, 1, 0), 2.5f, 1e-5f);
    ck_assert_float_eq_tol(nhwc(&t, 0, 1, 3, 2), (65.0f + 50.0f - 50.0f) / 10.0f, 1e-5f);
    for (int y = 2; y < 4; y++)
        for (int x = 0; x < 4; x++)
            for (int c = 0; c < 3; c++)
                ck_assert_float_eq(nhwc(&t, 0, y, x, c), 0.0f); /* the mean, normalized */

    /* A tall 2x4 image into 4x4: fits as is, columns 2-3 padding. */
    vigil_image tall = rgb_image(rgb, 2, 4);
    tall.strides[0] = 24;
    ck_assert_int_eq(vigil_preprocess(&in, &tall, &t, 0, &sx, &sy, NULL), VIGIL_STATUS_OK);
    ck_assert_float_eq(sx, 1.0f);
    ck_assert_float_eq_tol(nhwc(&t, 0, 1, 1, 0), (110.0f - 50.0f) / 10.0f, 1e-5f);
    ck_assert_float_eq(nhwc(&t, 0, 1, 2, 0), 0.0f);
    ck_assert_float_eq(nhwc(&t, 0, 3, 3, 1), 0.0f);
    vigil_tensor_free(&t);
}
END_TEST

/* Expected RGB of the three 4x2 YUV test pictures, left and right 2x2 blocks. */
static const uint8_t yuv_y[3][2] = {{100, 235}, {81, 16}, {41, 145}};
static const uint8_t yuv_u[3][2] = {{150, 128}, {90, 128}, {240, 54}};
static const uint8_t yuv_v[3][2] = {{100, 128}, {240, 128}, {110, 34}};
static const uint8_t yuv_rgb[3][2][3] = {
    {{53, 112, 142}, {255, 255, 255}}, {{254, 0, 0}, {0, 0, 0}}, {{0, 0, 255}, {0, 255, 1}}};

static void check_yuv_result(const vigil_tensor *t, int k) {
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 4; x++)
            for (int c = 0; c < 3; c++)
                ck_assert_float_eq(nhwc(t, 0, y, x, c), (float)yuv_rgb[k][x / 2][c]);
}

START_TEST(i420_and_nv12_bt601_limited) {
    vigil_model_input in = plain_input(4, 2);
    vigil_tensor t = input_tensor(&in, 1);
    for (int k = 0; k < 3; k++) {
        uint8_t Y[2 * 6], U[2], V[2], UV[4 + 2];
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 4; x++)
                Y[y * 6 + x] = yuv_y[k][x / 2]; /* stride 6: 2 bytes of row padding */
        for (int i = 0; i < 2; i++) {
            U[i] = yuv_u[k][i];
            V[i] = yuv_v[k][i];
            UV[2 * i] = yuv_u[k][i];
            UV[2 * i + 1] = yuv_v[k][i];
        }
        vigil_image i420 = {.format = VIGIL_PIXEL_I420,
                            .width = 4,
                            .height = 2,
                            .planes = {Y, U, V},
                            .strides = {6, 2, 2}};
        ck_assert_int_eq(vigil_preprocess(&in, &i420, &t, 0, NULL, NULL, NULL), VIGIL_STATUS_OK);
        check_yuv_result(&t, k);
        vigil_image nv12 = {.format = VIGIL_PIXEL_NV12,
                            .width = 4,
                            .height = 2,
                            .planes = {Y, UV},
                            .strides = {6, 6}};
        ck_assert_int_eq(vigil_preprocess(&in, &nv12, &t, 0, NULL, NULL, NULL), VIGIL_STATUS_OK);
        check_yuv_result(&t, k);
    }
    vigil_tensor_free(&t);
}
END_TEST

START_TEST(odd_size_i420) {
    /* 3x3 I420 has 2x2 chroma; the last column and row use the last chroma sample. */
    uint8_t Y[9], U[4] = {128, 128, 128, 240}, V[4] = {128, 128, 128, 110};
    for (int i = 0; i < 9; i++)
        Y[i] = 41;
    vigil_image img = {.format = VIGIL_PIXEL_I420,
                       .width = 3,
                       .height = 3,
                       .planes = {Y, U, V},
                       .strides = {3, 2, 2}};
    vigil_model_input in = plain_input(3, 3);
    vigil_tensor t = input_tensor(&in, 1);
    ck_assert_int_eq(vigil_preprocess(&in, &img, &t, 0, NULL, NULL, NULL), VIGIL_STATUS_OK);
    ck_assert_float_eq(nhwc(&t, 0, 2, 2, 2), 255.0f); /* blue corner */
    ck_assert_float_eq(nhwc(&t, 0, 0, 0, 0), 29.0f);  /* 1.164384 * 25 = 29.1 gray */
    ck_assert_float_eq(nhwc(&t, 0, 1, 1, 0), 29.0f);
    vigil_tensor_free(&t);
}
END_TEST

START_TEST(batch_index_writes_one_slot) {
    vigil_model_input in = plain_input(2, 2);
    in.layout = VIGIL_LAYOUT_NCHW;
    vigil_tensor t = input_tensor(&in, 3);
    vigil_image img = rgb_image(px2x2, 2, 2);
    ck_assert_int_eq(vigil_preprocess(&in, &img, &t, 1, NULL, NULL, NULL), VIGIL_STATUS_OK);
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < 4; i++) {
            ck_assert_float_eq(nchw(&t, 0, c, i / 2, i % 2), 0.0f);
            ck_assert_float_eq(nchw(&t, 1, c, i / 2, i % 2), (float)px2x2[i * 3 + c]);
            ck_assert_float_eq(nchw(&t, 2, c, i / 2, i % 2), 0.0f);
        }
    vigil_error err = {0};
    ck_assert_int_eq(vigil_preprocess(&in, &img, &t, 3, NULL, NULL, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "batch index 3"));
    vigil_tensor_free(&t);
}
END_TEST

START_TEST(bad_arguments_are_errors) {
    vigil_model_input in = plain_input(4, 4);
    vigil_tensor t = input_tensor(&in, 1);
    vigil_image img = rgb_image(px2x2, 2, 2);
    vigil_error err = {0};
    vigil_model_input other = plain_input(5, 4);
    ck_assert_int_eq(vigil_preprocess(&other, &img, &t, 0, NULL, NULL, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "[1,4,4,3]"));
    vigil_image empty = img;
    empty.width = 0;
    ck_assert_int_eq(vigil_preprocess(&in, &empty, &t, 0, NULL, NULL, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    vigil_image short_stride = img;
    short_stride.strides[0] = 5;
    ck_assert_int_eq(vigil_preprocess(&in, &short_stride, &t, 0, NULL, NULL, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "stride"));
    vigil_image no_chroma = {.format = VIGIL_PIXEL_I420,
                             .width = 2,
                             .height = 2,
                             .planes = {px2x2},
                             .strides = {2, 1, 1}};
    ck_assert_int_eq(vigil_preprocess(&in, &no_chroma, &t, 0, NULL, NULL, &err),
                     VIGIL_STATUS_INVALID_ARGUMENT);
    vigil_tensor_free(&t);
}
END_TEST

static Suite *preprocess_suite(void) {
    Suite *s = suite_create("preprocess");
    TCase *tc = tcase_create("preprocess");
    tcase_add_test(tc, same_size_nhwc_is_exact);
    tcase_add_test(tc, nchw_bgr_mean_std);
    tcase_add_test(tc, formats_agree);
    tcase_add_test(tc, half_pixel_upscale);
    tcase_add_test(tc, half_pixel_downscale_stretch);
    tcase_add_test(tc, letterbox_pads_bottom_and_right);
    tcase_add_test(tc, i420_and_nv12_bt601_limited);
    tcase_add_test(tc, odd_size_i420);
    tcase_add_test(tc, batch_index_writes_one_slot);
    tcase_add_test(tc, bad_arguments_are_errors);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(preprocess_suite)
