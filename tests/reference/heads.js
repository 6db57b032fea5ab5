// Head decodes written from the models' published definitions, independent of vigil:
// NanoDet's GFL head and CenterNet's peak decode, then class-aware NMS. Boxes are
// [x1, y1, x2, y2] in model-input pixels until toSource() maps them to the frame.
'use strict';

// NanoDet GFL. levels: [{stride, grid, scores: Float32Array [grid*grid*classes] (already
// sigmoid), boxes: Float32Array [grid*grid*4*(regMax+1)]}]. Each side (left, top, right,
// bottom) is a distribution over regMax+1 bins: softmax, expectation, times stride. The
// anchor point of cell (row, col) is its center, ((col + 0.5) * stride, (row + 0.5) *
// stride), as in NanoDet (before NanoDet-Plus) and its reference demos; without the half
// cell every box sits up and left of its object (see docs/reference-and-bench.md). Every
// (cell, class) pair above the threshold is a candidate, as in NanoDet's multiclass NMS.
function decodeGfl(levels, numClasses, regMax, threshold) {
  const bins = regMax + 1;
  const dets = [];
  for (const lv of levels) {
    const cells = lv.grid * lv.grid;
    for (let i = 0; i < cells; i++) {
      let dist = null;
      for (let c = 0; c < numClasses; c++) {
        const score = lv.scores[i * numClasses + c];
        if (!(score > threshold)) continue;
        if (!dist) dist = gflDistances(lv.boxes, i * 4 * bins, bins, lv.stride);
        const cx = ((i % lv.grid) + 0.5) * lv.stride;
        const cy = (Math.floor(i / lv.grid) + 0.5) * lv.stride;
        dets.push({ class_id: c, score, xyxy: [cx - dist[0], cy - dist[1], cx + dist[2], cy + dist[3]] });
      }
    }
  }
  return dets;
}

function gflDistances(logits, offset, bins, stride) {
  const d = [0, 0, 0, 0];
  for (let side = 0; side < 4; side++) {
    const base = offset + side * bins;
    let max = -Infinity;
    for (let k = 0; k < bins; k++) max = Math.max(max, logits[base + k]);
    let sum = 0;
    let weighted = 0;
    for (let k = 0; k < bins; k++) {
      const e = Math.exp(logits[base + k] - max);
      sum += e;
      weighted += k * e;
    }
    d[side] = (weighted / sum) * stride;
  }
  return d;
}

// CenterNet as the model's own decode subgraph does it (tower_0/detections): keep a
// heatmap value only where it equals the 3x3 max around it (SAME padding), take the top k
// over the flattened [H, W, C] heatmap (index = (y * W + x) * C + c), and build the box
// from the cell's anchor (x * stride, y * stride) and the four sizes as distances:
// [ax - s0, ay - s1, ax + s2, ay + s3]. Returns all k, above the threshold or not.
function decodeCenternetTopK(heat, sizes, h, w, numClasses, stride, k) {
  const peaks = new Float32Array(heat.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < numClasses; c++) {
        const v = heat[(y * w + x) * numClasses + c];
        let m = -Infinity;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            m = Math.max(m, heat[(yy * w + xx) * numClasses + c]);
          }
        }
        peaks[(y * w + x) * numClasses + c] = v === m ? v : 0;
      }
    }
  }
  // Sorted by score, ties by lower index first (what TF's TopKV2 returns).
  const order = Array.from(peaks.keys()).filter((i) => peaks[i] > 0);
  order.sort((a, b) => peaks[b] - peaks[a] || a - b);
  const dets = [];
  for (const idx of order.slice(0, k)) {
    const c = idx % numClasses;
    const cell = Math.floor(idx / numClasses);
    const x = cell % w;
    const y = Math.floor(cell / w);
    const s = sizes.subarray(cell * 4, cell * 4 + 4);
    const ax = x * stride;
    const ay = y * stride;
    dets.push({ class_id: c, score: peaks[idx], xyxy: [ax - s[0], ay - s[1], ax + s[2], ay + s[3]] });
  }
  return dets;
}

function iou(a, b) {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

// Clamps boxes to the model input (the frame, once scaled), as NanoDet's distance2bbox
// does before its NMS; boxes left with no area are dropped.
function clip(dets, width, height) {
  const out = [];
  for (const d of dets) {
    const b = [Math.min(Math.max(d.xyxy[0], 0), width), Math.min(Math.max(d.xyxy[1], 0), height),
               Math.min(Math.max(d.xyxy[2], 0), width), Math.min(Math.max(d.xyxy[3], 0), height)];
    if (b[2] > b[0] && b[3] > b[1]) out.push({ ...d, xyxy: b });
  }
  return out;
}

// Greedy NMS: highest score first; a box is dropped when its IoU with a kept box of the
// same class is above iouThreshold. At most maxKeep boxes, sorted by score.
function nms(dets, iouThreshold, maxKeep) {
  const sorted = dets.slice().sort((a, b) => b.score - a.score);
  const kept = [];
  for (const d of sorted) {
    if (kept.length >= maxKeep) break;
    if (kept.some((k) => k.class_id === d.class_id && iou(k.xyxy, d.xyxy) > iouThreshold)) continue;
    kept.push(d);
  }
  return kept;
}

// Model-input [x1,y1,x2,y2] to source-frame {class_id, score, box: [x, y, w, h]}.
function toSource(dets, scaleX, scaleY) {
  return dets.map((d) => {
    const x1 = d.xyxy[0] * scaleX;
    const y1 = d.xyxy[1] * scaleY;
    return { class_id: d.class_id, score: d.score,
             box: [x1, y1, d.xyxy[2] * scaleX - x1, d.xyxy[3] * scaleY - y1] };
  });
}

module.exports = { decodeGfl, decodeCenternetTopK, clip, nms, iou, toSource };
