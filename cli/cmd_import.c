/* vigil import — converts a TF.js graph model into a vigil model file and says what
 * came out: nodes by op, parameters, GFLOPs and the recognized head. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "vigil/tfjs.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: vigil import --from tfjs MODEL.json -o OUT.safetensors [--output NAME]...\n"
            "\n"
            "Reads a TensorFlow.js graph model (MODEL.json and the .bin shards beside it),\n"
            "folds constants, cancels layout transposes, fuses pads, biases and activations\n"
            "into convolutions, and writes a vigil model file (safetensors weights with the\n"
            "graph, input, head and labels in its metadata). NanoDet and CenterNet are\n"
            "recognized and get their preprocessing and head decode.\n"
            "\n"
            "options:\n"
            "      --from FORMAT   source format: tfjs (the only one so far)\n"
            "  -o, --out FILE      model file to write\n"
            "      --output NAME   keep this graph output (repeatable); default: the model's\n"
            "                      signature outputs minus built-in post-processing (TopK, NMS)\n"
            "  -h, --help          this text\n");
}

enum { OPT_FROM = 256, OPT_OUTPUT };

static const char *head_name(vigil_head_type type) {
    return type == VIGIL_HEAD_GFL ? "gfl" : type == VIGIL_HEAD_CENTERNET ? "centernet" : "none";
}

static void print_summary(const char *from, const char *to, const vigil_model *m) {
    const vigil_graph *g = m->graph;
    int counts[VIGIL_OP_COUNT] = {0};
    double parameters = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const vigil_node *n = &g->nodes[i];
        if (n->op >= 0 && n->op < VIGIL_OP_COUNT)
            counts[n->op]++;
        if (n->op == VIGIL_OP_CONST)
            parameters += (double)vigil_tensor_numel(&n->value);
    }
    char ops[512] = "";
    size_t used = 0;
    for (int op = 0; op < VIGIL_OP_COUNT && used < sizeof ops; op++) {
        if (!counts[op] || op == VIGIL_OP_CONST || op == VIGIL_OP_INPUT)
            continue;
        int n = snprintf(ops + used, sizeof ops - used, "%s%s %d", used ? ", " : "",
                         vigil_op_type_name((vigil_op_type)op), counts[op]);
        used += n > 0 ? (size_t)n : 0;
    }
    fprintf(stderr,
            "vigil import: %s -> %s: %d nodes (%s; %d constants), %.2f M parameters, "
            "%.2f GFLOPs, %d outputs, head %s",
            from, to, g->n_nodes, ops, counts[VIGIL_OP_CONST], parameters / 1e6,
            vigil_graph_flops(g) / 1e9, g->n_outputs, head_name(m->head.type));
    if (m->head.type != VIGIL_HEAD_NONE)
        fprintf(stderr, " (%d classes, input %dx%d %s)", m->head.num_classes, m->input.width,
                m->input.height, m->input.color == VIGIL_COLOR_BGR ? "BGR" : "RGB");
    fprintf(stderr, "\n");
}

int vigil_cmd_import(int argc, char **argv) {
    static const struct option options[] = {
        {"from", required_argument, NULL, OPT_FROM},
        {"out", required_argument, NULL, 'o'},
        {"output", required_argument, NULL, OPT_OUTPUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *from = NULL, *out = NULL;
    const char **outputs = calloc((size_t)argc + 1, sizeof *outputs);
    int n_outputs = 0, c, status = 2;
    if (!outputs) {
        fprintf(stderr, "vigil import: out of memory\n");
        return 1;
    }
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
        switch (c) {
        case OPT_FROM:
            from = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case OPT_OUTPUT:
            outputs[n_outputs++] = optarg;
            break;
        case 'h':
            usage(stdout);
            status = 0;
            goto done;
        default:
            usage(stderr);
            goto done;
        }
    }
    if (!from || strcmp(from, "tfjs") != 0) {
        if (from)
            fprintf(stderr, "vigil import: unknown format '%s' (only tfjs)\n", from);
        else
            fprintf(stderr, "vigil import: say --from tfjs\n");
        goto done;
    }
    if (optind != argc - 1 || !out) {
        fprintf(stderr, "vigil import: give one MODEL.json and -o OUT.safetensors\n");
        usage(stderr);
        goto done;
    }
    const char *json = argv[optind];
    vigil_tfjs_options opts = {.outputs = outputs, .n_outputs = n_outputs};
    vigil_error err = {0};
    vigil_model *model = NULL;
    status = 1;
    if (vigil_tfjs_import(json, &opts, &model, &err) < 0 ||
        vigil_model_save(model, out, &err) < 0) {
        fprintf(stderr, "vigil import: %s\n", err.message);
        vigil_model_free(model);
        goto done;
    }
    print_summary(json, out, model);
    vigil_model_free(model);
    status = 0;
done:
    free(outputs);
    return status;
}
