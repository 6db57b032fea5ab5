// Frame decoding with the ffmpeg command-line tool, independent of vigil's own decoder:
// one frame by index, as raw rgb24 rows (width * 3 bytes each, no padding).
'use strict';
const { execFileSync } = require('child_process');

function probeSize(video) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries',
                                       'stream=width,height', '-of', 'csv=p=0', video],
                           { encoding: 'utf8' });
  const [width, height] = out.trim().split(',').map(Number);
  if (!(width > 0 && height > 0)) throw new Error(`${video}: ffprobe gave no size ('${out}')`);
  return { width, height };
}

// Returns { width, height, rgb: Buffer } for the index-th decoded frame (0-based).
function decodeFrame(video, index) {
  const { width, height } = probeSize(video);
  // select= counts decoded frames, so the index does not depend on timestamps.
  const rgb = execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', video, '-vf',
                                      `select=eq(n\\,${index})`, '-fps_mode', 'passthrough',
                                      '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24',
                                      'pipe:1'],
                           { maxBuffer: width * height * 3 + 1024 });
  if (rgb.length !== width * height * 3)
    throw new Error(`${video}: frame ${index}: ffmpeg gave ${rgb.length} bytes, ` +
                    `expected ${width * height * 3}`);
  return { width, height, rgb };
}

module.exports = { decodeFrame, probeSize };
