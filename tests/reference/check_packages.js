#!/usr/bin/env node
// Smoke test of the reference npm packages installed in $VIGIL_HOME/node: each one loads
// and computes something small, with nothing fetched from the network (fetch-assets.sh
// runs this in a network namespace of its own). Exits non-zero naming what failed.
'use strict';
console.log = console.error; // keep TF.js's greeting off stdout
const fs = require('fs');
const path = require('path');
const { vigilHome, requireReference } = require('./vigil_home');

async function checkTfjs(tf, backend) {
  await tf.setBackend(backend);
  await tf.ready();
  const y = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2]));
  const got = Array.from(await y.data());
  if (tf.getBackend() !== backend || got.join() !== '19,22,43,50')
    throw new Error(`TF.js ${backend} backend: matMul gave [${got}] on ${tf.getBackend()}`);
}

async function checkOrt(ort) {
  const file = path.join(vigilHome(), 'onnx', 'centernet.onnx');
  if (!fs.existsSync(file)) return 'no ONNX model to run yet';
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
  const input = new ort.Tensor('float32', new Float32Array(512 * 512 * 3).fill(128), [1, 512, 512, 3]);
  const out = await session.run({ [session.inputNames[0]]: input });
  const heat = out['tower_0/keypoints'];
  if (!heat || heat.dims.join() !== '1,128,128,80')
    throw new Error(`onnxruntime-node: ${file} gave no [1,128,128,80] heatmap`);
  await session.release();
  return `ran ${path.basename(file)}`;
}

async function main() {
  const tf = requireReference('@tensorflow/tfjs');
  requireReference('@tensorflow/tfjs-backend-wasm').setThreadsCount(1);
  await checkTfjs(tf, 'cpu');
  await checkTfjs(tf, 'wasm');
  const note = await checkOrt(requireReference('onnxruntime-node'));
  console.error(`check_packages: TF.js ${tf.version.tfjs} cpu and wasm ok; onnxruntime-node ok (${note})`);
}

main().catch((e) => {
  console.error(`check_packages: ${e.message}`);
  process.exit(1);
});
