/**
 * The seeded data `verify --solver` feeds to every executor: each learnable blob's starting values
 * and, per iteration, its gradient summed over iter_size backwards.
 *
 * The update rules are elementwise (only clipping reads all blobs, through one norm), so a sample
 * of each blob's values tests them as well as the whole blob: every blob keeps at most
 * `valuesPerBlob` values, the same on every side. Gradients are correlated over iterations (a fixed
 * direction plus noise), so momentum builds up as it does in training, and each blob has its own
 * scale, log-uniform over 1e-7 … 1e-1: from the float32 noise a biased convolution before BatchNorm
 * receives (training README §6) to ordinary gradients, the range where Adam's epsilon matters.
 */
import { createRng, type Rng } from "../../numeric/rng.js";

const f32 = Math.fround;

/** One blob as verify runs it. */
export interface SolverBlob {
  /** The `state_dict()` key. */
  key: string;
  layer: string;
  blob: number;
  lrMult: number;
  decayMult: number;
  /** Index of its group in the plan, or null for a frozen blob (lr_mult 0, not in the optimizer). */
  group: number | null;
  /** The blob's element count (null when the net does not give its shape). */
  count: number | null;
  /** The values run (≤ valuesPerBlob). */
  values: number;
  /** Its gradients' scale. */
  gradientScale: number;
}

/** The starting values (σ = 0.1, typical of trained weights). */
const PARAM_STD = 0.1;
/** log10 of the gradient scales' range. */
const SCALE_DECADES: readonly [number, number] = [-7, -1];

/** The seeded inputs of a run. */
export class SolverScenario {
  readonly initial: Float32Array[];
  private readonly directions: Float32Array[];
  private readonly rng: Rng;

  constructor(
    readonly blobs: SolverBlob[],
    readonly iterSize: number,
    seed: number,
  ) {
    this.rng = createRng(seed);
    this.initial = blobs.map((b) => this.normal(b.values, PARAM_STD));
    this.directions = blobs.map((b) => this.normal(b.values, 1));
  }

  /** A seeded gradient scale per blob, drawn from `seed` apart from the values (so adding a blob does not move the others' scales). */
  static scales(count: number, seed: number): number[] {
    const rng = createRng(seed ^ 0x5eed5ca1);
    const [lo, hi] = SCALE_DECADES;
    return Array.from({ length: count }, () => Math.pow(10, lo + (hi - lo) * rng.nextFloat()));
  }

  private normal(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = std * this.rng.nextNormal();
    return out;
  }

  /** The next iteration's gradients: Σ over iter_size backwards of scale·(direction + noise), summed in float32 as Caffe's diffs accumulate. */
  next(): Float32Array[] {
    return this.blobs.map((b, i) => {
      const d = this.directions[i]!;
      const sum = new Float32Array(b.values);
      for (let s = 0; s < this.iterSize; s++) {
        for (let j = 0; j < b.values; j++) sum[j] = f32(sum[j]! + f32(b.gradientScale * (d[j]! + this.rng.nextNormal())));
      }
      return sum;
    });
  }
}
