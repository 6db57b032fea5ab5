// Loads a TF.js graph model from disk through a custom IOHandler (tf.io has no file://
// handler without tfjs-node): reads model.json and its weight shards, hands them to
// tf.loadGraphModel, which dequantizes float16 weights itself.
'use strict';
const fs = require('fs');
const path = require('path');

async function loadGraphModelFile(tf, jsonPath) {
  const handler = {
    load: async () => {
      const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
      const weightSpecs = [];
      const shards = [];
      for (const group of json.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) shards.push(fs.readFileSync(path.join(path.dirname(jsonPath), p)));
      }
      const all = Buffer.concat(shards);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs,
        weightData,
      };
    },
  };
  return tf.loadGraphModel(handler);
}

module.exports = { loadGraphModelFile };
