#!/usr/bin/env node
// Reference fixtures for vigil's detector tests, computed with TF.js on its plain
// JavaScript CPU backend: for each model and frame of vtest.avi, the decoded frame, the
// exact input tensor fed to the network, every output tensor, and the detections from
// an independent head decode.
//
//   node tests/reference/make_fixtures.js [--models nanodet,centernet] [--frames 0,200,400,700]
//                                        [--out DIR]   (default $VIGIL_HOME/reference)
//
// Writes DIR/<model>_f<frame>/{frame.rgb, input.bin, <output>.bin, meta.json,
// detections.json}; see tests/reference/README.md for the file formats.
'use strict';
const fs = require('fs');
const path = require('path');
const { vigilHome, requireReference } = require('./vigil_home');
const { decodeFrame } = require('./decode');
const { loadGraphModelFile } = require('./tfjs_model');
const { preprocess } = require('./preprocess');
const { decodeGfl, decodeCenternetTopK, clip, nms, toSource } = require('./heads');

const SCORE_THRESHOLD = 0.35;
const NMS_IOU = 0.5;
const MAX_DETECTIONS = 100;
const NUM_CLASSES = 80;

const MODELS = {
  nanodet: {
    input: { name: 'input_1', width: 416, height: 416, layout: 'NCHW', color: 'BGR',
             mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395] },
    outputs: ['Identity', 'Identity_1', 'Identity_2', 'Identity_3', 'Identity_4', 'Identity_5'],
    decode: decodeNanodet,
  },
  centernet: {
    input: { name: 'tower_0/images', width: 512, height: 512, layout: 'NHWC', color: 'RGB' },
    outputs: ['tower_0/keypoints', 'tower_0/wh', 'tower_0/detections'],
    decode: decodeCenternet,
  },
};

// Levels are told apart by shape: [1, grid*grid, 80] scores and [1, grid*grid, 44] bins.
function decodeNanodet(outs, spec) {
  const levels = [];
  for (const [name, t] of Object.entries(outs)) {
    if (t.shape[2] !== NUM_CLASSES) continue;
    const grid = Math.round(Math.sqrt(t.shape[1]));
    const boxName = Object.keys(outs).find((n) => outs[n].shape[1] === t.shape[1] && n !== name);
    checkSigmoid(name, t.data);
    levels.push({ stride: spec.width / grid, grid, scores: t.data, boxes: outs[boxName].data,
                  names: [name, boxName] });
  }
  levels.sort((a, b) => a.stride - b.stride);
  const regMax = outs[levels[0].names[1]].shape[2] / 4 - 1;
  const raw = decodeGfl(levels, NUM_CLASSES, regMax, SCORE_THRESHOLD);
  const kept = nms(clip(raw, spec.width, spec.height), NMS_IOU, MAX_DETECTIONS);
  return { kept, info: { head: 'gfl', reg_max: regMax, anchor: '((col + 0.5) * stride, (row + 0.5) * stride)',
                         levels: levels.map((l) => ({ stride: l.stride, grid: l.grid,
                                                      class_output: l.names[0],
                                                      box_output: l.names[1] })),
                         candidates: raw.length } };
}

function checkSigmoid(name, data) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo < 0 || hi > 1) throw new Error(`${name}: class scores span [${lo}, ${hi}], not sigmoid`);
}

function decodeCenternet(outs, spec) {
  const heat = outs['tower_0/keypoints'];
  const [, h, w, c] = heat.shape;
  const stride = spec.width / w;
  const top = decodeCenternetTopK(heat.data, outs['tower_0/wh'].data, h, w, c, stride, MAX_DETECTIONS);
  checkAgainstBuiltIn(top, outs['tower_0/detections']);
  const above = clip(top.filter((d) => d.score > SCORE_THRESHOLD), spec.width, spec.height);
  // The detector applies class-aware NMS after every head; peaks rarely overlap that much.
  const kept = nms(above, NMS_IOU, MAX_DETECTIONS);
  return { kept, info: { head: 'centernet', output_stride: stride, top_k: MAX_DETECTIONS,
                         anchor: '(col * stride, row * stride)', sizes: 'distances left, top, right, bottom',
                         candidates: above.length, removed_by_nms: above.length - kept.length,
                         checked_against: 'tower_0/detections' } };
}

// The model's own decode (rows [x1, y1, x2, y2, score, class]) must agree with ours on
// every row above the threshold; below it, ties in score may order rows differently.
function checkAgainstBuiltIn(ours, builtIn) {
  const rows = builtIn.shape[1];
  let compared = 0;
  for (let r = 0; r < rows; r++) {
    const row = builtIn.data.subarray(r * 6, r * 6 + 6);
    if (!(row[4] > SCORE_THRESHOLD)) continue;
    const d = ours[r];
    const same = d && d.class_id === row[5] && Math.abs(d.score - row[4]) <= 1e-6 &&
                 d.xyxy.every((v, i) => Math.abs(v - row[i]) <= 1e-3 * Math.max(1, Math.abs(row[i])));
    if (!same)
      throw new Error(`CenterNet decode disagrees with tower_0/detections at row ${r}: ` +
                      `model [${Array.from(row)}], ours ${JSON.stringify(d)}`);
    compared++;
  }
  return compared;
}

function writeFloat32(file, data) {
  const f = Float32Array.from(data);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('big-endian host');
  fs.writeFileSync(file, Buffer.from(f.buffer, f.byteOffset, f.byteLength));
}

function fileName(output) {
  return output.replace(/[^A-Za-z0-9_.-]/g, '_') + '.bin';
}

async function makeFixture(tf, model, name, spec, video, frameIndex, outDir) {
  const frame = decodeFrame(video, frameIndex);
  const input = preprocess(tf, frame, spec.input);
  const results = model.execute(input, spec.outputs);
  const outs = {};
  for (let i = 0; i < spec.outputs.length; i++) {
    outs[spec.outputs[i]] = { shape: results[i].shape, data: results[i].dataSync() };
    results[i].dispose();
  }
  const { kept, info } = spec.decode(outs, spec.input);
  const scaleX = frame.width / spec.input.width;
  const scaleY = frame.height / spec.input.height;
  const detections = toSource(kept, scaleX, scaleY);

  const dir = path.join(outDir, `${name}_f${frameIndex}`);
  const tmp = `${dir}.tmp${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(path.join(tmp, 'frame.rgb'), frame.rgb);
  writeFloat32(path.join(tmp, 'input.bin'), input.dataSync());
  for (const [out, t] of Object.entries(outs)) writeFloat32(path.join(tmp, fileName(out)), t.data);
  const meta = {
    model: name,
    source: { video: path.basename(video), frame_index: frameIndex },
    frame: { file: 'frame.rgb', format: 'rgb24', width: frame.width, height: frame.height },
    input: { file: 'input.bin', name: spec.input.name, dtype: 'float32', shape: input.shape,
             layout: spec.input.layout, color: spec.input.color,
             mean: spec.input.mean || [0, 0, 0], std: spec.input.std || [1, 1, 1],
             resize: 'stretch, bilinear, half-pixel centers, float32 on 0..255' },
    outputs: Object.entries(outs).map(([out, t]) => ({ name: out, file: fileName(out),
                                                        dtype: 'float32', shape: t.shape })),
    decode: { ...info, clip: 'to the frame, before NMS', score_threshold: SCORE_THRESHOLD, nms_iou: NMS_IOU, class_aware: true,
              max_detections: MAX_DETECTIONS, scale: [scaleX, scaleY] },
    detections: { file: 'detections.json', count: detections.length },
    reference: { library: `@tensorflow/tfjs ${tf.version.tfjs}`, backend: tf.getBackend() },
  };
  fs.writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(meta, null, 1) + '\n');
  fs.writeFileSync(path.join(tmp, 'detections.json'), JSON.stringify(detections, null, 1) + '\n');
  input.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return { dir, detections, info };
}

function parseArgs(argv) {
  const args = { models: Object.keys(MODELS), frames: [0, 200, 400, 700],
                 out: path.join(vigilHome(), 'reference') };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--models') args.models = value.split(',');
    else if (argv[i] === '--frames') args.frames = value.split(',').map(Number);
    else if (argv[i] === '--out') args.out = value;
    else throw new Error(`unknown argument '${argv[i]}'`);
    i++;
  }
  for (const m of args.models) if (!MODELS[m]) throw new Error(`unknown model '${m}'`);
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tf = requireReference('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
  const home = vigilHome();
  const video = path.join(home, 'vtest.avi');
  for (const name of args.models) {
    const spec = MODELS[name];
    const model = await loadGraphModelFile(tf, path.join(home, 'tfjs', `${name}.json`));
    for (const f of args.frames) {
      const t0 = Date.now();
      const { dir, detections, info } = await makeFixture(tf, model, name, spec, video, f, args.out);
      const byClass = {};
      for (const d of detections) byClass[d.class_id] = (byClass[d.class_id] || 0) + 1;
      console.log(`${path.basename(dir)}: ${detections.length} detections ` +
                  `${JSON.stringify(byClass)} (${info.candidates} candidates` +
                  `${info.removed_by_nms !== undefined ? `, ${info.removed_by_nms} removed by NMS` : ''})` +
                  ` in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    model.dispose();
  }
}

main().catch((e) => {
  console.error(`make_fixtures: ${e.message}`);
  process.exit(1);
});
