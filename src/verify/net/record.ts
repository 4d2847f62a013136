/**
 * Recordings in the golden-nets format (../shared/golden/nets/README.md; tools/record_caffe_net.py
 * writes it from pycaffe): `record.json` lists every layer Caffe ran with its tops (shape, the
 * safetensors tensor when stored in full, else statistics and samples), `record.safetensors` holds
 * the inputs and the full tops.
 */
import { parseSafetensors, SafetensorsFormatError } from "../../weights/safetensors.js";
import type { ReferenceLayer } from "./compare.js";
import type { ReferenceTop, TopValues } from "./records.js";

/** Why a recording cannot be read: where in record.json (a JSON path) and what was expected. */
export class RecordFormatError extends Error {}

/** A loaded recording: the inputs to feed, and the recorded layers to compare against. */
export interface Recording {
  phase: string;
  inputs: Map<string, TopValues>;
  layers: ReferenceLayer[];
}

type Json = Record<string, unknown>;

function need<T>(ok: boolean, value: unknown, path: string, expected: string): T {
  if (!ok) throw new RecordFormatError(`record.json ${path}: expected ${expected}, found ${JSON.stringify(value)?.slice(0, 60) ?? "nothing"}`);
  return value as T;
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isShape = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => typeof d === "number");

/** Reads a recording from its two files' contents. */
export function readRecording(json: string, safetensors: Uint8Array): Recording {
  let root: unknown;
  try {
    root = JSON.parse(json);
  } catch (e) {
    throw new RecordFormatError(`record.json is not JSON: ${(e as Error).message}`);
  }
  let tensors;
  try {
    tensors = parseSafetensors(safetensors).tensors;
  } catch (e) {
    if (e instanceof SafetensorsFormatError || e instanceof SyntaxError) throw new RecordFormatError(`record.safetensors: ${e.message}`);
    throw e;
  }
  const tensor = (name: string, shape: number[], path: string): TopValues => {
    const t = tensors.get(name);
    if (!t) throw new RecordFormatError(`record.json ${path}: tensor ${JSON.stringify(name)} is not in record.safetensors`);
    if (t.dtype !== "F32") throw new RecordFormatError(`record.safetensors: tensor ${JSON.stringify(name)} is ${t.dtype}, not F32`);
    const count = shape.reduce((a, d) => a * d, 1);
    if (t.data.length !== count) throw new RecordFormatError(`record.json ${path}: shape [${shape.join(", ")}] does not match tensor ${JSON.stringify(name)} of ${t.data.length} values`);
    return { shape, data: t.data };
  };
  const r = need<Json>(isObject(root), root, "", "an object");
  const inputs = new Map<string, TopValues>();
  need<unknown[]>(Array.isArray(r["inputs"]), r["inputs"], ".inputs", "a list").forEach((entry, i) => {
    const e = need<Json>(isObject(entry), entry, `.inputs[${i}]`, "an object");
    const blob = need<string>(typeof e["blob"] === "string", e["blob"], `.inputs[${i}].blob`, "a string");
    const shape = need<number[]>(isShape(e["shape"]), e["shape"], `.inputs[${i}].shape`, "a list of sizes");
    const name = need<string>(typeof e["tensor"] === "string", e["tensor"], `.inputs[${i}].tensor`, "a string");
    inputs.set(blob, tensor(name, shape, `.inputs[${i}]`));
  });
  const layers = need<unknown[]>(Array.isArray(r["layers"]), r["layers"], ".layers", "a list").map((entry, i): ReferenceLayer => {
    const path = `.layers[${i}]`;
    const e = need<Json>(isObject(entry), entry, path, "an object");
    const name = need<string>(typeof e["name"] === "string", e["name"], `${path}.name`, "a string");
    const type = need<string>(typeof e["type"] === "string", e["type"], `${path}.type`, "a string");
    const tops = need<unknown[]>(Array.isArray(e["tops"]), e["tops"], `${path}.tops`, "a list").map((top, k): ReferenceTop => {
      const tp = `${path}.tops[${k}]`;
      const t = need<Json>(isObject(top), top, tp, "an object");
      const shape = need<number[]>(isShape(t["shape"]), t["shape"], `${tp}.shape`, "a list of sizes");
      if (typeof t["tensor"] === "string") return tensor(t["tensor"], shape, tp);
      const stats = need<Json>(isObject(t["stats"]), t["stats"], `${tp}.stats`, "stats (the top is not stored in full)");
      const samples = need<Json>(isObject(t["samples"]), t["samples"], `${tp}.samples`, "samples (the top is not stored in full)");
      for (const k2 of ["sum", "sq_sum", "min", "max"]) need(typeof stats[k2] === "number", stats[k2], `${tp}.stats.${k2}`, "a number");
      const index = need<number[]>(numbers(samples["index"]), samples["index"], `${tp}.samples.index`, "a list of numbers");
      const value = need<number[]>(numbers(samples["value"]) && (samples["value"] as number[]).length === index.length, samples["value"], `${tp}.samples.value`, "as many numbers as index");
      const count = shape.reduce((a, d) => a * d, 1);
      need(index.every((x) => Number.isSafeInteger(x) && x >= 0 && x < count), index, `${tp}.samples.index`, `indices below ${count}`);
      return { shape, samples: { index, value }, stats: stats as { sum: number; sq_sum: number; min: number; max: number } };
    });
    return { name, type, tops };
  });
  const phase = typeof r["phase"] === "string" ? r["phase"] : "TEST";
  return { phase, inputs, layers };
}
