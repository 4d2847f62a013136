// Issue 4: train-mode BatchNorm forward on [32, 64, 56, 56] float32 — our executors vs
// torch.nn.BatchNorm2d (one thread), measured in the same run. Target: our throughput ≥ 1.0× PyTorch's.
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { benchBatchNormForward } from "../dist/numeric/bench-batch-norm.js";
import { fmt } from "./lib.mjs";

const PYTHON = process.env.CAFFE2TORCH_PYTHON ?? "/usr/bin/python3";
const SHAPE = [32, 64, 56, 56];

/** PyTorch's side: median ms of `iterations` train forwards after `warmup`, one thread. */
const TORCH_SCRIPT = `
import json, sys, time
import torch
torch.set_num_threads(1)
shape, iterations, warmup = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
m = torch.nn.BatchNorm2d(shape[1]).train()
x = torch.randn(*shape, generator=torch.Generator().manual_seed(1234)) * 2 + 0.5
samples = []
with torch.no_grad():
    for i in range(warmup + iterations):
        t = time.perf_counter()
        m(x)
        if i >= warmup:
            samples.append((time.perf_counter() - t) * 1000)
samples.sort()
print(json.dumps({"medianMs": samples[len(samples) // 2], "minMs": samples[0], "maxMs": samples[-1],
                  "torch": torch.__version__, "threads": torch.get_num_threads()}))
`;

function torchTiming(iterations, warmup) {
  const r = spawnSync(PYTHON, ["-c", TORCH_SCRIPT, JSON.stringify(SHAPE), String(iterations), String(warmup)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${PYTHON}: PyTorch benchmark failed (${r.status}): ${(r.stderr ?? r.error?.message ?? "").slice(0, 500)}`);
  return JSON.parse(r.stdout);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median of the rounds' medians, smallest minimum, largest maximum. */
function pool(rounds) {
  return {
    medianMs: median(rounds.map((r) => r.medianMs)),
    minMs: Math.min(...rounds.map((r) => r.minMs)),
    maxMs: Math.max(...rounds.map((r) => r.maxMs)),
  };
}

/**
 * Returns {name, ours, reference, ratio, targets, met}: `ours` is the Caffe executor (the one verify
 * runs for Caffe's semantics; `oursTorchExecutor` is our PyTorch executor), `reference` real PyTorch;
 * `ratio` is our throughput over PyTorch's (their median time over ours). Ours and PyTorch alternate
 * for `rounds` rounds (the Method of BENCHMARKS.md), so that both see the same machine state; each
 * figure is the median of the rounds' medians.
 */
export function run(iterations = 20, warmup = 5, rounds = 3) {
  const caffeRounds = [];
  const torchRounds = [];
  const referenceRounds = [];
  for (let round = 0; round < rounds; round++) {
    const ourRun = benchBatchNormForward({ shape: SHAPE, iterations, warmup });
    caffeRounds.push(ourRun.timings.find((t) => t.executor === "caffe"));
    torchRounds.push(ourRun.timings.find((t) => t.executor === "torch"));
    referenceRounds.push(torchTiming(iterations, warmup));
  }
  const caffe = pool(caffeRounds);
  const torch = pool(torchRounds);
  const { torch: version, threads } = referenceRounds[0];
  const reference = { ...pool(referenceRounds), torch: version, threads };
  const ratio = reference.medianMs / caffe.medianMs;
  return {
    name: "BatchNorm train forward [32,64,56,56]",
    ours: { ...caffe, executor: "caffe" },
    oursTorchExecutor: { ...torch, ratio: reference.medianMs / torch.medianMs },
    reference: { ...reference, module: "torch.nn.BatchNorm2d(64).train()" },
    rounds: { caffe: caffeRounds.map((r) => r.medianMs), torch: torchRounds.map((r) => r.medianMs), reference: referenceRounds.map((r) => r.medianMs) },
    ratio,
    summary: `ours ${fmt(caffe.medianMs, 1)} ms (PyTorch executor ${fmt(torch.medianMs, 1)} ms) vs torch ${fmt(reference.medianMs, 1)} ms: ${fmt(ratio, 2)}× throughput`,
    targets: "throughput ≥ 1.0× torch.nn.BatchNorm2d (1 thread)",
    met: ratio >= 1,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(JSON.stringify(run(), null, 2));
