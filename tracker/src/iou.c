/* Box overlap for x, y, w, h boxes. */
#include "vigil/tracker.h"

float vigil_tracker_iou(const float a[4], const float b[4]) {
    float x0 = a[0] > b[0] ? a[0] : b[0];
    float y0 = a[1] > b[1] ? a[1] : b[1];
    float x1 = a[0] + a[2] < b[0] + b[2] ? a[0] + a[2] : b[0] + b[2];
    float y1 = a[1] + a[3] < b[1] + b[3] ? a[1] + a[3] : b[1] + b[3];
    if (x1 <= x0 || y1 <= y0)
        return 0.0f;
    float inter = (x1 - x0) * (y1 - y0);
    float uni = a[2] * a[3] + b[2] * b[3] - inter;
    return uni > 0 ? inter / uni : 0.0f;
}
