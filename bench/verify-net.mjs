// Issue 14 part 5: `verify NET --net` of ResNet-50 deploy (batch 1, 224×224) with a trained-size
// caffemodel: both executors (Caffe's arithmetic and the emitted graph's), every layer compared.
// Wall time and peak RSS of the whole CLI process. Targets: ≤ 2 s wall, ≤ 1 GiB.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { makeCaffemodel } from "./caffemodel.mjs";
import { BIN, SHARED, summarise, timeProcess } from "./lib.mjs";

export async function run(rounds = 5) {
  const model = await makeCaffemodel();
  const net = join(SHARED, "corpus", "KaimingHe-drn__ResNet-50-deploy.prototxt");
  // The caffemodel was just written: flush it and run once untimed, so that every timed run reads a
  // file at rest in the page cache (writeback of 100 MB of dirty pages slowed the first runs by ~0.2 s).
  spawnSync("sync");
  const args = [BIN, "verify", net, "--net", "--weights", model, "-q"];
  timeProcess("node", args);
  // Exit 0 (agree) is required: a run that stopped early would be fast for the wrong reason.
  const s = summarise(Array.from({ length: rounds }, () => timeProcess("node", args)));
  return [
    {
      name: "verify --net (ResNet-50 deploy, both executors, every layer compared)",
      input: "1×3×224×224, 102 MiB caffemodel",
      ours: s,
      targets: "≤ 2 s wall, peak ≤ 1 GiB",
      met: s.medianS <= 2 && (s.peakMiB ?? 0) <= 1024,
    },
  ];
}
