/* The detector: model + backend + engine, and per frame preprocess -> run -> head
 * decode -> map to source pixels -> NMS. Resize tables (one per batch slot) and the
 * per-frame detection scratch are kept between runs, so a steady stream of frames of
 * one size allocates nothing. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_internal.h"

struct vigil_detector {
    vigil_model *model;
    vigil_backend *backend;
    vigil_engine *engine;
    vigil_detector_options options;
    vigil_preprocess_plan *plans; /* max_batch of them */
    float (*scales)[2];           /* per batch slot: model -> source x and y */
    vigil_detections scratch;     /* one frame's candidates */
};

vigil_detector_options vigil_detector_options_default(void) {
    return (vigil_detector_options){
        .backend = "cpu",
        .threads = 0,
        .score_threshold = 0.35f,
        .nms_threshold = 0.5f,
        .max_detections = 100,
        .class_agnostic = false,
        .max_batch = 1,
    };
}

void vigil_detector_free(vigil_detector *d) {
    if (!d)
        return;
    vigil_engine_free(d->engine);
    vigil_backend_free(d->backend);
    vigil_model_free(d->model);
    if (d->plans)
        for (int i = 0; i < d->options.max_batch; i++)
            vigil_preprocess_plan_free(&d->plans[i]);
    free(d->plans);
    free(d->scales);
    vigil_detections_free(&d->scratch);
    free(d);
}

static vigil_status check_model(const vigil_model *m, vigil_error *err) {
    if (!m->graph)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "detector: the model has no graph");
    if (m->head.type != VIGIL_HEAD_GFL && m->head.type != VIGIL_HEAD_CENTERNET)
        return vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                               "detector: the model has no detection head (GFL or CenterNet)");
    if (m->input.width <= 0 || m->input.height <= 0)
        return vigil_error_set(err, VIGIL_STATUS_FORMAT, "detector: model input size %dx%d",
                               m->input.width, m->input.height);
    return VIGIL_STATUS_OK;
}

vigil_status vigil_detector_create_from_model(vigil_model *model,
                                              const vigil_detector_options *options,
                                              vigil_detector **out, vigil_error *err) {
    if (!out || !model) {
        vigil_model_free(model);
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "detector: NULL argument");
    }
    *out = NULL;
    vigil_detector *d = calloc(1, sizeof *d);
    if (!d) {
        vigil_model_free(model);
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "detector: out of memory");
    }
    d->model = model;
    d->options = options ? *options : vigil_detector_options_default();
    /* The caller's backend string need not outlive this call: it is used only here. */
    d->options.backend = NULL;
    if (d->options.max_batch <= 0)
        d->options.max_batch = 1;
    if (d->options.max_detections <= 0)
        d->options.max_detections = INT_MAX;
    vigil_status st = check_model(model, err);
    if (st < 0)
        goto fail;
    const char *backend = options && options->backend ? options->backend : "cpu";
    d->backend = vigil_backend_create(backend, d->options.threads, err);
    if (!d->backend) {
        st = err && err->status < 0 ? err->status : VIGIL_STATUS_BACKEND;
        goto fail;
    }
    st = vigil_graph_set_batch(model->graph, d->options.max_batch, err);
    if (st < 0)
        goto fail;
    st = vigil_engine_create(model->graph, d->backend, &d->engine, err);
    if (st < 0)
        goto fail;
    if (vigil_engine_input_count(d->engine) != 1) {
        st = vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                             "detector: the model has %d inputs, expected one image",
                             vigil_engine_input_count(d->engine));
        goto fail;
    }
    d->plans = calloc((size_t)d->options.max_batch, sizeof *d->plans);
    d->scales = calloc((size_t)d->options.max_batch, sizeof *d->scales);
    if (!d->plans || !d->scales) {
        st = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "detector: out of memory");
        goto fail;
    }
    *out = d;
    return VIGIL_STATUS_OK;
fail:
    vigil_detector_free(d);
    return st;
}

vigil_status vigil_detector_create(const char *model_path, const vigil_detector_options *options,
                                   vigil_detector **out, vigil_error *err) {
    if (!model_path || !out)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "detector: NULL argument");
    *out = NULL;
    vigil_model *model = NULL;
    vigil_status st = vigil_model_load(model_path, &model, err);
    if (st < 0)
        return st;
    st = vigil_detector_create_from_model(model, options, out, err);
    if (st < 0)
        vigil_error_prefix(err, "%s: ", model_path);
    return st;
}

/* Maps model-pixel boxes to source pixels and clips them to the frame; boxes left
 * with no area are dropped. */
static void map_to_source(vigil_detections *dets, float sx, float sy, int width, int height) {
    int kept = 0;
    for (int i = 0; i < dets->count; i++) {
        vigil_detection det = dets->items[i];
        float x0 = det.box[0] * sx, y0 = det.box[1] * sy;
        float x1 = (det.box[0] + det.box[2]) * sx, y1 = (det.box[1] + det.box[3]) * sy;
        x0 = x0 < 0.0f ? 0.0f : x0 > width ? (float)width : x0;
        x1 = x1 < 0.0f ? 0.0f : x1 > width ? (float)width : x1;
        y0 = y0 < 0.0f ? 0.0f : y0 > height ? (float)height : y0;
        y1 = y1 < 0.0f ? 0.0f : y1 > height ? (float)height : y1;
        if (!(x1 > x0) || !(y1 > y0))
            continue;
        det.box[0] = x0;
        det.box[1] = y0;
        det.box[2] = x1 - x0;
        det.box[3] = y1 - y0;
        dets->items[kept++] = det;
    }
    dets->count = kept;
}

vigil_status vigil_detector_run(vigil_detector *d, const vigil_image *frames, int n,
                                vigil_detections *out, vigil_error *err) {
    if (!d || !frames || !out)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "detector run: NULL argument");
    vigil_detections_reset(out);
    if (n < 1 || n > d->options.max_batch)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "detector run: %d frames, the detector takes 1 to %d", n,
                               d->options.max_batch);
    const vigil_model_input *input = &d->model->input;
    vigil_tensor *tensor = vigil_engine_input(d->engine, 0);
    for (int b = 0; b < n; b++) {
        vigil_status st = vigil_preprocess_plan_prepare(&d->plans[b], input, frames[b].width,
                                                        frames[b].height, d->options.threads, err);
        if (st >= 0)
            st = vigil_preprocess_plan_run(&d->plans[b], input, &frames[b], tensor, b, err);
        if (st < 0) {
            vigil_error_prefix(err, "frame %d of the batch: ", b);
            return st;
        }
        d->scales[b][0] = d->plans[b].scale_x;
        d->scales[b][1] = d->plans[b].scale_y;
    }
    vigil_status st = vigil_engine_run(d->engine, err);
    if (st < 0)
        return st;
    for (int b = 0; b < n; b++) {
        vigil_detections_reset(&d->scratch);
        st = vigil_head_decode(&d->model->head, input, d->engine, b, d->options.score_threshold,
                               &d->scratch, err);
        if (st < 0)
            return st;
        map_to_source(&d->scratch, d->scales[b][0], d->scales[b][1], frames[b].width,
                      frames[b].height);
        vigil_nms(&d->scratch, d->options.nms_threshold, d->options.class_agnostic,
                  d->options.max_detections);
        for (int i = 0; i < d->scratch.count; i++) {
            d->scratch.items[i].batch_index = b;
            st = vigil_detections_push(out, &d->scratch.items[i], err);
            if (st < 0)
                return st;
        }
    }
    return VIGIL_STATUS_OK;
}

const vigil_model *vigil_detector_model(const vigil_detector *d) {
    return d ? d->model : NULL;
}

vigil_engine *vigil_detector_engine(vigil_detector *d) {
    return d ? d->engine : NULL;
}

const char *vigil_detector_label(const vigil_detector *d, int class_id) {
    if (!d || class_id < 0 || class_id >= d->model->n_labels || !d->model->labels)
        return NULL;
    return d->model->labels[class_id];
}
