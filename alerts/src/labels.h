/* COCO class names, for labels in rules files and alert objects. */
#ifndef VIGIL_ALERTS_LABELS_H
#define VIGIL_ALERTS_LABELS_H

#define VIGIL_COCO_CLASSES 80

/* Class index of a COCO label, -1 when it is not one. */
int vigil_coco_class_id(const char *label);

#endif
