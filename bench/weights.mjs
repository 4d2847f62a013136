// Issue 6: `convert --weights` end to end on a synthesised ResNet-50-sized caffemodel.
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCaffemodel } from "./caffemodel.mjs";
import { BIN, SHARED, fmt, summarise, timeProcess } from "./lib.mjs";

export async function run(rounds = 5) {
  const model = await makeCaffemodel();
  const net = join(SHARED, "corpus", "KaimingHe-drn__ResNet-50-deploy.prototxt");
  const dir = mkdtempSync(join(tmpdir(), "c2t-bench-"));
  const sizeMiB = statSync(model).size / 2 ** 20;
  const runs = Array.from({ length: rounds }, () =>
    timeProcess("node", [BIN, "convert", net, "--weights", model, "--format", "python", "-o", join(dir, "model.py"), "-q"]),
  );
  const s = summarise(runs);
  return {
    name: "convert --weights (ResNet-50, python + safetensors)",
    input: `${fmt(sizeMiB, 1)} MiB caffemodel`,
    ours: s,
    targets: "≤ 1 s, peak ≤ file size + 200 MiB",
    met: s.medianS <= 1 && (s.peakMiB ?? 0) <= sizeMiB + 200,
  };
}
