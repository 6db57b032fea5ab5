/* GFL head decode (NanoDet-g): per level of stride s, a grid of ceil(input / s) cells
 * in row-major order, each with sigmoid class scores and, for each of the four sides
 * (left, top, right, bottom), reg_max + 1 logits over distances 0..reg_max. A side's
 * distance is the expectation of its softmax times the stride, measured from the
 * cell's center ((col + 0.5) * s, (row + 0.5) * s): the GFL head of NanoDet v0.x,
 * which NanoDet-g comes from, places its points at cell centers (NanoDet-Plus later
 * dropped the half cell). docs/detection.md has the evidence on vtest.avi. Every class
 * scoring above the threshold gives a box. */
#include <math.h>

#include "detect/detect_internal.h"

#define GFL_MAX_BINS 64

/* Expected bin index under the softmax of logits[0..n). */
static float softmax_expectation(const float *logits, int n) {
    float max = logits[0];
    for (int i = 1; i < n; i++)
        max = logits[i] > max ? logits[i] : max;
    float sum = 0.0f, weighted = 0.0f;
    for (int i = 0; i < n; i++) {
        float e = expf(logits[i] - max);
        sum += e;
        weighted += e * (float)i;
    }
    return weighted / sum;
}

static vigil_status decode_level(const vigil_head_info *head, const vigil_model_input *input,
                                 vigil_engine *engine, int level, int b, float threshold,
                                 vigil_detections *dets, vigil_error *err) {
    int stride = head->strides[level];
    if (stride <= 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "GFL head: level %d has stride %d", level,
                               stride);
    const vigil_tensor *cls, *reg;
    vigil_status st =
        vigil_head_output(engine, head->class_outputs[level], 3, b, "GFL class score", &cls, err);
    if (st < 0)
        return st;
    st = vigil_head_output(engine, head->box_outputs[level], 3, b, "GFL box", &reg, err);
    if (st < 0)
        return st;

    int grid_w = (input->width + stride - 1) / stride;
    int grid_h = (input->height + stride - 1) / stride;
    int cells = grid_w * grid_h, classes = (int)cls->shape[2], bins = head->reg_max + 1;
    char buf[2][96];
    if (cls->shape[1] != cells || reg->shape[1] != cells || reg->shape[2] != 4 * bins ||
        reg->shape[0] != cls->shape[0] || bins > GFL_MAX_BINS || bins < 1)
        return vigil_error_set(
            err, VIGIL_STATUS_FORMAT,
            "GFL head level %d (stride %d): outputs '%s' %s and '%s' %s do not fit a %dx%d "
            "grid with reg_max %d",
            level, stride, head->class_outputs[level],
            vigil_shape_format(cls->ndim, cls->shape, buf[0], sizeof buf[0]),
            head->box_outputs[level],
            vigil_shape_format(reg->ndim, reg->shape, buf[1], sizeof buf[1]), grid_w, grid_h,
            head->reg_max);

    const float *scores = (const float *)cls->data + (size_t)b * cells * classes;
    const float *logits = (const float *)reg->data + (size_t)b * cells * 4 * bins;
    for (int cell = 0; cell < cells; cell++) {
        const float *s = scores + (size_t)cell * classes;
        /* Most cells score nothing: skip the softmax unless one class is in. */
        float best = s[0];
        for (int c = 1; c < classes; c++)
            best = s[c] > best ? s[c] : best;
        if (!(best > threshold))
            continue;
        const float *l = logits + (size_t)cell * 4 * bins;
        float left = softmax_expectation(l, bins) * stride;
        float top = softmax_expectation(l + bins, bins) * stride;
        float right = softmax_expectation(l + 2 * bins, bins) * stride;
        float bottom = softmax_expectation(l + 3 * bins, bins) * stride;
        float ax = ((float)(cell % grid_w) + 0.5f) * (float)stride;
        float ay = ((float)(cell / grid_w) + 0.5f) * (float)stride;
        vigil_detection det = {.box = {ax - left, ay - top, left + right, top + bottom},
                               .batch_index = b};
        for (int c = 0; c < classes; c++) {
            if (!(s[c] > threshold))
                continue;
            det.score = s[c];
            det.class_id = c;
            st = vigil_detections_push(dets, &det, err);
            if (st < 0)
                return st;
        }
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_head_gfl_decode(const vigil_head_info *head, const vigil_model_input *input,
                                   vigil_engine *engine, int b, float score_threshold,
                                   vigil_detections *dets, vigil_error *err) {
    if (head->n_levels <= 0 || head->n_levels > VIGIL_HEAD_MAX_LEVELS)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "GFL head: %d levels (1..%d expected)",
                               head->n_levels, VIGIL_HEAD_MAX_LEVELS);
    for (int level = 0; level < head->n_levels; level++) {
        vigil_status st = decode_level(head, input, engine, level, b, score_threshold, dets, err);
        if (st < 0)
            return st;
    }
    return VIGIL_STATUS_OK;
}
