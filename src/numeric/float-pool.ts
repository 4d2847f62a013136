/**
 * Float32 buffers handed out again once nobody holds them: `verify --net` runs two executors over a
 * whole net, and on a machine where the first touch of fresh memory costs a page fault per 4 KiB
 * (~3 ms per MB measured on our 2-core VM, against ~0.04 ms to refill memory already touched) the
 * ~190 MB of tops each side makes for ResNet-50 cost more than the arithmetic. With a pool the
 * process touches only the blobs alive at once.
 *
 * Executors take their tops' buffers with {@link freshFloats} and say which buffers they hold with
 * {@link retainFloats} / {@link releaseFloats}; a driver comparing the tops holds them the same way.
 * All three do nothing unless a pool is running ({@link FloatPool.run}), so executors behave as before
 * everywhere else. A buffer goes back to the pool when its count returns to 0; one never retained is
 * left to the garbage collector. Counts are per ArrayBuffer, so views (a Reshape's top, a Slice's
 * subarray) hold their buffer too.
 */

/** Buffers smaller than this (in floats) are not worth keeping: fresh small arrays come from V8's heap. */
const MIN_POOLED = 4096;

let active: FloatPool | null = null;

/** A zero-filled float32 array of `length`: from the running pool, or new. */
export function freshFloats(length: number): Float32Array {
  return active !== null ? active.take(length) : new Float32Array(length);
}

/** The running pool, if any. */
export function runningPool(): FloatPool | null {
  return active;
}

/** Notes one more holder of `data`'s buffer (nothing without a running pool, or for a buffer it did not give). */
export function retainFloats(data: Float32Array): void {
  active?.retain(data);
}

/** Notes one holder fewer of `data`'s buffer; at none, the buffer is handed out again. */
export function releaseFloats(data: Float32Array): void {
  active?.release(data);
}

/** Options of a {@link FloatPool}. */
export interface FloatPoolOptions {
  /** Make buffers on SharedArrayBuffers (a worker thread hands its tops to the main thread without copies). */
  shared?: boolean;
}

/** Free buffers by length, and the holders of every buffer handed out. */
export class FloatPool {
  private readonly free = new Map<number, Float32Array[]>();
  /** The whole array over each buffer the pool made or adopted, how many hold it, and who takes it back. */
  private readonly owned = new WeakMap<ArrayBufferLike, { array: Float32Array; holders: number; onFree?: () => void }>();
  /** Buffers made, and buffers handed out again (for the benchmark's notes). */
  made = 0;
  reused = 0;

  constructor(private readonly options: FloatPoolOptions = {}) {}

  /**
   * Counts the holders of a buffer made elsewhere (a worker's top), calling `onFree` instead of
   * keeping it when the last one lets it go.
   */
  adopt(data: Float32Array, onFree: () => void): void {
    this.owned.set(data.buffer, { array: data, holders: 0, onFree });
  }

  /** Runs `fn` with this pool as the one executors take from (restoring the previous one after). */
  run<T>(fn: () => T): T {
    const previous = active;
    active = this;
    try {
      return fn();
    } finally {
      active = previous;
    }
  }

  /** A zero-filled array of `length`: a free one of that length, else a new one (small ones are never pooled). */
  take(length: number): Float32Array {
    if (length < MIN_POOLED) return new Float32Array(length);
    const list = this.free.get(length);
    const again = list?.pop();
    if (again !== undefined) {
      this.reused++;
      return again.fill(0);
    }
    const array = this.options.shared ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length);
    this.owned.set(array.buffer, { array, holders: 0 });
    this.made++;
    return array;
  }

  /** One more holder of `data`'s buffer (nothing for a buffer the pool neither made nor adopted). */
  retain(data: Float32Array): void {
    const entry = this.owned.get(data.buffer);
    if (entry) entry.holders++;
  }

  /** One holder fewer; at none the buffer is free again (or goes back to whoever the pool adopted it from). */
  release(data: Float32Array): void {
    const entry = this.owned.get(data.buffer);
    if (!entry || entry.holders === 0) return;
    if (--entry.holders > 0) return;
    if (entry.onFree) {
      this.owned.delete(data.buffer);
      entry.onFree();
      return;
    }
    const list = this.free.get(entry.array.length);
    if (list) list.push(entry.array);
    else this.free.set(entry.array.length, [entry.array]);
  }
}
