/*
 * media.h — decoded frames from an image or a video, for the `vigil` commands.
 *
 * INPUT may be a still image (JPEG through libjpeg-turbo, binary PPM/PGM; other image
 * formats FFmpeg reads, such as PNG, go through libavformat) or a video file or URL
 * (anything libavformat opens and libavcodec decodes: file.avi, file.mp4,
 * rtsp://camera/stream, http://...). Frames come out in decode order with a 0-based
 * index and a presentation time in seconds from the start of the stream; their pixels
 * are converted to RGB24 (swscale) only when asked for, so that frames a command skips
 * cost only their decode.
 *
 *     vigil_media *m;
 *     vigil_error err = {0};
 *     if (vigil_media_open("vtest.avi", &m, &err) < 0) { fprintf(stderr, "%s\n", err.message); }
 *     vigil_media_frame f;
 *     vigil_status st;
 *     while ((st = vigil_media_next(m, &f, &err)) == VIGIL_STATUS_OK) {
 *         if (f.index % 10) continue;                        // decoded, never converted
 *         if (vigil_media_rgb(m, &f, &err) < 0) break;       // f.rgb, f.stride now valid
 *         vigil_image img = vigil_media_image(&f);           // for vigil_detector_run
 *     }
 *     if (st != VIGIL_STATUS_END) fprintf(stderr, "%s\n", err.message);
 *     vigil_media_close(m);
 *
 * Errors name the input: a missing file, an empty file, an unknown or unreadable
 * format, no video stream, a zero-size or truncated image. A video frame the decoder
 * reports as corrupt is skipped, not fatal: vigil_media_corrupt_frames() counts them.
 * A video that ends before the frame count its container declares (a truncated file)
 * or on a read error delivers every frame it can, then fails with VIGIL_STATUS_FORMAT
 * or VIGIL_STATUS_IO instead of VIGIL_STATUS_END.
 *
 * Not thread-safe: one reader per vigil_media.
 */
#ifndef VIGIL_CLI_MEDIA_H
#define VIGIL_CLI_MEDIA_H

#include <stdbool.h>
#include <stdint.h>

#include "vigil/detect.h"
#include "vigil/status.h"

typedef struct vigil_media vigil_media;

typedef struct vigil_media_frame {
    int64_t index; /* 0-based, in decode order; skipped corrupt frames still count */
    double pts;    /* seconds since the stream's start (0 for a still image) */
    int width, height;
    const uint8_t *rgb; /* RGB24 after vigil_media_rgb(); valid until the next call */
    int stride;         /* bytes per row of rgb */
} vigil_media_frame;

typedef struct vigil_media_info {
    bool is_image;       /* a still image: exactly one frame */
    int width, height;   /* of the first frame (as declared by the container) */
    double fps;          /* 0 when unknown */
    int64_t frame_count; /* as declared by the container; 0 when unknown (streams) */
    const char *format;  /* "jpeg", "ppm", or the libavformat demuxer name */
    const char *codec;   /* decoder name ("mpeg4", "h264", "jpeg", ...) */
} vigil_media_info;

/* Opens path (a file name or URL). Still images are decoded here, so an unreadable
 * image fails now rather than at the first frame. */
vigil_status vigil_media_open(const char *path, vigil_media **out, vigil_error *err);
void vigil_media_close(vigil_media *m);

/* Decodes the next frame; VIGIL_STATUS_END after the last. frame->rgb is NULL until
 * vigil_media_rgb() is called for it. */
vigil_status vigil_media_next(vigil_media *m, vigil_media_frame *frame, vigil_error *err);
/* Converts the frame last returned by vigil_media_next to RGB24 and sets frame->rgb. */
vigil_status vigil_media_rgb(vigil_media *m, vigil_media_frame *frame, vigil_error *err);
/* vigil_media_next followed by vigil_media_rgb. */
vigil_status vigil_media_read(vigil_media *m, vigil_media_frame *frame, vigil_error *err);

/* The converted frame as a detector input (format RGB24, borrowing frame->rgb). */
vigil_image vigil_media_image(const vigil_media_frame *frame);

const vigil_media_info *vigil_media_get_info(const vigil_media *m);
const char *vigil_media_path(const vigil_media *m);
/* Frames (and packets) the decoder rejected as corrupt so far. */
int64_t vigil_media_corrupt_frames(const vigil_media *m);

/* FFmpeg's own log output: quiet by default (errors only through vigil_error). */
void vigil_media_set_verbose(bool verbose);

#endif
