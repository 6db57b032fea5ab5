// Where the assets and the reference npm packages live, shared by the fixture maker and
// the benchmark peers. The packages are installed by scripts/fetch-assets.sh into
// $VIGIL_HOME/node (not into the repo), so they are required from there.
'use strict';
const os = require('os');
const path = require('path');
const { createRequire } = require('module');

function vigilHome() {
  const home = process.env.VIGIL_HOME;
  if (home) return home;
  return path.join(os.homedir(), '.cache', 'vigil');
}

// require() resolving from $VIGIL_HOME/node/node_modules.
function requireReference(name) {
  const req = createRequire(path.join(vigilHome(), 'node', 'package.json'));
  try {
    return req(name);
  } catch (e) {
    throw new Error(`${name} is not installed under ${vigilHome()}/node ` +
                    `(run scripts/fetch-assets.sh): ${e.message}`);
  }
}

module.exports = { vigilHome, requireReference };
