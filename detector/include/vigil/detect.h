/*
 * vigil/detect.h — the object detector: a model file, preprocessing, the network,
 * the head decode and NMS, giving boxes in source-frame pixels.
 *
 *     vigil_detector_options opt = vigil_detector_options_default();
 *     vigil_detector *d;
 *     if (vigil_detector_create("nanodet.safetensors", &opt, &d, &err) < 0) ...
 *     vigil_image frame = {.format = VIGIL_PIXEL_RGB24, .width = w, .height = h,
 *                          .planes = {rgb}, .strides = {3 * w}};
 *     vigil_detections dets = {0};
 *     if (vigil_detector_run(d, &frame, 1, &dets, &err) < 0) ...
 *     for (int i = 0; i < dets.count; i++) ... dets.items[i].box ...
 *     vigil_detections_free(&dets);
 *     vigil_detector_free(d);
 */
#ifndef VIGIL_DETECT_H
#define VIGIL_DETECT_H

#include "vigil/engine.h"
#include "vigil/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vigil_pixel_format {
    VIGIL_PIXEL_RGB24 = 0,
    VIGIL_PIXEL_BGR24,
    VIGIL_PIXEL_RGBX, /* 4 bytes per pixel, 4th ignored */
    VIGIL_PIXEL_BGRX,
    VIGIL_PIXEL_I420, /* planar Y, U, V; chroma halved both ways */
    VIGIL_PIXEL_NV12, /* Y plane, interleaved UV plane */
} vigil_pixel_format;

typedef struct vigil_image {
    vigil_pixel_format format;
    int width, height;
    const uint8_t *planes[3];
    int strides[3]; /* bytes per row of each plane */
} vigil_image;

typedef struct vigil_detection {
    float box[4]; /* x, y, w, h in source pixels */
    float score;
    int class_id;
    int batch_index; /* which frame of the batch */
} vigil_detection;

typedef struct vigil_detections {
    int count, capacity;
    vigil_detection *items;
} vigil_detections;

typedef struct vigil_detector_options {
    const char *backend;   /* "cpu" (default), "ref", "cuda" */
    int threads;           /* <= 0: all cores */
    float score_threshold; /* default 0.35 */
    float nms_threshold;   /* IoU above which the lower-scored box is dropped; default 0.5 */
    int max_detections;    /* per frame, default 100 */
    bool class_agnostic;   /* NMS across classes; default false (class-aware) */
    int max_batch;         /* frames per engine run; default 1 */
} vigil_detector_options;

typedef struct vigil_detector vigil_detector;

vigil_detector_options vigil_detector_options_default(void);
vigil_status vigil_detector_create(const char *model_path, const vigil_detector_options *options,
                                   vigil_detector **out, vigil_error *err);
/* Takes ownership of model. */
vigil_status vigil_detector_create_from_model(vigil_model *model,
                                              const vigil_detector_options *options,
                                              vigil_detector **out, vigil_error *err);
void vigil_detector_free(vigil_detector *d);

/* Runs n frames (<= max_batch) and appends their detections to out (reset first). */
vigil_status vigil_detector_run(vigil_detector *d, const vigil_image *frames, int n,
                                vigil_detections *out, vigil_error *err);

const vigil_model *vigil_detector_model(const vigil_detector *d);
vigil_engine *vigil_detector_engine(vigil_detector *d);
const char *vigil_detector_label(const vigil_detector *d, int class_id);

void vigil_detections_reset(vigil_detections *dets);
vigil_status vigil_detections_push(vigil_detections *dets, const vigil_detection *det,
                                   vigil_error *err);
void vigil_detections_free(vigil_detections *dets);

/* Building blocks, public for tests and the trainer. */

/* Writes frame into tensor (shape [N, H, W, 3] or [N, 3, H, W] per input.layout) at batch
 * index b, resized per input.resize; scale_x/scale_y map model pixels back to source. */
vigil_status vigil_preprocess(const vigil_model_input *input, const vigil_image *frame,
                              vigil_tensor *tensor, int b, float *scale_x, float *scale_y,
                              vigil_error *err);
/* Keeps the highest-scored boxes whose IoU with a kept box of the same class (or any
 * class if class_agnostic) is at most iou_threshold; sorts by score, at most max_keep. */
void vigil_nms(vigil_detections *dets, float iou_threshold, bool class_agnostic, int max_keep);
float vigil_box_iou(const float a[4], const float b[4]);

/* Decodes head outputs of batch index b into dets (model-input pixels). */
vigil_status vigil_head_decode(const vigil_head_info *head, const vigil_model_input *input,
                               vigil_engine *engine, int b, float score_threshold,
                               vigil_detections *dets, vigil_error *err);

#ifdef __cplusplus
}
#endif
#endif
