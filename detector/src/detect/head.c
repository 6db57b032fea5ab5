/* Head decode dispatch and the output lookup both decoders share. */
#include "detect/detect_internal.h"

vigil_status vigil_head_decode(const vigil_head_info *head, const vigil_model_input *input,
                               vigil_engine *engine, int b, float score_threshold,
                               vigil_detections *dets, vigil_error *err) {
    if (!head || !input || !engine || !dets)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "head decode: NULL argument");
    switch (head->type) {
    case VIGIL_HEAD_GFL:
        return vigil_head_gfl_decode(head, input, engine, b, score_threshold, dets, err);
    case VIGIL_HEAD_CENTERNET:
        return vigil_head_centernet_decode(head, input, engine, b, score_threshold, dets, err);
    case VIGIL_HEAD_NONE:
        break;
    }
    return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                           "head decode: the model has no detection head (type %d)",
                           (int)head->type);
}

vigil_status vigil_head_output(vigil_engine *engine, const char *name, int ndim, int b,
                               const char *what, const vigil_tensor **out, vigil_error *err) {
    *out = NULL;
    int index = name ? vigil_engine_find_output(engine, name) : -1;
    if (index < 0)
        return vigil_error_set(err, VIGIL_STATUS_NOT_FOUND,
                               "head decode: %s output '%s' not in the graph", what,
                               name ? name : "(unnamed)");
    const vigil_tensor *t = vigil_engine_output(engine, index);
    char buf[96];
    if (!t || !t->data || t->dtype != VIGIL_DTYPE_F32 || t->ndim != ndim)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT,
                               "head decode: %s output '%s' is %s %s, expected F32 with %d dims",
                               what, name, t ? vigil_dtype_name(t->dtype) : "?",
                               t ? vigil_shape_format(t->ndim, t->shape, buf, sizeof buf) : "[]",
                               ndim);
    if (b < 0 || b >= t->shape[0])
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "head decode: batch index %d outside %s output '%s' batch of %lld",
                               b, what, name, (long long)t->shape[0]);
    *out = t;
    return VIGIL_STATUS_OK;
}
