import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { convertNetDetailed } from "../../src/convert/convert.js";
import { emitPython } from "../../src/emit/python.js";
import type { BoundMessage } from "../../src/schema/bind.js";
import { readNet } from "../../src/schema/read.js";
import { attachWeights } from "../../src/weights/attach.js";
import {
  blob,
  CAFFEMODEL_PATH,
  bytesOf,
  convertWithWeights,
  DEPLOY_PATH,
  encodeCaffemodel,
  f32,
  layerNamed,
  legacyBlob,
  trainedNet,
  trainedTrace,
  type TraceTensor,
} from "./support.js";

const deployText = readFileSync(DEPLOY_PATH, "utf8");

/** The trained caffemodel with `edit` applied to its decoded form. */
function editedCaffemodel(edit: (net: BoundMessage) => void): Uint8Array {
  const net = trainedNet();
  edit(net);
  return encodeCaffemodel(net);
}

function blobsOf(net: BoundMessage, name: string): BoundMessage[] {
  return layerNamed(net, name)["blobs"] as BoundMessage[];
}

function codes(list: { code: string }[]): string[] {
  return list.map((d) => d.code);
}

describe("attachWeights on the trained_small net (deploy.prototxt + trained_small.caffemodel)", () => {
  const plain = convertWithWeights();
  const exact = convertWithWeights({ exact: true });
  const trace = trainedTrace();

  it("gives every block Caffe's TEST-time statistics bit for bit (sums times fround(1/s))", () => {
    for (const bn of trace.bn_layers) {
      expect(plain.state.get(`${bn.name}.running_mean`)?.data).toEqual(f32(bn.effective_mean));
      expect(plain.state.get(`${bn.name}.running_var`)?.data).toEqual(f32(bn.effective_var));
    }
  });

  it("takes weight and bias from the paired Scale's blobs and writes none for bn3, which has no Scale", () => {
    const blobs = trace.caffemodel_blobs;
    expect(plain.state.get("bn1.weight")?.data).toEqual(f32(blobs["scale1"]!["scale"] as TraceTensor));
    expect(plain.state.get("bn1.bias")?.data).toEqual(f32(blobs["scale1"]!["bias"] as TraceTensor));
    expect(plain.state.get("bn2.weight")?.data).toEqual(f32(blobs["scale2"]!["scale"] as TraceTensor));
    expect(plain.state.has("bn3.weight")).toBe(false);
    expect(plain.state.has("bn3.bias")).toBe(false);
  });

  it("writes num_batches_tracked as the 40 training updates the scale factors imply", () => {
    for (const bn of ["bn1", "bn2", "bn3"]) {
      expect(plain.state.get(`${bn}.num_batches_tracked`)).toEqual({ dtype: "I64", shape: [], data: BigInt64Array.of(40n) });
    }
  });

  it("writes Caffe's scale factor as caffe_scale_factor only with exact", () => {
    expect([...plain.state.keys()].some((k) => k.endsWith("caffe_scale_factor"))).toBe(false);
    for (const bn of ["bn1", "bn2", "bn3"]) {
      const stored = trace.training.final_scale_factors[bn]!.stored;
      expect(exact.state.get(`${bn}.caffe_scale_factor`)).toEqual({ dtype: "F32", shape: [1], data: Float32Array.of(stored) });
    }
  });

  it("summarises each block's statistics in the JSON result", () => {
    const bn1 = plain.result.blocks[0]!;
    expect(bn1.weights?.scale_factor).toBe(trace.training.final_scale_factors["bn1"]!.stored);
    expect(bn1.weights?.mean_min).toBe(Math.min(...trace.bn_layers[0]!.effective_mean.data));
    expect(bn1.weights?.var_max).toBe(Math.max(...trace.bn_layers[0]!.effective_var.data));
    expect(bn1.weights?.num_batches_tracked).toBe(40);
    expect(plain.result.weights).toEqual({ source: "trained_small.caffemodel", format: "layer", unused_layers: ["loss"] });
  });

  it("notes that the scale factors are below 1/(1 - fraction), and that --exact continues as Caffe", () => {
    const notes = plain.result.blocks.map((b) => b.notes.find((n) => n.code === "weights-not-converged")?.message ?? "");
    expect(notes[0]).toContain("s = 39.2298 is below 1/(1 − 0.999) = 1000.01");
    expect(notes[1]).toContain("s = 9.85219 is below 1/(1 − 0.9) = 10");
    expect(notes[0]).toContain("Convert with --exact");
    expect(exact.result.blocks[0]!.notes.find((n) => n.code === "weights-not-converged")?.message).toContain("--exact keeps s");
  });

  it("lists the TRAIN-only loss layer as unused, as information only", () => {
    expect(plain.diagnostics).toEqual([
      { code: "weights-unused-layers", severity: "info", data: { count: 1, layers: "loss" } },
    ]);
    expect(plain.result.diagnostics.at(-1)?.message).toContain("Ignoring source layer");
  });

  it("uses the ModuleDict keys of the Python emitter, also for names that need sanitising", () => {
    const renamed = deployText.replace('name: "bn1"', 'name: "bn/1"');
    const caffemodel = editedCaffemodel((net) => {
      layerNamed(net, "bn1")["name"] = "bn/1";
    });
    const out = convertWithWeights({ prototxt: renamed, caffemodel });
    expect(out.state.has("bn_1.running_mean")).toBe(true);
    expect(emitPython(out.result)).toContain('"bn_1": "bn/1"');
  });
});

describe("attachWeights errors", () => {
  it("refuses a statistics blob of the wrong length, naming the layer and both shapes", () => {
    const caffemodel = editedCaffemodel((net) => {
      blobsOf(net, "bn1")[0] = blob([7], new Float32Array(7));
    });
    const out = convertWithWeights({ caffemodel });
    const error = out.diagnostics.find((d) => d.code === "weights-shape-mismatch");
    expect(error?.data).toEqual({ layer: "bn1", role: "BatchNorm", blob: 0, expected: "[8]", actual: "[7]" });
    const rendered = out.result.diagnostics.find((d) => d.code === "weights-shape-mismatch");
    expect(rendered).toMatchObject({ severity: "error", line: 24, column: 1 });
    expect(rendered?.message).toBe('Cannot copy blob 0 (mean sum) of layer "bn1"; shape mismatch. The caffemodel holds [7]; the net needs [8].');
    expect(out.state.size).toBe(0);
    expect(out.result.blocks[0]!.weights).toBeNull();
  });

  it("refuses a Scale gamma of the wrong length and a scale factor with more than one value", () => {
    const caffemodel = editedCaffemodel((net) => {
      blobsOf(net, "scale2")[0] = blob([9], new Float32Array(9));
      blobsOf(net, "bn3")[2] = blob([2], [1, 2]);
    });
    const errors = convertWithWeights({ caffemodel }).diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => d.data)).toEqual([
      { layer: "scale2", role: "Scale", blob: 0, expected: "[8]", actual: "[9]" },
      { layer: "bn3", role: "BatchNorm", blob: 2, expected: "[1]", actual: "[2]" },
    ]);
  });

  it("refuses a layer with the wrong number of blobs, as Caffe's 'Incompatible number of blobs'", () => {
    const caffemodel = editedCaffemodel((net) => {
      blobsOf(net, "bn2").pop();
    });
    const error = convertWithWeights({ caffemodel }).diagnostics.find((d) => d.severity === "error");
    expect(error).toMatchObject({ code: "weights-blob-count", data: { layer: "bn2", role: "BatchNorm", expected: 3, actual: 2 } });
  });

  it("refuses a block whose layer the caffemodel lacks", () => {
    const caffemodel = editedCaffemodel((net) => {
      net["layer"] = (net["layer"] as BoundMessage[]).filter((l) => l["name"] !== "scale2");
    });
    const out = convertWithWeights({ caffemodel });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toMatchObject([
      { code: "weights-layer-missing", data: { layer: "scale2", role: "Scale" } },
    ]);
    expect(out.result.blocks.map((b) => b.weights === null)).toEqual([false, true, false]);
  });

  it("refuses a blob whose values do not fill its shape", () => {
    const caffemodel = editedCaffemodel((net) => {
      blobsOf(net, "bn1")[1] = { shape: { dim: [8] }, data: new Float32Array(5) };
    });
    const error = convertWithWeights({ caffemodel }).diagnostics.find((d) => d.severity === "error");
    expect(error).toMatchObject({ code: "weights-blob-data-count", data: { layer: "bn1", blob: 1, shape: "[8]", values: 5 } });
  });

  it("reports a truncated caffemodel with the decoder's fault and writes no state", () => {
    const bytes = bytesOf(CAFFEMODEL_PATH);
    const out = convertWithWeights({ caffemodel: bytes.subarray(0, bytes.length - 10) });
    expect(out.diagnostics.some((d) => d.severity === "error" && d.code === "truncated-message")).toBe(true);
    expect(out.state.size).toBe(0);
  });
});

describe("attachWeights on other caffemodel forms", () => {
  const reference = convertWithWeights();

  it("reads a legacy V1 caffemodel (`layers` with blobs) to the same state", () => {
    const net = trainedNet();
    const v1 = {
      name: "trained_small",
      layers: (net["layer"] as BoundMessage[]).map((l) => ({ name: l["name"], blobs: l["blobs"] ?? [] })),
    };
    const out = convertWithWeights({ caffemodel: encodeCaffemodel(v1) });
    expect(out.result.weights?.format).toBe("V1");
    expect(out.state).toEqual(reference.state);
  });

  it("reads per-channel blobs stored as legacy [1, C, 1, 1], with a note", () => {
    const caffemodel = editedCaffemodel((net) => {
      const bn = blobsOf(net, "bn1");
      bn[0] = legacyBlob([1, 8, 1, 1], bn[0]!["data"] as Float32Array);
      bn[1] = blob([1, 8, 1, 1], bn[1]!["data"] as Float32Array);
    });
    const out = convertWithWeights({ caffemodel });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(out.state).toEqual(reference.state);
    expect(out.result.blocks[0]!.notes.find((n) => n.code === "weights-legacy-shape")?.message).toContain("[1, 8, 1, 1]; read as [8]");
  });

  it("takes num_features from the blobs when the prototxt does not determine it", () => {
    const read = readNet(deployText, { allowUnknown: true, upgrade: true });
    const outcome = convertNetDetailed(read, { phase: "TEST", source: "deploy.prototxt" });
    outcome.result.blocks[0]!.torch.num_features = null;
    const out = attachWeights(outcome, read, bytesOf(CAFFEMODEL_PATH), { source: "m.caffemodel" });
    expect(out.result.blocks[0]!.torch.num_features).toBe(8);
    expect(codes(out.result.blocks[0]!.notes)).toContain("weights-num-features");
    expect(out.state.get("bn1.running_mean")?.data.length).toBe(8);
  });

  it("without the input's shape, takes the rank from the layers before each block and builds every module", () => {
    // The convolution's kernel says 2-D and num_output the channels; the InnerProduct gives [N, 10].
    const noShape = deployText.replace("shape { dim: 2 dim: 3 dim: 8 dim: 8 }", "");
    const out = convertWithWeights({ prototxt: noShape });
    expect(out.result.blocks.map((b) => [b.torch.module, b.torch.num_features])).toEqual([
      ["BatchNorm2d", 8],
      ["BatchNorm2d", 8],
      ["BatchNorm1d", 10],
    ]);
    expect(out.state.get("bn1.running_mean")?.data.length).toBe(8);
  });

  it("notes a scale factor of 0 (never trained) and loads zero statistics", () => {
    const caffemodel = editedCaffemodel((net) => {
      blobsOf(net, "bn1")[2] = blob([1], [0]);
    });
    const out = convertWithWeights({ caffemodel });
    expect(codes(out.result.blocks[0]!.notes)).toContain("weights-scale-factor-zero");
    expect(out.state.get("bn1.running_var")?.data).toEqual(new Float32Array(8));
    expect(out.state.get("bn1.num_batches_tracked")?.data).toEqual(BigInt64Array.of(0n));
  });

  it("writes no running statistics for a block that uses batch statistics at test time", () => {
    const batchStats = deployText.replace('name: "bn1"\n  type: "BatchNorm"', 'name: "bn1"\n  type: "BatchNorm"\n  batch_norm_param { use_global_stats: false }');
    const out = convertWithWeights({ prototxt: batchStats });
    expect([...out.state.keys()].filter((k) => k.startsWith("bn1."))).toEqual(["bn1.weight", "bn1.bias"]);
    expect(codes(out.result.blocks[0]!.notes)).toContain("weights-batch-stats");
  });
});
