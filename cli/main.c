/* vigil — video analytics from the command line. `vigil help` lists the commands. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"detect", vigil_cmd_detect, "run the object detector on an image or video, JSON lines out"},
    {"import", vigil_cmd_import, "convert a TF.js graph model into a vigil model file"},
    {"track", vigil_cmd_track, "track detections (MOT text) or a video, MOT tracks out"},
    {"eval", vigil_cmd_eval, "evaluate tracks against ground truth (eval mot)"},
    {"synth", vigil_cmd_synth, "make a synthetic labeled clip (video, MOT truth, detections)"},
    {"analyze", vigil_cmd_analyze, "replay tracks through a rules file, alerts out"},
    {"broker", vigil_cmd_broker, "run a development Kafka broker on loopback"},
    {"bench", vigil_cmd_bench, "benchmark the detector engine"},
};

static void usage(FILE *out) {
    fprintf(out, "usage: vigil COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`vigil COMMAND --help` describes a command's options.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "vigil: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
