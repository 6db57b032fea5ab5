/* The thread count every reference op hands to OpenMP. */
#include <omp.h>

#include "ref/ref_ops.h"

int vigil_ref_threads(int threads) {
    return threads > 0 ? threads : omp_get_max_threads();
}
