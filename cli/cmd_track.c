/* vigil track — not built yet; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"

int vigil_cmd_track(int argc, char **argv) {
    fprintf(stderr, "vigil track: not implemented yet\n");
    return 2;
}
