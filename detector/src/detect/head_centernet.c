/* CenterNet head decode, reproducing the model's own built-in decode subgraph
 * (tower_0/keypoints .. tower_0/detections in the bundled TF.js model):
 *
 *   peaks    heatmap values equal to their 3x3 max (max pool, stride 1, SAME)
 *   top-k    the 100 highest peaks over all cells and classes (TopKV2, sorted; on
 *            equal scores the lower flat index [row][col][class] first)
 *   box      at cell (row, col) with sizes s[0..3] (the graph's "wh" output, which
 *            already includes its x16 scale):
 *              x1 = stride*col - s[0]   y1 = stride*row - s[1]
 *              x2 = stride*col + s[2]   y2 = stride*row + s[3]
 *            i.e. the four sizes are distances from the cell's corner point to the
 *            left, top, right and bottom edges, in model-input pixels.
 *
 * The heatmap is already a sigmoid in the graph (tower_0/keypoints = Sigmoid). Peaks
 * at or below the score threshold are dropped, which the graph leaves to its caller. */
#include <stdlib.h>

#include "detect/detect_internal.h"

#define CENTERNET_TOP_K 100

typedef struct peak {
    float score;
    int index; /* flat (row * W + col) * C + class */
} peak;

/* Heap order: the "worst" peak on top — lowest score, then highest index. */
static bool peak_worse(peak a, peak b) {
    return a.score < b.score || (a.score == b.score && a.index > b.index);
}

static void sift_down(peak *heap, int n, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && peak_worse(heap[l], heap[m]))
            m = l;
        if (r < n && peak_worse(heap[r], heap[m]))
            m = r;
        if (m == i)
            return;
        peak t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

static void sift_up(peak *heap, int i) {
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!peak_worse(heap[i], heap[parent]))
            return;
        peak t = heap[i];
        heap[i] = heap[parent];
        heap[parent] = t;
        i = parent;
    }
}

static int compare_peaks(const void *pa, const void *pb) {
    const peak *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* True when v is the maximum of the 3x3 window around (y, x) in class c's plane. */
static bool is_peak(const float *map, int H, int W, int C, int y, int x, int c, float v) {
    for (int dy = -1; dy <= 1; dy++) {
        int yy = y + dy;
        if (yy < 0 || yy >= H)
            continue;
        for (int dx = -1; dx <= 1; dx++) {
            int xx = x + dx;
            if (xx < 0 || xx >= W)
                continue;
            if (map[((size_t)yy * W + xx) * C + c] > v)
                return false;
        }
    }
    return true;
}

vigil_status vigil_head_centernet_decode(const vigil_head_info *head,
                                         const vigil_model_input *input, vigil_engine *engine,
                                         int b, float score_threshold, vigil_detections *dets,
                                         vigil_error *err) {
    const vigil_tensor *heat, *size;
    vigil_status st =
        vigil_head_output(engine, head->heatmap_output, 4, b, "CenterNet heatmap", &heat, err);
    if (st < 0)
        return st;
    st = vigil_head_output(engine, head->size_output, 4, b, "CenterNet size", &size, err);
    if (st < 0)
        return st;
    int H = (int)heat->shape[1], W = (int)heat->shape[2], C = (int)heat->shape[3];
    char buf[2][96];
    if (size->shape[1] != H || size->shape[2] != W || size->shape[3] != 4)
        return vigil_error_set(
            err, VIGIL_STATUS_FORMAT, "CenterNet head: heatmap '%s' %s and sizes '%s' %s disagree",
            head->heatmap_output,
            vigil_shape_format(heat->ndim, heat->shape, buf[0], sizeof buf[0]), head->size_output,
            vigil_shape_format(size->ndim, size->shape, buf[1], sizeof buf[1]));
    /* The graph hard-codes 4; a model without the field gets it from the input size. */
    float stride =
        head->output_stride > 0 ? (float)head->output_stride : (float)input->width / (float)W;

    const float *map = (const float *)heat->data + (size_t)b * H * W * C;
    const float *sizes = (const float *)size->data + (size_t)b * H * W * 4;
    peak heap[CENTERNET_TOP_K];
    int n = 0;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            const float *cell = map + ((size_t)y * W + x) * C;
            for (int c = 0; c < C; c++) {
                float v = cell[c];
                if (!(v > score_threshold))
                    continue;
                if (n == CENTERNET_TOP_K && !(v > heap[0].score))
                    continue;
                if (!is_peak(map, H, W, C, y, x, c, v))
                    continue;
                peak p = {v, (y * W + x) * C + c};
                if (n < CENTERNET_TOP_K) {
                    heap[n] = p;
                    sift_up(heap, n++);
                } else {
                    heap[0] = p;
                    sift_down(heap, n, 0);
                }
            }
        }
    }
    qsort(heap, (size_t)n, sizeof *heap, compare_peaks);
    for (int i = 0; i < n; i++) {
        int c = heap[i].index % C, cell = heap[i].index / C;
        int row = cell / W, col = cell % W;
        const float *s = sizes + (size_t)cell * 4;
        float cx = stride * (float)col, cy = stride * (float)row;
        float x1 = cx - s[0], y1 = cy - s[1], x2 = cx + s[2], y2 = cy + s[3];
        vigil_detection det = {.box = {x1, y1, x2 - x1, y2 - y1},
                               .score = heap[i].score,
                               .class_id = c,
                               .batch_index = b};
        st = vigil_detections_push(dets, &det, err);
        if (st < 0)
            return st;
    }
    return VIGIL_STATUS_OK;
}
