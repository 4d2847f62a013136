// Issue 13: `export --weights` of ResNet-50 deploy with a ~100 MB caffemodel, and the emitted
// model's forward time against the same modules called from a hand-written forward.
import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCaffemodel } from "./caffemodel.mjs";
import { BIN, ROOT, SHARED, fmt, summarise, timeProcess } from "./lib.mjs";

export async function run(rounds = 5) {
  const model = await makeCaffemodel();
  const net = join(SHARED, "corpus", "KaimingHe-drn__ResNet-50-deploy.prototxt");
  const dir = mkdtempSync(join(tmpdir(), "c2t-bench-export-"));
  const sizeMiB = statSync(model).size / 2 ** 20;
  const s = summarise(Array.from({ length: rounds }, () => timeProcess("node", [BIN, "export", net, "--weights", model, "-o", dir, "-q"])));
  const results = [
    {
      name: "export --weights (ResNet-50 deploy, model.py + safetensors)",
      input: `${fmt(sizeMiB, 1)} MiB caffemodel`,
      ours: s,
      targets: "≤ 1.5 s, peak ≤ file size + 250 MiB",
      met: s.medianS <= 1.5 && (s.peakMiB ?? 0) <= sizeMiB + 250,
    },
  ];
  const py = spawnSync("/usr/bin/python3", [join(ROOT, "bench", "export_forward.py"), join(dir, "model.py"), "15"], { encoding: "utf8" });
  if (py.status !== 0) {
    console.log(`export forward: PyTorch not available (${py.stderr.trim().split("\n").pop()})`);
    return results;
  }
  const f = JSON.parse(py.stdout);
  results.push({
    name: "emitted ResNet-50 forward vs the same modules from a hand-written forward (1 thread, batch 1)",
    input: `outputs equal: ${f.same_output}`,
    ours: { medianS: f.generated },
    reference: { medianS: f.direct },
    ratio: f.ratio,
    targets: "ratio ≤ 1.05",
    met: f.ratio <= 1.05 && f.same_output,
  });
  return results;
}
