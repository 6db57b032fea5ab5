/* vigil bench — not built yet; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"

int vigil_cmd_bench(int argc, char **argv) {
    fprintf(stderr, "vigil bench: not implemented yet\n");
    return 2;
}
