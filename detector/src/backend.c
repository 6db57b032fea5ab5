/* Releasing a backend, whichever it is. */
#include "vigil/backend.h"

void vigil_backend_free(vigil_backend *backend) {
    if (backend && backend->ops && backend->ops->destroy)
        backend->ops->destroy(backend);
}
