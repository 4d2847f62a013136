import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Range } from "../diagnostics/range.js";
import type { BoundMessage } from "./bind.js";
import type { SourceMap } from "./locations.js";
import { copyFieldRanges, fieldRanges, messageRange, noteMovedField, successorLocation, valueRange } from "./upgrade-location.js";

/**
 * The V2 type string of every `caffe.V1LayerParameter.LayerType` value, as Caffe's
 * UpgradeV1LayerType returns it. NONE becomes the empty string there too.
 */
export const V1_LAYER_TYPES: Readonly<Record<string, string>> = {
  NONE: "",
  ABSVAL: "AbsVal",
  ACCURACY: "Accuracy",
  ARGMAX: "ArgMax",
  BNLL: "BNLL",
  CONCAT: "Concat",
  CONTRASTIVE_LOSS: "ContrastiveLoss",
  CONVOLUTION: "Convolution",
  DECONVOLUTION: "Deconvolution",
  DATA: "Data",
  DROPOUT: "Dropout",
  DUMMY_DATA: "DummyData",
  EUCLIDEAN_LOSS: "EuclideanLoss",
  ELTWISE: "Eltwise",
  EXP: "Exp",
  FLATTEN: "Flatten",
  HDF5_DATA: "HDF5Data",
  HDF5_OUTPUT: "HDF5Output",
  HINGE_LOSS: "HingeLoss",
  IM2COL: "Im2col",
  IMAGE_DATA: "ImageData",
  INFOGAIN_LOSS: "InfogainLoss",
  INNER_PRODUCT: "InnerProduct",
  LRN: "LRN",
  MEMORY_DATA: "MemoryData",
  MULTINOMIAL_LOGISTIC_LOSS: "MultinomialLogisticLoss",
  MVN: "MVN",
  POOLING: "Pooling",
  POWER: "Power",
  RELU: "ReLU",
  SIGMOID: "Sigmoid",
  SIGMOID_CROSS_ENTROPY_LOSS: "SigmoidCrossEntropyLoss",
  SILENCE: "Silence",
  SOFTMAX: "Softmax",
  SOFTMAX_LOSS: "SoftmaxWithLoss",
  SPLIT: "Split",
  SLICE: "Slice",
  TANH: "TanH",
  WINDOW_DATA: "WindowData",
  THRESHOLD: "Threshold",
};

/**
 * The V1 fields UpgradeV1LayerParameter copies across whole under the same name, in its order:
 * the connections and rules first, then every layer-specific message, transform_param and
 * loss_param last.
 */
export const V1_COPIED_FIELDS: readonly string[] = [
  "bottom", "top", "name", "include", "exclude", "blobs", "loss_weight",
  "accuracy_param", "argmax_param", "concat_param", "contrastive_loss_param", "convolution_param",
  "data_param", "dropout_param", "dummy_data_param", "eltwise_param", "exp_param", "hdf5_data_param",
  "hdf5_output_param", "hinge_loss_param", "image_data_param", "infogain_loss_param",
  "inner_product_param", "lrn_param", "memory_data_param", "mvn_param", "pooling_param",
  "power_param", "relu_param", "sigmoid_param", "softmax_param", "slice_param", "tanh_param",
  "threshold_param", "window_data_param", "transform_param", "loss_param",
];

/**
 * The parallel per-blob lists of a V1 layer and the ParamSpec field each becomes. Entry i of
 * every list lands in `param[i]`, creating entries as needed, as UpgradeV1LayerParameter does
 * (V1 `param` held share names; `blob_share_mode` uses the same enum names as ParamSpec).
 */
const PER_BLOB_FIELDS: readonly (readonly [v1: string, spec: string])[] = [
  ["param", "name"],
  ["blob_share_mode", "share_mode"],
  ["blobs_lr", "lr_mult"],
  ["weight_decay", "decay_mult"],
];

/** Where an upgraded layer came from, for diagnostics. */
export interface V1UpgradeContext {
  sourceMap: SourceMap;
  diagnostics: Diagnostic[];
  /** Warn about a missing type (off for layers from V0, whose upgrade reports its own problems). */
  warnMissingType: boolean;
}

/**
 * Converts one V1 layer to a `caffe.LayerParameter`, as Caffe's UpgradeV1LayerParameter does.
 * Nested messages are moved, not copied (the V1 layer is discarded), so their own locations
 * stay valid. The new layer is mapped to the V1 layer's location.
 */
export function upgradeV1Layer(v1: BoundMessage, ctx: V1UpgradeContext): BoundMessage {
  const { sourceMap } = ctx;
  // Name and type first, so the upgraded layer reads like one written in the current format.
  const layer: BoundMessage = v1["name"] === undefined ? {} : { name: v1["name"] };
  const type = upgradedType(v1, ctx);
  if (type !== undefined) layer["type"] = type;
  for (const name of V1_COPIED_FIELDS) {
    const value = v1[name];
    if (value === undefined || name === "name") continue;
    layer[name] = Array.isArray(value) ? value.slice() : value;
  }
  const v1Loc = sourceMap.get(v1);
  if (v1Loc) {
    const loc = successorLocation(v1Loc);
    copyFieldRanges(v1Loc, loc, [...V1_COPIED_FIELDS, "type"]);
    sourceMap.set(layer, loc);
  }
  const params = perBlobParams(v1, sourceMap);
  if (params.length > 0) {
    layer["param"] = params;
    const loc = sourceMap.get(layer);
    const ranges = params.map((p) => sourceMap.get(p)?.range).filter((r) => r !== undefined);
    if (loc && ranges.length > 0) loc.fields.set("param", ranges);
  }
  return layer;
}

/** The V2 type of a V1 layer, or undefined (with a warning) when the V1 layer has none we know. */
function upgradedType(v1: BoundMessage, ctx: V1UpgradeContext): string | undefined {
  const v1Type = v1["type"];
  const type = typeof v1Type === "string" && Object.hasOwn(V1_LAYER_TYPES, v1Type) ? V1_LAYER_TYPES[v1Type] : undefined;
  if ((type === undefined || type === "") && ctx.warnMissingType) {
    // A fork's enum value (DeepLab's IMAGE_SEG_DATA, ...) never reaches the bound object: lenient
    // binding kept it aside, with its own warning. Caffe would leave the type unset and then fail
    // to create the layer; we say so on the layer, naming the value when it was kept aside.
    const name = v1["name"];
    ctx.diagnostics.push(
      diagnostic("upgraded-layer-without-type", "warning", messageRange(ctx.sourceMap, v1), {
        layer: typeof name === "string" ? name : null,
        value: typeof v1Type === "string" ? v1Type : keptAsideType(v1, ctx.sourceMap),
      }),
    );
  }
  return type;
}

/** The enum name of a V1 `type` that lenient binding kept aside as unknown, if any. */
function keptAsideType(v1: BoundMessage, sourceMap: SourceMap): string | null {
  const kept = sourceMap.unknownFields(v1).find((f) => f.name === "type" && f.value?.kind === "identifier");
  return kept?.value?.kind === "identifier" ? kept.value.text : null;
}

/** Builds `param` entries from the V1 per-blob lists, each mapped to the text of its values. */
function perBlobParams(v1: BoundMessage, sourceMap: SourceMap): BoundMessage[] {
  const params: BoundMessage[] = [];
  const written: { field: string; source: string; range: Range }[][] = [];
  for (const [v1Field, specField] of PER_BLOB_FIELDS) {
    const values = v1[v1Field];
    if (!Array.isArray(values)) continue;
    const ranges = fieldRanges(sourceMap, v1, v1Field);
    values.forEach((value, i) => {
      while (params.length <= i) {
        params.push({});
        written.push([]);
      }
      params[i]![specField] = value;
      const range = valueRange(ranges, i, values.length);
      if (range) written[i]!.push({ field: specField, source: v1Field, range });
    });
  }
  // Recorded in text order, so each ParamSpec is located at the first of its values in the file.
  params.forEach((spec, i) => {
    for (const w of written[i]!.sort((a, b) => a.range.offset - b.range.offset)) {
      noteMovedField(sourceMap, spec, w.field, [w.range], w.source);
    }
  });
  return params;
}
