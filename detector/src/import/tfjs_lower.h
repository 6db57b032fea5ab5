/* tfjs_lower.h — helpers shared by the lowering files (tfjs_lower*.c). */
#ifndef VIGIL_TFJS_LOWER_H
#define VIGIL_TFJS_LOWER_H

#include "import/tfjs_internal.h"

typedef struct vigil_lower {
    vigil_tfjs_graph *g;
    vigil_ir *ir;
    vigil_error *err;
} vigil_lower;

/* The IR node feeding input k of n (a constant input becomes an IR CONST, once). */
int vigil_lower_input(vigil_lower *lw, const vigil_tfjs_node *n, int k);
/* The constant value of input k, or NULL when it is computed at run time. */
const vigil_tensor *vigil_lower_const(const vigil_lower *lw, const vigil_tfjs_node *n, int k);
/* Like vigil_lower_const, but an error naming the node when input k is not constant. */
const vigil_tensor *vigil_lower_require_const(vigil_lower *lw, const vigil_tfjs_node *n, int k,
                                              const char *what);
/* Reads a constant input as integers (at most max); -1 with err set on failure. */
int vigil_lower_const_ints(vigil_lower *lw, const vigil_tfjs_node *n, int k, const char *what,
                           int64_t *out, int max);
/* An error naming the op and node. */
vigil_status vigil_lower_fail(vigil_lower *lw, const vigil_tfjs_node *n, vigil_status status,
                              const char *what);
/* Adds an IR node named after n (plus suffix) and returns its index or a negative status. */
int vigil_lower_add(vigil_lower *lw, const vigil_tfjs_node *n, const char *suffix, vigil_op_type op,
                    const int *inputs, int n_inputs, const vigil_op_params *params);
/* Adds an IR constant named after n (plus suffix); takes ownership of value. */
int vigil_lower_add_const(vigil_lower *lw, const vigil_tfjs_node *n, const char *suffix,
                          vigil_tensor *value);

/* Conv2D, _FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2dNative. */
vigil_status vigil_lower_conv(vigil_lower *lw, vigil_tfjs_node *n);
/* MaxPool, AvgPool. */
vigil_status vigil_lower_pool(vigil_lower *lw, vigil_tfjs_node *n);
/* FusedBatchNorm, FusedBatchNormV2/V3 in inference mode. */
vigil_status vigil_lower_batch_norm(vigil_lower *lw, vigil_tfjs_node *n);

#endif
