/* vigil synth — not built yet; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"

int vigil_cmd_synth(int argc, char **argv) {
    fprintf(stderr, "vigil synth: not implemented yet\n");
    return 2;
}
