/* vigil_mot_evaluate: builds the evaluated sequence and runs the three metric families. */
#include <string.h>

#include "metrics_internal.h"

vigil_mot_eval_options vigil_mot_eval_options_default(void) {
    return (vigil_mot_eval_options){.iou_threshold = 0.5, .class_aware = true, .class_id = -1};
}

vigil_status vigil_mot_evaluate(const vigil_mot_records *gt, const vigil_mot_records *res,
                                const vigil_mot_eval_options *options, vigil_mot_metrics *out,
                                vigil_error *err) {
    vigil_mot_eval_options opt = options ? *options : vigil_mot_eval_options_default();
    memset(out, 0, sizeof *out);
    if (!(opt.iou_threshold > 0 && opt.iou_threshold <= 1))
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "evaluation: IoU threshold %g is outside (0, 1]", opt.iou_threshold);
    vigil_eval_sequence s;
    vigil_status status = vigil_eval_sequence_build(&s, gt, res, &opt, err);
    if (status == VIGIL_STATUS_OK) {
        out->frames = s.frames;
        out->truth_boxes = s.n_gt;
        out->hypothesis_boxes = s.n_res;
        out->truth_ids = s.gt_ids;
        out->hypothesis_ids = s.res_ids;
        status = vigil_eval_clear(&s, opt.iou_threshold, out, err);
    }
    if (status == VIGIL_STATUS_OK)
        status = vigil_eval_identity(&s, opt.iou_threshold, out, err);
    if (status == VIGIL_STATUS_OK)
        status = vigil_eval_hota(&s, out, err);
    vigil_eval_sequence_free(&s);
    return status;
}
