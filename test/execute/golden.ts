/**
 * Runs a golden recording of ../shared/golden/nets (BVLC Caffe's TEST forward, layer by layer)
 * through the Caffe executor and compares every recorded top, as the recordings' README says.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildNet, type NetLayer, type NetModel } from "../../src/caffe/net.js";
import { executeNet, type ExecuteOptions, type ExecuteResult } from "../../src/execute/net.js";
import { executorOf } from "../../src/execute/registry.js";
import type { Blob, LayerExecutor } from "../../src/execute/types.js";
import type { NetParameter } from "../../src/schema/caffe-types.js";
import { readNet } from "../../src/schema/read.js";
import { decodeBlobs, readCaffemodel } from "../../src/weights/caffemodel.js";
import { parseSafetensors } from "../../src/weights/safetensors.js";
import { GOLDEN_DIR } from "../helpers/paths.js";

export const NETS_DIR = join(GOLDEN_DIR, "nets");

/** The comparison bound of the executor: |Δ| ≤ BOUND · max(1, max |reference|) per top. */
export const BOUND = 1e-5;

interface RecordedTop {
  blob: string;
  shape: number[];
  tensor: string | null;
  stats: { sum: number; abs_sum: number; sq_sum: number; min: number; max: number };
  samples: { index: number[]; value: number[] };
}

interface RecordedLayer {
  name: string;
  type: string;
  bottoms: string[];
  tops: RecordedTop[];
}

/** What the tests need of a case's record.json. */
export interface Recording {
  inputs: { blob: string; shape: number[]; tensor: string }[];
  layers: RecordedLayer[];
}

/** A loaded case: the TEST net model, the decoded caffemodel, the recording and its tensors. */
export interface GoldenCase {
  name: string;
  model: NetModel;
  weights: Map<string, Blob[]>;
  record: Recording;
  tensors: Map<string, Float32Array>;
  inputs: Map<string, Blob>;
}

/** The caffemodel's blobs by layer name (what Net::CopyTrainedLayersFrom matches on). */
export function weightsOf(bytes: Uint8Array): Map<string, Blob[]> {
  const model = readCaffemodel(bytes);
  const out = new Map<string, Blob[]>();
  for (const layer of model.layers) {
    const { blobs } = decodeBlobs(model, layer);
    if (blobs.length > 0) out.set(layer.name, blobs.map((b) => ({ shape: b.shape, data: b.data, legacy: b.legacy })));
  }
  return out;
}

/** The TEST-phase net model of a prototxt text. */
export function testNet(text: string): NetModel {
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  return buildNet(read.net as NetParameter, { phase: "TEST" });
}

/** Loads golden case `name`. */
export function loadCase(name: string): GoldenCase {
  const dir = join(NETS_DIR, name);
  const record = JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as Recording;
  const tensors = new Map<string, Float32Array>();
  for (const [key, t] of parseSafetensors(readFileSync(join(dir, "record.safetensors"))).tensors) {
    if (t.dtype === "F32") tensors.set(key, t.data);
  }
  const inputs = new Map<string, Blob>(record.inputs.map((i) => [i.blob, { shape: i.shape, data: tensors.get(i.tensor)! }]));
  return {
    name,
    model: testNet(readFileSync(join(dir, "net.prototxt"), "utf8")),
    weights: weightsOf(readFileSync(join(dir, "weights.caffemodel"))),
    record,
    tensors,
    inputs,
  };
}

/** One recorded top against the executor's. */
export interface TopComparison {
  layer: string;
  type: string;
  blob: string;
  /** Whether the shapes are equal. */
  shape: boolean;
  /** max |Δ| / max(1, max |reference|) over the compared values (and means), or Infinity. */
  scaled: number;
  /** Whether the top was compared in full (else samples, mean and mean square). */
  full: boolean;
  /** For ArgMax: whether every value is equal. */
  exact?: boolean;
}

/** The comparison of a case. */
export interface CaseComparison {
  tops: TopComparison[];
  /** Recorded layers the executor did not produce (in order), e.g. after a failure. */
  missing: string[];
  result: ExecuteResult;
  /** Milliseconds of the forward: wall clock, and this process's CPU time (other load inflates the first). */
  forwardMs: number;
  forwardCpuMs: number;
}

/** Runs case `c` through the executor and compares every recorded top. */
export function compareCase(c: GoldenCase, options: ExecuteOptions = {}): CaseComparison {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = executeNet(c.model, c.inputs, c.weights, options);
  const forwardCpuMs = process.cpuUsage(cpu).user / 1000;
  const forwardMs = performance.now() - start;
  return { ...compareRecorded(c, result), forwardMs, forwardCpuMs };
}

/** Compares every recorded top of case `c` with the layers an executor ran (matched by layer name). */
export function compareRecorded(c: GoldenCase, result: ExecuteResult): Omit<CaseComparison, "forwardMs" | "forwardCpuMs"> {
  const byName = new Map(result.layers.map((l) => [l.name, l]));
  const tops: TopComparison[] = [];
  const missing: string[] = [];
  for (const layer of c.record.layers) {
    const ran = byName.get(layer.name);
    if (!ran || ran.tops.length !== layer.tops.length) {
      missing.push(layer.name);
      continue;
    }
    layer.tops.forEach((rec, i) => {
      const got = ran.tops[i]!;
      const base = { layer: layer.name, type: layer.type, blob: rec.blob };
      const sameShape = got.shape.length === rec.shape.length && got.shape.every((d, k) => d === rec.shape[k]);
      if (!sameShape) {
        tops.push({ ...base, shape: false, scaled: Infinity, full: rec.tensor !== null });
        return;
      }
      const scale = Math.max(1, Math.abs(rec.stats.min), Math.abs(rec.stats.max));
      if (rec.tensor !== null) {
        const ref = c.tensors.get(rec.tensor)!;
        let worst = 0;
        let exact = true;
        for (let k = 0; k < ref.length; k++) {
          const d = Math.abs(got.data[k]! - ref[k]!);
          if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
          if (got.data[k] !== ref[k]) exact = false;
        }
        tops.push({ ...base, shape: true, scaled: worst / scale, full: true, ...(layer.type === "ArgMax" ? { exact } : {}) });
        return;
      }
      let worst = 0;
      rec.samples.index.forEach((at, k) => {
        const d = Math.abs(got.data[at]! - rec.samples.value[k]!);
        worst = Math.max(worst, Number.isNaN(d) ? Infinity : d / scale);
      });
      let sum = 0;
      let sq = 0;
      for (const v of got.data) {
        sum += v;
        sq += v * v;
      }
      const n = got.data.length;
      worst = Math.max(worst, Math.abs(sum / n - rec.stats.sum / n) / scale, Math.abs(sq / n - rec.stats.sq_sum / n) / (scale * scale));
      tops.push({ ...base, shape: true, scaled: worst, full: false });
    });
  }
  return { tops, missing, result };
}

/** The recorded layers whose tops miss the bound, differ in shape, or (ArgMax) are not exact, in order. */
export function failingLayers(cmp: CaseComparison, bound = BOUND): string[] {
  const bad = new Set(cmp.tops.filter((t) => !t.shape || !(t.scaled <= bound) || t.exact === false).map((t) => t.layer));
  return [...new Set([...cmp.tops.map((t) => t.layer), ...cmp.missing])].filter((l) => bad.has(l) || cmp.missing.includes(l));
}

/** The largest scaled error of a case and where. */
export function largest(cmp: CaseComparison): { scaled: number; layer: string; blob: string } {
  let best = { scaled: 0, layer: "", blob: "" };
  for (const t of cmp.tops) if (t.scaled > best.scaled) best = { scaled: t.scaled, layer: t.layer, blob: t.blob };
  return best;
}

/** One layer run alone on Caffe's recorded bottoms, against its recorded tops. */
export interface LocalComparison {
  layer: string;
  type: string;
  /** Every value equal to Caffe's, bit for bit. */
  exact: boolean;
  /** max |Δ| / max(1, max |reference|). */
  scaled: number;
}

/**
 * Runs each recorded layer whose bottoms are all stored in full on those recorded values (not on
 * the executor's own upstream results), so each executor is compared with Caffe on its own.
 */
export function compareLayersAlone(c: GoldenCase): LocalComparison[] {
  const recorded = new Map<string, Blob | null>();
  const out: LocalComparison[] = [];
  for (const rec of c.record.layers) {
    const layer = c.model.layers.find((l) => l.name === rec.name)!;
    const bottoms = layer.bottoms.map((b) => recorded.get(b) ?? null);
    if (layer.type !== "Input" && bottoms.every((b) => b !== null) && rec.tops.every((t) => t.tensor !== null)) {
      const tops = executorOf(layer.type)!.forward({ layer, bottoms: bottoms as Blob[], params: c.weights.get(layer.name) ?? [], phase: "TEST", inputs: c.inputs });
      let exact = true;
      let scaled = 0;
      rec.tops.forEach((t, k) => {
        const ref = c.tensors.get(t.tensor!)!;
        const got = tops[k]!.data;
        const scale = Math.max(1, Math.abs(t.stats.min), Math.abs(t.stats.max));
        for (let j = 0; j < ref.length; j++) {
          if (got[j] !== ref[j]) exact = false;
          const d = Math.abs(got[j]! - ref[j]!) / scale;
          scaled = Number.isNaN(d) ? Infinity : Math.max(scaled, d);
        }
      });
      out.push({ layer: layer.name, type: layer.type, exact, scaled });
    }
    for (const t of rec.tops) recorded.set(t.blob, t.tensor ? { shape: t.shape, data: c.tensors.get(t.tensor)! } : null);
  }
  return out;
}

/** The executor of `type` run on a copy of each layer whose parameter message `field` is changed by `edit`. */
export function misreading(type: string, field: string, edit: (param: Record<string, unknown>) => void): ReadonlyMap<string, LayerExecutor> {
  const real = executorOf(type)!;
  const wrong: LayerExecutor = {
    types: [type],
    forward(ctx) {
      const param = { ...((ctx.layer.param as Record<string, unknown>)[field] as Record<string, unknown> | undefined) };
      edit(param);
      const layer: NetLayer = { ...ctx.layer, param: { ...ctx.layer.param, [field]: param } };
      return real.forward({ ...ctx, layer });
    },
  };
  return new Map([[type, wrong]]);
}
