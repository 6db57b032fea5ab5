/* Lowercase names of ops, activations and binary ops, as the model file's JSON spells them. */
#include "vigil/graph.h"

#include <string.h>

static const char *const op_names[VIGIL_OP_COUNT] = {
    [VIGIL_OP_INPUT] = "input",     [VIGIL_OP_CONST] = "const",
    [VIGIL_OP_CONV2D] = "conv2d",   [VIGIL_OP_UNARY] = "unary",
    [VIGIL_OP_BINARY] = "binary",   [VIGIL_OP_REDUCE] = "reduce",
    [VIGIL_OP_POOL2D] = "pool2d",   [VIGIL_OP_RESIZE] = "resize",
    [VIGIL_OP_CONCAT] = "concat",   [VIGIL_OP_SLICE] = "slice",
    [VIGIL_OP_PAD] = "pad",         [VIGIL_OP_TRANSPOSE] = "transpose",
    [VIGIL_OP_RESHAPE] = "reshape",
};

static const char *const activation_names[VIGIL_ACTIVATION_COUNT] = {
    [VIGIL_ACTIVATION_NONE] = "none",
    [VIGIL_ACTIVATION_RELU] = "relu",
    [VIGIL_ACTIVATION_RELU6] = "relu6",
    [VIGIL_ACTIVATION_LEAKY_RELU] = "leaky_relu",
    [VIGIL_ACTIVATION_SIGMOID] = "sigmoid",
    [VIGIL_ACTIVATION_TANH] = "tanh",
    [VIGIL_ACTIVATION_HARD_SIGMOID] = "hard_sigmoid",
    [VIGIL_ACTIVATION_HARD_SWISH] = "hard_swish",
    [VIGIL_ACTIVATION_EXP] = "exp",
    [VIGIL_ACTIVATION_NEG] = "neg",
};

static const char *const binary_names[VIGIL_BINARY_COUNT] = {
    [VIGIL_BINARY_ADD] = "add", [VIGIL_BINARY_SUB] = "sub", [VIGIL_BINARY_MUL] = "mul",
    [VIGIL_BINARY_DIV] = "div", [VIGIL_BINARY_MAX] = "max", [VIGIL_BINARY_MIN] = "min",
};

static const char *name_at(const char *const *names, int count, int value) {
    return value >= 0 && value < count && names[value] ? names[value] : "unknown";
}

static int index_of(const char *const *names, int count, const char *name) {
    if (!name)
        return -1;
    for (int i = 0; i < count; i++)
        if (names[i] && strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *vigil_op_type_name(vigil_op_type op) {
    return name_at(op_names, VIGIL_OP_COUNT, (int)op);
}

bool vigil_op_type_from_name(const char *name, vigil_op_type *op) {
    int i = index_of(op_names, VIGIL_OP_COUNT, name);
    if (i < 0)
        return false;
    *op = (vigil_op_type)i;
    return true;
}

const char *vigil_activation_name(vigil_activation a) {
    return name_at(activation_names, VIGIL_ACTIVATION_COUNT, (int)a);
}

bool vigil_activation_from_name(const char *name, vigil_activation *a) {
    int i = index_of(activation_names, VIGIL_ACTIVATION_COUNT, name);
    if (i < 0)
        return false;
    *a = (vigil_activation)i;
    return true;
}

const char *vigil_binary_op_name(vigil_binary_op op) {
    return name_at(binary_names, VIGIL_BINARY_COUNT, (int)op);
}

bool vigil_binary_op_from_name(const char *name, vigil_binary_op *op) {
    int i = index_of(binary_names, VIGIL_BINARY_COUNT, name);
    if (i < 0)
        return false;
    *op = (vigil_binary_op)i;
    return true;
}
