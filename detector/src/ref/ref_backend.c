/* The "ref" backend: every node runs on the plain-C reference ops. Nothing needs
 * preparing beyond a check, so nodes carry no state. */
#include <stdlib.h>

#include "ref/ref_ops.h"
#include "vigil/backend.h"

static void ref_destroy(vigil_backend *backend) {
    free(backend);
}

static vigil_status ref_node_prepare(vigil_backend *backend, const vigil_graph *g, int node,
                                     void **state, vigil_error *err) {
    *state = NULL;
    return vigil_ref_node_check(g, node, err);
}

static vigil_status ref_node_forward(vigil_backend *backend, const vigil_graph *g, int node,
                                     void *state, vigil_tensor *out,
                                     const vigil_tensor *const *inputs, vigil_error *err) {
    return vigil_ref_node_forward(g, node, backend->threads, out, inputs, err);
}

static void ref_node_release(vigil_backend *backend, void *state) {}

/* Unary ops and binary ops whose first operand already has the output's shape read
 * each element before writing the same element, so they can overwrite their input. */
static bool ref_node_in_place(vigil_backend *backend, const vigil_graph *g, int node) {
    const vigil_node *n = &g->nodes[node];
    if (n->op == VIGIL_OP_UNARY)
        return true;
    if (n->op == VIGIL_OP_BINARY) {
        const vigil_node *a = &g->nodes[n->inputs[0]];
        return vigil_shape_equal(a->out_ndim, a->out_shape, n->out_ndim, n->out_shape);
    }
    return false;
}

static const vigil_backend_ops ref_ops = {
    .name = "ref",
    .destroy = ref_destroy,
    .node_prepare = ref_node_prepare,
    .node_forward = ref_node_forward,
    .node_release = ref_node_release,
    .node_in_place = ref_node_in_place,
};

vigil_backend *vigil_backend_ref_create(vigil_error *err) {
    vigil_backend *backend = calloc(1, sizeof *backend);
    if (!backend) {
        vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "ref backend: out of memory");
        return NULL;
    }
    backend->ops = &ref_ops;
    backend->threads = 0; /* OpenMP's default; vigil_backend_create sets a count */
    return backend;
}
