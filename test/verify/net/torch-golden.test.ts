/**
 * `verify --net --torch` on the golden nets in real PyTorch (one Python process for the file):
 * every emitted model.py agrees with the Caffe executor and with BVLC Caffe's recording, and each
 * broken mapping of MUTATIONS (in model.py or its state) is named as the first divergent layer.
 */
import { readdirSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { runTorchJobsAsync, type TorchModelJob } from "../../../src/cli/commands/verify-net-torch.js";
import { emitNetModule } from "../../../src/emit/python/net-module.js";
import type { NetVerification } from "../../../src/verify/net-types.js";
import { runCaffeSide, verifyLayers } from "../../../src/verify/net/run.js";
import { PYTHON, requireTorch, skipWithoutTorch } from "../../helpers/python.js";
import { goldenNet, NETS_DIR, type GoldenNet } from "./golden.js";
import { MUTATIONS, type NetMutation } from "./mutations.js";

const CASES = readdirSync(NETS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

/** The model.py job of a loaded case: emitted from its (possibly mutated) graph, text replaced where asked. */
function jobOf(net: GoldenNet, text?: [string, string]): TorchModelJob {
  let source = emitNetModule(net.setup.graph);
  if (text) {
    if (!source.includes(text[0])) throw new Error(`model.py does not hold ${JSON.stringify(text[0])}`);
    source = source.split(text[0]).join(text[1]);
  }
  return { graph: net.setup.graph, source, tensors: net.weights.tensors, inputs: net.setup.inputs };
}

/** A mutation as the real-PyTorch run applies it: model.py text where given, else the graph/state. */
const torchMutation = (m: NetMutation): { net: GoldenNet; text?: [string, string] } =>
  m.text ? { net: goldenNet(m.case), text: m.text } : { net: goldenNet(m.case, m.mutation) };

describe.skipIf(skipWithoutTorch)("verify --net --torch on the golden nets (real PyTorch)", () => {
  const againstExecutor = new Map<string, NetVerification>();
  const againstRecording = new Map<string, NetVerification>();
  const mutated = new Map<string, NetVerification>();

  beforeAll(async () => {
    requireTorch();
    const nets = CASES.map((c) => goldenNet(c));
    const broken = MUTATIONS.map(torchMutation);
    const records = await runTorchJobsAsync([...nets.map((n) => jobOf(n)), ...broken.map((b) => jobOf(b.net, b.text))], PYTHON);
    // The Caffe side reads the net itself, so a mutation of the export leaves it as it was: one run per case.
    const reference = new Map(nets.map((net, i) => [CASES[i]!, runCaffeSide(net.setup).reference]));
    nets.forEach((net, i) => {
      const caffe = { reference: reference.get(CASES[i]!)! };
      againstExecutor.set(CASES[i]!, verifyLayers(net.setup, caffe.reference, records[i]!, { against: "torch", state: net.weights.state }));
      againstRecording.set(CASES[i]!, verifyLayers(net.setup, net.recording.layers, records[i]!, { against: "torch", state: net.weights.state }));
    });
    broken.forEach((b, i) => {
      const caffe = { reference: reference.get(MUTATIONS[i]!.case)! };
      mutated.set(MUTATIONS[i]!.title, verifyLayers(b.net.setup, caffe.reference, records[nets.length + i]!, { against: "torch", state: b.net.weights.state }));
    });
  }, 300_000);

  it.each(CASES)("%s: every layer of model.py agrees with the Caffe executor within the default tolerance", (name) => {
    const v = againstExecutor.get(name)!;
    expect(v.layers.filter((l) => l.status !== "ok" && l.status !== "unchecked").map((l) => l.name)).toEqual([]);
    expect(v.first_divergent).toBeNull();
    expect(v.ok).toBe(true);
    expect(v.layers.filter((l) => l.status === "ok").length).toBeGreaterThan(0);
  });

  it.each(CASES)("%s: every layer of model.py agrees with BVLC Caffe's recording", (name) => {
    const v = againstRecording.get(name)!;
    expect(v.first_divergent).toBeNull();
    expect(v.ok).toBe(true);
  });

  it("records the fused BatchNorm/Scale partial values and compares them (zoo_norm's bn_a before scale_a)", () => {
    const v = againstExecutor.get("zoo_norm")!;
    expect(v.layers.find((l) => l.name === "bn_a")).toMatchObject({ status: "ok" });
    expect(v.layers.find((l) => l.name === "bn_a")!.torch).toMatch(/^fused into|BatchNorm/);
  });

  it.each(MUTATIONS.map((m) => [m.title, m] as const))("names the layer of %s first, with its cause", (title, m) => {
    const v = mutated.get(title)!;
    expect(v.ok).toBe(false);
    expect(v.first_divergent).toBe(m.layer);
    expect(v.cause?.layer).toBe(m.layer);
    expect(v.cause?.likely_cause).toMatch(m.cause);
    expect(v.cause?.caffe).not.toBe("");
  });
});
