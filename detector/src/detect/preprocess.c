/* Preprocessing: a frame in any vigil_image format becomes the model's input tensor —
 * resized (see preprocess_plan.c), put in the model's color order, normalized as
 * (x - mean) / std on 0..255 values, and written NHWC or NCHW at one batch index.
 *
 * Separable bilinear: each output row blends two source rows, each first resized
 * horizontally into float scratch. YUV rows are converted to RGB24 on the way in.
 * Rows are independent, so OpenMP splits them across threads. */
#include <omp.h>
#include <stdio.h>

#include "detect/detect_internal.h"

/* A source row as bytes: pixel i's red, green and blue are p[i * bpp + off[0..2]]. */
typedef struct source_row {
    const uint8_t *p;
    int bpp;
    int off[3];
} source_row;

static source_row frame_row(const vigil_image *f, int y, uint8_t *scratch) {
    const uint8_t *line = f->planes[0] + (size_t)y * f->strides[0];
    switch (f->format) {
    case VIGIL_PIXEL_RGB24:
        return (source_row){line, 3, {0, 1, 2}};
    case VIGIL_PIXEL_BGR24:
        return (source_row){line, 3, {2, 1, 0}};
    case VIGIL_PIXEL_RGBX:
        return (source_row){line, 4, {0, 1, 2}};
    case VIGIL_PIXEL_BGRX:
        return (source_row){line, 4, {2, 1, 0}};
    case VIGIL_PIXEL_I420: {
        const uint8_t *u = f->planes[1] + (size_t)(y / 2) * f->strides[1];
        const uint8_t *v = f->planes[2] + (size_t)(y / 2) * f->strides[2];
        vigil_yuv_row_to_rgb(line, u, v, 1, f->width, scratch);
        return (source_row){scratch, 3, {0, 1, 2}};
    }
    case VIGIL_PIXEL_NV12: {
        const uint8_t *uv = f->planes[1] + (size_t)(y / 2) * f->strides[1];
        vigil_yuv_row_to_rgb(line, uv, uv + 1, 2, f->width, scratch);
        return (source_row){scratch, 3, {0, 1, 2}};
    }
    }
    return (source_row){line, 3, {0, 1, 2}};
}

/* Resizes one source row horizontally into out (fit_width x 3, model color order). */
static void resize_row(const vigil_preprocess_plan *plan, source_row row, const int order[3],
                       float *out) {
    int o0 = row.off[order[0]], o1 = row.off[order[1]], o2 = row.off[order[2]];
    for (int x = 0; x < plan->fit_width; x++) {
        const uint8_t *a = row.p + (size_t)plan->x0[x] * row.bpp;
        const uint8_t *b = row.p + (size_t)plan->x1[x] * row.bpp;
        float w = plan->wx[x];
        out[3 * x + 0] = a[o0] + w * (float)(b[o0] - a[o0]);
        out[3 * x + 1] = a[o1] + w * (float)(b[o1] - a[o1]);
        out[3 * x + 2] = a[o2] + w * (float)(b[o2] - a[o2]);
    }
}

static int plane_count(vigil_pixel_format format) {
    return format == VIGIL_PIXEL_I420 ? 3 : format == VIGIL_PIXEL_NV12 ? 2 : 1;
}

static vigil_status check_frame(const vigil_image *f, vigil_error *err) {
    static const int bytes_per_pixel[] = {3, 3, 4, 4, 1, 1};
    if ((int)f->format < VIGIL_PIXEL_RGB24 || f->format > VIGIL_PIXEL_NV12)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "preprocess: unknown pixel format %d", (int)f->format);
    if (f->width <= 0 || f->height <= 0)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "preprocess: frame size %dx%d is empty", f->width, f->height);
    int chroma_width = (f->width + 1) / 2;
    int min_stride[3] = {f->width * bytes_per_pixel[f->format], chroma_width, chroma_width};
    if (f->format == VIGIL_PIXEL_NV12)
        min_stride[1] = 2 * chroma_width;
    for (int i = 0; i < plane_count(f->format); i++) {
        if (!f->planes[i])
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "preprocess: frame plane %d is NULL", i);
        if (f->strides[i] < min_stride[i])
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "preprocess: plane %d stride %d is below %d bytes for a "
                                   "%d-pixel row",
                                   i, f->strides[i], min_stride[i], f->width);
    }
    return VIGIL_STATUS_OK;
}

static vigil_status check_tensor(const vigil_model_input *input, const vigil_tensor *t, int b,
                                 vigil_error *err) {
    int64_t want_h = input->layout == VIGIL_LAYOUT_NCHW ? 2 : 1;
    int64_t want_c = input->layout == VIGIL_LAYOUT_NCHW ? 1 : 3;
    int64_t want_w = want_h + 1;
    char buf[96];
    if (t->dtype != VIGIL_DTYPE_F32 || t->ndim != 4 || !t->data || t->shape[want_c] != 3 ||
        t->shape[want_h] != input->height || t->shape[want_w] != input->width)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "preprocess: input tensor %s %s does not match the model input "
                               "%dx%d %s",
                               vigil_dtype_name(t->dtype),
                               vigil_shape_format(t->ndim, t->shape, buf, sizeof buf), input->width,
                               input->height, input->layout == VIGIL_LAYOUT_NCHW ? "NCHW" : "NHWC");
    if (b < 0 || b >= t->shape[0])
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "preprocess: batch index %d outside the tensor's batch of %lld", b,
                               (long long)t->shape[0]);
    return VIGIL_STATUS_OK;
}

vigil_status vigil_preprocess_plan_run(const vigil_preprocess_plan *plan,
                                       const vigil_model_input *input, const vigil_image *frame,
                                       vigil_tensor *tensor, int b, vigil_error *err) {
    vigil_status st = check_frame(frame, err);
    if (st < 0)
        return st;
    st = check_tensor(input, tensor, b, err);
    if (st < 0)
        return st;
    if (frame->width != plan->src_width || frame->height != plan->src_height)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "preprocess: frame is %dx%d but the plan was made for %dx%d",
                               frame->width, frame->height, plan->src_width, plan->src_height);

    const int W = plan->in_width, H = plan->in_height;
    const bool nchw = input->layout == VIGIL_LAYOUT_NCHW;
    /* order[c]: which of R, G, B feeds the model's channel c. */
    const int order[3] = {input->color == VIGIL_COLOR_BGR ? 2 : 0, 1,
                          input->color == VIGIL_COLOR_BGR ? 0 : 2};
    float mean[3], inv_std[3];
    for (int c = 0; c < 3; c++) {
        mean[c] = input->mean[c];
        inv_std[c] = input->std[c] != 0.0f ? 1.0f / input->std[c] : 1.0f;
    }
    float *base = (float *)tensor->data + (size_t)b * 3 * W * H;
    const size_t plane = (size_t)W * H;

#pragma omp parallel for num_threads(plan->threads) schedule(static)
    for (int y = 0; y < H; y++) {
        int t = omp_get_thread_num();
        float *h0 = plan->h_rows + (size_t)2 * t * plan->h_row_floats;
        float *h1 = h0 + plan->h_row_floats;
        uint8_t *rgb0 = plan->rgb_rows + (size_t)2 * t * plan->rgb_row_bytes;
        uint8_t *rgb1 = rgb0 + plan->rgb_row_bytes;
        /* Rows below the image (letterbox) and columns right of it are padding: the
         * mean, which normalizes to exactly 0. */
        int fit_w = y < plan->fit_height ? plan->fit_width : 0;
        float wy = 0.0f;
        if (fit_w) {
            resize_row(plan, frame_row(frame, plan->y0[y], rgb0), order, h0);
            wy = plan->wy[y];
            if (wy != 0.0f)
                resize_row(plan, frame_row(frame, plan->y1[y], rgb1), order, h1);
            else
                h1 = h0;
        }
        if (nchw) {
            for (int c = 0; c < 3; c++) {
                float *dst = base + c * plane + (size_t)y * W;
                for (int x = 0; x < fit_w; x++) {
                    float top = h0[3 * x + c];
                    dst[x] = (top + wy * (h1[3 * x + c] - top) - mean[c]) * inv_std[c];
                }
                for (int x = fit_w; x < W; x++)
                    dst[x] = 0.0f;
            }
        } else {
            float *dst = base + (size_t)y * W * 3;
            for (int x = 0; x < fit_w; x++)
                for (int c = 0; c < 3; c++) {
                    float top = h0[3 * x + c];
                    dst[3 * x + c] = (top + wy * (h1[3 * x + c] - top) - mean[c]) * inv_std[c];
                }
            for (int i = 3 * fit_w; i < 3 * W; i++)
                dst[i] = 0.0f;
        }
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_preprocess(const vigil_model_input *input, const vigil_image *frame,
                              vigil_tensor *tensor, int b, float *scale_x, float *scale_y,
                              vigil_error *err) {
    if (!input || !frame || !tensor)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "preprocess: NULL argument");
    vigil_status st = check_frame(frame, err);
    if (st < 0)
        return st;
    /* One-off use: the tables are built and dropped here; the detector keeps its own. */
    vigil_preprocess_plan plan = {0};
    st = vigil_preprocess_plan_prepare(&plan, input, frame->width, frame->height, 0, err);
    if (st >= 0)
        st = vigil_preprocess_plan_run(&plan, input, frame, tensor, b, err);
    if (st >= 0) {
        if (scale_x)
            *scale_x = plan.scale_x;
        if (scale_y)
            *scale_y = plan.scale_y;
    }
    vigil_preprocess_plan_free(&plan);
    return st;
}
