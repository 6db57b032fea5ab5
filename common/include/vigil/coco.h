/*
 * vigil/coco.h — the 80 COCO detection classes, shared by the detector (model labels),
 * the tracker's MOT files (class = COCO index + 1) and the rules (class names).
 *
 *     int id = vigil_coco_class_id("suitcase");   // 28
 *     const char *name = vigil_coco_label(0);    // "person"
 */
#ifndef VIGIL_COCO_H
#define VIGIL_COCO_H

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_COCO_CLASSES 80

/* In the order detectors trained on COCO emit them (person = 0, car = 2). */
extern const char *const vigil_coco_labels[VIGIL_COCO_CLASSES];

/* The name of a class index; "object" outside 0..79. */
const char *vigil_coco_label(int class_id);
/* The class index of a COCO name, -1 when it is not one. */
int vigil_coco_class_id(const char *label);

#ifdef __cplusplus
}
#endif
#endif
