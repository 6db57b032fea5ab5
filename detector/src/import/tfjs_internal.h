/*
 * tfjs_internal.h — the TF.js importer's insides.
 *
 * The import runs in stages:
 *   1. tfjs_json.c     model.json -> vigil_tfjs_graph (nodes, attributes, signature)
 *   2. tfjs_weights.c  weightsManifest + .bin shards -> the Const nodes' tensors
 *   3. tfjs_lower.c    walk the nodes the outputs need, in topological order: fold a node
 *                      whose inputs are all constant (tfjs_fold.c), otherwise map it onto
 *                      vigil ops in an editable graph, the IR (ir.c)
 *   4. ir_*.c          rewrite the IR: cancel transposes, fold pads, biases and scales
 *                      into convolutions, fuse activations
 *   5. ir.c            emit the live IR nodes as a vigil_graph in topological order
 *   6. tfjs_family.c   recognize NanoDet / CenterNet and fill input, head and labels
 *
 * The IR is a vigil graph that can be edited in place: nodes may be appended after
 * their consumers and replaced, and only the final emission sorts them.
 */
#ifndef VIGIL_TFJS_INTERNAL_H
#define VIGIL_TFJS_INTERNAL_H

#include <cjson/cJSON.h>

#include "vigil/tfjs.h"

/* ---- the TF.js graph as read ---- */

/* Outputs per node the importer follows (Split into more parts is refused). */
#define VIGIL_TFJS_MAX_SLOTS 16

typedef struct vigil_tfjs_node {
    char *name;
    const char *op;    /* points into the document */
    const cJSON *attr; /* the node's "attr" object, or NULL */
    int n_inputs;
    char **inputs;  /* data inputs as written ("x", "x:1"); control inputs dropped */
    int *in_node;   /* resolved: node index of each input */
    int *in_slot;   /* and its output slot */
    bool has_value; /* Const, or folded to a constant during lowering */
    vigil_tensor value;
    int ir[VIGIL_TFJS_MAX_SLOTS]; /* IR node of each output slot once lowered; -1 before */
    int mark;                     /* traversal state */
} vigil_tfjs_node;

typedef struct vigil_tfjs_graph {
    char *path; /* model.json as given, for messages */
    char *dir;  /* its directory, which shard paths are relative to */
    cJSON *doc;
    int n_nodes;
    vigil_tfjs_node *nodes;
    int *by_name; /* node indices sorted by name */
    int n_signature_outputs;
    char **signature_outputs; /* "name" or "name:k", as in the signature */
} vigil_tfjs_graph;

vigil_status vigil_tfjs_graph_read(const char *path, vigil_tfjs_graph *g, vigil_error *err);
void vigil_tfjs_graph_free(vigil_tfjs_graph *g);
/* Node index by name, or -1. */
int vigil_tfjs_graph_find(const vigil_tfjs_graph *g, const char *name);
/* Splits "name:k" into the node index and slot; false if the node does not exist. */
bool vigil_tfjs_graph_resolve(const vigil_tfjs_graph *g, const char *ref, int *node, int *slot);

/* Reads the weightsManifest and its shards into the Const nodes. */
vigil_status vigil_tfjs_weights_read(vigil_tfjs_graph *g, vigil_error *err);

/* Attribute accessors; def when the attribute is absent. */
bool vigil_tfjs_attr_has(const vigil_tfjs_node *n, const char *key);
int64_t vigil_tfjs_attr_int(const vigil_tfjs_node *n, const char *key, int64_t def);
float vigil_tfjs_attr_float(const vigil_tfjs_node *n, const char *key, float def);
bool vigil_tfjs_attr_bool(const vigil_tfjs_node *n, const char *key, bool def);
/* Decodes a base64 string attribute into buf; def when absent. */
const char *vigil_tfjs_attr_string(const vigil_tfjs_node *n, const char *key, const char *def,
                                   char *buf, size_t size);
/* An int list attribute ("list": {"i": [...]}); returns the count (-1 if absent). */
int vigil_tfjs_attr_ints(const vigil_tfjs_node *n, const char *key, int64_t *out, int max);
/* A string list attribute ("list": {"s": [...]}), each decoded; returns the count. */
int vigil_tfjs_attr_strings(const vigil_tfjs_node *n, const char *key, char out[][32], int max);
/* A shape attribute ({"shape": {"dim": [{"size": "1"}, ...]}}); returns the rank (-1 if
 * absent); unknown sizes are -1. */
int vigil_tfjs_attr_shape(const vigil_tfjs_node *n, const char *key, int64_t *out, int max);
/* Decodes standard base64; returns the length or -1. */
long vigil_base64_decode(const char *in, uint8_t *out, size_t size);

/* ---- constant folding of TF ops ---- */

/* Evaluates node n whose inputs are all constant into out (F32 or I32). Returns
 * VIGIL_STATUS_UNSUPPORTED, without setting err, when the op is not one it folds. */
vigil_status vigil_tfjs_fold(const vigil_tfjs_graph *g, const vigil_tfjs_node *n,
                             const vigil_tensor *const *inputs, vigil_tensor *out,
                             vigil_error *err);

/* ---- the IR ---- */

typedef struct vigil_ir_node {
    vigil_op_type op;
    char *name;
    int n_inputs;
    int *inputs;
    vigil_op_params params;
    vigil_tensor value; /* CONST: owned F32 data; INPUT: shape */
    int ndim;
    int64_t shape[VIGIL_MAX_DIMS];
    bool dead; /* replaced or left without uses; its inputs are dropped */
} vigil_ir_node;

typedef struct vigil_ir {
    int n_nodes, cap_nodes;
    vigil_ir_node *nodes;
    int n_outputs;
    int *outputs;
    char **output_names;
} vigil_ir;

void vigil_ir_init(vigil_ir *ir);
void vigil_ir_free(vigil_ir *ir);
/* Each add returns the node index (or a negative status) and infers its shape from
 * its inputs; node pointers are invalid after an add (the array may move). */
int vigil_ir_add(vigil_ir *ir, vigil_op_type op, const char *name, const int *inputs, int n_inputs,
                 const vigil_op_params *params, vigil_error *err);
int vigil_ir_add_input(vigil_ir *ir, const char *name, int ndim, const int64_t *shape,
                       vigil_error *err);
/* Takes ownership of value (converted to F32 if it is I32). */
int vigil_ir_add_const(vigil_ir *ir, const char *name, vigil_tensor *value, vigil_error *err);
vigil_status vigil_ir_add_output(vigil_ir *ir, int node, const char *name, vigil_error *err);
/* Re-infers one node's shape (and SAME pads) from its inputs. */
vigil_status vigil_ir_infer(vigil_ir *ir, int node, vigil_error *err);
/* Points every consumer and output of old at new; old dies if left unused. */
void vigil_ir_replace_uses(vigil_ir *ir, int old_node, int new_node);
/* Kills node (and inputs left unused) if nothing uses it. */
void vigil_ir_drop_if_unused(vigil_ir *ir, int node);
/* Uses of node (as an input, counted per edge, plus graph outputs). */
int vigil_ir_use_count(const vigil_ir *ir, int node);
bool vigil_ir_is_output(const vigil_ir *ir, int node);
/* Live nodes (reachable from the outputs) in topological order; *order malloc'd. */
vigil_status vigil_ir_order(const vigil_ir *ir, int **order, int *n, vigil_error *err);
/* Re-infers every live node in topological order. */
vigil_status vigil_ir_infer_all(vigil_ir *ir, vigil_error *err);
/* Builds the vigil_graph of the live nodes (names made unique); consts are moved. */
vigil_status vigil_ir_emit(vigil_ir *ir, vigil_graph **out, vigil_error *err);

/* A name not used by any IR node, built from base + suffix. malloc'd. */
char *vigil_ir_unique_name(const vigil_ir *ir, const char *base, const char *suffix);

/* ---- IR rewrites ---- */

/* If the only INPUT is [N, C, H, W] with C in {1, 3, 4}, makes it [N, H, W, C] followed by
 * an explicit transpose back (which the transpose pass then cancels). Sets *rewritten. */
vigil_status vigil_ir_input_to_nhwc(vigil_ir *ir, bool *rewritten, vigil_error *err);
/* Sinks transposes through layout-agnostic ops, composes and cancels them, turns
 * transpose-reshape-transpose chains that keep element order into a reshape. */
vigil_status vigil_ir_cancel_transposes(vigil_ir *ir, vigil_error *err);
/* x * relu6(x + 3) / 6 -> hard_swish(x); relu6(x + 3) / 6 -> hard_sigmoid(x). */
vigil_status vigil_ir_fuse_hard_swish(vigil_ir *ir, vigil_error *err);
/* Explicit zero pads into convolutions, -inf pads into max pools. */
vigil_status vigil_ir_fold_pads(vigil_ir *ir, vigil_error *err);
/* Constant per-channel (or scalar) add/sub/mul after a convolution into its bias and
 * weights, then single-consumer activations into the convolution or binary op. */
vigil_status vigil_ir_fuse_conv(vigil_ir *ir, vigil_error *err);
/* Reshapes that keep the batch dimension get keep_batch. */
void vigil_ir_mark_keep_batch(vigil_ir *ir);

/* ---- lowering and families ---- */

/* Lowers the nodes that the chosen outputs need into ir. */
vigil_status vigil_tfjs_lower(vigil_tfjs_graph *g, const vigil_tfjs_options *options, vigil_ir *ir,
                              vigil_error *err);

/* Fills model->input, head and labels for NanoDet and CenterNet (recognized by their
 * input and output shapes); other graphs get VIGIL_HEAD_NONE and the input's size. */
vigil_status vigil_tfjs_detect_family(vigil_model *model, vigil_error *err);

#endif
