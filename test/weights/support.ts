/**
 * Shared pieces of the weights tests: the trained_small ground truth (read from ../shared, never
 * copied), conversions with weights, and caffemodels synthesised with our encoder.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { convertNetDetailed } from "../../src/convert/convert.js";
import type { BoundMessage } from "../../src/schema/bind.js";
import { encodeMessage } from "../../src/schema/encode.js";
import { loadCaffeSchema } from "../../src/schema/load.js";
import { decodeNet } from "../../src/schema/net-binary.js";
import { readNet } from "../../src/schema/read.js";
import { attachWeights, type AttachedWeights } from "../../src/weights/attach.js";
import { GOLDEN_DIR } from "../helpers/paths.js";

/** ../shared/golden/trained_small. */
export const TRAINED_DIR = join(GOLDEN_DIR, "trained_small");
export const DEPLOY_PATH = join(TRAINED_DIR, "deploy.prototxt");
export const CAFFEMODEL_PATH = join(TRAINED_DIR, "trained_small.caffemodel");

/** A `{shape, data}` tensor of trace.json. */
export interface TraceTensor {
  shape: number[];
  data: number[];
}

/** The parts of trace.json these tests read (format: ../shared/golden/README.md section 3). */
export interface TrainedTrace {
  caffemodel_blobs: Record<string, Record<string, TraceTensor | string>>;
  bn_layers: {
    name: string;
    block_layers: string[];
    effective_eps: number;
    effective_mean: TraceTensor;
    effective_var: TraceTensor;
    training_updates: number;
  }[];
  training: { final_scale_factors: Record<string, { stored: number }> };
  eval: {
    batches: {
      seed: number;
      bn: Record<string, { bottom: TraceTensor; bn_top: TraceTensor; block_output: TraceTensor }>;
    }[];
  };
}

let trace: TrainedTrace | undefined;

/** trace.json, parsed once. */
export function trainedTrace(): TrainedTrace {
  trace ??= JSON.parse(readFileSync(join(TRAINED_DIR, "trace.json"), "utf8")) as TrainedTrace;
  return trace;
}

/** The bytes of a file as a Uint8Array. */
export function bytesOf(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Options of {@link convertWithWeights}. */
export interface ConvertWithWeightsOptions {
  exact?: boolean;
  phase?: "TEST" | "TRAIN";
  /** The prototxt text (default: deploy.prototxt). */
  prototxt?: string;
  /** The caffemodel bytes (default: trained_small.caffemodel). */
  caffemodel?: Uint8Array;
}

/** convert + attachWeights, as `convert --weights` runs them. */
export function convertWithWeights(options: ConvertWithWeightsOptions = {}): AttachedWeights {
  const read = readNet(options.prototxt ?? readFileSync(DEPLOY_PATH, "utf8"), { allowUnknown: true, upgrade: true });
  const exact = options.exact ?? false;
  const outcome = convertNetDetailed(read, { phase: options.phase ?? "TEST", source: "deploy.prototxt", exact });
  return attachWeights(outcome, read, options.caffemodel ?? bytesOf(CAFFEMODEL_PATH), { source: "trained_small.caffemodel", exact });
}

/** The trained caffemodel decoded into the bound form, for tests that alter and re-encode it. */
export function trainedNet(): BoundMessage {
  return decodeNet(bytesOf(CAFFEMODEL_PATH)).net;
}

/** caffe.NetParameter bytes for a bound-form object (our encoder, protoc-identical). */
export function encodeCaffemodel(net: BoundMessage): Uint8Array {
  return encodeMessage(loadCaffeSchema().message("caffe.NetParameter"), net);
}

/** The layer named `name` in a bound net's `layer` list. */
export function layerNamed(net: BoundMessage, name: string): BoundMessage {
  const layer = (net["layer"] as BoundMessage[]).find((l) => l["name"] === name);
  if (!layer) throw new Error(`no layer ${name}`);
  return layer;
}

/** A BlobProto with `shape.dim` and float data. */
export function blob(shape: number[], values: ArrayLike<number>): BoundMessage {
  return { shape: { dim: shape }, data: Float32Array.from(values) };
}

/** A BlobProto with the legacy 4-D fields instead of a shape. */
export function legacyBlob(dims: [number, number, number, number], values: ArrayLike<number>): BoundMessage {
  const [num, channels, height, width] = dims;
  return { num, channels, height, width, data: Float32Array.from(values) };
}

/** A trace tensor's values as a Float32Array (they are float32 widened exactly). */
export function f32(t: TraceTensor): Float32Array {
  return Float32Array.from(t.data);
}
