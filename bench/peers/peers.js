#!/usr/bin/env node
// Speed peers for bench_detector: ONNX Runtime (CPU, onnxruntime-node) on the ONNX copy
// of a model and TF.js on its WASM backend on the original graph model, timed on the
// same input tensor vigil runs. Prints one JSON line on stdout; everything else goes to
// stderr.
//
//   node bench/peers/peers.js --model nanodet|centernet --input FILE --shape 1,3,416,416
//        [--runs 30] [--warmup 3] [--threads 1,2] [--no-tfjs]
//
// FILE holds float32 little-endian values of the given shape, NHWC or NCHW: they are
// transposed to the layout the model declares (NCHW for NanoDet, NHWC for CenterNet).
'use strict';
console.log = console.error; // TF.js greets on stdout; stdout carries only the result
const fs = require('fs');
const path = require('path');
const { vigilHome, requireReference } = require('../../tests/reference/vigil_home');
const { loadGraphModelFile } = require('../../tests/reference/tfjs_model');

// The network up to the head outputs, as vigil runs it (CenterNet's TopK tail excluded).
const OUTPUTS = {
  nanodet: ['Identity', 'Identity_1', 'Identity_2', 'Identity_3', 'Identity_4', 'Identity_5'],
  centernet: ['tower_0/keypoints', 'tower_0/wh'],
};

function parseArgs(argv) {
  const a = { runs: 30, warmup: 3, threads: [1, 2], tfjs: true };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
    case '--model': a.model = v; break;
    case '--input': a.input = v; break;
    case '--shape': a.shape = v.split(',').map(Number); break;
    case '--runs': a.runs = Number(v); break;
    case '--warmup': a.warmup = Number(v); break;
    case '--threads': a.threads = v.split(',').map(Number); break;
    case '--no-tfjs': a.tfjs = false; i--; break;
    default: throw new Error(`unknown argument '${argv[i]}'`);
    }
    i++;
  }
  if (!OUTPUTS[a.model]) throw new Error(`--model must be one of ${Object.keys(OUTPUTS)}`);
  if (!a.input || !a.shape) throw new Error('--input and --shape are required');
  if (!(a.runs >= 1)) throw new Error('--runs must be at least 1');
  return a;
}

function readInput(file, shape) {
  const buf = fs.readFileSync(file);
  const n = shape.reduce((x, y) => x * y, 1);
  if (buf.length !== n * 4) throw new Error(`${file}: ${buf.length} bytes, shape [${shape}] needs ${n * 4}`);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}

// The input shape the TF.js model declares (its ONNX copy takes the same).
function declaredShape(model) {
  const json = JSON.parse(fs.readFileSync(path.join(vigilHome(), 'tfjs', `${model}.json`), 'utf8'));
  const input = Object.values(json.signature.inputs)[0];
  return input.tensorShape.dim.map((d) => Number(d.size));
}

// data of shape `from` ([1,H,W,C] or [1,C,H,W]) in the layout of shape `to`.
function toLayout(data, from, to) {
  if (from.join() === to.join()) return { data, shape: from };
  const [n, a, b, c] = from;
  const out = new Float32Array(data.length);
  if (n === 1 && to.join() === [1, c, a, b].join()) { // NHWC -> NCHW
    for (let y = 0; y < a; y++)
      for (let x = 0; x < b; x++)
        for (let k = 0; k < c; k++) out[(k * a + y) * b + x] = data[(y * b + x) * c + k];
  } else if (n === 1 && to.join() === [1, b, c, a].join()) { // NCHW -> NHWC
    for (let k = 0; k < a; k++)
      for (let y = 0; y < b; y++)
        for (let x = 0; x < c; x++) out[(y * c + x) * a + k] = data[(k * b + y) * c + x];
  } else {
    throw new Error(`input of shape [${from}] does not fit the model's [${to}]`);
  }
  return { data: out, shape: to };
}

async function timeRuns(runs, warmup, once) {
  for (let i = 0; i < warmup; i++) await once();
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await once();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((x, y) => x - y);
  const mid = ms.length >> 1;
  const median = ms.length % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2;
  return { median_ms: median, min_ms: ms[0], runs };
}

async function benchOrt(args, data) {
  const ort = requireReference('onnxruntime-node');
  const file = path.join(vigilHome(), 'onnx', `${args.model}.onnx`);
  const version = requireReference('onnxruntime-node/package.json').version;
  const results = [];
  for (const threads of args.threads) {
    const session = await ort.InferenceSession.create(file, {
      executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential',
      intraOpNumThreads: threads, interOpNumThreads: 1 });
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, args.shape) };
    const t = await timeRuns(args.runs, args.warmup, () => session.run(feeds));
    results.push({ runtime: 'onnxruntime', version, backend: 'cpu', threads, ...t });
    await session.release();
  }
  return results;
}

async function benchTfjsWasm(args, data) {
  const tf = requireReference('@tensorflow/tfjs');
  const wasm = requireReference('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
  const model = await loadGraphModelFile(tf, path.join(vigilHome(), 'tfjs', `${args.model}.json`));
  const input = tf.tensor(data, args.shape, 'float32');
  const once = async () => {
    const outs = model.execute(input, OUTPUTS[args.model]);
    // Reading the results back waits for the work and frees it, as a caller would.
    for (const t of outs) {
      await t.data();
      t.dispose();
    }
  };
  // The WASM backend is ~5x slower than ORT: fewer runs keep the benchmark short.
  const runs = Math.max(1, Math.min(args.runs, 10));
  const t = await timeRuns(runs, 1, once);
  input.dispose();
  model.dispose();
  return [{ runtime: 'tfjs', version: tf.version.tfjs, backend: 'wasm',
            threads: wasm.getThreadsCount(), ...t }];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const fed = toLayout(readInput(args.input, args.shape), args.shape, declaredShape(args.model));
  args.shape = fed.shape;
  const data = fed.data;
  const results = await benchOrt(args, data);
  if (args.tfjs) results.push(...(await benchTfjsWasm(args, data)));
  process.stdout.write(JSON.stringify({ model: args.model, shape: args.shape, results }) + '\n');
}

main().catch((e) => {
  console.error(`peers: ${e.stack || e.message}`);
  process.exit(1);
});
