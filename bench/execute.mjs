// Issue 14 (item 5, first figures): the Caffe executor's forward, in process, on mobilenet_v2 (the
// largest golden net, 1×3×224×224) and on the ResNet-50 deploy corpus file (1×3×224×224, random
// weights from synthesiseCaffemodel). Wall and CPU time per forward (other load on the machine
// inflates wall time; CPU time is this process's own). Target (issue 14): ResNet-50 ≤ 0.6 s.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildNet } from "../dist/caffe/net.js";
import { executeNet } from "../dist/execute/net.js";
import { readNet } from "../dist/schema/read.js";
import { synthesiseCaffemodel } from "../dist/weights/bench-weights.js";
import { decodeBlobs, readCaffemodel } from "../dist/weights/caffemodel.js";
import { parseSafetensors } from "../dist/weights/safetensors.js";
import { SHARED, fmt } from "./lib.mjs";

const TARGET_S = 0.6;

function weightsOf(bytes) {
  const model = readCaffemodel(bytes);
  return new Map(model.layers.filter((l) => l.blobs.length > 0).map((l) => [l.name, decodeBlobs(model, l).blobs]));
}

const testNet = (text) => buildNet(readNet(text, { allowUnknown: true, upgrade: true }).net, { phase: "TEST" });

function time(model, inputs, weights, rounds) {
  const runs = [];
  for (let i = 0; i < rounds + 1; i++) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const result = executeNet(model, inputs, weights, { keep: false });
    if (result.error) throw new Error(`${result.error.layer}: ${result.error.code}`);
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
  const mobile = time(testNet(readFileSync(join(dir, "net.prototxt"), "utf8")), mobileInputs, weightsOf(readFileSync(join(dir, "weights.caffemodel"))), rounds);

  const text = readFileSync(join(SHARED, "corpus", "KaimingHe-drn__ResNet-50-deploy.prototxt"), "utf8");
  const resnet = testNet(text);
  const x = new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i * 0.37));
  const resnetInputs = new Map([[resnet.layers[0].tops[0], { shape: [1, 3, 224, 224], data: x }]]);
  const res = time(resnet, resnetInputs, weightsOf(synthesiseCaffemodel(text, 1)), rounds);
  return {
    name: "Caffe executor forward (mobilenet_v2, ResNet-50; batch 1, 224×224)",
    ours: { mobilenet: mobile, resnet50: res },
    reference: { targetS: TARGET_S, caffeResNet50S: 0.12, caffeMobilenetS: 0.064 },
    ratio: res.cpuS / TARGET_S,
    summary: `mobilenet_v2 ${fmt(mobile.cpuS, 3)} s CPU (${fmt(mobile.wallS, 3)} s wall); ResNet-50 ${fmt(res.cpuS, 2)} s CPU (${fmt(res.wallS, 2)} s wall)`,
    targets: `ResNet-50 forward ≤ ${TARGET_S} s`,
    met: res.cpuS <= TARGET_S,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(JSON.stringify(run(), null, 2));
