/* vigil analyze — not built yet; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"

int vigil_cmd_analyze(int argc, char **argv) {
    fprintf(stderr, "vigil analyze: not implemented yet\n");
    return 2;
}
