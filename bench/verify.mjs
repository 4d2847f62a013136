// Issue 4: `caffe2torch verify` of the ResNet-50 deploy corpus file at batch 2 (TEST phase), whole
// process wall time through the real CLI. Target: ≤ 3 s.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BIN, SHARED, fmt, summarise, timeProcess } from "./lib.mjs";

const NET = join(SHARED, "corpus", "KaimingHe-drn__ResNet-50-deploy.prototxt");
const TARGET_S = 3;

/** Returns {name, ours, reference, ratio, targets, met}; `reference` is the target (no other tool verifies). */
export function run(rounds = 5) {
  const runs = [];
  for (let i = 0; i < rounds; i++) runs.push(timeProcess("node", [BIN, "verify", NET, "--batch", "2"]));
  const ours = summarise(runs);
  return {
    name: "verify ResNet-50 deploy (53 blocks, batch 2)",
    ours,
    reference: { targetS: TARGET_S },
    ratio: ours.medianS / TARGET_S,
    summary: `median ${fmt(ours.medianS, 2)} s (min ${fmt(ours.minS, 2)}, max ${fmt(ours.maxS, 2)}), peak ${fmt(ours.peakMiB, 0)} MiB`,
    targets: `total wall time ≤ ${TARGET_S} s`,
    met: ours.medianS <= TARGET_S,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(JSON.stringify(run(), null, 2));
