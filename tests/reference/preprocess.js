// The preprocessing convention agreed with the detector: stretch-resize the RGB frame to
// the model input with bilinear interpolation and half-pixel centers (OpenCV INTER_LINEAR,
// TF resize with align_corners=false, half_pixel_centers=true) in float32 on 0..255
// values, then per-channel (x - mean) / std in the model's color order, then the model's
// layout. Returns a [1, ...] tensor the caller disposes.
'use strict';

function preprocess(tf, frame, spec) {
  return tf.tidy(() => {
    const img = tf.tensor3d(Float32Array.from(frame.rgb), [frame.height, frame.width, 3], 'float32');
    let x = tf.image.resizeBilinear(img, [spec.height, spec.width], false, true);
    if (spec.color === 'BGR') x = tf.reverse(x, 2);
    if (spec.mean) x = tf.div(tf.sub(x, tf.tensor1d(spec.mean)), tf.tensor1d(spec.std));
    if (spec.layout === 'NCHW') x = tf.transpose(x, [2, 0, 1]);
    return tf.expandDims(x, 0);
  });
}

module.exports = { preprocess };
