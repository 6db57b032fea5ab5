/* TF Reshape: the bytes stay as they are. The engine normally makes a reshape a view of
 * its input; this copy serves callers that hold two separate buffers. */
#include "ref/ref_ops.h"

#include <string.h>

void vigil_ref_reshape_forward(float *out, const float *x, int64_t numel) {
    if (out != x)
        memmove(out, x, (size_t)numel * sizeof *out);
}
