/*
 * video_writer.h — encoding RGB frames to a video file with libavcodec, for
 * `vigil synth` and anything else that writes video.
 *
 * The container follows the file name (libavformat's guess: .avi, .mp4, .mkv, ...);
 * the codec is MPEG-4 part 2 unless another libavcodec encoder is named ("libx264",
 * "mjpeg"). Frames are numbered from 0 at the given rate.
 *
 *     vigil_video_writer *w;
 *     if (vigil_video_writer_open("clip.avi", 640, 480, 25.0, NULL, &w, &err) < 0) ...
 *     for (...) vigil_video_writer_write(w, rgb, 3 * 640, &err);
 *     if (vigil_video_writer_close(w, &err) < 0) ...   // flushes; frees w either way
 */
#ifndef VIGIL_CLI_VIDEO_WRITER_H
#define VIGIL_CLI_VIDEO_WRITER_H

#include <stdint.h>

#include "vigil/status.h"

typedef struct vigil_video_writer vigil_video_writer;

/* width and height must be even (4:2:0 chroma). codec NULL means "mpeg4". */
vigil_status vigil_video_writer_open(const char *path, int width, int height, double fps,
                                     const char *codec, vigil_video_writer **out, vigil_error *err);
/* Encodes one RGB24 frame (rows of stride bytes). */
vigil_status vigil_video_writer_write(vigil_video_writer *w, const uint8_t *rgb, int stride,
                                      vigil_error *err);
/* Drains the encoder, writes the trailer, closes the file and frees w. */
vigil_status vigil_video_writer_close(vigil_video_writer *w, vigil_error *err);

#endif
