/**
 * `verify --net` with the PyTorch side in-process: our PyTorch executor of the emitted graph
 * (src/execute/torch) on every golden net and every mutation of MUTATIONS, and a stand-in
 * side (the Caffe executor itself, correct or deliberately wrong) that proves the plumbing.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { NetLayer } from "../../../src/caffe/net.js";
import { executeNet } from "../../../src/execute/net.js";
import { executorOf } from "../../../src/execute/registry.js";
import { executeTorchGraph } from "../../../src/execute/torch/index.js";
import type { LayerExecutor } from "../../../src/execute/types.js";
import { FloatPool } from "../../../src/numeric/float-pool.js";
import { defaultTorchSteps, recordsOf, runCaffeSide, runTorchSide, verifyLayers, verifyNetStreaming, type TorchSide } from "../../../src/verify/net/run.js";
import { goldenNet, NETS_DIR, setState, type GoldenNet } from "./golden.js";
import { MUTATIONS } from "./mutations.js";

const CASES = readdirSync(NETS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

function verify(net: GoldenNet, side: TorchSide) {
  const caffe = runCaffeSide(net.setup);
  expect(caffe.failure).toBeNull();
  return verifyLayers(net.setup, caffe.reference, runTorchSide(net.setup, side), { against: "torch-executor", state: net.weights.state });
}

/** A stand-in PyTorch side: the Caffe executor, with `type` replaced by a misreading of `field`. */
function standIn(net: GoldenNet, wrong?: { type: string; field: string; edit: (p: Record<string, unknown>) => void }): TorchSide {
  const executors = new Map<string, LayerExecutor>();
  if (wrong) {
    const real = executorOf(wrong.type)!;
    executors.set(wrong.type, {
      types: [wrong.type],
      forward(ctx) {
        const param = { ...((ctx.layer.param as Record<string, unknown>)[wrong.field] as Record<string, unknown> | undefined) };
        wrong.edit(param);
        const layer: NetLayer = { ...ctx.layer, param: { ...ctx.layer.param, [wrong.field]: param } };
        return real.forward({ ...ctx, layer });
      },
    });
  }
  return (_graph, _state, inputs) => executeNet(net.setup.model, inputs, net.setup.caffeWeights, { executors });
}

/** The small cases: the stand-in proves plumbing, which the big nets would only make slow. */
const SMALL = CASES.filter((c) => c !== "mobilenet_v2" && c !== "squeezenet_v1_1");

describe("verify --net with a stand-in PyTorch side (the Caffe executor)", () => {
  it.each(SMALL)("%s: the Caffe executor against itself agrees bit for bit on every layer", (name) => {
    const net = goldenNet(name);
    const v = verify(net, standIn(net));
    expect(v.ok).toBe(true);
    expect(v.layers.filter((l) => l.status === "ok" && l.max_abs_error !== 0)).toEqual([]);
    expect(v.layers.every((l) => l.status === "ok" || (l.status === "unchecked" && l.ok))).toBe(true);
  });

  it("a side that floors pooling is named at the first pooling whose size changes, with both shapes", () => {
    const net = goldenNet("zoo_pool");
    const v = verify(net, standIn(net, { type: "Pooling", field: "pooling_param", edit: (p) => void (p["round_mode"] = "FLOOR") }));
    expect(v.first_divergent).toBe("max_k3s2_even");
    expect(v.cause?.likely_cause).toMatch(/^shape \[2, 3, 6, 5\] in Caffe, \[2, 3, 5, 4\] in PyTorch: /);
    expect(v.cause?.caffe).toMatch(/^pooling_param \{ pool: MAX kernel_size: 3 stride: 2 \}$/);
    expect(v.cause?.torch).toBe("nn.MaxPool2d(3, stride=2, ceil_mode=True)");
    // Layers not reading the broken one still agree.
    expect(v.layers.find((l) => l.name === "max_k3s2p1")?.status).toBe("ok");
  });

  it("a side that stops with an error diverges at that layer and leaves the rest unchecked", () => {
    const net = goldenNet("zoo_tensor");
    const failing: TorchSide = (g, s, i) => {
      const r = standIn(net)(g, s, i);
      const at = r.layers.findIndex((l) => l.name === "crop");
      return { ...r, layers: r.layers.slice(0, at), error: { layer: "crop", type: "Crop", position: at, code: "crop-out-of-bounds", data: {} } };
    };
    const v = verify(net, failing);
    expect(v.first_divergent).toBe("crop");
    expect(v.cause?.likely_cause).toMatch(/^the PyTorch side stopped here: crop-out-of-bounds/);
    const after = v.layers.slice(v.layers.findIndex((l) => l.name === "crop") + 1);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((l) => l.status === "unchecked" && !l.ok)).toBe(true);
  });

  it("recordsOf keeps every top of every layer, in order", () => {
    const net = goldenNet("zoo_tensor");
    const r = recordsOf(standIn(net)(net.setup.graph, net.setup.state, net.setup.inputs));
    expect(r.layers.find((l) => l.name === "slice_c")?.tops.length).toBe(3);
    expect(r.error).toBeNull();
  });
});

/** What `verify --net` runs: both executors in step, buffers recycled through a pool. */
function streamed(net: GoldenNet, pool = new FloatPool()) {
  const { verification, failure } = verifyNetStreaming(net.setup, defaultTorchSteps, { against: "torch-executor", state: net.weights.state, pool });
  expect(failure).toBeNull();
  return verification;
}

describe("verify --net with our PyTorch executor of the emitted graph", () => {
  it.each(CASES)("%s: every layer agrees with the Caffe executor, in step as whole forwards, buffers recycled", (name) => {
    const net = goldenNet(name);
    const pool = new FloatPool();
    const v = streamed(net, pool);
    expect(v.layers.filter((l) => l.status === "diverged").map((l) => `${l.name}: ${String(l.scaled_error)}`)).toEqual([]);
    expect(v.ok).toBe(true);
    // In step with recycled buffers the comparison is the one of both whole forwards, layer by layer.
    expect(v).toEqual(verify(net, executeTorchGraph));
    // Buffers did go round where blobs repeat their sizes (a wrongly freed blob would have changed values above).
    if (name === "mobilenet_v2" || name === "squeezenet_v1_1") expect(pool.reused).toBeGreaterThan(pool.made);
  });

  it("names a layer whose weight holds other values than the caffemodel's, and says the weights differ", () => {
    const scaled = goldenNet("zoo_conv", {
      state: (weights, graph) => {
        const key = graph.nodes.find((n) => n.type === "Convolution")!.params[0]!.key!;
        setState(weights, key, weights.state.get(key)!.data.map((v) => v * 1.25));
      },
    });
    const first = scaled.setup.graph.nodes.find((n) => n.type === "Convolution")!.layer;
    const v = streamed(scaled);
    expect(v.first_divergent).toBe(first);
    expect(v.cause?.likely_cause).toMatch(/weights: the tensor .* does not hold blob 0/);
  });

  it.each(MUTATIONS.map((m) => [m.title, m] as const))("names the layer of %s first, with its cause", (_title, m) => {
    const v = streamed(goldenNet(m.case, m.mutation));
    expect(v.first_divergent).toBe(m.layer);
    expect(v.cause?.likely_cause).toMatch(m.cause);
  });
});
