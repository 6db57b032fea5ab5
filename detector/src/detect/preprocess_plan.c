/* Resize tables for preprocessing: bilinear with half-pixel centers, as OpenCV's
 * INTER_LINEAR (src = (dst + 0.5) * scale - 0.5, clamped to the image), built once per
 * source size so that the per-frame work is table lookups and multiply-adds. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_internal.h"

/* One axis: for each of `out` destination samples, the two source samples and the
 * weight of the second, for a source of `in` samples mapped onto `out`. */
static void axis_table(int in, int out, int *i0, int *i1, float *w1) {
    double scale = (double)in / out;
    for (int d = 0; d < out; d++) {
        double s = (d + 0.5) * scale - 0.5;
        int lo = (int)floor(s);
        float w = (float)(s - lo);
        if (lo < 0) {
            lo = 0;
            w = 0.0f;
        }
        if (lo >= in - 1) {
            lo = in - 1;
            w = 0.0f;
        }
        i0[d] = lo;
        i1[d] = lo + 1 < in ? lo + 1 : in - 1;
        w1[d] = w;
    }
}

void vigil_preprocess_plan_free(vigil_preprocess_plan *plan) {
    if (!plan)
        return;
    free(plan->x0);
    free(plan->x1);
    free(plan->wx);
    free(plan->y0);
    free(plan->y1);
    free(plan->wy);
    free(plan->rgb_rows);
    free(plan->h_rows);
    memset(plan, 0, sizeof *plan);
}

/* The region of the model input the image covers: all of it when stretching; the
 * largest aspect-preserving fit, anchored top-left, when letterboxing. */
static void fit_size(const vigil_model_input *input, int src_w, int src_h, int *fit_w, int *fit_h) {
    if (input->resize != VIGIL_RESIZE_POLICY_LETTERBOX) {
        *fit_w = input->width;
        *fit_h = input->height;
        return;
    }
    double s = fmin((double)input->width / src_w, (double)input->height / src_h);
    long w = lround(src_w * s), h = lround(src_h * s);
    *fit_w = (int)(w < 1 ? 1 : w > input->width ? input->width : w);
    *fit_h = (int)(h < 1 ? 1 : h > input->height ? input->height : h);
}

vigil_status vigil_preprocess_plan_prepare(vigil_preprocess_plan *plan,
                                           const vigil_model_input *input, int src_width,
                                           int src_height, int threads, vigil_error *err) {
    if (!plan || !input)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "preprocess: NULL argument");
    if (src_width <= 0 || src_height <= 0)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "preprocess: frame size %dx%d is empty", src_width, src_height);
    if (input->width <= 0 || input->height <= 0)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "preprocess: model input size %dx%d is empty", input->width,
                               input->height);
    if (threads <= 0)
        threads = omp_get_max_threads();
    if (plan->x0 && plan->src_width == src_width && plan->src_height == src_height &&
        plan->in_width == input->width && plan->in_height == input->height &&
        plan->resize == input->resize && plan->threads == threads)
        return VIGIL_STATUS_OK;

    vigil_preprocess_plan_free(plan);
    int fit_w, fit_h;
    fit_size(input, src_width, src_height, &fit_w, &fit_h);
    plan->src_width = src_width;
    plan->src_height = src_height;
    plan->in_width = input->width;
    plan->in_height = input->height;
    plan->fit_width = fit_w;
    plan->fit_height = fit_h;
    plan->resize = input->resize;
    plan->scale_x = (float)src_width / fit_w;
    plan->scale_y = (float)src_height / fit_h;
    plan->threads = threads;
    plan->rgb_row_bytes = (size_t)src_width * 3;
    plan->h_row_floats = (size_t)fit_w * 3;
    plan->x0 = malloc(sizeof(int) * fit_w);
    plan->x1 = malloc(sizeof(int) * fit_w);
    plan->wx = malloc(sizeof(float) * fit_w);
    plan->y0 = malloc(sizeof(int) * fit_h);
    plan->y1 = malloc(sizeof(int) * fit_h);
    plan->wy = malloc(sizeof(float) * fit_h);
    plan->rgb_rows = malloc(plan->rgb_row_bytes * 2 * threads);
    plan->h_rows = malloc(sizeof(float) * plan->h_row_floats * 2 * threads);
    if (!plan->x0 || !plan->x1 || !plan->wx || !plan->y0 || !plan->y1 || !plan->wy ||
        !plan->rgb_rows || !plan->h_rows) {
        vigil_preprocess_plan_free(plan);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY,
                               "preprocess: no memory for %dx%d resize tables", src_width,
                               src_height);
    }
    axis_table(src_width, fit_w, plan->x0, plan->x1, plan->wx);
    axis_table(src_height, fit_h, plan->y0, plan->y1, plan->wy);
    return VIGIL_STATUS_OK;
}
