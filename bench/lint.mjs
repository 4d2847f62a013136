// Issue 5: lint of every corpus file in one process; one ResNet-152-sized file cold.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { BIN, OUT, ROOT, SHARED, summarise, timeProcess } from "./lib.mjs";

const LAUNCH = join(ROOT, "dist", "cli", "launch.js");

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

export function run(rounds = 5, coldRounds = 15) {
  const corpus = readdirSync(join(SHARED, "corpus"))
    .filter((f) => f.endsWith(".prototxt"))
    .map((f) => join(SHARED, "corpus", f));
  const lintAll = summarise(Array.from({ length: rounds }, () => timeProcessAllowFindings(["lint", "--format", "json", ...corpus])));
  const big = makeResNet152Sized();
  // Cold start, alternating with a bare `node -e 0`, in the environment as it is and without
  // NODE_EXTRA_CA_CERTS: Node parses that certificate bundle at every start, before any of our
  // code runs (0.05–0.06 s of CPU for this sandbox's 220 KB bundle), and CI may set it too.
  const noCerts = { ...process.env };
  delete noCerts.NODE_EXTRA_CA_CERTS;
  const envs = process.env.NODE_EXTRA_CA_CERTS ? [["", undefined], [" without NODE_EXTRA_CA_CERTS", noCerts]] : [["", undefined]];
  // What the bin will load: the figures mean "bundle with its code cache" only if that is used.
  const launch = JSON.parse(
    execFileSync("node", ["--input-type=module", "-e", `import { loadCli } from ${JSON.stringify(pathToFileURL(LAUNCH).href)}; console.log(JSON.stringify((await loadCli()).info));`], { encoding: "utf8" }),
  );
  // Reference: the same CLI from its ~100 modules, without the bundle and its code cache.
  const modulesEnv = (env) => ({ ...(env ?? process.env), CAFFE2TORCH_NO_BUNDLE: "1" });
  const runs = envs.map(() => ({ lint: [], bare: [], modules: [] }));
  for (let i = 0; i < coldRounds; i++) {
    envs.forEach(([, env], k) => {
      runs[k].lint.push(timeProcessAllowFindings(["lint", big], env));
      runs[k].bare.push(timeProcess("node", ["-e", "0"], { env }));
      runs[k].modules.push(timeProcessAllowFindings(["lint", big], modulesEnv(env)));
    });
  }
  return [
    { name: `lint all ${corpus.length} corpus files (one process)`, ours: lintAll, targets: "< 1 s", met: lintAll.medianS < 1 },
    ...envs.map(([label], k) => {
      const single = summarise(runs[k].lint);
      return {
        name: `lint one ResNet-152-sized file, cold process${label}${k === 0 && envs.length > 1 ? " (NODE_EXTRA_CA_CERTS set)" : ""}`,
        ours: single,
        nodeStartup: summarise(runs[k].bare),
        reference: summarise(runs[k].modules),
        referenceIs: "the CLI from its modules (CAFFE2TORCH_NO_BUNDLE=1)",
        launch,
        targets: "≤ 150 ms cold",
        met: single.medianS <= 0.15,
      };
    }),
  ];
}

/** lint exits 1 when it finds errors (the corpus has some); that is not a benchmark failure. */
function timeProcessAllowFindings(args, env) {
  return timeProcess("node", [BIN, ...args], { okStatus: [0, 1], env });
}
