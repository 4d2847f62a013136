/**
 * How bin/caffe2torch.js starts the CLI quickly. Loading ~100 small ES modules and compiling
 * them cost more than linting a large net, so `npm run build` also writes (tools/bundle-cli.mjs)
 * the whole CLI as one CommonJS file and V8's code cache for it, taken after a warm-up run so it
 * holds the compiled bytecode of the functions a run needs. Both are only speed-ups: without the
 * bundle the CLI runs from its modules, and a cache that is absent, stale, damaged or made by
 * another Node is ignored (checked here by length and CRC-32 before V8 sees it, because V8 itself
 * checks only lengths and versions in release builds, not the bytes). The build also bundles this
 * module as CommonJS (dist/cli-bundle/launch.cjs), which the CommonJS bin requires, so a start
 * never loads an ES module (Node's ESM loader costs a cold start measurably).
 */
import { isAscii } from "node:buffer";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import * as zlib from "node:zlib";
import type { CliIo } from "./io-types.js";

/** The CLI's entry point (src/cli/main.ts). */
export type CliMain = (argv: string[], ioFactory?: (color?: boolean) => CliIo) => Promise<number>;

/** Ends the process with main's exit code (src/cli/io.ts exitProcess). */
export type CliExit = (code: number) => void;

/** What a loaded CLI offers its launcher. */
export interface LoadedCli {
  main: CliMain;
  exit: CliExit;
  info: LaunchInfo;
}

/** Where the built bundle and its code cache live (dist/cli-bundle/ beside this module's dist/cli/). */
export interface BundlePaths {
  bundle: string;
  cache: string;
}

/** The default paths, as `npm run build` writes them. */
export const BUNDLE_PATHS: BundlePaths = {
  bundle: fileURLToPath(new URL("../cli-bundle/caffe2torch.cjs", import.meta.url)),
  cache: fileURLToPath(new URL("../cli-bundle/caffe2torch.v8cache", import.meta.url)),
};

/**
 * What happened to the code cache: used; rejected by V8 (another Node or other V8 flags);
 * absent; invalid (not ours, or not made from this bundle's bytes, or damaged); or unsupported
 * (a Node without zlib.crc32, before 20.15, where we cannot check it and so do not use it).
 */
export type CodeCacheState = "used" | "rejected" | "absent" | "invalid" | "unsupported";

/** How the CLI was loaded, for tests and the build's self-check. */
export interface LaunchInfo {
  from: "bundle" | "modules";
  codeCache: CodeCacheState | "none";
}

/** The bundle compiled (and run) once: its entry point, and the script to take a code cache from. */
export interface CompiledBundle {
  main: CliMain;
  exit: CliExit;
  script: Script;
}

/** Marks our cache files ("c2t code cache", format 1); a file without it is not ours. */
const MAGIC = Buffer.from("C2TCC\u00001\n", "latin1");
/** Magic, then bundle length, bundle CRC-32, payload length, payload CRC-32 (u32 little-endian). */
const HEADER_BYTES = MAGIC.length + 16;

const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/**
 * Loads the CLI: the bundle with its code cache when the build made them, else the modules.
 * Never fails because of the cache; a bundle that cannot be loaded falls back to the modules.
 * `CAFFE2TORCH_NO_BUNDLE=1` runs the modules: for development with `tsc --watch`, which updates
 * dist/ but not the bundle (`npm run build` remakes both), and for stack traces with module paths.
 */
export async function loadCli(paths: BundlePaths = BUNDLE_PATHS): Promise<LoadedCli> {
  if (process.env["CAFFE2TORCH_NO_BUNDLE"] === "1") return fromModules();
  let bundleBytes: Buffer;
  try {
    bundleBytes = readFileSync(paths.bundle);
  } catch {
    return fromModules();
  }
  const { cachedData, state } = readCodeCache(paths.cache, bundleBytes);
  try {
    const { main, exit, script } = compileBundle(paths.bundle, bundleBytes, cachedData);
    const codeCache = cachedData && script.cachedDataRejected ? "rejected" : state;
    return { main, exit, info: { from: "bundle", codeCache } };
  } catch {
    return fromModules();
  }
}

async function fromModules(): Promise<LoadedCli> {
  // A computed specifier: the build also bundles this module (dist/cli-bundle/launch.cjs), and
  // its fallback must stay an import of these modules rather than pull the whole CLI into it.
  const { main, exitProcess } = (await import(new URL("./main.js", import.meta.url).href)) as typeof import("./main.js");
  return { main, exit: exitProcess, info: { from: "modules", codeCache: "none" } };
}

/**
 * Compiles and runs the CommonJS bundle as Node's own loader would (the same wrapper, so the
 * build's cache matches), with `cachedData` as V8's code cache when given.
 */
export function compileBundle(bundlePath: string, bundleBytes: Buffer, cachedData?: Buffer): CompiledBundle {
  // The build makes the bundle ASCII (tools/bundle-cli.mjs), which Latin-1 copies rather than decodes.
  const text = isAscii(bundleBytes) ? bundleBytes.toString("latin1") : bundleBytes.toString("utf8");
  const source = `(function (exports, require, module, __filename, __dirname) {${text}\n})`;
  const script = new Script(source, { filename: bundlePath, cachedData });
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} as { main?: CliMain; exitProcess?: CliExit } };
  wrapper.call(module.exports, module.exports, createRequire(bundlePath), module, bundlePath, dirname(bundlePath));
  const { main, exitProcess } = module.exports;
  if (typeof main !== "function" || typeof exitProcess !== "function") throw new Error(`${bundlePath} does not export main and exitProcess`);
  return { main, exit: exitProcess, script };
}

/** The cache file for `payload` (V8's code cache of the bundle whose bytes are `bundleBytes`). */
export function encodeCodeCache(bundleBytes: Uint8Array, payload: Uint8Array): Buffer {
  if (!crc32) throw new Error("zlib.crc32 is missing (Node ≥ 20.15 needed to write a code cache)");
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header);
  header.writeUInt32LE(bundleBytes.length, MAGIC.length);
  header.writeUInt32LE(crc32(bundleBytes), MAGIC.length + 4);
  header.writeUInt32LE(payload.length, MAGIC.length + 8);
  header.writeUInt32LE(crc32(payload), MAGIC.length + 12);
  return Buffer.concat([header, payload]);
}

/** V8's code cache from the file at `path`, when it is ours, whole, and made from these bundle bytes. */
export function readCodeCache(path: string, bundleBytes: Uint8Array): { cachedData?: Buffer; state: CodeCacheState } {
  if (!crc32) return { state: "unsupported" };
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return { state: "absent" };
  }
  if (file.length < HEADER_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) return { state: "invalid" };
  const payload = file.subarray(HEADER_BYTES);
  const ok =
    file.readUInt32LE(MAGIC.length) === bundleBytes.length &&
    file.readUInt32LE(MAGIC.length + 4) === crc32(bundleBytes) &&
    file.readUInt32LE(MAGIC.length + 8) === payload.length &&
    file.readUInt32LE(MAGIC.length + 12) === crc32(payload);
  return ok ? { cachedData: payload, state: "used" } : { state: "invalid" };
}
