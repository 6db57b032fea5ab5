/* vigil_tfjs_import: the stages of tfjs_internal.h, in order. */
#include <stdlib.h>
#include <string.h>

#include "import/tfjs_internal.h"

static vigil_status rewrite(vigil_ir *ir, vigil_error *err) {
    bool nchw = false;
    vigil_status status = vigil_ir_input_to_nhwc(ir, &nchw, err);
    if (status >= 0)
        status = vigil_ir_cancel_transposes(ir, err);
    if (status >= 0)
        status = vigil_ir_fuse_hard_swish(ir, err);
    if (status >= 0)
        status = vigil_ir_fold_pads(ir, err);
    if (status >= 0)
        status = vigil_ir_fuse_conv(ir, err);
    if (status >= 0)
        status = vigil_ir_infer_all(ir, err);
    if (status >= 0)
        vigil_ir_mark_keep_batch(ir);
    return status;
}

vigil_status vigil_tfjs_import(const char *json_path, const vigil_tfjs_options *options,
                               vigil_model **out, vigil_error *err) {
    if (!json_path || !out)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "vigil_tfjs_import: no path");
    *out = NULL;
    vigil_tfjs_graph tg;
    vigil_ir ir;
    vigil_ir_init(&ir);
    vigil_model *m = NULL;
    vigil_status status = vigil_tfjs_graph_read(json_path, &tg, err);
    if (status >= 0)
        status = vigil_tfjs_weights_read(&tg, err);
    if (status >= 0 && (status = vigil_tfjs_lower(&tg, options, &ir, err)) < 0)
        vigil_error_prefix(err, "%s: ", json_path);
    vigil_tfjs_graph_free(&tg);
    if (status >= 0 && (status = rewrite(&ir, err)) < 0)
        vigil_error_prefix(err, "%s: ", json_path);
    if (status >= 0 && !(m = calloc(1, sizeof *m)))
        status = vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
    if (status >= 0 && ((status = vigil_ir_emit(&ir, &m->graph, err)) < 0 ||
                        (status = vigil_graph_infer_shapes(m->graph, err)) < 0 ||
                        (status = vigil_tfjs_detect_family(m, err)) < 0))
        vigil_error_prefix(err, "%s: ", json_path);
    vigil_ir_free(&ir);
    if (status < 0) {
        vigil_model_free(m);
        return status;
    }
    *out = m;
    return VIGIL_STATUS_OK;
}
