/* Elementwise activations (TF Relu, Relu6, LeakyRelu, Sigmoid, Tanh, hard-sigmoid,
 * hard-swish, Exp, Neg). */
#include "ref/ref_ops.h"

/* Below this many elements threads cost more than they save. */
#define PARALLEL_MIN 32768

void vigil_ref_activation_forward(float *out, const float *x, int64_t n, vigil_activation a,
                                  float alpha, int threads) {
    int nt = n >= PARALLEL_MIN ? vigil_ref_threads(threads) : 1;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t i = 0; i < n; i++)
        out[i] = vigil_ref_activate(x[i], a, alpha);
}
