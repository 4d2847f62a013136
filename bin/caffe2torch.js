#!/usr/bin/env node
// Thin launcher: the CLI is built into dist/ by `npm run build`; dist/cli/launch.js loads its
// one-file bundle with V8's code cache (fast start), or its modules when there is no bundle.
import { loadCli } from "../dist/cli/launch.js";

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
