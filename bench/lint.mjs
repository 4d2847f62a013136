// Issue 5: lint of every corpus file in one process; one ResNet-152-sized file cold.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { BIN, OUT, ROOT, SHARED, summarise, timeProcess } from "./lib.mjs";

const LAUNCH_CJS = join(ROOT, "dist", "cli-bundle", "launch.cjs");
const RESNET50 = join(SHARED, "corpus", "KaimingHe-drn__ResNet-50-deploy.prototxt");
/** Residual blocks per stage (res2 … res5): ResNet-50 has 3, 4, 6, 3; ResNet-152 has 3, 8, 36, 3. */
const RESNET152_DEPTHS = { 2: 3, 3: 8, 4: 36, 5: 3 };

/** The file's `layer { … }` blocks, and the text before the first. */
function layerBlocks(src) {
  const first = src.search(/^layer\s*\{/m);
  return { head: src.slice(0, first), blocks: src.slice(first).split(/(?=^layer\s*\{)/m) };
}

/**
 * ResNet-152's deploy net, made from the corpus ResNet-50 deploy net (same layers, parameters
 * and layout) by repeating its identity blocks to ResNet-152's depths, named as in He et al.'s
 * released ResNet-101/152 files (res4b1 … res4b35): 670 layers, 155 BatchNorm + Scale pairs.
 * A residual unit is every layer named res|bn|scale<stage><letter>; its template for the
 * repeats is the stage's `b` unit, whose input `res<stage>a` becomes the previous unit's output.
 */
function makeResNet152() {
  const { head, blocks } = layerBlocks(readFileSync(RESNET50, "utf8"));
  const units = new Map();
  for (const [i, block] of blocks.entries()) {
    const m = /name: "(?:res|bn|scale)(\d)([a-z])(?:_|")/.exec(block);
    const unit = m ? m[1] + m[2] : `other ${i}`;
    units.set(unit, [...(units.get(unit) ?? []), block]);
  }
  const out = [];
  let renamed = null; // [ResNet-50's last output of the previous stage, ours]
  for (const [unit, unitBlocks] of units) {
    let text = unitBlocks.join("");
    if (renamed) text = text.replaceAll(`bottom: "${renamed[0]}"`, `bottom: "${renamed[1]}"`);
    const m = /^(\d)([a-z])$/.exec(unit);
    if (!m) {
      out.push(text);
      continue;
    }
    const stage = Number(m[1]);
    if (m[2] !== "a") continue; // the stage's other units are made from its `b` unit below
    out.push(text);
    const template = units.get(`${stage}b`).join("");
    const lastOf50 = [...units.keys()].filter((u) => u.startsWith(String(stage))).pop();
    const depth = RESNET152_DEPTHS[stage];
    const names = depth <= 3 ? ["b", "c"].slice(0, depth - 1) : Array.from({ length: depth - 1 }, (_, i) => `b${i + 1}`);
    let previous = `res${stage}a`;
    for (const name of names) {
      const copy = template
        .replaceAll(`${stage}b_`, `${stage}${name}_`)
        .replaceAll(`"res${stage}b"`, `"res${stage}${name}"`)
        .replaceAll(`bottom: "res${stage}a"`, `bottom: "${previous}"`);
      out.push(copy);
      previous = `res${stage}${name}`;
    }
    renamed = [`res${lastOf50}`, previous];
  }
  const path = join(OUT, "resnet152-deploy.prototxt");
  writeFileSync(path, head.replace('name: "ResNet-50"', 'name: "ResNet-152"') + out.join(""));
  return path;
}

/**
 * A 684-layer file with 456 findings: ResNet-50's deploy layers three times, the two copies with
 * every string renamed (types too, so their 456 layers are unknown types). Not a real net; it
 * measures a cold lint that reports a lot (text report with a code frame per finding).
 */
function makeManyFindings() {
  const { head, blocks } = layerBlocks(readFileSync(RESNET50, "utf8"));
  const body = blocks.join("");
  const renamed = [1, 2].map((k) => body.replace(/"([^"]+)"/g, (m, name) => (name === "data" ? m : `"${name}_r${k}"`)));
  const path = join(OUT, "resnet50x3-renamed.prototxt");
  writeFileSync(path, head + body + renamed.join(""));
  return path;
}

/** Layers and findings of a file, as lint --format json reports them (a check of what is timed). */
function describe(file) {
  const r = JSON.parse(execFileSync("node", [BIN, "lint", "--format", "json", file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).toString());
  const layers = (readFileSync(file, "utf8").match(/^layer\s*\{/gm) ?? []).length;
  const findings = r.errorCount + r.warningCount + r.infoCount;
  return `${layers} layers, ${findings} finding${findings === 1 ? "" : "s"}`;
}

export function run(rounds = 5, coldRounds = 15) {
  const corpus = readdirSync(join(SHARED, "corpus"))
    .filter((f) => f.endsWith(".prototxt"))
    .map((f) => join(SHARED, "corpus", f));
  const lintAll = summarise(Array.from({ length: rounds }, () => timeProcessAllowFindings(["lint", "--format", "json", ...corpus])));
  const files = [
    ["ResNet-152 deploy", makeResNet152()],
    ["684-layer file with many findings", makeManyFindings()],
  ].map(([label, path]) => ({ label: `${label} (${describe(path)})`, path }));
  // Cold start, alternating with a bare `node -e 0`, in the environment as it is and without
  // NODE_EXTRA_CA_CERTS: Node parses that certificate bundle at every start, before any of our
  // code runs (~85 ms here for this sandbox's 220 KB bundle), and CI may set it too.
  const noCerts = { ...process.env };
  delete noCerts.NODE_EXTRA_CA_CERTS;
  const envs = process.env.NODE_EXTRA_CA_CERTS ? [["", undefined], [" without NODE_EXTRA_CA_CERTS", noCerts]] : [["", undefined]];
  // What the bin will load: the figures mean "bundle with its code cache" only if that is used.
  const launch = JSON.parse(
    execFileSync("node", ["-e", `require(${JSON.stringify(LAUNCH_CJS)}).loadCli().then(({ info }) => console.log(JSON.stringify(info)));`], { encoding: "utf8" }),
  );
  // Reference: the same CLI from its ~100 modules, without the bundle and its code cache.
  const modulesEnv = (env) => ({ ...(env ?? process.env), CAFFE2TORCH_NO_BUNDLE: "1" });
  const runs = envs.map(() => ({ lint: files.map(() => []), bare: [], modules: [] }));
  for (let i = 0; i < coldRounds; i++) {
    envs.forEach(([, env], k) => {
      files.forEach((file, f) => runs[k].lint[f].push(timeProcessAllowFindings(["lint", file.path], env)));
      runs[k].bare.push(timeProcess("node", ["-e", "0"], { env }));
      runs[k].modules.push(timeProcessAllowFindings(["lint", files[0].path], modulesEnv(env)));
    });
  }
  return [
    { name: `lint all ${corpus.length} corpus files (one process)`, ours: lintAll, targets: "< 1 s", met: lintAll.medianS < 1 },
    ...envs.flatMap(([label], k) =>
      files.map((file, f) => {
        const single = summarise(runs[k].lint[f]);
        return {
          name: `lint one ${file.label}, cold process${label}${k === 0 && envs.length > 1 ? " (NODE_EXTRA_CA_CERTS set)" : ""}`,
          ours: single,
          nodeStartup: summarise(runs[k].bare),
          ...(f === 0 ? { reference: summarise(runs[k].modules), referenceIs: "the CLI from its modules (CAFFE2TORCH_NO_BUNDLE=1)" } : {}),
          launch,
          targets: "≤ 150 ms cold",
          met: single.medianS <= 0.15,
        };
      }),
    ),
  ];
}

/** lint exits 1 when it finds errors (the corpus has some); that is not a benchmark failure. */
function timeProcessAllowFindings(args, env) {
  return timeProcess("node", [BIN, ...args], { okStatus: [0, 1], env });
}
