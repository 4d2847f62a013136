// Issue 2: a synthesised ~100 MB caffemodel (ResNet-50's layers, random blobs): read it with blob
// summaries; `decode --full` vs `protoc --decode` in the same run.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, OUT, PROTO_DIR, SHARED, alternate, fmt, summarise, timeProcess } from "./lib.mjs";

/** Writes the caffemodel with our own encoder (dist/), once per bench run. */
export async function makeCaffemodel() {
  const { synthesiseCaffemodel } = await import("../dist/weights/bench-weights.js");
  const prototxt = readFileSync(join(SHARED, "corpus", "KaimingHe-drn__ResNet-50-deploy.prototxt"), "utf8");
  const path = join(OUT, "resnet50-random.caffemodel");
  writeFileSync(path, synthesiseCaffemodel(prototxt, 7));
  return path;
}

export async function run(rounds = 3) {
  const model = await makeCaffemodel();
  const sizeMiB = statSync(model).size / 2 ** 20;
  const summary = summarise(Array.from({ length: 5 }, () => timeProcess("node", [BIN, "decode", model])));
  const full = alternate(
    rounds,
    () => timeProcess("node", [BIN, "decode", "--full", model]),
    () => timeProcess("protoc", [`--proto_path=${PROTO_DIR}`, "--decode=caffe.NetParameter", "caffe.proto"], { stdin: model }),
  );
  return [
    {
      name: "read 100 MB caffemodel (decode, blob summaries)",
      input: `${fmt(sizeMiB, 1)} MiB`,
      ours: summary,
      targets: "≤ 0.5 s, peak ≤ file size + 150 MiB",
      met: summary.medianS <= 0.5 && (summary.peakMiB ?? 0) <= sizeMiB + 150,
    },
    {
      name: "decode --full vs protoc --decode",
      input: `${fmt(sizeMiB, 1)} MiB`,
      ours: full.a,
      protoc: full.b,
      ratio: full.a.medianS / full.b.medianS,
      targets: "time ≤ 1.0× protoc",
      met: full.a.medianS <= full.b.medianS,
    },
  ];
}
