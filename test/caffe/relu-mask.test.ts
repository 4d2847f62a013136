/**
 * Which ReLUs Caffe back-propagates through an overwritten mask (caffe/relu-mask.ts), and how
 * `lint` reports them in SARIF (the fixture fixtures/lint/relu-in-place-before-bn.prototxt).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { trainingReluMaskOverwrites } from "../../src/caffe/relu-mask.js";
import type { NetParameter } from "../../src/schema/caffe-types.js";
import { readNet } from "../../src/schema/read.js";
import { runCli } from "../cli/run-cli.js";

const FIXTURE = "fixtures/lint/relu-in-place-before-bn.prototxt";
const fixture = readFileSync(new URL(`../../${FIXTURE}`, import.meta.url), "utf8");

function found(text: string): string[] {
  const { model, found } = trainingReluMaskOverwrites(readNet(text, { allowUnknown: true, upgrade: true }).net as NetParameter);
  return found.map((f) => `${model.layers[f.relu]!.name} ← ${model.layers[f.writer]!.name} on ${f.blob}${f.reluInPlace ? " (in place)" : ""}`);
}

describe("overwritten ReLU masks", () => {
  it("finds the in-place ReLU before BatchNorm/Scale, not the ReLU after them", () => {
    expect(found(fixture)).toEqual(["relu1 ← bn1 on conv1 (in place)"]);
  });

  it("finds nothing in the same net without its loss (a deploy net never trains)", () => {
    expect(found(fixture.replace(/layer \{ name: "loss"[^\n]*\n/, ""))).toEqual([]);
  });

  it("finds an overwrite that only happens in TRAIN", () => {
    const trainOnly = fixture.replace('layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }', 'layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" include { phase: TRAIN } }');
    expect(found(trainOnly)).toEqual(["relu1 ← bn1 on conv1 (in place)"]);
    const testOnly = trainOnly.replace("include { phase: TRAIN }", "include { phase: TEST }");
    expect(found(testOnly)).toEqual(["relu1 ← scale1 on conv1 (in place)"]);
  });

  it("is reported by lint in SARIF with its rule id, the ReLU's line and the train phase", () => {
    const r = runCli(["lint", "--format", "sarif", FIXTURE]);
    // A warning: lint exits 0 unless an error is found.
    expect(r.status).toBe(0);
    const log = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; level: string; message: { text: string }; locations: { physicalLocation: { region: { startLine: number } } }[]; properties?: { phase?: string } }[]; tool: { driver: { rules: { id: string }[] } } }[] };
    const results = log.runs[0]!.results.filter((x) => x.ruleId === "relu-mask-overwritten");
    expect(results).toHaveLength(1);
    expect(results[0]!.level).toBe("warning");
    expect(results[0]!.locations[0]!.physicalLocation.region.startLine).toBe(18);
    expect(results[0]!.properties?.phase).toBe("train");
    expect(results[0]!.message.text).toContain("Caffe's ReLU backward takes its mask from the overwritten data");
    expect(log.runs[0]!.tool.driver.rules.map((x) => x.id)).toContain("relu-mask-overwritten");
  });
});
