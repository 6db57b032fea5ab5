/*
 * frame_list.h — which frames of a video a command works on: `--frames LIST`.
 *
 * LIST is comma-separated 0-based frame indices and ranges, Python-style:
 *   7        frame 7
 *   10:20    frames 10 to 19 (the end is exclusive)
 *   :5       frames 0 to 4
 *   100:     frame 100 to the end of the video
 * e.g. "0,5,10:20,300:". Items may overlap and come in any order.
 *
 *     vigil_frame_list frames = {0};          // no ranges: every frame
 *     if (vigil_frame_list_parse("0:3,10", &frames, &err) < 0) ...
 *     vigil_frame_list_contains(&frames, 2);  // true
 *     vigil_frame_list_end(&frames);          // 11: stop decoding there
 *     vigil_frame_list_free(&frames);
 */
#ifndef VIGIL_CLI_FRAME_LIST_H
#define VIGIL_CLI_FRAME_LIST_H

#include <stdbool.h>
#include <stdint.h>

#include "vigil/status.h"

typedef struct vigil_frame_range {
    int64_t begin, end; /* [begin, end); end = INT64_MAX when open */
} vigil_frame_range;

typedef struct vigil_frame_list {
    int count;                 /* 0: every frame */
    vigil_frame_range *ranges; /* sorted, disjoint, not touching */
} vigil_frame_list;

/* Parses text into list (replacing its contents); errors quote the bad item. */
vigil_status vigil_frame_list_parse(const char *text, vigil_frame_list *list, vigil_error *err);
bool vigil_frame_list_contains(const vigil_frame_list *list, int64_t index);
/* One past the last listed frame; INT64_MAX when the list is open-ended or empty. */
int64_t vigil_frame_list_end(const vigil_frame_list *list);
void vigil_frame_list_free(vigil_frame_list *list);

#endif
