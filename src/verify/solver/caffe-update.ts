/**
 * Caffe's solver update, executed in float32 as BVLC Caffe's CPU path computes it
 * (`SGDSolver::ApplyUpdate`, src/caffe/solvers/sgd_solver.cpp, and each solver's
 * `ComputeUpdateValue`). One call of {@link CaffeUpdater.apply} is one `ApplyUpdate` on diffs that
 * hold the gradient summed over `iter_size` backwards: ClipGradients, then per blob Normalize,
 * Regularize and ComputeUpdateValue, then `Net::Update` (θ ← θ − diff).
 *
 * Float32 ops: `caffe_cpu_axpby` is `y = a·x + b·y` with the two products rounded apart (OpenBLAS's
 * saxpby), `caffe_axpy` a fused `y = a·x + y` (OpenBLAS's saxpy kernels use vfmadd), `caffe_powx`
 * with 2 or 0.5 a correctly rounded square / square root. The kernels' exact rounding is not worth
 * emulating further: verify compares within a float32 bound (bound.ts).
 */
import { fmaf } from "../../numeric/float32.js";
import type { SolverType } from "../../solver/settings.js";

const f32 = Math.fround;

/** Caffe's solver settings in force, as float32 (the `SolverParameter` values Caffe computes with). */
export interface CaffeRule {
  type: SolverType;
  momentum: number;
  momentum2: number;
  rmsDecay: number;
  delta: number;
  weightDecay: number;
  regularization: "L1" | "L2";
  iterSize: number;
  /** Negative: no clipping. */
  clipGradients: number;
}

/** One learnable blob as Caffe's solver sees it (`Net::learnable_params` with its multipliers). */
export interface CaffeBlob {
  lrMult: number;
  decayMult: number;
  /** The blob's values; updated in place. */
  data: Float32Array;
}

/** What one `ApplyUpdate` did besides the update. */
export interface CaffeStep {
  /** The global L2 norm ClipGradients computed (null without clipping). */
  norm: number | null;
  /** The scale applied to every diff, or null when the norm did not exceed clip_gradients. */
  clipScale: number | null;
  /** The update each blob subtracted (the diff after ComputeUpdateValue). */
  updates: Float32Array[];
  /**
   * Per blob, the largest magnitude of the terms its update is made of before they cancel (e.g.
   * |local_rate·g| + |momentum·v| for SGD): what float32 rounding errors are relative to (bound.ts).
   */
  gross: number[];
}

/** Caffe's `caffe_cpu_axpby`: y = a·x + b·y, in place. */
function axpby(a: number, x: Float32Array, b: number, y: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] = f32(f32(a * x[i]!) + f32(b * y[i]!));
}

/** Caffe's `caffe_axpy`: y = a·x + y, fused. */
function axpy(a: number, x: ArrayLike<number>, y: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] = fmaf(a, x[i]!, y[i]!);
}

/** Caffe's `caffe_cpu_sign`: −1, 0 or 1 (sign(0) = 0). */
function sign(x: Float32Array): Float32Array {
  return x.map((v) => (v > 0 ? 1 : v < 0 ? -1 : 0));
}

function maxAbs(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

/** Caffe's solver state over a list of learnable blobs: the histories start at 0, as `PreSolve` sets them. */
export class CaffeUpdater {
  readonly history: Float32Array[];
  /** AdaDelta's and Adam's second history (`history_[N + i]`). */
  readonly history2: Float32Array[];

  constructor(
    readonly rule: CaffeRule,
    readonly blobs: readonly CaffeBlob[],
  ) {
    this.history = blobs.map((b) => new Float32Array(b.data.length));
    this.history2 = blobs.map((b) => new Float32Array(b.data.length));
  }

  /**
   * One `ApplyUpdate` at iteration `k` (Caffe's `iter_`) with the rate `GetLearningRate` returned
   * and each blob's diff (the gradient summed over iter_size; copied, not changed).
   */
  apply(k: number, rate: number, gradients: readonly Float32Array[]): CaffeStep {
    const diffs = gradients.map((g) => Float32Array.from(g));
    const clip = this.clip(diffs);
    const gross = this.blobs.map((blob, i) => {
      const diff = diffs[i]!;
      this.normalize(diff);
      this.regularize(blob, diff);
      const before = this.grossOf(i, k, rate, diff);
      this.computeUpdateValue(i, k, rate, diff);
      // Net::Update → Blob::Update: caffe_axpy(−1, diff, data).
      axpy(-1, diff, blob.data);
      return Math.max(before, maxAbs(diff));
    });
    return { ...clip, updates: diffs, gross };
  }

  /** SGDSolver::ClipGradients (sgd_solver.cpp:88-106): Σ sumsq_diff in float, √, scale when above. */
  private clip(diffs: Float32Array[]): Pick<CaffeStep, "norm" | "clipScale"> {
    const c = this.rule.clipGradients;
    if (c < 0) return { norm: null, clipScale: null };
    let sumsq = 0;
    for (const d of diffs) {
      // Blob::sumsq_diff is caffe_cpu_dot (cblas_sdot, a float accumulation); the blobs' sums are added in float.
      let s = 0;
      for (let i = 0; i < d.length; i++) s = fmaf(d[i]!, d[i]!, s);
      sumsq = f32(sumsq + s);
    }
    const norm = f32(Math.sqrt(sumsq));
    if (!(norm > c)) return { norm, clipScale: null };
    const scale = f32(c / norm);
    for (const d of diffs) for (let i = 0; i < d.length; i++) d[i] = f32(d[i]! * scale);
    return { norm, clipScale: scale };
  }

  /** SGDSolver::Normalize (sgd_solver.cpp:130-139): diff ·= Dtype(1)/iter_size when iter_size > 1. */
  private normalize(diff: Float32Array): void {
    if (this.rule.iterSize === 1) return;
    const factor = f32(1 / this.rule.iterSize);
    for (let i = 0; i < diff.length; i++) diff[i] = f32(diff[i]! * factor);
  }

  /** SGDSolver::Regularize (sgd_solver.cpp:155-183): L2 diff += decay·θ, L1 diff += decay·sign(θ). */
  private regularize(blob: CaffeBlob, diff: Float32Array): void {
    const decay = f32(this.rule.weightDecay * f32(blob.decayMult));
    if (decay === 0) return;
    axpy(decay, this.rule.regularization === "L1" ? sign(blob.data) : blob.data, diff);
  }

  /** The momentum rules' terms before they cancel: |lr·g| + |m·v| (SGD), (1+m)·|v_new| + m·|v| (Nesterov), Adam's with |m| from its terms. */
  private grossOf(i: number, k: number, rate: number, diff: Float32Array): number {
    const r = this.rule;
    const localRate = Math.abs(rate * this.blobs[i]!.lrMult);
    const h = this.history[i]!;
    const h2 = this.history2[i]!;
    let gross = 0;
    for (let j = 0; j < diff.length; j++) {
      const g = Math.abs(diff[j]!);
      const terms = localRate * g + r.momentum * Math.abs(h[j]!);
      if (r.type === "SGD") gross = Math.max(gross, terms);
      else if (r.type === "Nesterov") gross = Math.max(gross, (1 + r.momentum) * terms + r.momentum * Math.abs(h[j]!));
      else if (r.type === "Adam") {
        const t = k + 1;
        const correction = Math.sqrt(1 - Math.pow(r.momentum2, t)) / (1 - Math.pow(r.momentum, t));
        const v = r.momentum2 * h2[j]! + (1 - r.momentum2) * g * g;
        gross = Math.max(gross, (localRate * correction * ((1 - r.momentum) * g + r.momentum * Math.abs(h[j]!))) / (Math.sqrt(v) + r.delta));
      }
    }
    return gross;
  }

  /** Each solver's ComputeUpdateValue: the diff becomes the update. */
  private computeUpdateValue(i: number, k: number, rate: number, diff: Float32Array): void {
    const r = this.rule;
    const localRate = f32(rate * f32(this.blobs[i]!.lrMult));
    const h = this.history[i]!;
    const h2 = this.history2[i]!;
    const n = diff.length;
    switch (r.type) {
      case "SGD":
        // sgd_solver.cpp:232-237: history = local_rate·diff + momentum·history; diff = history.
        axpby(localRate, diff, r.momentum, h);
        diff.set(h);
        return;
      case "Nesterov": {
        // nesterov_solver.cpp:21-39: update = (1+momentum)·history − momentum·history_prev.
        const previous = Float32Array.from(h);
        axpby(localRate, diff, r.momentum, h);
        axpby(f32(1 + r.momentum), h, -r.momentum, previous);
        diff.set(previous);
        return;
      }
      case "AdaGrad":
        // adagrad_solver.cpp:21-48: history += diff²; diff = local_rate·diff/(√history + delta).
        for (let j = 0; j < n; j++) {
          const g = diff[j]!;
          h[j] = f32(f32(g * g) + h[j]!);
          diff[j] = f32(localRate * f32(g / f32(f32(Math.sqrt(h[j]!)) + r.delta)));
        }
        return;
      case "RMSProp": {
        // rmsprop_solver.cpp:25-50: history = (1−rms_decay)·diff² + rms_decay·history.
        const oneMinus = f32(1 - r.rmsDecay);
        for (let j = 0; j < n; j++) {
          const g = diff[j]!;
          h[j] = f32(f32(oneMinus * f32(g * g)) + f32(r.rmsDecay * h[j]!));
          diff[j] = f32(localRate * f32(g / f32(f32(Math.sqrt(h[j]!)) + r.delta)));
        }
        return;
      }
      case "AdaDelta": {
        // adadelta_solver.cpp:35-89: h = (1−m)·g² + m·h; s = g·√((h2 + δ)/(h + δ)); h2 = (1−m)·s² + m·h2; diff = local_rate·s.
        const oneMinus = f32(1 - r.momentum);
        for (let j = 0; j < n; j++) {
          const g = diff[j]!;
          h[j] = f32(f32(oneMinus * f32(g * g)) + f32(r.momentum * h[j]!));
          const ratio = f32(f32(r.delta + h2[j]!) / f32(r.delta + h[j]!));
          const s = f32(g * f32(Math.sqrt(ratio)));
          h2[j] = f32(f32(oneMinus * f32(s * s)) + f32(r.momentum * h2[j]!));
          diff[j] = f32(localRate * s);
        }
        return;
      }
      case "Adam": {
        // adam_solver.cpp:39-73, t = iter_ + 1; `pow(float, int)` is taken in double.
        const t = k + 1;
        const correction = f32(Math.sqrt(1 - Math.pow(r.momentum2, t)) / (1 - Math.pow(r.momentum, t)));
        const scale = f32(localRate * correction);
        const b1 = f32(1 - r.momentum);
        const b2 = f32(1 - r.momentum2);
        for (let j = 0; j < n; j++) {
          const g = diff[j]!;
          h[j] = f32(f32(b1 * g) + f32(r.momentum * h[j]!));
          h2[j] = f32(f32(b2 * f32(g * g)) + f32(r.momentum2 * h2[j]!));
          diff[j] = f32(scale * f32(h[j]! / f32(f32(Math.sqrt(h2[j]!)) + r.delta)));
        }
        return;
      }
    }
  }
}
