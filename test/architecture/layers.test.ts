/**
 * Ties each Caffe layer type together across the stages, as the lint consistency test ties a rule to
 * its file, test and page: the catalogue (src/caffe/layers), export's converters, their tests (or a
 * golden net that runs them), and the support table in docs/layers.md.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LAYERS, layerType } from "../../src/caffe/layers/index.js";
import { LAYER_CONVERTERS } from "../../src/convert/layers/index.js";
import { executedTypes } from "../../src/execute/registry.js";
import { GOLDEN_DIR, ROOT } from "../helpers/paths.js";

const converted = [...LAYER_CONVERTERS.keys()].sort();

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Text in which a converted type's tests would name it: converter tests, export tests, golden nets. */
const testText = [
  ...files(join(ROOT, "test", "convert")),
  ...files(join(ROOT, "test", "weights")),
  ...files(join(ROOT, "test", "export")),
  ...readdirSync(join(GOLDEN_DIR, "nets"))
    .filter((c) => !c.endsWith(".md"))
    .map((c) => join(GOLDEN_DIR, "nets", c, "net.prototxt")),
  ...readdirSync(join(GOLDEN_DIR, "training"))
    .filter((c) => !c.endsWith(".md"))
    .map((c) => join(GOLDEN_DIR, "training", c, "train.prototxt")),
]
  .filter((f) => /\.(ts|py|prototxt)$/.test(f))
  .map((f) => readFileSync(f, "utf8"))
  .join("\n");

/**
 * Fork types `export` converts that the Caffe executor does not run, and why (verify --net stops
 * at them with `unsupported-type`).
 */
const FORK_NOT_EXECUTED: Readonly<Record<string, string>> = {
  AnnotatedData: "reads the SSD fork's LMDB of annotated images: its tops are given as inputs",
  DenseImageData: "reads image and label files: its tops are given as inputs",
};

/** Text in which an executed type's tests would name it. */
const executeTestText = files(join(ROOT, "test", "execute"))
  .filter((f) => /\.ts$/.test(f))
  .map((f) => readFileSync(f, "utf8"))
  .join("\n");

/** docs/layers.md rows: `| \`Type\` | origin | exported? | … |`. */
const rows = new Map(
  [...readFileSync(join(ROOT, "docs", "layers.md"), "utf8").matchAll(/^\| `([^`]+)` \| ([^|]+) \| ([^|]+) \|/gm)].map((m) => [m[1]!, { origin: m[2]!.trim(), exported: m[3]!.trim() }]),
);

describe("layer types", () => {
  it("every converter handles catalogued types only", () => {
    expect(converted.filter((t) => layerType(t) === undefined)).toEqual([]);
  });

  it("every converted type is exercised by a test or a golden net", () => {
    expect(converted.filter((t) => !testText.includes(`"${t}"`))).toEqual([]);
  });

  it("docs/layers.md lists every catalogued type once, with its origin", () => {
    expect([...rows.keys()].sort()).toEqual(LAYERS.map((l) => l.type).sort());
    for (const l of LAYERS) expect(rows.get(l.type)!.origin, l.type).toBe(l.origin === "bvlc" ? "BVLC" : l.fork);
  });

  it("docs/layers.md marks exactly the converted types as exported", () => {
    const documented = [...rows].filter(([, r]) => r.exported.startsWith("yes")).map(([t]) => t).sort();
    expect(documented).toEqual(converted);
  });

  it("every fork type export converts is run by the Caffe executor with its fork's semantics, or listed with why not", () => {
    const executed = new Set(executedTypes());
    const forks = converted.filter((t) => layerType(t)?.origin === "fork");
    expect(forks.filter((t) => !executed.has(t) && FORK_NOT_EXECUTED[t] === undefined)).toEqual([]);
    expect(Object.keys(FORK_NOT_EXECUTED).filter((t) => executed.has(t) || !forks.includes(t))).toEqual([]);
  });

  it("every executed fork type is exercised by a test of the executor", () => {
    const forks = executedTypes().filter((t) => layerType(t)?.origin === "fork");
    expect(forks.filter((t) => !executeTestText.includes(`"${t}"`))).toEqual([]);
  });
});
