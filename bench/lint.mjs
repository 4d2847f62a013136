// Issue 5: lint of every corpus file in one process; one ResNet-152-sized file cold.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, OUT, SHARED, summarise, timeProcess } from "./lib.mjs";

/** A ResNet-152-sized deploy net: ResNet-50's layers with the stage-4 blocks repeated. */
function makeResNet152Sized() {
  const src = readFileSync(join(SHARED, "corpus", "KaimingHe-drn__ResNet-50-deploy.prototxt"), "utf8");
  const first = src.search(/^layer\s*\{/m);
  // About 3× the layers of ResNet-50 (ResNet-152 has 3× as many convolution blocks).
  const body = src.slice(first);
  const renamed = [1, 2].map((k) => body.replace(/"([^"]+)"/g, (m, name) => (name === "data" ? m : `"${name}_r${k}"`)));
  const path = join(OUT, "resnet152-sized.prototxt");
  writeFileSync(path, src.slice(0, first) + body + renamed.join(""));
  return path;
}

export function run(rounds = 5) {
  const corpus = readdirSync(join(SHARED, "corpus"))
    .filter((f) => f.endsWith(".prototxt"))
    .map((f) => join(SHARED, "corpus", f));
  const lintAll = summarise(Array.from({ length: rounds }, () => timeProcessAllowFindings(["lint", "--format", "json", ...corpus])));
  const big = makeResNet152Sized();
  const single = summarise(Array.from({ length: rounds }, () => timeProcessAllowFindings(["lint", big])));
  const bare = summarise(Array.from({ length: rounds }, () => timeProcess("node", ["-e", "0"])));
  return [
    { name: `lint all ${corpus.length} corpus files (one process)`, ours: lintAll, targets: "< 1 s", met: lintAll.medianS < 1 },
    {
      name: "lint one ResNet-152-sized file, cold process",
      ours: single,
      nodeStartup: bare,
      targets: "≤ 150 ms cold",
      met: single.medianS <= 0.15,
    },
  ];
}

/** lint exits 1 when it finds errors (the corpus has some); that is not a benchmark failure. */
function timeProcessAllowFindings(args) {
  return timeProcess("node", [BIN, ...args], { okStatus: [0, 1] });
}
