/* Choosing a backend by name (the CLI's --backend, the elements' backend property).
 * Kept apart from vigil_backend_free so that a program using only the "ref" backend
 * does not need the "cpu" one linked in. */
#include <string.h>

#include "vigil/backend.h"

vigil_backend *vigil_backend_create(const char *name, int threads, vigil_error *err) {
    if (!name) {
        vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "backend: no name given");
        return NULL;
    }
    if (strcmp(name, "ref") == 0) {
        vigil_backend *backend = vigil_backend_ref_create(err);
        if (backend)
            backend->threads = threads > 0 ? threads : 0;
        return backend;
    }
    if (strcmp(name, "cpu") == 0)
        return vigil_backend_cpu_create(threads, err);
    if (strcmp(name, "cpu-bf16") == 0)
        return vigil_backend_cpu_create_bf16(threads, err);
    if (strcmp(name, "cuda") == 0) {
        vigil_error_set(err, VIGIL_STATUS_UNSUPPORTED,
                        "backend 'cuda': vigil was built without CUDA");
        return NULL;
    }
    vigil_error_set(err, VIGIL_STATUS_NOT_FOUND,
                    "backend '%s' is unknown (known: ref, cpu, cpu-bf16, cuda)", name);
    return NULL;
}
