/**
 * The layer-by-layer comparison of `verify --net`: each reference layer's tops (Caffe's) against the
 * candidate's (PyTorch's) of the same layer name, shapes exactly, ArgMax exactly, values within a
 * scaled tolerance.
 */
import { absDiff, differenceStats } from "../../numeric/difference.js";
import type { NetLayerCheck } from "../net-types.js";
import { isFull, type LayerTops, type ReferenceTop, type SideFailure, type SideRecords, type TopValues } from "./records.js";

/** The reference side: its layers with their Caffe types, in Caffe's order. */
export interface ReferenceLayer extends LayerTops<ReferenceTop> {
  type: string;
}

/** What one top's comparison found. */
interface TopOutcome {
  shapeOk: boolean;
  maxAbs: number;
  scaled: number;
  exactOk: boolean;
}

/**
 * Why a layer without an error value diverged, for the text report (the JSON keeps the contract of
 * net-types.ts): the candidate's shape, or that it computed nothing. Kept beside the checks, not on them.
 */
const NOTES = new WeakMap<NetLayerCheck, string>();

/** The note of a diverged layer without an error value ("PyTorch: 2×3×5×4", "not computed"), if any. */
export function divergenceNote(check: NetLayerCheck): string | undefined {
  return NOTES.get(check);
}

function noted(check: NetLayerCheck, note: string): NetLayerCheck {
  NOTES.set(check, note);
  return check;
}

/** Layer types whose tops are indices or exact selections: any difference is a divergence. */
const EXACT_TYPES: ReadonlySet<string> = new Set(["ArgMax"]);

const dims = (shape: readonly number[]): string => (shape.length === 0 ? "scalar" : shape.join("×"));

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);


function compareTop(ref: ReferenceTop, got: TopValues): TopOutcome {
  if (!sameShape(ref.shape, got.shape)) return { shapeOk: false, maxAbs: Infinity, scaled: Infinity, exactOk: false };
  if (isFull(ref)) {
    const { maxAbs, maxRef } = differenceStats(ref.data, got.data);
    return { shapeOk: true, maxAbs, scaled: maxAbs / Math.max(1, maxRef), exactOk: maxAbs === 0 };
  }
  // Samples and statistics only (a large top of a real net's recording): the samples, the mean and
  // the mean square, each scaled as the full comparison is (golden nets README).
  const scale = Math.max(1, Math.abs(ref.stats.min), Math.abs(ref.stats.max));
  let maxAbs = 0;
  ref.samples.index.forEach((at, k) => {
    const d = absDiff(ref.samples.value[k]!, got.data[at]!);
    if (!(d <= maxAbs)) maxAbs = d;
  });
  let sum = 0;
  let sq = 0;
  for (const v of got.data) {
    sum += v;
    sq += v * v;
  }
  const n = Math.max(1, got.data.length);
  const meanErr = Math.abs(sum / n - ref.stats.sum / n) / scale;
  const sqErr = Math.abs(sq / n - ref.stats.sq_sum / n) / (scale * scale);
  const scaled = Math.max(maxAbs / scale, Number.isNaN(meanErr) ? Infinity : meanErr, Number.isNaN(sqErr) ? Infinity : sqErr);
  return { shapeOk: true, maxAbs, scaled, exactOk: maxAbs === 0 };
}

/** A number for the JSON: non-finite differences (NaN, overflow, a shape mismatch) become null. */
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

function unchecked(layer: ReferenceLayer, ok: boolean): NetLayerCheck {
  return { name: layer.name, type: layer.type, shape: layer.tops[0] ? [...layer.tops[0].shape] : null, max_abs_error: null, scaled_error: null, ok, status: "unchecked" };
}

/**
 * Compares reference layers one at a time, in Caffe's order, each with the candidate's layer of the
 * same name. A layer without tops (Silence) is unchecked and fine; a layer the candidate failed at,
 * or never recorded, diverges; layers after a candidate failure are unchecked (and not fine:
 * nothing proves them).
 */
export class LayerComparer {
  /** Every layer compared so far, in order. */
  readonly checks: NetLayerCheck[] = [];
  // Set once the candidate's failure has been charged to a layer.
  private afterFailure = false;

  constructor(private readonly tolerance: number) {}

  /**
   * Compares `layer` with `got`, the candidate's layer of that name (undefined: the candidate did
   * not record it); `failedAt` is where the candidate stopped, once known.
   */
  add(layer: ReferenceLayer, got: LayerTops | undefined, failedAt: SideFailure | null): NetLayerCheck {
    const check = this.check(layer, got, failedAt);
    this.checks.push(check);
    return check;
  }

  private check(layer: ReferenceLayer, got: LayerTops | undefined, failedAt: SideFailure | null): NetLayerCheck {
    if (layer.tops.length === 0) return unchecked(layer, true);
    if (!got) {
      // The first layer the candidate did not record diverges (it failed there, or it never computes
      // the layer); after a failure the rest are unchecked.
      if (this.afterFailure) return unchecked(layer, false);
      if (failedAt) this.afterFailure = true;
      return noted({ ...unchecked(layer, false), status: "diverged" }, failedAt ? `failed: ${failedAt.message.split("\n")[0]!}` : "not computed");
    }
    if (got.tops.length !== layer.tops.length) return noted({ ...unchecked(layer, false), status: "diverged" }, `${got.tops.length} tops`);
    let maxAbs = 0;
    let scaled = 0;
    let ok = true;
    layer.tops.forEach((ref, i) => {
      const o = compareTop(ref, got.tops[i]!);
      if (!(o.maxAbs <= maxAbs)) maxAbs = o.maxAbs;
      if (!(o.scaled <= scaled)) scaled = o.scaled;
      if (!o.shapeOk || !(o.scaled <= this.tolerance) || (EXACT_TYPES.has(layer.type) && !o.exactOk)) ok = false;
    });
    const check: NetLayerCheck = {
      name: layer.name,
      type: layer.type,
      shape: [...layer.tops[0]!.shape],
      max_abs_error: finite(maxAbs),
      scaled_error: finite(scaled),
      ok,
      status: ok ? "ok" : "diverged",
    };
    const other = layer.tops.findIndex((ref, i) => !sameShape(ref.shape, got.tops[i]!.shape));
    if (other >= 0) noted(check, `PyTorch: ${dims(got.tops[other]!.shape)}${other > 0 ? ` (top ${other})` : ""}`);
    return check;
  }
}

/** {@link LayerComparer} over whole lists: every reference layer against the candidate's of the same name. */
export function compareLayers(reference: readonly ReferenceLayer[], candidate: SideRecords, tolerance: number): NetLayerCheck[] {
  // Layers of one name pair in order, as verify --net pairs them while both sides run.
  const byName = new Map<string, LayerTops[]>();
  for (const l of candidate.layers) byName.set(l.name, [...(byName.get(l.name) ?? []), l]);
  const comparer = new LayerComparer(tolerance);
  for (const layer of reference) comparer.add(layer, layer.tops.length === 0 ? undefined : byName.get(layer.name)?.shift(), candidate.error);
  return comparer.checks;
}

/** The first layer that diverged, in Caffe's order, or null. */
export function firstDivergent(checks: readonly NetLayerCheck[]): string | null {
  return checks.find((c) => c.status === "diverged")?.name ?? null;
}
