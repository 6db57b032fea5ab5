/*
 * vigil/tensor.h — dense tensors: a dtype, a shape and a pointer to the data.
 *
 * Shapes are row-major, outermost first. Image activations inside the engine are
 * NHWC ([batch, height, width, channels]) because both imported model families are
 * TensorFlow graphs; convolution weights are HWIO ([kh, kw, in/groups, out]).
 * A tensor does not own its data unless it came from vigil_tensor_alloc.
 *
 *     vigil_tensor t;
 *     int64_t shape[4] = {1, 416, 416, 3};
 *     if (vigil_tensor_alloc(&t, VIGIL_DTYPE_F32, 4, shape, &err) < 0) ...
 *     float *pixels = t.data;
 *     vigil_tensor_free(&t);
 */
#ifndef VIGIL_TENSOR_H
#define VIGIL_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_MAX_DIMS 6

typedef enum vigil_dtype {
    VIGIL_DTYPE_F32 = 0,
    VIGIL_DTYPE_F16,
    VIGIL_DTYPE_BF16,
    VIGIL_DTYPE_I32,
    VIGIL_DTYPE_I64,
    VIGIL_DTYPE_U8,
} vigil_dtype;

typedef struct vigil_tensor {
    vigil_dtype dtype;
    int ndim;
    int64_t shape[VIGIL_MAX_DIMS];
    void *data;
    bool owns_data;
} vigil_tensor;

size_t vigil_dtype_size(vigil_dtype dtype);
const char *vigil_dtype_name(vigil_dtype dtype); /* safetensors spelling: "F32", "F16", ... */
/* Parses a safetensors dtype name; returns false if unknown. */
bool vigil_dtype_from_name(const char *name, vigil_dtype *dtype);

int64_t vigil_shape_numel(int ndim, const int64_t *shape);
int64_t vigil_tensor_numel(const vigil_tensor *t);
size_t vigil_tensor_nbytes(const vigil_tensor *t);
bool vigil_shape_equal(int ndim_a, const int64_t *a, int ndim_b, const int64_t *b);
/* Formats a shape as "[1,416,416,3]" into buf (always terminated). */
const char *vigil_shape_format(int ndim, const int64_t *shape, char *buf, size_t size);

/* Allocates zeroed, 64-byte aligned storage; the tensor owns it. */
vigil_status vigil_tensor_alloc(vigil_tensor *t, vigil_dtype dtype, int ndim, const int64_t *shape,
                                vigil_error *err);
/* A view over caller-owned memory. */
void vigil_tensor_view(vigil_tensor *t, vigil_dtype dtype, int ndim, const int64_t *shape,
                       void *data);
void vigil_tensor_free(vigil_tensor *t);

/* IEEE half and bfloat16 conversions (round to nearest even). */
float vigil_f16_to_f32(uint16_t h);
uint16_t vigil_f32_to_f16(float f);
float vigil_bf16_to_f32(uint16_t b);
uint16_t vigil_f32_to_bf16(float f);

#ifdef __cplusplus
}
#endif
#endif
