/* vigil broker — not built yet; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"

int vigil_cmd_broker(int argc, char **argv) {
    fprintf(stderr, "vigil broker: not implemented yet\n");
    return 2;
}
