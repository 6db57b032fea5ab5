/*
 * ref_ops.h — the plain-C reference ops, one function per op family.
 *
 * Every op is exactly TensorFlow's and works on float32 data. In the llm.c manner each
 * function takes its output first, then its inputs, then the shapes as explicit
 * arguments, so that any backend can call it on raw pointers for the ops it does not
 * run itself. Outputs never alias inputs unless an op says so (unary and binary may run
 * in place). `threads` <= 0 means OpenMP's default.
 *
 *     vigil_ref_activation_forward(y, x, n, VIGIL_ACTIVATION_LEAKY_RELU, 0.1f, 4);
 *
 * vigil_ref_node_forward runs a whole graph node from tensors, which is what the "ref"
 * backend (ref_backend.c) does for every node.
 */
#ifndef VIGIL_REF_OPS_H
#define VIGIL_REF_OPS_H

#include <math.h>

#include "vigil/graph.h"

/* The thread count to give OpenMP's num_threads clause. */
int vigil_ref_threads(int threads);

/* One activation, as TensorFlow computes it. */
static inline float vigil_ref_activate(float x, vigil_activation a, float alpha) {
    switch (a) {
    case VIGIL_ACTIVATION_NONE:
    case VIGIL_ACTIVATION_COUNT:
        return x;
    case VIGIL_ACTIVATION_RELU:
        return x > 0.0f ? x : 0.0f;
    case VIGIL_ACTIVATION_RELU6:
        return x > 0.0f ? (x < 6.0f ? x : 6.0f) : 0.0f;
    case VIGIL_ACTIVATION_LEAKY_RELU:
        return x > 0.0f ? x : alpha * x;
    case VIGIL_ACTIVATION_SIGMOID:
        return 1.0f / (1.0f + expf(-x));
    case VIGIL_ACTIVATION_TANH:
        return tanhf(x);
    case VIGIL_ACTIVATION_HARD_SIGMOID: {
        float r = x + 3.0f;
        r = r > 0.0f ? (r < 6.0f ? r : 6.0f) : 0.0f;
        return r / 6.0f;
    }
    case VIGIL_ACTIVATION_HARD_SWISH: {
        float r = x + 3.0f;
        r = r > 0.0f ? (r < 6.0f ? r : 6.0f) : 0.0f;
        return x * r / 6.0f;
    }
    case VIGIL_ACTIVATION_EXP:
        return expf(x);
    case VIGIL_ACTIVATION_NEG:
        return -x;
    }
    return x;
}

/* out[i] = act(x[i]); out may be x. */
void vigil_ref_activation_forward(float *out, const float *x, int64_t n, vigil_activation a,
                                  float alpha, int threads);

/* x NHWC [batch,in_h,in_w,in_c], w HWIO [kernel_h,kernel_w,in_c/groups,out_c], bias [out_c]
 * or NULL; out NHWC [batch,out_h,out_w,out_c]. p gives stride, dilation, groups, resolved
 * pads and the fused activation. */
void vigil_ref_conv2d_forward(float *out, const float *x, const float *w, const float *bias,
                              int64_t batch, int64_t in_h, int64_t in_w, int64_t in_c,
                              int64_t out_h, int64_t out_w, int64_t out_c, int64_t kernel_h,
                              int64_t kernel_w, const vigil_conv2d_params *p, int threads);

/* out = act(a op b) with NumPy broadcasting of a and b to out_shape; out may be a (when
 * a has out's shape) or b (likewise). */
void vigil_ref_binary_forward(float *out, const float *a, const float *b, int out_ndim,
                              const int64_t *out_shape, int a_ndim, const int64_t *a_shape,
                              int b_ndim, const int64_t *b_shape, const vigil_binary_params *p,
                              int threads);

/* Reduces x [shape] over p->axes (normalized, 0 <= axis < ndim); out holds the kept dims
 * in order (keep_dims changes only the shape, not the data layout). */
void vigil_ref_reduce_forward(float *out, const float *x, int ndim, const int64_t *shape,
                              const vigil_reduce_params *p, int threads);

/* x NHWC [batch,in_h,in_w,channels] -> out [batch,out_h,out_w,channels]; resolved pads. */
void vigil_ref_pool2d_forward(float *out, const float *x, int64_t batch, int64_t in_h, int64_t in_w,
                              int64_t channels, int64_t out_h, int64_t out_w,
                              const vigil_pool2d_params *p, int threads);

/* TF ResizeBilinear / ResizeNearestNeighbor of NHWC x to [batch,out_h,out_w,channels]. */
void vigil_ref_resize_forward(float *out, const float *x, int64_t batch, int64_t in_h, int64_t in_w,
                              int64_t channels, int64_t out_h, int64_t out_w,
                              const vigil_resize_params *p, int threads);

/* Copies one concat input, seen as [outer, axis_size, inner], into the output seen as
 * [outer, out_axis, inner] starting at axis_offset; call it once per input. */
void vigil_ref_concat_forward(float *out, const float *x, int64_t outer, int64_t out_axis,
                              int64_t axis_offset, int64_t axis_size, int64_t inner);

/* out[i...] = x[begin + i * step ...]; out_shape as shape inference gives it. */
void vigil_ref_slice_forward(float *out, const float *x, int ndim, const int64_t *in_shape,
                             const int64_t *out_shape, const vigil_slice_params *p);

/* Constant padding of x [in_shape] by p->before/after per dim with p->value. */
void vigil_ref_pad_forward(float *out, const float *x, int ndim, const int64_t *in_shape,
                           const vigil_pad_params *p);

/* out.shape[i] = in_shape[perm[i]]. */
void vigil_ref_transpose_forward(float *out, const float *x, int ndim, const int64_t *in_shape,
                                 const int *perm);

/* A reshape moves no data; this copies when the caller gives two buffers. */
void vigil_ref_reshape_forward(float *out, const float *x, int64_t numel);

/* Checks that the reference can run the node (float32 tensors, known op) at prepare. */
vigil_status vigil_ref_node_check(const vigil_graph *g, int node, vigil_error *err);

/* Runs graph node `node` with the reference ops: out has the node's shape and storage,
 * inputs[i] are the tensors of its inputs. */
vigil_status vigil_ref_node_forward(const vigil_graph *g, int node, int threads, vigil_tensor *out,
                                    const vigil_tensor *const *inputs, vigil_error *err);

#endif
