/**
 * The generated `preprocess` in real PyTorch applies transform_param as Caffe's
 * DataTransformer::Transform does (data_transformer.cpp): crop (centre in TEST, random in
 * TRAIN), then (x − mean)·scale with the mean image cropped at the same offset, then a random
 * mirror whenever mirror is set.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildTorchGraph } from "../../src/convert/graph.js";
import { emitNetModule } from "../../src/emit/python/net-module.js";
import { readNet } from "../../src/schema/read.js";
import { requireTorch, runPythonJson, skipWithoutTorch } from "../helpers/python.js";

const RUNNER = fileURLToPath(new URL("./run_helpers.py", import.meta.url));

const NET = `
layer { name: "plain" type: "Data" top: "data" top: "label"
  transform_param { crop_size: 2 mean_value: 1 mean_value: 2 scale: 0.5 } data_param { source: "a" batch_size: 1 } }
layer { name: "meanfile" type: "Data" top: "data2" top: "label2"
  transform_param { crop_size: 2 mean_file: "mean.binaryproto" } data_param { source: "b" batch_size: 1 } }
layer { name: "mirrored" type: "Data" top: "data3" top: "label3"
  transform_param { crop_size: 2 mirror: true } data_param { source: "c" batch_size: 64 } }`;

/** A 2×3×4 image with values 0..23 (c·12 + h·4 + w). */
const IMAGE = [0, 1].map((c) => [0, 1, 2].map((h) => [0, 1, 2, 3].map((w) => c * 12 + h * 4 + w)));
const pixel = (c: number, h: number, w: number): number => c * 12 + h * 4 + w;
/** The 2×2 window at (top, left) of IMAGE, flattened C, H, W; mirrored flips W. */
const window = (top: number, left: number, mirrored: boolean): number[] =>
  [0, 1].flatMap((c) => [0, 1].flatMap((h) => (mirrored ? [1, 0] : [0, 1]).map((w) => pixel(c, top + h, left + w))));

interface Ran {
  outputs?: { shape: number[]; data: number[] }[];
  error?: string;
}

describe.skipIf(skipWithoutTorch)("preprocess reproduces Caffe's DataTransformer", () => {
  let ran: Ran[] = [];
  const MEAN = IMAGE.map((plane) => plane.map((row) => row.map((v) => v / 2)));

  beforeAll(() => {
    requireTorch();
    const { graph } = buildTorchGraph(readNet(NET, { upgrade: true }), { phase: "TRAIN", source: "net.prototxt" });
    const dir = mkdtempSync(join(tmpdir(), "caffe2torch-preprocess-"));
    writeFileSync(join(dir, "model.py"), emitNetModule(graph));
    const cases = [
      { expr: 'preprocess(inputs[0], phase="TEST")', inputs: [{ data: IMAGE }] },
      { expr: 'preprocess(inputs[0], blob="data2", phase="TEST")', inputs: [{ data: IMAGE }] },
      { expr: 'preprocess(inputs[0], mean=inputs[1], blob="data2", phase="TEST")', inputs: [{ data: IMAGE }, { data: MEAN }] },
      { expr: 'preprocess(inputs[0], blob="data3", phase="TRAIN")', inputs: [{ data: Array.from({ length: 64 }, () => IMAGE) }] },
      { expr: 'preprocess(inputs[0], blob="data3", phase="TEST")', inputs: [{ data: Array.from({ length: 64 }, () => IMAGE) }] },
    ];
    writeFileSync(join(dir, "cases.json"), JSON.stringify(cases));
    ran = runPythonJson<Ran[]>(RUNNER, [join(dir, "model.py"), join(dir, "cases.json")]);
  });

  it("TEST: crops the centre ((H − crop) / 2 rounded down), subtracts each channel's mean_value, then scales", () => {
    // Offset (0, 1): 3 − 2 = 1 → 0 rows, 4 − 2 = 2 → 1 column.
    const expected = window(0, 1, false).map((v, i) => (v - (i < 4 ? 1 : 2)) * 0.5);
    expect(ran[0]!.outputs![0]).toEqual({ shape: [2, 2, 2], data: expected });
  });

  it("asks for the mean image of mean_file, and crops it with the image", () => {
    expect(ran[1]!.error).toBe("ValueError: transform_param.mean_file 'mean.binaryproto': pass its mean image as mean=");
    expect(ran[2]!.outputs![0]!.data).toEqual(window(0, 1, false).map((v) => v / 2));
  });

  it("TRAIN: crops at random offsets and mirrors about half of the images", () => {
    const data = ran[3]!.outputs![0]!.data;
    const seen = new Set<string>();
    for (let n = 0; n < 64; n++) {
      const image = data.slice(n * 8, n * 8 + 8);
      const match = [0, 1].flatMap((top) => [0, 1, 2].flatMap((left) => [false, true].map((m) => ({ top, left, m })))).find((o) => window(o.top, o.left, o.m).every((v, i) => v === image[i]));
      expect(match, `image ${n}: ${image.join(",")}`).toBeDefined();
      seen.add(`${match!.top},${match!.left},${match!.m}`);
    }
    expect(new Set([...seen].map((s) => s.slice(0, 3))).size).toBeGreaterThan(1);
    expect(new Set([...seen].map((s) => s.endsWith("true"))).size).toBe(2);
  });

  it("TEST with mirror set: the centre crop, still mirrored at random, as Caffe does in either phase", () => {
    const data = ran[4]!.outputs![0]!.data;
    const flips = new Set<boolean>();
    for (let n = 0; n < 64; n++) {
      const image = data.slice(n * 8, n * 8 + 8);
      const mirrored = window(0, 1, true).every((v, i) => v === image[i]);
      expect(mirrored || window(0, 1, false).every((v, i) => v === image[i]), `image ${n}`).toBe(true);
      flips.add(mirrored);
    }
    expect(flips.size).toBe(2);
  });
});
