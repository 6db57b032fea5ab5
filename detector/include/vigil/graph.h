/*
 * vigil/graph.h — the network as a list of typed ops.
 *
 * A graph is an array of nodes in topological order; every node produces exactly one
 * tensor and names its inputs by node index. Weights are CONST nodes that hold their
 * tensor. Shapes are static per input shape: vigil_graph_infer_shapes() fills every
 * node's out_shape from the INPUT nodes' shapes, and the engine plans buffers once
 * from those shapes (see vigil/engine.h).
 *
 * Ops that split one tensor into several are expressed as several SLICE nodes, so a
 * node never has more than one output. Activations are NHWC, conv weights HWIO.
 *
 *     vigil_graph *g = vigil_graph_create();
 *     int x = vigil_graph_add_input(g, "image", 4, (int64_t[]){1, 416, 416, 3}, &err);
 *     int w = vigil_graph_add_const(g, "conv1/w", &weights, &err); // takes ownership
 *     vigil_op_params p = {.conv2d = {.stride = {2, 2}, .dilation = {1, 1}, .groups = 1,
 *                                     .padding = VIGIL_PADDING_SAME}};
 *     int y = vigil_graph_add_node(g, VIGIL_OP_CONV2D, "conv1", (int[]){x, w}, 2, &p, &err);
 *     vigil_graph_mark_output(g, y, "features", &err);
 *     vigil_graph_infer_shapes(g, &err);
 *
 * Backward passes: each op keeps its parameters here, backend-independent, so that a
 * backward pass and other backends add functions, not fields.
 */
#ifndef VIGIL_GRAPH_H
#define VIGIL_GRAPH_H

#include "vigil/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vigil_op_type {
    VIGIL_OP_INPUT = 0, /* a tensor fed at run time; shape set by the graph or the engine */
    VIGIL_OP_CONST,     /* a tensor held by the node (weights, biases, folded constants) */
    VIGIL_OP_CONV2D,    /* inputs: x NHWC, w HWIO [kh,kw,cin/groups,cout], optional bias [cout] */
    VIGIL_OP_UNARY,     /* elementwise activation: params.unary */
    VIGIL_OP_BINARY,    /* elementwise a (op) b with NumPy broadcasting: params.binary */
    VIGIL_OP_REDUCE,    /* mean/max/sum over params.reduce.axes */
    VIGIL_OP_POOL2D,    /* max or average pooling over H and W of NHWC */
    VIGIL_OP_RESIZE,    /* bilinear or nearest resize of H and W of NHWC, TF semantics */
    VIGIL_OP_CONCAT,    /* any number of inputs along params.concat.axis */
    VIGIL_OP_SLICE,     /* strided slice: begin/end/step per dim (no negative steps) */
    VIGIL_OP_PAD,       /* constant padding, before/after per dim */
    VIGIL_OP_TRANSPOSE, /* permute dims: out.shape[i] = in.shape[perm[i]] */
    VIGIL_OP_RESHAPE,   /* same data, new shape; -1 infers one dim */
    VIGIL_OP_COUNT
} vigil_op_type;

typedef enum vigil_activation {
    VIGIL_ACTIVATION_NONE = 0,
    VIGIL_ACTIVATION_RELU,
    VIGIL_ACTIVATION_RELU6,
    VIGIL_ACTIVATION_LEAKY_RELU, /* alpha */
    VIGIL_ACTIVATION_SIGMOID,
    VIGIL_ACTIVATION_TANH,
    VIGIL_ACTIVATION_HARD_SIGMOID, /* relu6(x + 3) / 6 */
    VIGIL_ACTIVATION_HARD_SWISH,   /* x * relu6(x + 3) / 6 */
    VIGIL_ACTIVATION_EXP,
    VIGIL_ACTIVATION_NEG,
    VIGIL_ACTIVATION_COUNT
} vigil_activation;

typedef enum vigil_binary_op {
    VIGIL_BINARY_ADD = 0,
    VIGIL_BINARY_SUB,
    VIGIL_BINARY_MUL,
    VIGIL_BINARY_DIV,
    VIGIL_BINARY_MAX,
    VIGIL_BINARY_MIN,
    VIGIL_BINARY_COUNT
} vigil_binary_op;

typedef enum vigil_reduce_op {
    VIGIL_REDUCE_MEAN = 0,
    VIGIL_REDUCE_MAX,
    VIGIL_REDUCE_SUM,
} vigil_reduce_op;

typedef enum vigil_padding {
    VIGIL_PADDING_EXPLICIT = 0, /* pads[] as given (VALID is all zeros) */
    VIGIL_PADDING_SAME,         /* TF SAME: resolved against the input size at shape inference */
} vigil_padding;

typedef struct vigil_conv2d_params {
    int stride[2];   /* h, w */
    int dilation[2]; /* h, w; 0 is read as 1 */
    int groups;      /* 1 = dense; = in channels for depthwise; 0 is read as 1 */
    vigil_padding padding;
    int pads[4]; /* top, bottom, left, right; filled in for SAME by shape inference */
    vigil_activation activation; /* fused after bias */
    float alpha;                 /* leaky relu slope */
} vigil_conv2d_params;

typedef struct vigil_unary_params {
    vigil_activation activation;
    float alpha;
} vigil_unary_params;

typedef struct vigil_binary_params {
    vigil_binary_op op;
    vigil_activation activation; /* fused after the op (add + relu) */
    float alpha;
} vigil_binary_params;

typedef struct vigil_reduce_params {
    vigil_reduce_op op;
    int naxes;
    int axes[VIGIL_MAX_DIMS];
    bool keep_dims;
} vigil_reduce_params;

typedef enum vigil_pool_type { VIGIL_POOL_MAX = 0, VIGIL_POOL_AVG } vigil_pool_type;

typedef struct vigil_pool2d_params {
    vigil_pool_type type;
    int kernel[2];
    int stride[2];
    vigil_padding padding;
    int pads[4]; /* top, bottom, left, right; max pool pads with -inf, avg excludes pads */
} vigil_pool2d_params;

typedef enum vigil_resize_mode {
    VIGIL_RESIZE_BILINEAR = 0,
    VIGIL_RESIZE_NEAREST
} vigil_resize_mode;

typedef struct vigil_resize_params {
    vigil_resize_mode mode;
    int size[2]; /* out h, w */
    bool align_corners;
    bool half_pixel_centers;
} vigil_resize_params;

typedef struct vigil_concat_params {
    int axis;
} vigil_concat_params;

typedef struct vigil_slice_params {
    int64_t begin[VIGIL_MAX_DIMS];
    int64_t end[VIGIL_MAX_DIMS]; /* exclusive, already clamped to the input shape */
    int64_t step[VIGIL_MAX_DIMS];
    /* When true, dim 0 (the batch) is taken whole, whatever begin/end/step[0] say
     * (they are 0, the imported batch, 1): imported slices hard-code batch 1 in end[0]. */
    bool keep_batch;
} vigil_slice_params;

typedef struct vigil_pad_params {
    int64_t before[VIGIL_MAX_DIMS];
    int64_t after[VIGIL_MAX_DIMS];
    float value;
} vigil_pad_params;

typedef struct vigil_transpose_params {
    int perm[VIGIL_MAX_DIMS];
} vigil_transpose_params;

typedef struct vigil_reshape_params {
    int ndim;
    int64_t shape[VIGIL_MAX_DIMS]; /* one -1 allowed */
    /* When true, out dim 0 is the input's dim 0 (the batch), whatever shape[0] says:
     * imported graphs hard-code batch 1 in their reshapes. */
    bool keep_batch;
} vigil_reshape_params;

typedef union vigil_op_params {
    vigil_conv2d_params conv2d;
    vigil_unary_params unary;
    vigil_binary_params binary;
    vigil_reduce_params reduce;
    vigil_pool2d_params pool2d;
    vigil_resize_params resize;
    vigil_concat_params concat;
    vigil_slice_params slice;
    vigil_pad_params pad;
    vigil_transpose_params transpose;
    vigil_reshape_params reshape;
} vigil_op_params;

typedef struct vigil_node {
    vigil_op_type op;
    char *name;
    int n_inputs;
    int *inputs; /* node indices, each < this node's index */
    vigil_op_params params;
    vigil_tensor value; /* CONST: the data (owned); INPUT: shape only (data NULL) */
    vigil_dtype out_dtype;
    int out_ndim;
    int64_t out_shape[VIGIL_MAX_DIMS]; /* set by vigil_graph_infer_shapes */
} vigil_node;

typedef struct vigil_graph_output {
    int node;
    char *name;
} vigil_graph_output;

typedef struct vigil_graph {
    int n_nodes, cap_nodes;
    vigil_node *nodes;
    int n_outputs;
    vigil_graph_output *outputs;
} vigil_graph;

vigil_graph *vigil_graph_create(void);
void vigil_graph_free(vigil_graph *g);

/* Each add returns the new node's index, or a negative vigil_status. */
int vigil_graph_add_input(vigil_graph *g, const char *name, int ndim, const int64_t *shape,
                          vigil_error *err);
/* Takes ownership of value's data (value->owns_data must be true, or the data is copied). */
int vigil_graph_add_const(vigil_graph *g, const char *name, vigil_tensor *value, vigil_error *err);
int vigil_graph_add_node(vigil_graph *g, vigil_op_type op, const char *name, const int *inputs,
                         int n_inputs, const vigil_op_params *params, vigil_error *err);
vigil_status vigil_graph_mark_output(vigil_graph *g, int node, const char *name, vigil_error *err);

int vigil_graph_find(const vigil_graph *g, const char *name); /* -1 if absent */

/* Fills out_shape of every node (and SAME pads); errors name the node and the shapes. */
vigil_status vigil_graph_infer_shapes(vigil_graph *g, vigil_error *err);

/* Sets the batch (dim 0) of every INPUT node, then re-infers shapes. */
vigil_status vigil_graph_set_batch(vigil_graph *g, int64_t batch, vigil_error *err);

/* 2 x multiply-adds of conv and 1 per output element elsewhere, after shape inference. */
double vigil_graph_flops(const vigil_graph *g);

const char *vigil_op_type_name(vigil_op_type op); /* "conv2d", "unary", ... */
bool vigil_op_type_from_name(const char *name, vigil_op_type *op);
const char *vigil_activation_name(vigil_activation a);
bool vigil_activation_from_name(const char *name, vigil_activation *a);
const char *vigil_binary_op_name(vigil_binary_op op);
bool vigil_binary_op_from_name(const char *name, vigil_binary_op *op);

#ifdef __cplusplus
}
#endif
#endif
