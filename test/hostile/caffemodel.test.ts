/**
 * Issue 7: truncated and corrupt .caffemodel files. Every reader (decode, inspect, convert and
 * verify --weights) must answer with a fault naming the byte offset, never throw.
 */
import { join } from "node:path";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { createRng } from "../../src/numeric/rng.js";
import { decodeMessage } from "../../src/schema/decode.js";
import { loadCaffeSchema } from "../../src/schema/load.js";
import { inspectCaffemodel } from "../../src/weights/inspect.js";
import { runCli } from "../cli/run-cli.js";
import { blob, bytesOf, CAFFEMODEL_PATH, convertWithWeights, DEPLOY_PATH, encodeCaffemodel, layerNamed, trainedNet } from "../weights/support.js";

const NET = loadCaffeSchema().message("caffe.NetParameter");
const MODEL = bytesOf(CAFFEMODEL_PATH);

/** Offsets where a top-level field of the caffemodel ends: cutting there leaves a valid, shorter message. */
function topLevelBoundaries(bytes: Uint8Array): Set<number> {
  const ends = new Set<number>([0]);
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  while (pos < bytes.length) {
    const wireType = varint() % 8;
    if (wireType === 2) {
      const length = varint(); // not `pos += varint()`: that adds to pos as it was before the call
      pos += length;
    }
    else if (wireType === 0) varint();
    else throw new Error(`unexpected wire type ${wireType} at the top level of the test model`);
    ends.add(pos);
  }
  return ends;
}

/**
 * The errors of a read. Each points somewhere: a decoding fault at a byte offset within the
 * input, a weights finding (a mismatch with the net) at the net's layer, or, for a caffemodel
 * with both layer formats, at the file as a whole.
 */
function faults(diagnostics: readonly Diagnostic[], length: number): Diagnostic[] {
  const errors = diagnostics.filter((d) => d.severity === "error");
  for (const d of errors) {
    const offset = d.data["offset"];
    if (d.code === "weights-mixed-layer-formats") continue;
    if (d.range === undefined || typeof offset === "number") {
      expect(typeof offset).toBe("number");
      expect(offset as number).toBeGreaterThanOrEqual(0);
      expect(offset as number).toBeLessThanOrEqual(length);
    }
  }
  return errors;
}

describe("a truncated caffemodel", () => {
  const boundaries = topLevelBoundaries(MODEL);

  it("is refused at every cut inside a field, with the byte offset, by decode and inspect", () => {
    for (let cut = 0; cut < MODEL.length; cut++) {
      const bytes = MODEL.subarray(0, cut);
      const decoded = faults(decodeMessage(NET, bytes).diagnostics, cut);
      const inspected = faults(inspectCaffemodel(bytes, "t.caffemodel").diagnostics, cut);
      expect({ cut, decoded: decoded.length > 0 }).toEqual({ cut, decoded: !boundaries.has(cut) });
      expect({ cut, inspected: inspected.length > 0 }).toEqual({ cut, inspected: !boundaries.has(cut) });
    }
  });

  it("makes convert --weights refuse (a fault, or the layers the cut removed) at every cut", () => {
    for (let cut = 0; cut < MODEL.length; cut += 7) {
      const out = convertWithWeights({ caffemodel: MODEL.subarray(0, cut) });
      expect({ cut, refused: faults(out.diagnostics, cut).length > 0 }).toEqual({ cut, refused: true });
      expect(out.state.size).toBe(0);
    }
  });
});

describe("a corrupt caffemodel", () => {
  it("never makes a reader throw: 1,000 seeded mutations of one to four bytes", () => {
    const rng = createRng(11);
    for (let i = 0; i < 1000; i++) {
      const bytes = MODEL.slice();
      const n = 1 + (rng.nextUint32() % 4);
      for (let k = 0; k < n; k++) bytes[rng.nextUint32() % bytes.length] = rng.nextUint32() & 255;
      faults(decodeMessage(NET, bytes).diagnostics, bytes.length);
      faults(inspectCaffemodel(bytes, "m.caffemodel").diagnostics, bytes.length);
      if (i % 10 === 0) faults(convertWithWeights({ caffemodel: bytes }).diagnostics, bytes.length);
    }
  });

  it("reads a blob split into 100,000 packed runs as one blob (each run appended, not re-copied)", () => {
    // BlobProto.data (field 5, packed float) given as 100,000 runs of one value: tag, length 4, value.
    const runs = new Uint8Array(100_000 * 6);
    for (let i = 0; i < 100_000; i++) runs.set([0x2a, 4, 0, 0, 0x80, 0x3f], i * 6);
    const { message, diagnostics } = decodeMessage(loadCaffeSchema().message("caffe.BlobProto"), runs);
    expect(diagnostics).toEqual([]);
    const data = message["data"] as Float32Array;
    expect(data).toBeInstanceOf(Float32Array);
    expect(data.length).toBe(100_000);
    expect(data.every((v) => v === 1)).toBe(true);
  });
});

describe("the real CLI on a damaged caffemodel", () => {
  const dir = mkdtempSync(join(tmpdir(), "c2t-hostile-"));
  const truncated = join(dir, "truncated.caffemodel");
  writeFileSync(truncated, MODEL.subarray(0, 3001));
  const wrongShape = join(dir, "wrong-shape.caffemodel");
  const net = trainedNet();
  ((layerNamed(net, "bn2")["blobs"] as unknown[])[0] = blob([5], new Float32Array(5)));
  writeFileSync(wrongShape, encodeCaffemodel(net));

  const commands: [string, string[]][] = [
    ["decode", ["decode", truncated]],
    ["inspect", ["inspect", truncated]],
    ["convert --weights", ["convert", DEPLOY_PATH, "--weights", truncated]],
    ["verify --weights", ["verify", DEPLOY_PATH, "--weights", truncated]],
  ];
  for (const [name, args] of commands) {
    it(`${name} refuses a truncated file with FILE: offset N, exit 2`, () => {
      const r = runCli(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^${truncated.replace(/[.]/g, "\\.")}: offset \\d+: error: .*truncated`, "m"));
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.stdout).toBe("");
    });
  }

  for (const command of ["convert", "verify"]) {
    it(`${command} --weights refuses a blob whose shape disagrees with the net, naming the layer and both shapes`, () => {
      const r = runCli([command, DEPLOY_PATH, "--weights", wrongShape]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/error: Cannot copy blob 0 \(mean sum\) of layer "bn2"; shape mismatch\. The caffemodel holds \[5\]; the net needs \[8\]\./);
    });
  }
});
