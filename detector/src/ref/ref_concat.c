/* TF ConcatV2, one input at a time: input i, seen as [outer, axis_size, inner], goes to
 * rows [axis_offset, axis_offset + axis_size) of every outer block of the output. */
#include "ref/ref_ops.h"

#include <string.h>

void vigil_ref_concat_forward(float *out, const float *x, int64_t outer, int64_t out_axis,
                              int64_t axis_offset, int64_t axis_size, int64_t inner) {
    size_t chunk = (size_t)(axis_size * inner);
    for (int64_t o = 0; o < outer; o++)
        memcpy(out + (o * out_axis + axis_offset) * inner, x + o * (int64_t)chunk,
               chunk * sizeof *out);
}
