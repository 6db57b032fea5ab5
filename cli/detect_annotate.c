#include "detect_annotate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/annotate.h"
#include "video_writer.h"

struct detect_annotator {
    char *path;
    double fps;
    vigil_video_writer *writer;
    uint8_t *canvas; /* even-sized copy of the frame, drawn on */
    int width, height;
};

detect_annotator *detect_annotator_create(const char *path, double fps) {
    detect_annotator *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->path = strdup(path);
    a->fps = fps > 0 ? fps : 10.0;
    if (!a->path) {
        free(a);
        return NULL;
    }
    return a;
}

static vigil_status open_writer(detect_annotator *a, const vigil_media_frame *f, vigil_error *err) {
    /* 4:2:0 encoders need even sizes: drop a last odd row or column. */
    a->width = f->width & ~1;
    a->height = f->height & ~1;
    if (a->width < 2 || a->height < 2)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "%s: frame of %dx%d is too small to encode", a->path, f->width,
                               f->height);
    a->canvas = malloc((size_t)a->width * a->height * 3);
    if (!a->canvas)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "%s: out of memory", a->path);
    return vigil_video_writer_open(a->path, a->width, a->height, a->fps, NULL, &a->writer, err);
}

vigil_status detect_annotator_write(detect_annotator *a, const vigil_detector *d,
                                    const vigil_media_frame *f, const vigil_detections *dets,
                                    vigil_error *err) {
    vigil_status st;
    if (!a->writer && (st = open_writer(a, f, err)) < 0)
        return st;
    for (int y = 0; y < a->height; y++) {
        int row = y < f->height ? y : f->height - 1;
        int cols = a->width < f->width ? a->width : f->width;
        memcpy(a->canvas + (size_t)y * a->width * 3, f->rgb + (size_t)row * f->stride,
               (size_t)cols * 3);
    }
    vigil_annotate_canvas canvas =
        vigil_annotate_canvas_rgb(a->canvas, a->width, a->height, a->width * 3);
    for (int i = 0; i < dets->count; i++) {
        const vigil_detection *det = &dets->items[i];
        const char *name = vigil_detector_label(d, det->class_id);
        char label[64];
        snprintf(label, sizeof label, "%s %.2f", name ? name : "?", det->score);
        vigil_annotate_labeled_box(&canvas, det->box, label, 2, 1,
                                   vigil_annotate_palette(det->class_id));
    }
    return vigil_video_writer_write(a->writer, a->canvas, a->width * 3, err);
}

vigil_status detect_annotator_close(detect_annotator *a, vigil_error *err) {
    if (!a)
        return VIGIL_STATUS_OK;
    vigil_status st = VIGIL_STATUS_OK;
    if (a->writer)
        st = vigil_video_writer_close(a->writer, err);
    free(a->canvas);
    free(a->path);
    free(a);
    return st;
}
