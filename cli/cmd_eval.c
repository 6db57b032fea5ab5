/* vigil eval mot — CLEAR MOT, IDF1 and HOTA of tracker output against ground truth. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "vigil/mot_metrics.h"

static void usage(FILE *out) {
    fprintf(out, "usage: vigil eval mot --gt GT --res RES [OPTIONS]\n"
                 "\n"
                 "Scores tracks RES against ground truth GT, both MOT text\n"
                 "(frame,id,x,y,w,h,conf,class,visibility). Truth boxes with conf 0 are \"do not\n"
                 "care\": tracks on them are dropped and they are not counted as misses.\n"
                 "\n"
                 "CLEAR MOT and IDF1 pair boxes at IoU >= 0.5 as py-motmetrics does; HOTA follows\n"
                 "TrackEval (averaged over alpha 0.05 .. 0.95). MOTP is TrackEval's: the mean IoU\n"
                 "of matched pairs (py-motmetrics prints 1 - MOTP).\n"
                 "\n"
                 "options:\n"
                 "  -g, --gt FILE         ground truth\n"
                 "  -r, --res FILE        tracker output\n"
                 "  -c, --class N         evaluate only class N (MOT numbering: 1 person, 3 car)\n"
                 "      --class-agnostic  let boxes of different classes pair\n"
                 "      --iou T           pairing threshold for CLEAR MOT and IDF1 (default 0.5)\n"
                 "      --json            one JSON object instead of the table\n"
                 "  -h, --help            this text\n"
                 "\n"
                 "Exit status: 0 on success, 1 when a file cannot be read, 2 on a usage error.\n");
}

static void print_table(const vigil_mot_metrics *m) {
    printf("frames %d, truth boxes %d (%d ids), tracker boxes %d (%d ids)\n\n", m->frames,
           m->truth_boxes, m->truth_ids, m->hypothesis_boxes, m->hypothesis_ids);
    printf("%-6s %6s %6s %6s %6s %6s %6s %6s %6s %6s\n", "", "MOTA", "MOTP", "IDF1", "IDP", "IDR",
           "HOTA", "DetA", "AssA", "LocA");
    printf("%-6s %6.2f %6.2f %6.2f %6.2f %6.2f %6.2f %6.2f %6.2f %6.2f\n\n", "%", 100 * m->mota,
           100 * m->motp, 100 * m->idf1, 100 * m->idp, 100 * m->idr, 100 * m->hota, 100 * m->deta,
           100 * m->assa, 100 * m->loca);
    printf("%6s %6s %6s %6s %6s %6s %6s %6s\n", "TP", "FP", "FN", "IDSW", "Frag", "MT", "PT", "ML");
    printf("%6d %6d %6d %6d %6d %6d %6d %6d\n", m->matches, m->false_positives, m->misses,
           m->id_switches, m->fragmentations, m->mostly_tracked, m->partially_tracked,
           m->mostly_lost);
}

static void print_json(const vigil_mot_metrics *m) {
    printf("{\"frames\":%d,\"truth_boxes\":%d,\"truth_ids\":%d,\"tracker_boxes\":%d,"
           "\"tracker_ids\":%d,",
           m->frames, m->truth_boxes, m->truth_ids, m->hypothesis_boxes, m->hypothesis_ids);
    printf("\"MOTA\":%.6f,\"MOTP\":%.6f,\"TP\":%d,\"FP\":%d,\"FN\":%d,\"IDSW\":%d,\"Frag\":%d,"
           "\"MT\":%d,\"PT\":%d,\"ML\":%d,",
           m->mota, m->motp, m->matches, m->false_positives, m->misses, m->id_switches,
           m->fragmentations, m->mostly_tracked, m->partially_tracked, m->mostly_lost);
    printf("\"IDF1\":%.6f,\"IDP\":%.6f,\"IDR\":%.6f,\"IDTP\":%d,\"IDFP\":%d,\"IDFN\":%d,", m->idf1,
           m->idp, m->idr, m->idtp, m->idfp, m->idfn);
    printf("\"HOTA\":%.6f,\"DetA\":%.6f,\"AssA\":%.6f,\"LocA\":%.6f,\"DetRe\":%.6f,"
           "\"DetPr\":%.6f,\"AssRe\":%.6f,\"AssPr\":%.6f}\n",
           m->hota, m->deta, m->assa, m->loca, m->detre, m->detpr, m->assre, m->asspr);
}

static int eval_mot(int argc, char **argv) {
    enum { OPT_AGNOSTIC = 256, OPT_IOU, OPT_JSON };
    static const struct option options[] = {
        {"gt", required_argument, NULL, 'g'},
        {"res", required_argument, NULL, 'r'},
        {"class", required_argument, NULL, 'c'},
        {"class-agnostic", no_argument, NULL, OPT_AGNOSTIC},
        {"iou", required_argument, NULL, OPT_IOU},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *gt_path = NULL, *res_path = NULL;
    int json = 0;
    vigil_mot_eval_options opt = vigil_mot_eval_options_default();
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "g:r:c:h", options, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'g':
            gt_path = optarg;
            break;
        case 'r':
            res_path = optarg;
            break;
        case 'c': {
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 0 || v > 100000) {
                fprintf(stderr, "vigil eval: --class wants a class number, got '%s'\n", optarg);
                return 2;
            }
            opt.class_id = (int)v;
            break;
        }
        case OPT_AGNOSTIC:
            opt.class_aware = false;
            break;
        case OPT_IOU:
            errno = 0;
            opt.iou_threshold = strtod(optarg, &end);
            if (end == optarg || *end || errno || !(opt.iou_threshold > 0) ||
                opt.iou_threshold > 1) {
                fprintf(stderr, "vigil eval: --iou wants a number in (0, 1], got '%s'\n", optarg);
                return 2;
            }
            break;
        case OPT_JSON:
            json = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!gt_path || !res_path || optind < argc) {
        fprintf(stderr, "vigil eval mot: needs --gt GT and --res RES (see --help)\n");
        return 2;
    }
    vigil_mot_records gt = {0}, res = {0};
    vigil_error err = {0};
    vigil_mot_metrics m;
    int rc = 1;
    if (vigil_mot_read(gt_path, VIGIL_MOT_GROUND_TRUTH, &gt, &err) < 0 ||
        vigil_mot_read(res_path, VIGIL_MOT_TRACKS, &res, &err) < 0 ||
        vigil_mot_evaluate(&gt, &res, &opt, &m, &err) < 0) {
        fprintf(stderr, "vigil eval: %s\n", err.message);
    } else {
        if (json)
            print_json(&m);
        else
            print_table(&m);
        rc = 0;
    }
    vigil_mot_records_free(&gt);
    vigil_mot_records_free(&res);
    return rc;
}

int vigil_cmd_eval(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "mot"))
        return eval_mot(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "usage: vigil eval mot --gt GT --res RES [OPTIONS]\n"
                    "(`vigil eval mot --help` for the options)\n");
    return 2;
}
