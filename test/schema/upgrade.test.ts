import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Range } from "../../src/diagnostics/range.js";
import type { BoundMessage } from "../../src/schema/bind.js";
import { loadCaffeSchema } from "../../src/schema/load.js";
import { readNet, type ReadOptions, type ReadResult } from "../../src/schema/read.js";
import { upgradeNet } from "../../src/schema/upgrade.js";
import { UPGRADE_MESSAGES } from "../../src/schema/upgrade-messages.js";
import { V0_FIELD_RULES, V0_LAYER_TYPES } from "../../src/schema/upgrade-v0-fields.js";
import { V1_COPIED_FIELDS, V1_LAYER_TYPES } from "../../src/schema/upgrade-v1.js";

const fixtures = fileURLToPath(new URL("../../fixtures/legacy/", import.meta.url));
const corpus = "/work/shared/corpus/";
const CAFFENET_V1 = `${corpus}BVLC-caffe-2014__bvlc_reference_caffenet_train_val_V1.prototxt`;
const DEEPLAB = `${corpus}TheLegendAli-DeepLab-Context__vgg128_noup_train.prototxt`;

const read = (text: string, options: ReadOptions = {}): ReadResult => readNet(text, { upgrade: true, ...options });
const layers = (r: ReadResult): BoundMessage[] => (r.net["layer"] as BoundMessage[] | undefined) ?? [];
const layerNamed = (r: ReadResult, name: string): BoundMessage => layers(r).find((l) => l["name"] === name)!;
/** "line:col" of a range, and the text it starts with. */
const at = (r: ReadResult, range: Range | undefined): string => {
  if (!range) return "none";
  const p = r.lines.position(range.offset);
  return `${p.line}:${p.column} ${r.text.slice(range.offset, range.offset + range.length).split("\n")[0]}`;
};
const codes = (r: ReadResult): string[] => r.diagnostics.map((d) => d.code);

describe("legacy fixtures", () => {
  const names = readdirSync(fixtures).filter((f) => f.endsWith(".prototxt"));

  it("has a V1 and a V0 fixture at least", () => {
    expect(names).toEqual(expect.arrayContaining(["v1-train-val.prototxt", "v0-padding.prototxt"]));
  });

  for (const name of names) {
    it(`upgrades ${name} to the net and diagnostics in its .expected.json`, () => {
      const r = read(readFileSync(fixtures + name, "utf8"));
      const expected = JSON.parse(readFileSync(fixtures + name.replace(/\.prototxt$/, ".expected.json"), "utf8"));
      const diagnostics = r.diagnostics.map((d) => {
        const p = d.range ? r.lines.position(d.range.offset) : undefined;
        return { code: d.code, severity: d.severity, at: p ? `${p.line}:${p.column}` : null, data: d.data };
      });
      expect(JSON.parse(JSON.stringify(r.net))).toEqual(expected.net);
      expect(diagnostics).toEqual(expected.diagnostics);
    });
  }
});

describe("V1 to current", () => {
  it("maps every V1 LayerType enum value to a type string, as UpgradeV1LayerType does", () => {
    const values = [...loadCaffeSchema().enums.get("caffe.V1LayerParameter.LayerType")!.values.keys()];
    expect(Object.keys(V1_LAYER_TYPES).sort()).toEqual(values.sort());
    expect(V1_LAYER_TYPES).toMatchObject({
      CONVOLUTION: "Convolution", BNLL: "BNLL", INNER_PRODUCT: "InnerProduct", SOFTMAX_LOSS: "SoftmaxWithLoss",
      TANH: "TanH", IM2COL: "Im2col", HDF5_DATA: "HDF5Data", ABSVAL: "AbsVal", NONE: "",
    });
  });

  it("carries every V1 field across except the ones it converts", () => {
    const schema = loadCaffeSchema();
    const v1 = schema.message("caffe.V1LayerParameter");
    const current = schema.message("caffe.LayerParameter");
    const converted = ["type", "param", "blob_share_mode", "blobs_lr", "weight_decay", "layer"];
    expect([...V1_COPIED_FIELDS].sort()).toEqual([...v1.fields.keys()].filter((f) => !converted.includes(f)).sort());
    for (const name of V1_COPIED_FIELDS) {
      const from = v1.fields.get(name)!;
      const to = current.fields.get(name);
      expect(to, name).toBeDefined();
      expect([to!.kind, to!.repeated, to!.message?.fullName], name).toEqual([from.kind, from.repeated, from.message?.fullName]);
    }
  });

  it("upgrades the 2014 CaffeNet train_val to the types and lr_mults written in it", () => {
    const r = read(readFileSync(CAFFENET_V1, "utf8"));
    expect(r.format).toBe("V1");
    expect(r.net["layers"]).toBeUndefined();
    expect(layers(r).map((l) => `${l["name"]}:${l["type"]}`)).toEqual([
      "data:Data", "data:Data", "conv1:Convolution", "relu1:ReLU", "pool1:Pooling", "norm1:LRN",
      "conv2:Convolution", "relu2:ReLU", "pool2:Pooling", "norm2:LRN", "conv3:Convolution", "relu3:ReLU",
      "conv4:Convolution", "relu4:ReLU", "conv5:Convolution", "relu5:ReLU", "pool5:Pooling",
      "fc6:InnerProduct", "relu6:ReLU", "drop6:Dropout", "fc7:InnerProduct", "relu7:ReLU", "drop7:Dropout",
      "fc8:InnerProduct", "accuracy:Accuracy", "loss:SoftmaxWithLoss",
    ]);
    // Every learnable layer of the file says blobs_lr 1, 2 and weight_decay 1, 0.
    for (const name of ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]) {
      expect(layerNamed(r, name)["param"], name).toEqual([{ lr_mult: 1, decay_mult: 1 }, { lr_mult: 2, decay_mult: 0 }]);
    }
    expect(layers(r).filter((l) => l["param"] !== undefined)).toHaveLength(8);
    expect(layers(r)[0]).toMatchObject({ include: [{ phase: "TRAIN" }], transform_param: { crop_size: 227, mirror: true } });
    expect(layerNamed(r, "accuracy")["include"]).toEqual([{ phase: "TEST" }]);
    expect(layerNamed(r, "conv2")["convolution_param"]).toMatchObject({ num_output: 256, pad: [2], kernel_size: [5], group: 2 });
    expect(r.diagnostics).toEqual([{ code: "upgraded-format", severity: "info", range: expect.anything(), data: { from: "V1", layers: 26 } }]);
  });

  it("reads the DeepLab fork net leniently: fork-typed layers lose their type with a warning, nothing throws", () => {
    const r = read(readFileSync(DEEPLAB, "utf8"), { allowUnknown: true });
    expect(layers(r)).toHaveLength(43);
    const untyped = r.diagnostics.filter((d) => d.code === "upgraded-layer-without-type");
    expect(untyped.map((d) => [d.severity, d.data["layer"], d.data["value"], r.lines.position(d.range!.offset).line])).toEqual([
      ["warning", "data", "IMAGE_SEG_DATA", 21], ["warning", "label_shrink", "INTERP", 486], ["warning", "accuracy", "SEG_ACCURACY", 508],
    ]);
    expect(layerNamed(r, "label_shrink")["type"]).toBeUndefined();
    expect(layerNamed(r, "conv1_1")).toMatchObject({ type: "Convolution", param: [{ lr_mult: 1, decay_mult: 1 }, { lr_mult: 2, decay_mult: 0 }] });
    // The fork's own fields stay reachable through the upgraded layer, for fork-aware readers.
    expect(r.sourceMap.unknownFields(layerNamed(r, "label_shrink")).map((f) => f.name)).toEqual(["type", "interp_param"]);
  });

  it("points the upgraded layer, its type and its param entries at the V1 text", () => {
    const r = read(readFileSync(fixtures + "v1-train-val.prototxt", "utf8"));
    const ip1 = layerNamed(r, "ip1");
    const params = ip1["param"] as BoundMessage[];
    expect(at(r, r.sourceMap.rangeOf(ip1))).toBe("68:1 layers");
    expect(at(r, r.sourceMap.rangeOf(ip1, "type"))).toBe("70:3 type: INNER_PRODUCT");
    expect(at(r, r.sourceMap.rangeOf(ip1, "param", 2))).toBe("75:3 blobs_lr: 0");
    expect(at(r, r.sourceMap.rangeOf(params[0]!, "decay_mult"))).toBe("76:3 weight_decay: 1");
    // Which occurrence held the second value is unknown: the range spans both candidates.
    const second = r.sourceMap.rangeOf(params[1]!, "lr_mult")!;
    expect(r.text.slice(second.offset, second.offset + second.length)).toBe("blobs_lr: [1, 2]\n  blobs_lr: 0");
    expect(at(r, r.sourceMap.rangeOf(params[2]!))).toBe("75:3 blobs_lr");
    expect(at(r, r.sourceMap.rangeOf(r.net, "layer", 5))).toBe("68:1 layers {");
  });

  it("points transform fields moved out of data_param at where they were written", () => {
    const r = read(readFileSync(fixtures + "v1-train-val.prototxt", "utf8"));
    const [train, test] = layers(r) as [BoundMessage, BoundMessage];
    const transform = train["transform_param"] as BoundMessage;
    expect(at(r, r.sourceMap.rangeOf(transform, "mean_file"))).toBe("15:5 mean_file: \"mean.binaryproto\"");
    expect(at(r, r.sourceMap.rangeOf(train, "transform_param"))).toBe("14:5 scale: 0.00390625");
    expect(r.sourceMap.rangeOf(train["data_param"] as BoundMessage, "scale")).toBeUndefined();
    // An existing transform_param keeps its place; the overriding crop_size points at data_param's.
    expect(at(r, r.sourceMap.rangeOf(test, "transform_param"))).toBe("32:3 transform_param {");
    expect(at(r, r.sourceMap.rangeOf(test["transform_param"] as BoundMessage, "crop_size"))).toBe("30:5 crop_size: 28");
  });

  it("moves preprocessing only out of the parameter message of the layer's own type, as NetNeedsDataUpgrade looks", () => {
    const r = read('layers { name: "d" type: DATA image_data_param { scale: 2 } data_param { mirror: true } }');
    expect(layers(r)[0]).toEqual({ name: "d", type: "Data", image_data_param: { scale: 2 }, data_param: {}, transform_param: { mirror: true } });
  });

  it("gives a NONE-typed layer the empty type, as Caffe does, and warns", () => {
    const r = read('layers { name: "n" type: NONE }');
    expect(layers(r)).toEqual([{ name: "n", type: "" }]);
    expect(r.diagnostics.find((d) => d.code === "upgraded-layer-without-type")?.data).toEqual({ layer: "n", value: "NONE" });
  });

  it("moves learned blobs across with the layer", () => {
    const r = read('layers { name: "c" type: INNER_PRODUCT blobs { shape { dim: 2 } data: [0.5, -1] } }');
    expect(layers(r)[0]!["blobs"]).toEqual([{ shape: { dim: [2] }, data: [0.5, -1] }]);
  });

  it("keeps the legacy net inputs as written instead of making an Input layer", () => {
    const r = read(readFileSync(fixtures + "v1-deploy-shared.prototxt", "utf8"));
    expect(r.net["input"]).toEqual(["a", "b"]);
    expect(r.net["input_dim"]).toEqual([1, 1, 8, 8, 1, 1, 8, 8]);
    expect(layers(r).some((l) => l["type"] === "Input")).toBe(false);
  });

  it("upgrades a net read without locations", () => {
    const r = read(readFileSync(CAFFENET_V1, "utf8"), { locations: false });
    expect(layers(r)).toHaveLength(26);
    expect(r.diagnostics.map((d) => [d.code, d.range])).toEqual([["upgraded-format", undefined]]);
  });
});

describe("V0 to current", () => {
  it("maps V0 type strings and fields only to names the schema has", () => {
    const schema = loadCaffeSchema();
    const v1Types = schema.enums.get("caffe.V1LayerParameter.LayerType")!.values;
    for (const t of Object.values(V0_LAYER_TYPES)) expect(v1Types.has(t), t).toBe(true);
    const v0 = schema.message("caffe.V0LayerParameter");
    const v1 = schema.message("caffe.V1LayerParameter");
    for (const rule of V0_FIELD_RULES) {
      expect(v0.fields.has(rule.v0), rule.v0).toBe(true);
      for (const target of [rule.always, ...Object.values(rule.byType ?? {})].filter((t) => t !== undefined)) {
        const param = v1.fields.get(target.param);
        expect(param?.kind, target.param).toBe("message");
        if (target.field) {
          const field = param!.message!.fields.get(target.field);
          expect(field, `${target.param}.${target.field}`).toBeDefined();
          expect(field!.repeated, `${target.param}.${target.field}`).toBe(target.add === true);
        }
      }
    }
    // Every other V0 field is carried by name, or dropped by Caffe without a word.
    const handled = new Set([...V0_FIELD_RULES.map((r) => r.v0), "name", "type", "blobs", "blobs_lr", "weight_decay", "new_num", "new_channels"]);
    expect([...v0.fields.keys()].filter((f) => !handled.has(f))).toEqual([]);
  });

  it("folds padding layers into the convolution and pooling they feed, rewiring their bottoms", () => {
    const r = read(readFileSync(fixtures + "v0-padding.prototxt", "utf8"));
    expect(r.format).toBe("V0");
    expect(layers(r).map((l) => [l["name"], l["bottom"]])).toEqual([
      ["conv1", ["data"]], ["relu1", ["conv1"]], ["pool1", ["conv1"]], ["norm1", ["pool1"]],
      ["fc1", ["norm1"]], ["drop1", ["fc1"]], ["prob", ["fc1"]],
    ]);
    expect(layerNamed(r, "conv1")["convolution_param"]).toMatchObject({ pad: [2] });
    expect(layerNamed(r, "pool1")["pooling_param"]).toMatchObject({ pad: 1 });
  });

  it("points V0 options at the V0 text, and a folded pad at the padding layer's pad", () => {
    const r = read(readFileSync(fixtures + "v0-padding.prototxt", "utf8"));
    const conv1 = layerNamed(r, "conv1");
    const conv = conv1["convolution_param"] as BoundMessage;
    expect(at(r, r.sourceMap.rangeOf(conv1))).toBe("19:1 layers");
    expect(at(r, r.sourceMap.rangeOf(conv1, "type"))).toBe("22:5 type: \"conv\"");
    expect(at(r, r.sourceMap.rangeOf(conv1, "bottom"))).toBe("33:3 bottom: \"pad1\"");
    expect(at(r, r.sourceMap.rangeOf(conv))).toBe("23:5 num_output");
    expect(at(r, r.sourceMap.rangeOf(conv, "pad"))).toBe("14:5 pad: 2");
    expect(at(r, r.sourceMap.rangeOf(conv, "kernel_size"))).toBe("24:5 kernelsize: 5");
    expect(at(r, r.sourceMap.rangeOf(conv["weight_filler"] as BoundMessage, "std"))).toBe("26:38 std: 0.01");
    expect(at(r, r.sourceMap.rangeOf((conv1["param"] as BoundMessage[])[1]!, "decay_mult"))).toBe("31:5 weight_decay: 0.");
    expect(at(r, r.sourceMap.rangeOf(r.net, "layer", 0))).toBe("19:1 layers {");
  });

  it("reports what Caffe aborts on as errors and what it drops as warnings, without throwing", () => {
    const r = read(readFileSync(fixtures + "v0-problems.prototxt", "utf8"));
    expect(codes(r)).toEqual(["upgraded-format", "v0-padding-misuse", "unknown-v0-layer-type", "v0-field-ignored", "v0-upgrade-drops-fields"]);
    expect(r.diagnostics.map((d) => d.severity)).toEqual(["info", "error", "error", "warning", "warning"]);
  });

  it("names the consumer's shape problem when a padding layer feeds a layer with two bottoms", () => {
    const text = [
      'input: "a" input: "b"',
      'layers { layer { name: "p" type: "padding" pad: 1 } bottom: "a" top: "pa" }',
      'layers { layer { name: "c" type: "conv" } bottom: "pa" bottom: "b" top: "c" }',
    ].join("\n");
    const r = read(text);
    expect(r.diagnostics.find((d) => d.code === "v0-padding-misuse")?.data).toEqual({ layer: "c", padding: "p", reason: "consumer-bottoms" });
    expect(layers(r)[0]!["bottom"]).toEqual(["pa", "b"]);
  });
});

describe("nets that need no upgrade, or must not get one", () => {
  it("reports a net mixing layer and layers and changes nothing", () => {
    const text = readFileSync(fixtures + "mixed-formats.prototxt", "utf8");
    const r = read(text);
    expect(r.format).toBe("mixed");
    expect(r.net).toEqual(readNet(text).net);
    expect(r.diagnostics.map((d) => [d.code, d.severity, at(r, d.range)])).toEqual([["mixed-layer-formats", "error", "12:1 layers"]]);
  });

  it("leaves a current-format net alone and says nothing", () => {
    const r = readNet('layer { name: "x" type: "ReLU" bottom: "a" top: "a" }');
    const before = JSON.stringify(r.net);
    expect(upgradeNet(r.net, r.sourceMap)).toEqual([]);
    expect(JSON.stringify(r.net)).toBe(before);
  });

  it("leaves legacy layers as they are when the upgrade is not asked for", () => {
    const r = readNet(readFileSync(fixtures + "v1-deploy-shared.prototxt", "utf8"));
    expect(r.net["layer"]).toBeUndefined();
    expect((r.net["layers"] as BoundMessage[])[0]!["type"]).toBe("CONVOLUTION");
  });
});

describe("upgrade diagnostics", () => {
  it("have an English rendering for every code the upgrade emits beyond the two the messages module words", () => {
    const texts = ["v0-problems", "v1-train-val", "v0-data"].map((f) => readFileSync(`${fixtures}${f}.prototxt`, "utf8"));
    texts.push(readFileSync(DEEPLAB, "utf8"), 'layers { name: "n" type: NONE }');
    const emitted = new Set(
      texts.flatMap((t) => {
        const r = readNet(t, { allowUnknown: true });
        return upgradeNet(r.net, r.sourceMap).map((d) => d.code);
      }),
    );
    emitted.delete("upgraded-format");
    expect([...emitted].sort()).toEqual(Object.keys(UPGRADE_MESSAGES).sort());
  });
});
