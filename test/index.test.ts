import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import { ROOT } from "./helpers/paths.js";

describe("the programmatic API (src/index.ts)", () => {
  it("reads, converts and emits without touching the process", () => {
    const text = readFileSync(join(ROOT, "examples", "resnet18-deploy.prototxt"), "utf8");
    const read = api.readNet(text, { allowUnknown: true, upgrade: true });
    const result = api.convertNet(read, { phase: "TEST", source: "example" });
    expect(result.blocks).toHaveLength(20);
    expect(JSON.parse(api.emitJson(result)).blocks[0].torch.module).toBe("BatchNorm2d");
    expect(api.emitPython(result)).toContain("def build(");
  });

  it("encodes and decodes a net, and the bytes survive a round trip", () => {
    const { bytes, diagnostics } = api.encodeNet('name: "n"\nlayer { name: "a" type: "ReLU" bottom: "x" top: "x" }\n');
    expect(diagnostics).toEqual([]);
    const decoded = api.decodeNet(bytes!);
    expect(decoded.net["layer"]).toEqual([{ name: "a", type: "ReLU", bottom: ["x"], top: ["x"] }]);
  });

  it("is what package.json exports", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, { import: string; types: string }> };
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js" });
  });
});
