import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRecording, RecordFormatError } from "../../../src/verify/net/record.js";
import { isFull } from "../../../src/verify/net/records.js";
import { NETS_DIR } from "./golden.js";

const load = (name: string) => [readFileSync(join(NETS_DIR, name, "record.json"), "utf8"), readFileSync(join(NETS_DIR, name, "record.safetensors"))] as const;

describe("readRecording (the golden-nets format)", () => {
  it("reads the inputs and every layer's tops of a zoo net, all in full", () => {
    const r = readRecording(...load("zoo_tensor"));
    expect([...r.inputs.keys()]).toEqual(["data", "w", "ids"]);
    expect(r.inputs.get("data")!.shape).toEqual([2, 4, 13, 11]);
    expect(r.layers.find((l) => l.name === "slice_c")!.tops.length).toBe(3);
    expect(r.layers.every((l) => l.tops.every(isFull))).toBe(true);
    expect(r.phase).toBe("TEST");
  });

  it("reads the tops of a real net stored as samples and statistics", () => {
    const r = readRecording(...load("squeezenet_v1_1"));
    const sampled = r.layers.flatMap((l) => l.tops).filter((t) => !isFull(t));
    expect(sampled.length).toBeGreaterThan(50);
  });

  it("names where a malformed record.json goes wrong", () => {
    const [json, st] = load("zoo_pool");
    const doc = JSON.parse(json) as { layers: { tops: { shape: unknown }[] }[] };
    doc.layers[2]!.tops[0]!.shape = "big";
    expect(() => readRecording(JSON.stringify(doc), st)).toThrow(RecordFormatError);
    expect(() => readRecording(JSON.stringify(doc), st)).toThrow(/record\.json \.layers\[2\]\.tops\[0\]\.shape: expected a list of sizes, found "big"/);
    expect(() => readRecording("{", st)).toThrow(/record\.json is not JSON/);
    expect(() => readRecording(json, new Uint8Array(3))).toThrow(/record\.safetensors: shorter than 8 bytes/);
  });

  it("checks that a tensor named in record.json exists and fits its shape", () => {
    const [json, st] = load("zoo_pool");
    const doc = JSON.parse(json) as { layers: { tops: { tensor: string; shape: number[] }[] }[] };
    doc.layers[3]!.tops[0]!.tensor = "top/nothing/0";
    expect(() => readRecording(JSON.stringify(doc), st)).toThrow(/tensor "top\/nothing\/0" is not in record\.safetensors/);
  });
});
