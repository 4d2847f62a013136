import { describe, expect, it } from "vitest";
import type { ConvertResult } from "../../src/convert/types.js";
import { emitJson } from "../../src/emit/json.js";
import { deployResult, trainResult } from "./fixtures.js";

/** Rebuilds every object with its keys in reverse order, as another converter might. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, reversedKeys(v)]));
}

describe("emitJson", () => {
  const text = emitJson(deployResult());

  it("indents by two spaces and ends with one newline", () => {
    expect(text.startsWith('{\n  "source": ')).toBe(true);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.endsWith("\n\n")).toBe(false);
  });

  it("parses back to the same result", () => {
    expect(JSON.parse(text)).toEqual(deployResult());
    expect(JSON.parse(emitJson(trainResult()))).toEqual(trainResult());
  });

  it("writes keys in contract order whatever order the objects were built in", () => {
    expect(emitJson(reversedKeys(deployResult()) as ConvertResult)).toBe(text);
    const topKeys = [...text.matchAll(/^ {2}"(\w+)":/gm)].map((m) => m[1]);
    expect(topKeys).toEqual(["source", "net", "phase", "blocks", "unpaired", "diagnostics"]);
    const torchKeys = [...text.split('"torch": {')[1]!.split("}")[0]!.matchAll(/"(\w+)":/g)].map((m) => m[1]);
    expect(torchKeys).toEqual([
      "module", "num_features", "eps", "momentum", "affine", "track_running_stats",
      "weight_requires_grad", "bias_requires_grad", "mode",
    ]);
  });

  it("keeps fields it does not know, after the known ones, sorted", () => {
    const result = trainResult() as ConvertResult & { zeta?: number; alpha?: number };
    result.zeta = 1;
    result.alpha = 2;
    const keys = Object.keys(JSON.parse(emitJson(result)) as object);
    expect(keys.slice(-2)).toEqual(["alpha", "zeta"]);
  });

  it("escapes lone surrogates so the output is well-formed Unicode", () => {
    const result = trainResult();
    result.source = "bad \ud800 name";
    expect(emitJson(result)).toContain('"source": "bad \\ud800 name"');
  });

  it("honours a different indent", () => {
    expect(emitJson(trainResult(), { indent: 4 }).startsWith('{\n    "source"')).toBe(true);
  });
});
