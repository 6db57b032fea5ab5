/* vigil eval — not built yet; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"

int vigil_cmd_eval(int argc, char **argv) {
    fprintf(stderr, "vigil eval: not implemented yet\n");
    return 2;
}
