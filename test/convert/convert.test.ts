import { describe, expect, it } from "vitest";
import { createRegistry, CONVERTERS, defaultRegistry } from "../../src/convert/registry.js";
import { isNoteCode, noteMessage } from "../../src/convert/notes.js";
import { torchMode } from "../../src/convert/converters/batch-norm.js";
import { convertNetDetailed } from "../../src/convert/convert.js";
import { readNet } from "../../src/schema/read.js";
import { convertText } from "./summary.js";

const NET = `name: "n"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 8 dim: 8 } } }
layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" }
layer { name: "sc" type: "Scale" bottom: "data" top: "data" scale_param { bias_term: true } }
`;

describe("converter registry", () => {
  it("lists one converter per BatchNorm-type layer type", () => {
    expect([...defaultRegistry.keys()]).toEqual(["BatchNorm", "BN"]);
  });
  it("refuses two converters for the same layer type", () => {
    expect(() => createRegistry([...CONVERTERS, CONVERTERS[0]!])).toThrow(/duplicate converter for layer type "BatchNorm"/);
  });
});

describe("mode from use_global_stats and phase", () => {
  it("maps the four combinations", () => {
    expect(torchMode("TRAIN", false)).toBe("train");
    expect(torchMode("TRAIN", true)).toBe("frozen");
    expect(torchMode("TEST", true)).toBe("eval");
    expect(torchMode("TEST", false)).toBe("batch-stats");
  });
});

describe("convertNet", () => {
  it("fills the result's header and the block's source position", () => {
    const r = convertText(NET, "TEST", "net.prototxt");
    expect(r).toMatchObject({ source: "net.prototxt", net: "n", phase: "TEST", unpaired: [] });
    expect(r.blocks[0]).toMatchObject({ batchnorm: "bn", scale: "sc", input: "data", output: "data", input_shape: [2, 3, 8, 8], line: 3, column: 1 });
  });
  it("marks a block exact and says how when --exact is asked for", () => {
    const b = convertText(NET, "TRAIN", "x", true).blocks[0]!;
    expect(b.exact).toBe(true);
    expect(b.notes.map((n) => n.code)).toEqual(["exact-emulation"]);
  });
  it("words the momentum note with the numbers", () => {
    const note = convertText(NET, "TRAIN").blocks[0]!.notes.find((n) => n.code === "momentum-not-exact")!;
    expect(note.message).toContain("momentum = 1 − 0.999 = 0.001");
    expect(note.message).toContain("k = 6905 steps");
  });
  it("gives every note code an English message", () => {
    for (const code of ["mode-frozen", "no-scale", "stats-lr-mult", "fork-pspnet", "rank-unknown"]) {
      expect(isNoteCode(code)).toBe(true);
      expect(noteMessage(code, {})).not.toBe(code);
    }
  });
  it("renders its own diagnostics with line and column", () => {
    const r = convertText(`layer { name: "r" type: "ReLU" bottom: "ghost" top: "out" }`, "TEST");
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ code: "unknown-bottom", severity: "warning", line: 1, column: expect.any(Number), message: expect.stringContaining("ghost") }),
    ]);
  });
  it("reports a fraction outside [0, 1] as an error at the field", () => {
    const r = convertText(NET.replace('top: "data" }\nlayer { name: "sc"', 'top: "data" batch_norm_param { moving_average_fraction: -0.5 } }\nlayer { name: "sc"'), "TEST");
    expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.line])).toEqual([["fraction-out-of-range", 3]]);
  });
  it("analyses legacy V1 layers after the reader's upgrade", () => {
    const v1 = `layers { name: "data" type: DATA top: "data" data_param { batch_size: 4 } transform_param { crop_size: 8 } }
layers { name: "conv" type: CONVOLUTION bottom: "data" top: "conv" blobs_lr: 1 convolution_param { num_output: 5 kernel_size: 3 } }`;
    const { analysis } = convertNetDetailed(readNet(v1, { upgrade: true, allowUnknown: true }), { phase: "TRAIN", source: "v1" });
    expect(analysis.model.layers.map((l) => l.type)).toEqual(["Data", "Convolution"]);
    expect(analysis.shapes).toEqual([[4, null, 8, 8], [4, 5, 6, 6]]);
  });
  it("never throws on broken input", () => {
    for (const text of ["", "layer {", "layer { type: \"BatchNorm\" }", "layer { name: \"bn\" type: \"BatchNorm\" bottom: \"a\" bottom: \"b\" }", "input: \"x\" input_dim: 1"]) {
      expect(() => convertText(text, "TEST")).not.toThrow();
    }
  });
});
