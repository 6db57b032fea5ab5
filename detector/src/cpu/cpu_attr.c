/* Primitive attributes: the user scratchpad and activations as fused eltwise post-ops. */
#include "cpu/cpu_internal.h"

bool cpu_activation_eltwise(vigil_activation activation, float alpha, dnnl_alg_kind_t *alg,
                            float *a, float *b) {
    *a = 0.f;
    *b = 0.f;
    switch (activation) {
    case VIGIL_ACTIVATION_RELU:
        *alg = dnnl_eltwise_relu;
        return true;
    case VIGIL_ACTIVATION_RELU6:
        *alg = dnnl_eltwise_clip;
        *b = 6.f;
        return true;
    case VIGIL_ACTIVATION_LEAKY_RELU:
        *alg = dnnl_eltwise_relu; /* oneDNN's relu takes the negative slope as alpha */
        *a = alpha;
        return true;
    case VIGIL_ACTIVATION_SIGMOID:
        *alg = dnnl_eltwise_logistic;
        return true;
    case VIGIL_ACTIVATION_TANH:
        *alg = dnnl_eltwise_tanh;
        return true;
    case VIGIL_ACTIVATION_HARD_SWISH:
        *alg = dnnl_eltwise_hardswish; /* x * relu6(x + 3) / 6 in oneDNN 2.6 */
        return true;
    case VIGIL_ACTIVATION_EXP:
        *alg = dnnl_eltwise_exp;
        return true;
    case VIGIL_ACTIVATION_NEG:
        *alg = dnnl_eltwise_linear;
        *a = -1.f;
        return true;
    default:
        return false;
    }
}

dnnl_status_t cpu_attr_create_with(dnnl_primitive_attr_t *attr, const_dnnl_post_ops_t po) {
    dnnl_status_t s = dnnl_primitive_attr_create(attr);
    if (s != dnnl_success)
        return s;
    s = dnnl_primitive_attr_set_scratchpad_mode(*attr, dnnl_scratchpad_mode_user);
    if (s == dnnl_success && po && dnnl_post_ops_len(po) > 0)
        s = dnnl_primitive_attr_set_post_ops(*attr, po);
    if (s != dnnl_success) {
        dnnl_primitive_attr_destroy(*attr);
        *attr = NULL;
    }
    return s;
}

dnnl_status_t cpu_attr_create(dnnl_primitive_attr_t *attr, vigil_activation activation,
                              float alpha) {
    cpu_post_chain chain = {0};
    dnnl_post_ops_t po = NULL;
    *attr = NULL;
    dnnl_status_t s = cpu_chain_activation(&chain, activation, alpha);
    if (s == dnnl_success)
        s = dnnl_post_ops_create(&po);
    if (s == dnnl_success)
        s = cpu_chain_emit(&chain, po);
    if (s == dnnl_success)
        s = cpu_attr_create_with(attr, po);
    if (po)
        dnnl_post_ops_destroy(po);
    return s;
}
