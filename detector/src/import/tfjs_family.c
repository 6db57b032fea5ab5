/* Recognizing the bundled detector families from the imported graph's shapes.
 *
 * The graphs carry no preprocessing or head description, so both are inferred here:
 *  - GFL (NanoDet): outputs in pairs [1, H*W, classes] and [1, H*W, 4 * (reg_max + 1)]
 *    whose H*W is the input size over a stride; the NanoDet preprocessing (BGR, its
 *    mean and std) comes with it, as no other bundled family uses a GFL head;
 *  - CenterNet: a [1, h, w, classes] heatmap and a [1, h, w, 4] size map at stride
 *    input/h; RGB pixels 0..255 go in unnormalized. The heatmap must come out of a
 *    sigmoid; if the graph ends before it, a sigmoid is appended.
 * 80 classes get the COCO labels. Other graphs import with VIGIL_HEAD_NONE. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import/tfjs_internal.h"

#define COCO_CLASSES 80

static const vigil_node *output_node(const vigil_graph *g, int i) {
    return &g->nodes[g->outputs[i].node];
}

static int64_t cells(int64_t size, int stride) {
    return (size + stride - 1) / stride;
}

/* Which of two [1, HW, C] outputs holds the boxes: the one whose C is 4 * (n + 1) while
 * the other is not, or, both being multiples of 4, the one that is not 80 classes. */
static int box_side(int64_t c0, int64_t c1) {
    bool b0 = c0 % 4 == 0 && c0 >= 8, b1 = c1 % 4 == 0 && c1 >= 8;
    if (b0 && !b1)
        return 0;
    if (b1 && !b0)
        return 1;
    if (b0 && b1 && (c0 == COCO_CLASSES) != (c1 == COCO_CLASSES))
        return c0 == COCO_CLASSES ? 1 : 0;
    return -1;
}

static char *dup(const char *s, bool *ok) {
    char *copy = strdup(s);
    *ok = *ok && copy;
    return copy;
}

static bool detect_gfl(vigil_model *m, int64_t h, int64_t w, bool *ok) {
    const vigil_graph *g = m->graph;
    vigil_head_info head = {.type = VIGIL_HEAD_GFL};
    bool used[64] = {false};
    if (g->n_outputs < 2 || g->n_outputs > 64 || g->n_outputs % 2)
        return false;
    for (int i = 0; i < g->n_outputs; i++) {
        const vigil_node *a = output_node(g, i);
        if (used[i])
            continue;
        if (a->out_ndim != 3 || a->out_shape[0] != 1)
            return false;
        int partner = -1;
        for (int j = i + 1; j < g->n_outputs && partner < 0; j++) {
            const vigil_node *b = output_node(g, j);
            if (!used[j] && b->out_ndim == 3 && b->out_shape[1] == a->out_shape[1])
                partner = j;
        }
        if (partner < 0 || head.n_levels == VIGIL_HEAD_MAX_LEVELS)
            return false;
        const vigil_node *b = output_node(g, partner);
        int side = box_side(a->out_shape[2], b->out_shape[2]);
        if (side < 0)
            return false;
        int box = side == 0 ? i : partner, cls = side == 0 ? partner : i;
        int64_t classes = output_node(g, cls)->out_shape[2];
        int reg_max = (int)(output_node(g, box)->out_shape[2] / 4 - 1);
        int stride = (int)lround(sqrt((double)(h * w) / (double)a->out_shape[1]));
        if (stride < 1 || cells(h, stride) * cells(w, stride) != a->out_shape[1] ||
            (head.n_levels > 0 && (classes != head.num_classes || reg_max != head.reg_max)))
            return false;
        used[i] = used[partner] = true;
        head.num_classes = (int)classes;
        head.reg_max = reg_max;
        head.strides[head.n_levels] = stride;
        head.class_outputs[head.n_levels] = (char *)g->outputs[cls].name;
        head.box_outputs[head.n_levels++] = (char *)g->outputs[box].name;
    }
    /* Levels from the finest stride up, as the decode expects them. */
    for (int i = 1; i < head.n_levels; i++)
        for (int j = i; j > 0 && head.strides[j] < head.strides[j - 1]; j--) {
            int s = head.strides[j];
            char *c = head.class_outputs[j], *b = head.box_outputs[j];
            head.strides[j] = head.strides[j - 1];
            head.class_outputs[j] = head.class_outputs[j - 1];
            head.box_outputs[j] = head.box_outputs[j - 1];
            head.strides[j - 1] = s;
            head.class_outputs[j - 1] = c;
            head.box_outputs[j - 1] = b;
        }
    for (int i = 0; i < head.n_levels; i++) {
        head.class_outputs[i] = dup(head.class_outputs[i], ok);
        head.box_outputs[i] = dup(head.box_outputs[i], ok);
    }
    m->head = head;
    m->input.color = VIGIL_COLOR_BGR;
    const float mean[3] = {103.53f, 116.28f, 123.675f}, std[3] = {57.375f, 57.12f, 58.395f};
    memcpy(m->input.mean, mean, sizeof mean);
    memcpy(m->input.std, std, sizeof std);
    return true;
}

static bool has_sigmoid(const vigil_node *n) {
    return (n->op == VIGIL_OP_UNARY && n->params.unary.activation == VIGIL_ACTIVATION_SIGMOID) ||
           (n->op == VIGIL_OP_CONV2D && n->params.conv2d.activation == VIGIL_ACTIVATION_SIGMOID) ||
           (n->op == VIGIL_OP_BINARY && n->params.binary.activation == VIGIL_ACTIVATION_SIGMOID);
}

static vigil_status detect_centernet(vigil_model *m, int64_t h, int64_t w, bool *found, bool *ok,
                                     vigil_error *err) {
    vigil_graph *g = m->graph;
    *found = false;
    if (g->n_outputs != 2)
        return VIGIL_STATUS_OK;
    const vigil_node *a = output_node(g, 0), *b = output_node(g, 1);
    if (a->out_ndim != 4 || b->out_ndim != 4 || a->out_shape[1] != b->out_shape[1] ||
        a->out_shape[2] != b->out_shape[2] || (a->out_shape[3] == 4) == (b->out_shape[3] == 4))
        return VIGIL_STATUS_OK;
    int heat = a->out_shape[3] == 4 ? 1 : 0;
    const vigil_node *hn = output_node(g, heat);
    int64_t stride = h / hn->out_shape[1];
    if (stride < 1 || hn->out_shape[1] * stride != h || hn->out_shape[2] * stride != w)
        return VIGIL_STATUS_OK;
    if (!has_sigmoid(hn)) {
        vigil_op_params p = {.unary = {.activation = VIGIL_ACTIVATION_SIGMOID}};
        int source = g->outputs[heat].node;
        int node =
            vigil_graph_add_node(g, VIGIL_OP_UNARY, "vigil/heatmap_sigmoid", &source, 1, &p, err);
        if (node < 0)
            return node;
        g->outputs[heat].node = node;
        vigil_status status = vigil_graph_infer_shapes(g, err);
        if (status < 0)
            return status;
        hn = output_node(g, heat);
    }
    m->head.type = VIGIL_HEAD_CENTERNET;
    m->head.num_classes = (int)hn->out_shape[3];
    m->head.heatmap_output = dup(g->outputs[heat].name, ok);
    m->head.size_output = dup(g->outputs[1 - heat].name, ok);
    m->head.output_stride = (int)stride;
    *found = true;
    return VIGIL_STATUS_OK;
}

vigil_status vigil_tfjs_detect_family(vigil_model *m, vigil_error *err) {
    const vigil_graph *g = m->graph;
    int input = -1;
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == VIGIL_OP_INPUT) {
            if (input >= 0)
                return VIGIL_STATUS_OK;
            input = i;
        }
    if (input < 0 || g->nodes[input].out_ndim != 4)
        return VIGIL_STATUS_OK;
    const int64_t *shape = g->nodes[input].out_shape;
    int64_t h = shape[1], w = shape[2];
    m->input = (vigil_model_input){
        .width = (int)w,
        .height = (int)h,
        .layout = VIGIL_LAYOUT_NHWC,
        .color = VIGIL_COLOR_RGB,
        .mean = {0, 0, 0},
        .std = {1, 1, 1},
        .resize = VIGIL_RESIZE_POLICY_STRETCH,
    };
    if (shape[3] != 3)
        return VIGIL_STATUS_OK;
    bool ok = true, found = false;
    if (detect_gfl(m, h, w, &ok)) {
        found = true;
    } else {
        vigil_status status = detect_centernet(m, h, w, &found, &ok, err);
        if (status < 0)
            return status;
    }
    if (found && ok && m->head.num_classes == COCO_CLASSES) {
        m->labels = calloc(COCO_CLASSES, sizeof *m->labels);
        ok = m->labels != NULL;
        for (int i = 0; ok && i < COCO_CLASSES; i++) {
            m->labels[i] = dup(vigil_coco_labels[i], &ok);
            m->n_labels = i + 1;
        }
    }
    return ok ? VIGIL_STATUS_OK : vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "out of memory");
}
