#!/usr/bin/env node
// Thin launcher: the CLI is built into dist/ by `npm run build`. The launcher bundle
// (dist/cli-bundle/launch.cjs, from src/cli/launch.ts) loads the one-file CLI bundle with V8's
// code cache (fast start), or the CLI's modules when there is no bundle.
//
// CommonJS on purpose (bin/package.json): an ES module entry point starts Node's ESM loader,
// which costs a cold `caffe2torch lint` ~11 M of its ~450 M instructions (callgrind). Without the
// launcher bundle (tsc alone, e.g. `tsc --watch`) it imports the ES module launcher instead.
"use strict";

function launcher() {
  try {
    return Promise.resolve(require("../dist/cli-bundle/launch.cjs"));
  } catch (e) {
    if (e === null || typeof e !== "object" || e.code !== "MODULE_NOT_FOUND") throw e;
    return import("../dist/cli/launch.js");
  }
}

launcher()
  .then(({ loadCli }) => loadCli())
  .then(({ main, exit }) => main(process.argv.slice(2)).then(exit));
