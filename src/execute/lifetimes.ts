/**
 * When a forward's values die, for both executors (the Caffe net loop and the PyTorch graph loop):
 * inside a running float pool (numeric/float-pool.ts) and with nothing kept, a value's buffer goes
 * back once no later step reads its name, or once a step replaced it (an in-place layer).
 */
import { releaseFloats, retainFloats, runningPool } from "../numeric/float-pool.js";

/** The index of the last step reading each name. */
export function lastReads<S>(steps: readonly S[], reads: (step: S) => Iterable<string>): Map<string, number> {
  const last = new Map<string, number>();
  steps.forEach((step, i) => {
    for (const name of reads(step)) last.set(name, i);
  });
  return last;
}

/**
 * The live values of a forward by name, holding their buffers in the running pool. Replaced values
 * are handed back when the step ends, not when replaced: a step may still read its input after
 * writing its output (a fused BatchNorm block normalises its input again for the record).
 */
export class Recycler<T extends { data: Float32Array }> {
  private readonly replaced: Float32Array[] = [];
  /** Null when nothing is recycled (no running pool, or every record kept). */
  private readonly last: ReadonlyMap<string, number> | null;

  /** `lastRead` is built only when recycling (`keep` false and a pool running). */
  constructor(
    readonly values: Map<string, T>,
    keep: boolean,
    lastRead: () => ReadonlyMap<string, number>,
  ) {
    this.last = runningPool() !== null && !keep ? lastRead() : null;
  }

  /** Holds a buffer outside `values` (partial values kept for a later record). */
  hold(data: Float32Array): void {
    if (this.last) retainFloats(data);
  }

  /** Lets go of a buffer held with {@link hold}. */
  drop(data: Float32Array): void {
    if (this.last) releaseFloats(data);
  }

  /** Sets `name` to `value`, the value it replaces to be handed back when the step ends. */
  set(name: string, value: T): void {
    if (this.last) {
      retainFloats(value.data);
      const old = this.values.get(name);
      if (old) this.replaced.push(old.data);
    }
    this.values.set(name, value);
  }

  /** Ends step `at`: hands back what it replaced, and the bottoms it was the last to read (and did not rewrite). */
  endStep(at: number, bottoms: readonly string[], tops: readonly string[]): void {
    if (!this.last) return;
    for (const data of this.replaced.splice(0)) releaseFloats(data);
    for (const name of new Set(bottoms)) {
      const value = this.values.get(name);
      if (value && this.last.get(name) === at && !tops.includes(name)) {
        releaseFloats(value.data);
        this.values.delete(name);
      }
    }
  }
}
