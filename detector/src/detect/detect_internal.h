/* Insides of the detector shared by the files in detect/: the cached resize plan used
 * by preprocessing, and the two head decoders. Not a public interface. */
#ifndef VIGIL_DETECT_INTERNAL_H
#define VIGIL_DETECT_INTERNAL_H

#include "vigil/detect.h"

/* Resize tables for one (source size, model input) pair, plus per-thread row scratch,
 * so that preprocessing a frame of a size seen before allocates nothing. */
typedef struct vigil_preprocess_plan {
    int src_width, src_height;
    int in_width, in_height;   /* the model input */
    int fit_width, fit_height; /* the part covered by the image (smaller for letterbox) */
    vigil_resize_policy resize;
    float scale_x, scale_y; /* model pixels -> source pixels */
    int threads;            /* OpenMP threads used for the rows */
    int *x0, *x1;           /* per output column: the two source columns ... */
    float *wx;              /* ... and the weight of x1 */
    int *y0, *y1;           /* per output row, likewise */
    float *wy;
    uint8_t *rgb_rows; /* per thread: 2 source rows converted to RGB24 (YUV input) */
    float *h_rows;     /* per thread: 2 rows resized horizontally, model color order */
    size_t rgb_row_bytes, h_row_floats;
} vigil_preprocess_plan;

/* (Re)builds plan for frames of src_width x src_height; a no-op when it already
 * matches. threads <= 0: OpenMP's default. */
vigil_status vigil_preprocess_plan_prepare(vigil_preprocess_plan *plan,
                                           const vigil_model_input *input, int src_width,
                                           int src_height, int threads, vigil_error *err);
/* Runs a prepared plan (frame must have the plan's size). */
vigil_status vigil_preprocess_plan_run(const vigil_preprocess_plan *plan,
                                       const vigil_model_input *input, const vigil_image *frame,
                                       vigil_tensor *tensor, int b, vigil_error *err);
void vigil_preprocess_plan_free(vigil_preprocess_plan *plan);

/* Converts one row of BT.601 limited-range YUV 4:2:0 to RGB24. u and v point at the
 * row's chroma; uv_step is 1 for planar (I420) and 2 for interleaved (NV12) chroma. */
void vigil_yuv_row_to_rgb(const uint8_t *y, const uint8_t *u, const uint8_t *v, int uv_step,
                          int width, uint8_t *rgb);

/* Finds the engine output called name and checks it is F32 with ndim dims and a batch
 * that holds b; errors name `what` and the output. */
vigil_status vigil_head_output(vigil_engine *engine, const char *name, int ndim, int b,
                               const char *what, const vigil_tensor **out, vigil_error *err);

vigil_status vigil_head_gfl_decode(const vigil_head_info *head, const vigil_model_input *input,
                                   vigil_engine *engine, int b, float score_threshold,
                                   vigil_detections *dets, vigil_error *err);
vigil_status vigil_head_centernet_decode(const vigil_head_info *head,
                                         const vigil_model_input *input, vigil_engine *engine,
                                         int b, float score_threshold, vigil_detections *dets,
                                         vigil_error *err);

#endif
