/**
 * The Caffe executor is the independent side of whole-net verification (DESIGN.md: "The check is
 * independent"): src/execute/caffe/** reads each layer's own parameters and never anything
 * `convert` produced. The PyTorch-semantics executor (src/execute/torch/**) runs the converter's
 * graph, so it may import convert, but the Caffe side must not import it either, directly or
 * through another file of execute/.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
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

/** Relative imports of a file (type-only ones included), as src-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => relative(SRC, resolve(dirname(join(SRC, file)), m[1]!.replace(/\.js$/, ".ts"))));
}

/** Every file `file` reaches through relative imports, itself included. */
function reachable(file: string): Set<string> {
  const seen = new Set<string>();
  const stack = [file];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    stack.push(...importsOf(f));
  }
  return seen;
}

const caffeSide = sourceFiles(join(SRC, "execute", "caffe")).map((f) => relative(SRC, f));

describe("the Caffe executor's independence from the converter", () => {
  it("has files to check", () => {
    expect(caffeSide.length).toBeGreaterThan(5);
  });

  it("src/execute/caffe/** never imports src/convert, directly or through other files", () => {
    const offenders = caffeSide.flatMap((f) => [...reachable(f)].filter((d) => d.startsWith(`convert/`)).map((d) => `${f} → ${d}`));
    expect(offenders).toEqual([]);
  });

  it("src/execute/caffe/** never imports the PyTorch-semantics executor", () => {
    const offenders = caffeSide.flatMap((f) => [...reachable(f)].filter((d) => d.startsWith("execute/torch/")).map((d) => `${f} → ${d}`));
    expect(offenders).toEqual([]);
  });

  it("the check sees an import of convert (a file of the torch executor does import it)", () => {
    expect([...reachable("execute/torch/graph.ts")].some((d) => d.startsWith("convert/"))).toBe(true);
  });
});
