/** Shared helpers of the verify tests: fixtures, conversion, and an in-memory CliIo. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { CliError, type CliIo } from "../../src/cli/io-types.js";
import type { InputShape } from "../../src/caffe/input-shapes.js";
import { buildNet, type NetModel } from "../../src/caffe/net.js";
import { convertNet } from "../../src/convert/convert.js";
import type { ConvertResult } from "../../src/convert/types.js";
import type { NetParameter } from "../../src/schema/caffe-types.js";
import { readNet } from "../../src/schema/read.js";
import { DEFAULT_VERIFY_TOLERANCE } from "../../src/verify/tolerance.js";
import type { VerifyOptions } from "../../src/verify/verify.js";

/** test/verify/fixtures. */
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** A fixture's text. */
export const fixtureText = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");

/** `convert` of a prototxt file (a fixture name, or an absolute path), optionally with `--input-shape`s. */
export function convertFile(path: string, phase: "TRAIN" | "TEST", exact = false, inputShapes: InputShape[] = []): ConvertResult {
  const text = path.startsWith("/") ? readFileSync(path, "utf8") : fixtureText(path);
  return convertNet(readNet(text, { allowUnknown: true, upgrade: true }), { phase, source: path, exact, inputShapes });
}

/**
 * The net model a {@link convertFile} result was converted from (its `source`, in its phase): where
 * verify's Caffe side reads the layers' parameters.
 */
export function netOf(result: ConvertResult): NetModel {
  return netOfText(result.source.startsWith("/") ? readFileSync(result.source, "utf8") : fixtureText(result.source), result.phase);
}

/** The net model of a prototxt text in `phase`. */
export function netOfText(text: string, phase: "TRAIN" | "TEST"): NetModel {
  return buildNet(readNet(text, { allowUnknown: true, upgrade: true }).net as NetParameter, { phase });
}

/** verify options with the CLI's defaults, overridden by `patch`. */
export function verifyOptions(patch: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    phase: "TEST",
    steps: 10,
    batch: 2,
    seed: 0,
    tolerance: DEFAULT_VERIFY_TOLERANCE,
    configuration: "plain",
    strict: false,
    ...patch,
  };
}

/** What an in-memory run left behind. */
export interface MemoryIo {
  io: CliIo;
  out: string[];
  err: string[];
  /** Files written with writeFileAtomic. */
  written: Map<string, string>;
}

/**
 * An in-memory CliIo: reads `files` (by the given name; text or bytes) and real files (absolute
 * paths); records stdout, stderr and atomic writes; stderr is a terminal when `tty` says so.
 */
export function memoryIo(files: Record<string, string | Uint8Array> = {}, tty = false): MemoryIo {
  const out: string[] = [];
  const err: string[] = [];
  const written = new Map<string, string>();
  const io: CliIo = {
    readFile: (path) => {
      const given = files[path];
      if (given !== undefined) return typeof given === "string" ? given : new TextDecoder().decode(given);
      try {
        return readFileSync(path, "utf8");
      } catch {
        throw new CliError(`${path}: cannot read: no such file`);
      }
    },
    readBytes: (path) => {
      const given = files[path];
      if (given !== undefined) return typeof given === "string" ? new TextEncoder().encode(given) : given;
      try {
        const b = readFileSync(path);
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch {
        throw new CliError(`${path}: cannot read: no such file`);
      }
    },
    checkOutput: (path) => {
      if (path in files) throw new CliError(`${path}: refusing to overwrite an input file; choose another output path`);
    },
    writeFileAtomic: (path, content) => {
      written.set(path, typeof content === "string" ? content : String(content));
    },
    exists: (path) => path in files,
    stdout: (s) => out.push(String(s)),
    stderr: (s) => err.push(s),
    cwd: "/",
    color: { stdout: false, stderr: false },
    isTTY: { stdout: false, stderr: tty },
    env: {},
  };
  return { io, out, err, written };
}
