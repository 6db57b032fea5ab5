/* vigil detect — not built yet; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"

int vigil_cmd_detect(int argc, char **argv) {
    fprintf(stderr, "vigil detect: not implemented yet\n");
    return 2;
}
