/**
 * The dependency direction of DESIGN.md, checked on the real import graph:
 * cli → {lint, emit, numeric, …} → convert → caffe → schema → textproto, diagnostics a leaf,
 * nothing imports cli, and no import cycles.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/paths.js";

const SRC = join(ROOT, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/**
 * Relative imports of a file (`import … from`, `export … from`, dynamic `import()`), as
 * src-relative paths. With `runtimeOnly`, `import type` / `export type` are left out: the
 * compiler erases them, so they cannot form a cycle at run time.
 */
function importsOf(file: string, runtimeOnly: boolean): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(import\s+type\s[^;]*?from\s+|export\s+type\s[^;]*?from\s+|from\s+|import\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)]
    .filter((m) => !(runtimeOnly && /^(import|export)\s+type\s/.test(m[1]!)))
    .map((m) => m[2]!);
  return specs.map((s) => relative(SRC, resolve(dirname(file), s.replace(/\.js$/, ".ts"))));
}

const files = sourceFiles(SRC).map((f) => relative(SRC, f));
const graph = new Map(files.map((f) => [f, importsOf(join(SRC, f), false)]));
const runtimeGraph = new Map(files.map((f) => [f, importsOf(join(SRC, f), true)]));
const layerOf = (f: string): string => (f.includes("/") ? f.split("/")[0]! : f.replace(/\.ts$/, ""));

/** What each top-level folder may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  diagnostics: [],
  textproto: ["diagnostics"],
  schema: ["textproto", "diagnostics"],
  caffe: ["schema", "textproto", "diagnostics"],
  convert: ["caffe", "schema", "textproto", "diagnostics"],
  numeric: ["diagnostics"],
  // The Caffe executor reads each layer's parameters from the net itself, never from convert.
  execute: ["numeric", "caffe", "convert", "schema"],
  emit: ["convert", "caffe", "schema", "diagnostics"],
  weights: ["emit", "numeric", "convert", "caffe", "schema", "textproto", "diagnostics"],
  explain: ["render", "emit", "convert", "caffe", "schema", "textproto", "diagnostics"],
  solver: ["convert", "caffe", "schema", "diagnostics"],
  render: ["solver", "weights", "convert", "schema", "diagnostics"],
  // verify --net runs the Caffe executor and the PyTorch executor of the emitted graph.
  verify: ["execute", "solver", "weights", "numeric", "emit", "convert", "caffe", "schema", "textproto", "diagnostics"],
  lint: ["render", "solver", "convert", "caffe", "schema", "textproto", "diagnostics"],
  // The report page gathers every stage's evidence (graph, lint, solver, verification) into one page.
  report: ["verify", "lint", "solver", "emit", "numeric", "convert", "caffe", "schema"],
  cli: ["index", "report", "render", "solver", "verify", "explain", "lint", "weights", "emit", "numeric", "convert", "caffe", "schema", "textproto", "diagnostics"],
  index: ["diagnostics", "textproto", "schema", "caffe", "convert", "emit", "numeric", "lint", "weights", "verify", "explain", "render", "solver", "report"],
};

describe("the import graph", () => {
  it("only imports files that exist", () => {
    for (const [file, deps] of graph) for (const dep of deps) expect(graph.has(dep), `${file} → ${dep}`).toBe(true);
  });

  it("follows the dependency direction of DESIGN.md", () => {
    const violations: string[] = [];
    for (const [file, deps] of graph) {
      const from = layerOf(file);
      for (const dep of deps) {
        const to = layerOf(dep);
        if (to === from) continue;
        if (!(ALLOWED[from] ?? []).includes(to)) violations.push(`${file} → ${dep}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("never imports cli/ from outside cli/", () => {
    const offenders = [...graph].filter(([file, deps]) => layerOf(file) !== "cli" && deps.some((d) => layerOf(d) === "cli"));
    expect(offenders.map(([f]) => f)).toEqual([]);
  });

  it("has no import cycles at run time", () => {
    const state = new Map<string, "visiting" | "done">();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "visiting") {
        cycles.push([...path.slice(path.indexOf(f)), f].join(" → "));
        return;
      }
      state.set(f, "visiting");
      for (const d of runtimeGraph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, "done");
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it("keeps process, fs, console and chalk inside cli/ (and the bench/timing helpers that are told to)", () => {
    const offenders: string[] = [];
    for (const file of files) {
      if (layerOf(file) === "cli") continue;
      // The report page's script (browser code with dagre in it) as a string: it runs in the page, not in Node.
      if (file === join("report", "generated", "page-assets.ts")) continue;
      const text = readFileSync(join(SRC, file), "utf8");
      if (/from\s+["']chalk["']/.test(text) || /\bconsole\.(log|error|warn)\b/.test(text) || /\bprocess\.(exit|stdout|stderr|argv)\b/.test(text)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
