import { describe, expect, it } from "vitest";
import { runInspect } from "../../src/cli/commands/inspect.js";
import type { CliIo } from "../../src/cli/io-types.js";
import type { BoundMessage } from "../../src/schema/bind.js";
import type { InspectReport } from "../../src/weights/inspect.js";
import { blob, bytesOf, CAFFEMODEL_PATH, encodeCaffemodel, legacyBlob, trainedTrace } from "./support.js";

/** An in-memory CliIo whose only file is `files`. */
function memoryIo(files: Record<string, Uint8Array>): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    readBytes: (path: string) => files[path]!,
    stdout: (s: string | Uint8Array) => out.push(String(s)),
    stderr: (s: string) => err.push(s),
  } as unknown as CliIo;
  return { io, out, err };
}

describe("inspect on trained_small.caffemodel", () => {
  const files = { "trained_small.caffemodel": bytesOf(CAFFEMODEL_PATH) };

  it("prints one line per layer with blob shapes, and each BatchNorm's scale factor and statistics ranges", () => {
    const { io, out } = memoryIo(files);
    expect(runInspect("trained_small.caffemodel", {}, io)).toBe(0);
    const text = out.join("");
    expect(text.split("\n")[0]).toBe('trained_small.caffemodel: net "trained_small", 14 layers (layer), 1261 values, 3 BatchNorm');
    expect(text).toMatch(/^ {2}conv1 +Convolution +\[8, 3, 3, 3\]$/m);
    expect(text).toMatch(/^ {2}bn1 +BatchNorm +\[8\] \[8\] \[1\] +scale factor 39\.2298 \(40 updates\) +mean -1\.07266 \.\. 2\.47987 +var 3\.09293 \.\. 15\.2723$/m);
    expect(text).toContain("scale factor 9.85219 (40 updates)");
    expect(text).toMatch(/^ {2}loss +SoftmaxWithLoss +-$/m);
  });

  it("prints the same as JSON with --json, using the fraction saved in the caffemodel", () => {
    const { io, out } = memoryIo(files);
    expect(runInspect("trained_small.caffemodel", { json: true }, io)).toBe(0);
    const report = JSON.parse(out.join("")) as InspectReport;
    const trace = trainedTrace();
    const bn2 = report.layers.find((l) => l.name === "bn2")!;
    expect(bn2.blobs.map((b) => b.shape)).toEqual([[8], [8], [1]]);
    expect(bn2.batchnorm).toEqual({
      scale_factor: trace.training.final_scale_factors["bn2"]!.stored,
      mean_min: Math.min(...trace.bn_layers[1]!.effective_mean.data),
      mean_max: Math.max(...trace.bn_layers[1]!.effective_mean.data),
      var_min: Math.min(...trace.bn_layers[1]!.effective_var.data),
      var_max: Math.max(...trace.bn_layers[1]!.effective_var.data),
      moving_average_fraction: Math.fround(0.9),
      updates: 40,
    });
    expect(report.layers.map((l) => l.name)).toEqual([
      "data", "conv1", "bn1", "scale1", "relu1", "conv2", "bn2", "scale2", "relu2", "pool2", "ip1", "bn3", "ip2", "loss",
    ]);
  });

  it("exits 2 with the byte offset for a truncated file and prints nothing on stdout", () => {
    const bytes = files["trained_small.caffemodel"];
    const { io, out, err } = memoryIo({ "cut.caffemodel": bytes.subarray(0, 100) });
    expect(runInspect("cut.caffemodel", {}, io)).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toMatch(/^cut\.caffemodel: offset \d+: error: .*\[truncated-message\]$/m);
  });
});

describe("inspect on legacy caffemodels", () => {
  it("reads V1 `layers` with their V2 type names and legacy 4-D blob shapes", () => {
    const net: BoundMessage = {
      name: "old",
      layers: [
        { name: "conv1", type: "CONVOLUTION", blobs: [legacyBlob([4, 3, 3, 3], new Float32Array(108)), legacyBlob([1, 1, 1, 4], new Float32Array(4))] },
        { name: "bn1", blobs: [blob([4], [2, 4, 6, 8]), blob([4], [2, 2, 2, 2]), blob([1], [2])] },
      ],
    };
    const { io, out } = memoryIo({ "old.caffemodel": encodeCaffemodel(net) });
    expect(runInspect("old.caffemodel", { json: true }, io)).toBe(0);
    const report = JSON.parse(out.join("")) as InspectReport;
    expect(report.format).toBe("V1");
    expect(report.layers[0]).toMatchObject({ name: "conv1", type: "Convolution" });
    expect(report.layers[0]!.blobs.map((b) => [b.shape, b.legacy])).toEqual([[[4, 3, 3, 3], true], [[1, 1, 1, 4], true]]);
    // V1 has no BatchNorm type: a layer of that name is listed but not summarised as one.
    expect(report.layers[1]).toEqual({ name: "bn1", type: "", blobs: expect.any(Array) });
  });

  it("reads V0 `layers { layer { ... } }` with the blobs inside the nested layer", () => {
    const net: BoundMessage = {
      layers: [{ layer: { name: "conv1", type: "conv", blobs: [blob([2, 1, 1, 1], [1, 2]), blob([2], [0, 0])] } }],
    };
    const { io, out } = memoryIo({ "v0.caffemodel": encodeCaffemodel(net) });
    expect(runInspect("v0.caffemodel", {}, io)).toBe(0);
    expect(out.join("")).toBe("v0.caffemodel: 1 layers (V0), 4 values, 0 BatchNorm\n  conv1  Convolution  [2, 1, 1, 1] [2]\n");
  });
});
