/*
 * A primitive's post-op chain (the node's activation and, for a convolution, the nodes
 * fused into it) built as a list first and handed to oneDNN at the end, so that constant
 * scales can be merged.
 *
 * oneDNN 2.6's jit kernels compute a chain holding two eltwise_linear post-ops wrongly
 * (found by test_cpu_fusion: hard sigmoid, which is linear then clip, followed by a
 * scale gave errors of 40 %). A scale therefore goes into the last linear step when only
 * clips and relus follow it (k * clip(y, lo, hi) = clip(k * y, k * lo, k * hi) and
 * k * relu(y) = relu(k * y) for k > 0), becomes the chain's one linear step otherwise,
 * and is refused (the node is then not fused) when neither is possible.
 */
#include "cpu/cpu_internal.h"

static dnnl_status_t cpu_chain_push(cpu_post_chain *c, cpu_post_op op) {
    if (c->n == CPU_MAX_POST_OPS)
        return dnnl_unimplemented;
    c->ops[c->n++] = op;
    return dnnl_success;
}

static dnnl_status_t cpu_chain_eltwise(cpu_post_chain *c, dnnl_alg_kind_t alg, float a, float b) {
    return cpu_chain_push(
        c, (cpu_post_op){.kind = CPU_POST_ELTWISE, .alg = alg, .alpha = a, .beta = b});
}

dnnl_status_t cpu_chain_activation(cpu_post_chain *c, vigil_activation activation, float alpha) {
    dnnl_alg_kind_t alg;
    float a, b;
    if (activation == VIGIL_ACTIVATION_NONE)
        return dnnl_success;
    if (activation == VIGIL_ACTIVATION_HARD_SIGMOID) {
        /* relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1): oneDNN 2.6 has no hard sigmoid */
        dnnl_status_t s = cpu_chain_eltwise(c, dnnl_eltwise_linear, 1.f / 6.f, 0.5f);
        return s == dnnl_success ? cpu_chain_eltwise(c, dnnl_eltwise_clip, 0.f, 1.f) : s;
    }
    if (!cpu_activation_eltwise(activation, alpha, &alg, &a, &b))
        return dnnl_unimplemented;
    return cpu_chain_eltwise(c, alg, a, b);
}

static bool cpu_chain_is(const cpu_post_op *op, dnnl_alg_kind_t alg) {
    return op->kind == CPU_POST_ELTWISE && op->alg == alg;
}

dnnl_status_t cpu_chain_scale(cpu_post_chain *c, float k) {
    int last = c->n - 1;
    while (k > 0.f && last >= 0 &&
           (cpu_chain_is(&c->ops[last], dnnl_eltwise_clip) ||
            cpu_chain_is(&c->ops[last], dnnl_eltwise_relu)))
        last--;
    if (last >= 0 && cpu_chain_is(&c->ops[last], dnnl_eltwise_linear)) {
        c->ops[last].alpha *= k;
        c->ops[last].beta *= k;
        for (int i = last + 1; i < c->n; i++)
            if (c->ops[i].alg == dnnl_eltwise_clip) {
                c->ops[i].alpha *= k;
                c->ops[i].beta *= k;
            }
        return dnnl_success;
    }
    for (int i = 0; i < c->n; i++)
        if (cpu_chain_is(&c->ops[i], dnnl_eltwise_linear))
            return dnnl_unimplemented;
    return cpu_chain_eltwise(c, dnnl_eltwise_linear, k, 0.f);
}

dnnl_status_t cpu_chain_sum(cpu_post_chain *c) {
    return cpu_chain_push(c, (cpu_post_op){.kind = CPU_POST_SUM});
}

dnnl_status_t cpu_chain_emit(const cpu_post_chain *c, dnnl_post_ops_t po) {
    dnnl_status_t s = dnnl_success;
    for (int i = 0; i < c->n && s == dnnl_success; i++) {
        const cpu_post_op *op = &c->ops[i];
        switch (op->kind) {
        case CPU_POST_ELTWISE:
            s = dnnl_post_ops_append_eltwise(po, 1.f, op->alg, op->alpha, op->beta);
            break;
        case CPU_POST_SUM:
            s = dnnl_post_ops_append_sum(po, 1.f);
            break;
        }
    }
    return s;
}
