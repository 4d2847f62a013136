/**
 * A layer that cannot be converted is refused with a reason in words (a code in the core, its
 * English in src/convert/layers/messages.ts); an unknown type gets a did-you-mean against every
 * type we know. With stubs (`--allow-stubs`), each such layer becomes a CaffeLayerStub module
 * that raises NotImplementedError naming the layer, its type and why, and keeps the layer's
 * prototxt text (and a Python layer's python_param) as escaped literals.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { LAYER_CONVERTERS } from "../../src/convert/layers/index.js";
import { isLayerNoteCode, isRefusalCode, layerNoteMessage, refusalMessage } from "../../src/convert/layers/messages.js";
import { ROOT } from "../helpers/paths.js";
import { requireTorch, runPythonJson, skipWithoutTorch } from "../helpers/python.js";
import { graphOf, writeExport } from "./support.js";

const CHECKER = fileURLToPath(new URL("./check_stubs.py", import.meta.url));
const LAYERS_DIR = join(ROOT, "src", "convert", "layers");

/** A net with a convertible layer, then one of each kind of layer we cannot convert. */
const NET = `name: "stubs"
input: "data"
input_shape { dim: 2 dim: 3 dim: 8 dim: 8 }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 4 kernel_size: 3 } }
layer { name: "norm" type: "SPP" bottom: "conv" top: "norm" spp_param { pyramid_height: 2 } }
layer {
  name: "py"
  type: "Python"
  bottom: "norm"
  top: "py"
  python_param { module: "my_layers" layer: "Gate" param_str: "{'k': \\"v\\"}\\n" }
}
layer { name: "typo" type: "Convolutoin" bottom: "py" top: "typo" }
layer { name: "interp" type: "SegAccuracy" bottom: "typo" top: "interp" }
layer { name: "relu" type: "relu" bottom: "interp" top: "interp" }
layer { name: "weird" type: "Zzqx" bottom: "interp" top: "out" }
`;

/** Every `refused: "code"` written in src/convert/layers (converters, and the unknown-type refusal). */
function refusalCodesInSource(): Set<string> {
  const codes = new Set<string>();
  for (const file of readdirSync(LAYERS_DIR).filter((f) => f.endsWith(".ts"))) {
    for (const m of readFileSync(join(LAYERS_DIR, file), "utf8").matchAll(/refused:\s*"([^"]+)"/g)) codes.add(m[1]!);
  }
  return codes;
}

describe("refusals are words", () => {
  it("every refusal code a converter can return has an English message in the catalogue", () => {
    const codes = refusalCodesInSource();
    expect(codes.size).toBeGreaterThan(10);
    expect([...codes].filter((c) => !isRefusalCode(c))).toEqual([]);
    expect(isLayerNoteCode("stub")).toBe(true);
  });

  it("an unknown type suggests the closest known type (typos and wrong case), or nothing when none is close", () => {
    const graph = graphOf(NET);
    const reason = (layer: string) => {
      const u = graph.unsupported.find((x) => x.layer === layer)!;
      return refusalMessage(u.reason, u.data);
    };
    expect(reason("typo")).toBe('neither BVLC Caffe nor a Caffe fork caffe2torch knows has a layer type "Convolutoin"; did you mean "Convolution"?');
    expect(reason("relu")).toBe('neither BVLC Caffe nor a Caffe fork caffe2torch knows has a layer type "relu"; did you mean "ReLU"?');
    expect(reason("weird")).toBe('neither BVLC Caffe nor a Caffe fork caffe2torch knows has a layer type "Zzqx"');
  });

  it("a BVLC type without a converter, a fork's type and a Python layer each say so, the Python layer with its class and module", () => {
    const graph = graphOf(NET);
    const byLayer = Object.fromEntries(graph.unsupported.map((u) => [u.layer, refusalMessage(u.reason, u.data)]));
    expect(byLayer["norm"]).toBe("caffe2torch has no converter for Caffe's SPP layer yet");
    expect(byLayer["interp"]).toBe("SegAccuracy is a layer of DeepLab Caffe, not of BVLC Caffe, and caffe2torch does not convert it");
    expect(byLayer["py"]).toBe('it is a Caffe Python layer (class "Gate" of module "my_layers"): its forward is Python code that caffe2torch cannot translate; port it to a torch module, a stand-in for key "my_layers.Gate" of build(stand_ins=...)');
  });

  it("shape refusals name the cause instead of a code", () => {
    expect(refusalMessage("input-shape-unknown")).toMatch(/^the shape of its input is unknown \(a data layer that does not state its size/);
    expect(refusalMessage("conv-groups", { groups: 3, in: 4, out: 6 })).toBe("group 3 does not divide both the 4 input channels and the 6 outputs");
    expect(refusalMessage("axis-out-of-range", { axis: 5, rank: 4 })).toBe("axis 5 is outside the input's 4 axes");
  });

  it("lists every unsupported layer with its line and column, in file order, and makes no stub without --allow-stubs", () => {
    const graph = graphOf(NET);
    expect(graph.unsupported.map((u) => [u.layer, u.line, u.column])).toEqual([
      ["norm", 5, 1],
      ["py", 6, 1],
      ["typo", 13, 1],
      ["interp", 14, 1],
      ["relu", 15, 1],
      ["weird", 16, 1],
    ]);
    expect(graph.nodes.some((n) => n.stub !== undefined)).toBe(false);
  });

  it("the did-you-mean candidates include every type export converts", () => {
    for (const type of LAYER_CONVERTERS.keys()) {
      const misspelt = `${type}x`;
      const graph = graphOf(`input: "d" input_shape { dim: 1 dim: 1 dim: 4 dim: 4 }\nlayer { name: "l" type: "${misspelt}" bottom: "d" top: "t" }\n`);
      const data = graph.unsupported[0]?.data;
      // A longer type may be closer to another known type; a suggestion is always given.
      expect(data?.["suggestion"], type).toBeTruthy();
    }
  });
});

describe("--allow-stubs: a stub module per layer that cannot be converted", () => {
  it("each unsupported layer becomes a CaffeLayerStub node with a note whose words give the reason", () => {
    const graph = graphOf(NET, { stubs: true });
    const stubs = graph.nodes.filter((n) => n.stub !== undefined);
    expect(stubs.map((n) => n.layer)).toEqual(graph.unsupported.map((u) => u.layer));
    const norm = stubs[0]!;
    expect(norm).toMatchObject({ module: { cls: "CaffeLayerStub" }, call: { kind: "module" }, helpers: ["CaffeLayerStub"], params: [] });
    expect(norm.stub!.prototxt).toBe('layer { name: "norm" type: "SPP" bottom: "conv" top: "norm" spp_param { pyramid_height: 2 } }');
    expect(layerNoteMessage(norm.notes[0]!.code, norm.notes[0]!.data)).toBe("a stub that raises NotImplementedError: caffe2torch has no converter for Caffe's SPP layer yet");
    expect(stubs[1]!.stub!.python).toEqual({ module: "my_layers", layer: "Gate", param_str: "{'k': \"v\"}\n" });
  });

  let dir: string | undefined;
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skipWithoutTorch)(
    "under PyTorch: the stub raises NotImplementedError naming the layer, type, reason and (Python) class and param_str; replaced by a module of one's own, the net runs",
    () => {
      requireTorch();
      dir = mkdtempSync(join(tmpdir(), "caffe2torch-stubs-"));
      const path = writeExport(graphOf(NET, { stubs: true }), dir);
      interface Report {
        stubs: Record<
          string,
          {
            class: string;
            caffe_name: string;
            caffe_type: string;
            attribute: string;
            reason: string;
            prototxt: string;
            python: Record<string, string> | null;
            param_str: string;
            bottoms: string[];
            tops: string[];
            top_shapes: (number[] | null)[];
            keys: string[];
          }
        >;
        raised: { type: string; message: string } | null;
        messages: Record<string, string>;
        replaced_outputs: number[][];
        stand_in_classes: Record<string, string>;
        stand_in_given: Record<string, string>;
        stand_in_training: boolean[];
        stand_in_outputs: number[][];
        stand_in_doubles: boolean;
        unused_key_error: string | null;
      }
      const r = runPythonJson<Report>(CHECKER, [path]);
      expect(Object.keys(r.stubs)).toEqual(["norm", "py", "typo", "interp", "relu", "weird"]);
      expect(r.raised?.type).toBe("NotImplementedError");
      expect(r.raised?.message).toBe(
        "Caffe layer 'norm' of type 'SPP' was not converted: caffe2torch has no converter for Caffe's SPP layer yet. Put your module in its place: build(stand_ins={'SPP': MyLayer}) or net.norm = MyLayer(net.norm), whose forward takes 1 bottom(s) and returns the top(s); the layer's parameters are in net.norm.prototxt.",
      );
      const py = r.stubs["py"]!;
      expect(py.python).toEqual({ module: "my_layers", layer: "Gate", param_str: "{'k': \"v\"}\n" });
      expect(py.prototxt).toBe(NET.split("\n").slice(5, 12).join("\n"));
      expect(r.stubs["typo"]!.reason).toContain('did you mean "Convolution"?');
      expect(r.messages["py"]).toBe(
        `Caffe layer 'py' of type 'Python' was not converted: it is a Caffe Python layer (class "Gate" of module "my_layers"): its forward is Python code that caffe2torch cannot translate; port it to a torch module, a stand-in for key "my_layers.Gate" of build(stand_ins=...). Caffe gives the class self.param_str = '{\\'k\\': "v"}\\n'. Put your module in its place: build(stand_ins={'my_layers.Gate': MyLayer}) or net.py = MyLayer(net.py), whose forward takes 1 bottom(s) and returns the top(s); the layer's parameters are in net.py.prototxt.`,
      );
      expect(Object.keys(r.messages)).toEqual(Object.keys(r.stubs));
      expect(r.replaced_outputs).toEqual([[2, 4, 6, 6]]);
    },
  );

  it.skipIf(skipWithoutTorch)(
    "under PyTorch: build(stand_ins=...) puts a user's modules in the stubs' places by layer name, Python class or type, in the phase's mode; a key that selects no stub is an error",
    () => {
      requireTorch();
      dir ??= mkdtempSync(join(tmpdir(), "caffe2torch-stubs-"));
      const path = writeExport(graphOf(NET, { stubs: true }), join(dir, "stand-ins"));
      const r = runPythonJson<{
        stubs: Record<string, { param_str: string; bottoms: string[]; tops: string[]; top_shapes: (number[] | null)[]; keys: string[] }>;
        stand_in_classes: Record<string, string>;
        stand_in_given: Record<string, string>;
        stand_in_training: boolean[];
        stand_in_outputs: number[][];
        stand_in_doubles: boolean;
        unused_key_error: string | null;
      }>(CHECKER, [path]);
      // What a stand-in's factory is given: blob names, Caffe's shapes of the tops, param_str, its keys.
      expect(r.stubs["py"]).toMatchObject({ param_str: "{'k': \"v\"}\n", bottoms: ["norm"], tops: ["py"], top_shapes: [null], keys: ["py", "my_layers.Gate", "Python"] });
      expect(r.stubs["norm"]).toMatchObject({ param_str: "", bottoms: ["conv"], keys: ["norm", "SPP"] });
      // Keys by type (SPP, Convolutoin, Zzqx), Python class (my_layers.Gate) and layer name (interp, relu).
      expect(r.stand_in_classes).toEqual({ norm: "Identity", py: "Doubler", typo: "Identity", interp: "Identity", relu: "ReLU", weird: "Identity" });
      expect(r.stand_in_given).toEqual({ caffe_name: "py", param_str: "{'k': \"v\"}\n" });
      expect(r.stand_in_doubles).toBe(true);
      expect(r.stand_in_training.every((t) => !t), "TEST phase: every module in eval()").toBe(true);
      expect(r.stand_in_outputs).toEqual([[2, 4, 6, 6]]);
      expect(r.unused_key_error).toContain("'my_layers.Gatee'");
      expect(r.unused_key_error).toContain("'my_layers.Gate'");
    },
  );
});
