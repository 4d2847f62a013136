// The PyTorch-semantics executor's forward (executeTorchGraph), in process, on mobilenet_v2 (the
// largest golden net, 1×3×224×224) and on the ResNet-50 deploy corpus file (1×3×224×224, random
// weights from synthesiseCaffemodel, exported to a state with exportState). Wall and CPU time per
// forward, as bench/execute.mjs measures the Caffe executor. Target (issue 14 part 2): ResNet-50
// "in a few seconds" (≤ 3 s CPU).
// Run: node bench/run.mjs execute-torch
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildTorchGraph } from "../dist/convert/graph.js";
import { executeTorchGraph } from "../dist/execute/torch/index.js";
import { readNet } from "../dist/schema/read.js";
import { synthesiseCaffemodel } from "../dist/weights/bench-weights.js";
import { exportState } from "../dist/weights/export-state.js";
import { parseSafetensors } from "../dist/weights/safetensors.js";
import { SHARED, fmt } from "./lib.mjs";

const TARGET_S = 3;

function exported(text, caffemodel) {
  const { graph } = buildTorchGraph(readNet(text, { allowUnknown: true, upgrade: true }), { phase: "TEST", source: "bench" });
  const state = new Map([...exportState(graph, caffemodel).tensors].filter(([, t]) => t.dtype === "F32").map(([k, t]) => [k, { shape: t.shape, data: t.data }]));
  return { graph, state };
}

function time({ graph, state }, inputs, rounds) {
  const runs = [];
  for (let i = 0; i < rounds + 1; i++) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const result = executeTorchGraph(graph, state, inputs, { keep: false });
    if (result.error) throw new Error(`${result.error.layer}: ${result.error.code} ${JSON.stringify(result.error.data)}`);
    if (i > 0) runs.push({ wall: (performance.now() - t0) / 1000, cpu: process.cpuUsage(cpu).user / 1e6 });
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wallS: median(runs.map((r) => r.wall)), cpuS: median(runs.map((r) => r.cpu)), minCpuS: Math.min(...runs.map((r) => r.cpu)) };
}

export function run(rounds = 5) {
  const dir = join(SHARED, "golden", "nets", "mobilenet_v2");
  const record = JSON.parse(readFileSync(join(dir, "record.json"), "utf8"));
  const tensors = parseSafetensors(readFileSync(join(dir, "record.safetensors"))).tensors;
  const mobileInputs = new Map(record.inputs.map((i) => [i.blob, { shape: i.shape, data: tensors.get(i.tensor).data }]));
  const mobile = time(exported(readFileSync(join(dir, "net.prototxt"), "utf8"), readFileSync(join(dir, "weights.caffemodel"))), mobileInputs, rounds);

  const text = readFileSync(join(SHARED, "corpus", "KaimingHe-drn__ResNet-50-deploy.prototxt"), "utf8");
  const resnet = exported(text, synthesiseCaffemodel(text, 1));
  const x = new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i * 0.37));
  const res = time(resnet, new Map([[resnet.graph.inputs[0].blob, { shape: [1, 3, 224, 224], data: x }]]), rounds);
  return {
    name: "PyTorch-semantics executor forward (mobilenet_v2, ResNet-50; batch 1, 224×224)",
    ours: { mobilenet: mobile, resnet50: res },
    reference: { targetS: TARGET_S },
    ratio: res.cpuS / TARGET_S,
    summary: `mobilenet_v2 ${fmt(mobile.cpuS, 3)} s CPU (${fmt(mobile.wallS, 3)} s wall); ResNet-50 ${fmt(res.cpuS, 2)} s CPU (${fmt(res.wallS, 2)} s wall)`,
    targets: `ResNet-50 forward ≤ ${TARGET_S} s`,
    met: res.cpuS <= TARGET_S,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(JSON.stringify(run(Number(process.argv[2] ?? 3)), null, 2));
