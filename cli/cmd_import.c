/* vigil import — not built yet; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"

int vigil_cmd_import(int argc, char **argv) {
    fprintf(stderr, "vigil import: not implemented yet\n");
    return 2;
}
