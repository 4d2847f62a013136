/**
 * The values fed to both sides of `verify --net`: seeded random inputs of the net's input shapes, or
 * the arrays of a user's file (.safetensors with one tensor per input blob, or .npy for a net with
 * one input).
 */
import type { NetAnalysis } from "../../caffe/analyze.js";
import { layerParams } from "../../caffe/layers/params.js";
import type { NetModel } from "../../caffe/net.js";
import { createRng, randomNormal } from "../../numeric/rng.js";
import { parseSafetensors, SafetensorsFormatError } from "../../weights/safetensors.js";
import { NpyFormatError, parseNpy } from "./npy.js";
import type { TopValues } from "./records.js";

/** One input blob of the net and its shape (null where unknown). */
export interface InputSpec {
  blob: string;
  shape: readonly (number | null)[] | null;
}

/** Why an input file cannot be used; the message names the file's problem, not the file. */
export class InputFileError extends Error {}

const complete = (shape: InputSpec["shape"]): shape is number[] => shape !== null && shape.every((d) => d !== null);

/** The input blobs whose shape is not known (they need --input-shape or --input). */
export function unknownInputs(specs: readonly InputSpec[]): string[] {
  return specs.filter((s) => !complete(s.shape)).map((s) => s.blob);
}

/**
 * The `input_dim` of each Embed layer reading an input blob directly: such an input holds ids, so
 * it is drawn as integers in [0, input_dim) (EmbedLayer refuses other values).
 */
function idRanges(model: NetModel): Map<string, number> {
  const out = new Map<string, number>();
  for (const layer of model.layers) {
    if (layer.type !== "Embed" || layer.bottoms[0] === undefined) continue;
    const dim = layerParams(layer, "embed_param").num("input_dim");
    out.set(layer.bottoms[0], Math.min(dim, out.get(layer.bottoms[0]) ?? Infinity));
  }
  return out;
}

/** Layers whose bottom 1 holds class indices along `field`'s axis of bottom 0 (the losses check the range). */
const CLASS_LABELS: Readonly<Record<string, string>> = {
  SoftmaxWithLoss: "softmax_param",
  Accuracy: "accuracy_param",
  MultinomialLogisticLoss: "",
  InfogainLoss: "infogain_loss_param",
  HingeLoss: "",
};

/**
 * The number of classes of each label blob a classification loss (or Accuracy) reads: the size of
 * its bottom 0 along the layer's axis (1 by default), from the inferred shapes. Labels drawn in
 * [0, classes) are what SoftmaxWithLossLayer and the others accept.
 */
export function labelClasses(analysis: Pick<NetAnalysis, "model" | "graph" | "shapes">): Map<string, number> {
  const out = new Map<string, number>();
  analysis.model.layers.forEach((layer, position) => {
    const field = CLASS_LABELS[layer.type];
    const label = layer.bottoms[1];
    if (field === undefined || label === undefined) return;
    const version = analysis.graph.bottoms[position]?.[0];
    const shape = version === undefined ? null : analysis.shapes[version] ?? null;
    let axis = field === "" ? 1 : layerParams(layer, field).num("axis");
    if (shape !== null && axis < 0) axis += shape.length;
    const classes = shape?.[axis];
    if (typeof classes === "number" && classes > 0) out.set(label, Math.min(classes, out.get(label) ?? Infinity));
  });
  return out;
}

/**
 * Seeded inputs: standard normal float32 values per blob in `specs` order (one generator, seeded
 * with `seed`), integer ids for blobs an Embed layer reads, and class indices in [0, classes) for
 * label blobs (`classes`, from {@link labelClasses}).
 */
export function seededInputs(specs: readonly InputSpec[], model: NetModel, seed: number, classes: ReadonlyMap<string, number> = new Map()): Map<string, TopValues> {
  const rng = createRng(seed);
  const ids = new Map([...idRanges(model), ...classes]);
  const out = new Map<string, TopValues>();
  for (const spec of specs) {
    if (!complete(spec.shape)) throw new Error(`input ${spec.blob} has no complete shape`);
    const range = ids.get(spec.blob);
    if (range !== undefined) {
      const data = new Float32Array(spec.shape.reduce((a, d) => a * d, 1));
      for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng.nextFloat() * range);
      out.set(spec.blob, { shape: spec.shape, data });
    } else out.set(spec.blob, randomNormal(spec.shape, rng));
  }
  return out;
}

/** The arrays of an input file by name, before they are matched to the net's inputs. */
export function readInputFile(bytes: Uint8Array, path: string): Map<string, TopValues> {
  if (path.toLowerCase().endsWith(".npy")) {
    try {
      const a = parseNpy(bytes);
      return new Map([["", { shape: a.shape, data: a.data }]]);
    } catch (e) {
      if (e instanceof NpyFormatError) throw new InputFileError(e.message);
      throw e;
    }
  }
  if (!path.toLowerCase().endsWith(".safetensors")) throw new InputFileError("give a .safetensors file (one tensor per input blob) or a .npy file (a net with one input)");
  let parsed;
  try {
    parsed = parseSafetensors(bytes);
  } catch (e) {
    if (e instanceof SafetensorsFormatError || e instanceof SyntaxError) throw new InputFileError(`not a safetensors file we can read: ${e.message}`);
    throw e;
  }
  const out = new Map<string, TopValues>();
  for (const [name, t] of parsed.tensors) {
    out.set(name, { shape: [...t.shape], data: t.dtype === "F32" ? t.data : Float32Array.from(t.data, (v) => Number(v)) });
  }
  return out;
}

/**
 * The file's array for each input blob: a .npy array (key "") for a net's only input, else the
 * tensor named after the blob (or `input/<blob>`, as the golden recordings name them).
 */
export function matchInputs(found: ReadonlyMap<string, TopValues>, blobs: readonly string[]): Map<string, TopValues> {
  const out = new Map<string, TopValues>();
  if (found.has("") && found.size === 1) {
    if (blobs.length !== 1) throw new InputFileError(`a .npy file holds one array, and this net has ${blobs.length} inputs (${blobs.join(", ")}): give a .safetensors file with one tensor per input blob`);
    out.set(blobs[0]!, found.get("")!);
    return out;
  }
  const missing: string[] = [];
  for (const blob of blobs) {
    const t = found.get(blob) ?? found.get(`input/${blob}`);
    if (t) out.set(blob, t);
    else missing.push(blob);
  }
  if (missing.length > 0) {
    const have = [...found.keys()].slice(0, 8).join(", ");
    throw new InputFileError(`no tensor for input blob${missing.length === 1 ? "" : "s"} ${missing.join(", ")} (the file has ${have || "no tensors"}; name them after the blobs)`);
  }
  return out;
}

/** Checks each input's shape against the net's (where known); a message per mismatch. */
export function inputShapeProblems(inputs: ReadonlyMap<string, TopValues>, specs: readonly InputSpec[]): string[] {
  const problems: string[] = [];
  for (const spec of specs) {
    const got = inputs.get(spec.blob);
    if (!got || spec.shape === null) continue;
    const fits = got.shape.length === spec.shape.length && spec.shape.every((d, i) => d === null || d === got.shape[i]);
    if (!fits) problems.push(`input ${spec.blob} has shape [${got.shape.join(", ")}], the net declares [${spec.shape.map((d) => d ?? "?").join(", ")}] (give --input-shape to change the net's)`);
  }
  return problems;
}
