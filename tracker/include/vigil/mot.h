/*
 * vigil/mot.h — MOT Challenge text files: detections, tracks and ground truth.
 *
 * One box per line, comma-separated, frames numbered from 1:
 *
 *     frame,id,x,y,w,h,conf,class,visibility
 *     1,-1,912.0,484.0,97.0,109.0,0.93,1,-1      a detection (id -1)
 *     1,7,912.5,483.0,96.0,110.0,0.91,1,-1       track 7
 *     1,7,910.0,480.0,99.0,112.0,1,1,0.85        ground truth: conf is the "consider" flag
 *
 * (x, y) is the top-left corner, (w, h) the size, in frame pixels. `class` is the COCO
 * index + 1 (1 = person, 3 = car, as in MOT17). Only the first six fields are required;
 * absent ones read as conf 1, class -1, visibility -1. MOT16 files, whose last three
 * fields are world coordinates (-1,-1,-1), read with class -1. Blank lines and lines
 * starting with '#' are skipped.
 *
 * The reader checks what a tracker or an evaluation would otherwise silently get wrong
 * and names the line at fault: malformed numbers, negative sizes, frames below 1,
 * frames out of order, and (for tracks and ground truth) an id twice in one frame.
 *
 *     vigil_mot_records dets = {0};
 *     vigil_error err = {0};
 *     if (vigil_mot_read("dets.txt", VIGIL_MOT_DETECTIONS, &dets, &err) < 0) {
 *         fprintf(stderr, "vigil: %s\n", err.message);   // "dets.txt:12: negative width -3"
 *         return 1;
 *     }
 *     for (int i = 0; i < dets.count;) {
 *         int end = vigil_mot_frame_end(&dets, i);          // records i..end-1 share a frame
 *         ... dets.items[i].frame, dets.items[i..end-1].box ...
 *         i = end;
 *     }
 *     vigil_mot_records_free(&dets);
 */
#ifndef VIGIL_MOT_H
#define VIGIL_MOT_H

#include <stdio.h>

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_mot_record {
    int frame;        /* from 1 */
    int id;           /* track or object id; -1 for detections */
    float box[4];     /* x, y, w, h: top-left corner and size in pixels */
    float score;      /* confidence; in ground truth the "consider" flag (0 = ignore) */
    int class_id;     /* as written: COCO index + 1 (1 = person); -1 when absent */
    float visibility; /* 0..1; -1 when absent */
} vigil_mot_record;

typedef struct vigil_mot_records {
    int count, capacity;
    vigil_mot_record *items; /* sorted by frame (the reader enforces it) */
} vigil_mot_records;

/* What a file holds, which decides the checks: tracks and ground truth need an id >= 0
 * that is unique within its frame; detections may have any id (usually -1). */
typedef enum vigil_mot_kind {
    VIGIL_MOT_DETECTIONS = 0,
    VIGIL_MOT_TRACKS,
    VIGIL_MOT_GROUND_TRUTH,
} vigil_mot_kind;

/* Reads a whole file into out (reset first). Errors name the path and the line. */
vigil_status vigil_mot_read(const char *path, vigil_mot_kind kind, vigil_mot_records *out,
                            vigil_error *err);
/* The same from an open stream; name is used in error messages. */
vigil_status vigil_mot_read_stream(FILE *stream, const char *name, vigil_mot_kind kind,
                                   vigil_mot_records *out, vigil_error *err);

/* Writes records as `frame,id,x,y,w,h,conf,class,visibility` lines. */
vigil_status vigil_mot_write(FILE *stream, const vigil_mot_record *records, int n,
                             vigil_error *err);
/* Creates (or truncates) path and writes records to it. */
vigil_status vigil_mot_write_file(const char *path, const vigil_mot_record *records, int n,
                                  vigil_error *err);

vigil_status vigil_mot_records_push(vigil_mot_records *records, const vigil_mot_record *record,
                                    vigil_error *err);
void vigil_mot_records_reset(vigil_mot_records *records);
void vigil_mot_records_free(vigil_mot_records *records);

/* Index one past the last record of the frame that starts at index begin. */
int vigil_mot_frame_end(const vigil_mot_records *records, int begin);
/* The highest frame number, 0 when empty. */
int vigil_mot_last_frame(const vigil_mot_records *records);

#ifdef __cplusplus
}
#endif
#endif
