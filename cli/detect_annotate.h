/* The annotated video `vigil detect --annotate` writes: each processed frame with its
 * detections drawn (box, label, score), encoded through video_writer. */
#ifndef VIGIL_CLI_DETECT_ANNOTATE_H
#define VIGIL_CLI_DETECT_ANNOTATE_H

#include "media.h"
#include "vigil/detect.h"

typedef struct detect_annotator detect_annotator;

/* Nothing is opened until the first frame, whose size the video takes. */
detect_annotator *detect_annotator_create(const char *path, double fps);
vigil_status detect_annotator_write(detect_annotator *a, const vigil_detector *d,
                                    const vigil_media_frame *frame, const vigil_detections *dets,
                                    vigil_error *err);
/* Finishes the file; frees a either way. */
vigil_status detect_annotator_close(detect_annotator *a, vigil_error *err);

#endif
