// Issue 2: encode a ~20 MB prototxt (ResNet-50 deploy layers ×600) vs protoc --encode.
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { BIN, OUT, PROTO_DIR, SHARED, alternate, fmt, timeProcess } from "./lib.mjs";

/** Builds the big prototxt: the header (name, inputs) once, then the layers repeated. */
export function makeBigPrototxt(copies = 600, name = "resnet50-x600.prototxt") {
  const src = readFileSync(join(SHARED, "corpus", "KaimingHe-drn__ResNet-50-deploy.prototxt"), "utf8");
  const first = src.search(/^layer\s*\{/m);
  const path = join(OUT, name);
  // Written layer by layer: 6,200 copies (200 MB) would not fit in one string comfortably.
  const body = src.slice(first);
  const fd = openSync(path, "w");
  writeSync(fd, src.slice(0, first));
  for (let i = 0; i < copies; i++) writeSync(fd, body);
  closeSync(fd);
  return path;
}

export function run(rounds = 5) {
  const input = makeBigPrototxt();
  const ours = join(OUT, "ours.pb");
  const theirs = join(OUT, "protoc.pb");
  const r = alternate(
    rounds,
    () => timeProcess("node", [BIN, "encode", input, "-o", ours]),
    () => {
      const t = timeProcess("protoc", [`--proto_path=${PROTO_DIR}`, "--encode=caffe.NetParameter", "caffe.proto"], { stdin: input, stdout: true });
      writeFileSync(theirs, t.stdout);
      return t;
    },
  );
  const same = readFileSync(ours).equals(readFileSync(theirs));
  const size = readFileSync(input).length / 2 ** 20;
  return {
    name: "encode 20 MB prototxt",
    input: `${fmt(size, 1)} MiB text`,
    ours: r.a,
    protoc: r.b,
    ratio: r.a.medianS / r.b.medianS,
    identicalBytes: same,
    targets: "time ≤ 0.5× protoc, peak ≤ 300 MiB",
    met: r.a.medianS <= 0.5 * r.b.medianS && (r.a.peakMiB ?? 0) <= 300,
  };
}
