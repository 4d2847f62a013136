/**
 * WebAssembly SIMD kernels for the hot loops of the Caffe and PyTorch BatchNorm executors, built at
 * run time by wasm-assembler.ts.
 *
 * WebAssembly's f32x4 add, sub, mul and div are IEEE float32 operations lane by lane (no fused
 * multiply-add, no reassociation), so a kernel that keeps two f32x4 accumulators, lanes 0–3 and
 * 4–7, adds in exactly the order of OpenBLAS's 8-lane Haswell sgemv_t micro-kernel that
 * openblas-order.ts emulates in scalar code — four values per instruction instead of one
 * `Math.fround` each. The scalar code stays the reference; test/numeric pins bit-for-bit agreement.
 *
 * The PyTorch executor's kernels reproduce ATen's arithmetic instead: sequential double sums, and
 * `x·alpha + beta` in f64x2 with fmaf's tie case flagged for the caller (see fmaTransform).
 *
 * The kernels work on the module's own memory; callers copy a channel's rows in (a memcpy), run the
 * kernels there, and copy the normalised rows out.
 */
import { assembleModule, instantiateModule, op, type WasmFunction, type WasmMemory } from "./wasm-assembler.js";

/**
 * Locals: p (byte address), n (float count, a multiple of 4), the extra parameters, then end, lo,
 * hi, a scratch v128 and the extra locals; `extra.prologue` runs first. Adds `term` (a v128 of the
 * four floats at p + offset, transformed) into lo and hi as avxRowKernel does: a 4-wide head into
 * lo when n & 4, then 8 floats a step; then returns `(v0 + v1) + (v2 + v3)` of v = lo + hi.
 */
function eightLaneReduction(
  name: string,
  extra: { params: readonly "f32"[]; locals: readonly "v128"[]; prologue: number[] },
  term: (offset: number) => number[],
): WasmFunction {
  const [p, n] = [0, 1];
  const end = 2 + extra.params.length;
  const [lo, hi] = [end + 1, end + 2];
  const scratch = end + 3;
  return {
    name,
    params: ["i32", "i32", ...extra.params],
    results: ["f32"],
    locals: ["i32", "v128", "v128", "v128", ...extra.locals],
    body: [
      ...extra.prologue,
      ...op.get(p), ...op.get(n), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(end),
      ...op.get(n), ...op.i32Const(4), ...op.i32And(), ...op.if(),
      ...term(0), ...op.set(lo),
      ...op.get(p), ...op.i32Const(16), ...op.i32Add(), ...op.set(p),
      ...op.end(),
      ...op.block(),
      ...op.get(p), ...op.get(end), ...op.i32GeU(), ...op.brIf(0),
      ...op.loop(),
      ...op.get(lo), ...term(0), ...op.f32x4Add(), ...op.set(lo),
      ...op.get(hi), ...term(16), ...op.f32x4Add(), ...op.set(hi),
      ...op.get(p), ...op.i32Const(32), ...op.i32Add(), ...op.tee(p), ...op.get(end), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
      ...op.end(),
      ...op.get(lo), ...op.get(hi), ...op.f32x4Add(), ...op.set(scratch),
      ...op.get(scratch), ...op.f32x4ExtractLane(0), ...op.get(scratch), ...op.f32x4ExtractLane(1), ...op.f32Add(),
      ...op.get(scratch), ...op.f32x4ExtractLane(2), ...op.get(scratch), ...op.f32x4ExtractLane(3), ...op.f32Add(),
      ...op.f32Add(),
    ],
  };
}

/**
 * Locals: src, dst (byte addresses), n (float count), mu, sd (f32), then vector end, end, m, s (the
 * splats of mu and sd) and d. Writes `f(src[i])` to dst[i] for i < n: four at a time, then the
 * `n & 3` tail one at a time; `vector` and `scalar` transform the loaded value on the stack.
 */
function elementwise(name: string, vector: number[], scalar: number[]): WasmFunction {
  const [src, dst, n, mu, sd] = [0, 1, 2, 3, 4];
  const [vectorEnd, end, m, s] = [5, 6, 7, 8];
  const advance = (size: number) => [
    ...op.get(dst), ...op.i32Const(size), ...op.i32Add(), ...op.set(dst),
    ...op.get(src), ...op.i32Const(size), ...op.i32Add(), ...op.tee(src),
  ];
  return {
    name,
    params: ["i32", "i32", "i32", "f32", "f32"],
    results: [],
    locals: ["i32", "i32", "v128", "v128", "v128", "f32"],
    body: [
      ...op.get(mu), ...op.f32x4Splat(), ...op.set(m),
      ...op.get(sd), ...op.f32x4Splat(), ...op.set(s),
      ...op.get(src), ...op.get(n), ...op.i32Const(-4), ...op.i32And(), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(vectorEnd),
      ...op.get(src), ...op.get(n), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(end),
      ...op.block(),
      ...op.get(src), ...op.get(vectorEnd), ...op.i32GeU(), ...op.brIf(0),
      ...op.loop(),
      ...op.get(dst), ...op.get(src), ...op.v128Load(0), ...vector, ...op.v128Store(0),
      ...advance(16), ...op.get(vectorEnd), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
      ...op.end(),
      ...op.block(),
      ...op.get(src), ...op.get(end), ...op.i32GeU(), ...op.brIf(0),
      ...op.loop(),
      ...op.get(dst), ...op.get(src), ...op.f32Load(0), ...scalar, ...op.f32Store(0),
      ...advance(4), ...op.get(end), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
      ...op.end(),
    ],
  };
}

/**
 * Locals: p (byte address), n (float count), the extra parameters, acc (f64), then end4, end and the
 * extra locals. Adds `term(offset)` (an f64 from the float at p + offset) to acc one value after
 * the other, as a plain C loop over a double accumulator does (four per loop step, same order).
 */
function sequentialDoubleSum(
  name: string,
  extra: { params: readonly "f32"[]; locals: readonly ("f32" | "v128")[] },
  term: (offset: number) => number[],
): WasmFunction {
  const [p, n] = [0, 1];
  const acc = 2 + extra.params.length;
  const [end4, end] = [acc + 1, acc + 2];
  const add = (offset: number) => [...op.get(acc), ...term(offset), ...op.f64Add(), ...op.set(acc)];
  const step = (size: number, last: number, body: number[]) => [
    ...op.block(),
    ...op.get(p), ...op.get(last), ...op.i32GeU(), ...op.brIf(0),
    ...op.loop(),
    ...body,
    ...op.get(p), ...op.i32Const(size), ...op.i32Add(), ...op.tee(p), ...op.get(last), ...op.i32LtU(), ...op.brIf(0),
    ...op.end(),
    ...op.end(),
  ];
  return {
    name,
    params: ["i32", "i32", ...extra.params, "f64"],
    results: ["f64"],
    locals: ["i32", "i32", ...extra.locals],
    body: [
      ...op.get(p), ...op.get(n), ...op.i32Const(-4), ...op.i32And(), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(end4),
      ...op.get(p), ...op.get(n), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(end),
      ...step(16, end4, [...add(0), ...add(4), ...add(8), ...add(12)]),
      ...step(4, end, add(0)),
      ...op.get(acc),
    ],
  };
}

/**
 * `fmaTransform(src, dst, n, alpha, beta, flags) → count`: dst = fround(src·alpha + beta) for n (a
 * multiple of 4) floats, product and sum in double (the product is exact). That is the float32 FMA
 * except where the double sum s is exactly a midpoint between two floats (fmaf's tie case,
 * float32.ts): in the normal float32 range that is the bit pattern 1 followed by 28 zeros below
 * float32 precision. Groups of four with such a lane, or with a lane outside the normal range
 * (0 < |s| < 2⁻¹²⁶, |s| ≥ 2¹²⁷, NaN), are flagged — their byte address appended to the i32 list
 * at `flags` — for the caller to redo with fmaf. Returns the number flagged. Integer and compare
 * operations, not float32 round trips, keep the check cheap.
 */
function fmaTransform(): WasmFunction {
  const [src, dst, n, alpha, beta, flags] = [0, 1, 2, 3, 4, 5];
  const [end, count, va, vb, v, sum, lo, hi, flag, abs] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const [low29, midpoint, least, limit, zero] = [16, 17, 18, 19, 20];
  const high = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
  const affine = [...op.f64x2PromoteLowF32x4(), ...op.get(va), ...op.f64x2Mul(), ...op.get(vb), ...op.f64x2Add(), ...op.set(sum)];
  /** Rounds `sum` into `demoted` and leaves the lanes to redo (all ones) on the stack. */
  const half = (demoted: number) => [
    ...op.get(sum), ...op.f32x4DemoteF64x2Zero(), ...op.set(demoted),
    ...op.get(sum), ...op.get(low29), ...op.v128And(), ...op.get(midpoint), ...op.i64x2Eq(),
    ...op.get(sum), ...op.f64x2Abs(), ...op.tee(abs), ...op.get(least), ...op.f64x2Ge(),
    ...op.get(abs), ...op.get(limit), ...op.f64x2Lt(), ...op.v128And(),
    ...op.get(sum), ...op.get(zero), ...op.f64x2Eq(), ...op.v128Or(),
    ...op.v128Not(), ...op.v128Or(),
  ];
  return {
    name: "fmaTransform",
    params: ["i32", "i32", "i32", "f64", "f64", "i32"],
    results: ["i32"],
    locals: ["i32", "i32", ...Array<"v128">(13).fill("v128")],
    body: [
      ...op.get(alpha), ...op.f64x2Splat(), ...op.set(va),
      ...op.get(beta), ...op.f64x2Splat(), ...op.set(vb),
      ...op.i64x2Const(2 ** 29 - 1, 2 ** 29 - 1), ...op.set(low29),
      ...op.i64x2Const(2 ** 28, 2 ** 28), ...op.set(midpoint),
      ...op.f64x2Const(2 ** -126, 2 ** -126), ...op.set(least),
      ...op.f64x2Const(2 ** 127, 2 ** 127), ...op.set(limit),
      ...op.get(src), ...op.get(n), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(end),
      ...op.block(),
      ...op.get(src), ...op.get(end), ...op.i32GeU(), ...op.brIf(0),
      ...op.loop(),
      ...op.get(src), ...op.v128Load(0), ...op.tee(v), ...affine, ...half(lo), ...op.set(flag),
      ...op.get(v), ...op.get(v), ...op.i8x16Shuffle(high), ...affine, ...half(hi), ...op.get(flag), ...op.v128Or(),
      ...op.v128AnyTrue(), ...op.if(),
      ...op.get(flags), ...op.get(count), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.get(src), ...op.i32Store(0),
      ...op.get(count), ...op.i32Const(1), ...op.i32Add(), ...op.set(count),
      ...op.end(),
      ...op.get(dst), ...op.get(lo), ...op.get(hi), ...op.i8x16Shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]), ...op.v128Store(0),
      ...op.get(dst), ...op.i32Const(16), ...op.i32Add(), ...op.set(dst),
      ...op.get(src), ...op.i32Const(16), ...op.i32Add(), ...op.tee(src), ...op.get(end), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
      ...op.end(),
      ...op.get(count),
    ],
  };
}

// Local indices of elementwise(): mu 3, sd 4, m 7, s 8, vector d 9, scalar d 10.
const E = { mu: 3, sd: 4, m: 7, s: 8, d: 9, df: 10 } as const;

function kernelFunctions(): WasmFunction[] {
  // sumsq8's locals: p 0, n 1, mu 2, end 3, lo 4, hi 5, scratch 6, m 7 (mu splat), d 8.
  const squaresExtra = { params: ["f32"] as const, locals: ["v128", "v128"] as const, prologue: [...op.get(2), ...op.f32x4Splat(), ...op.set(7)] };
  return [
    eightLaneReduction("sum8", { params: [], locals: [], prologue: [] }, (offset) => [...op.get(0), ...op.v128Load(offset)]),
    eightLaneReduction("sumsq8", squaresExtra, (offset) => [
      ...op.get(0), ...op.v128Load(offset), ...op.get(7), ...op.f32x4Sub(), ...op.tee(8), ...op.get(8), ...op.f32x4Mul(),
    ]),
    elementwise(
      "squares",
      [...op.get(E.m), ...op.f32x4Sub(), ...op.tee(E.d), ...op.get(E.d), ...op.f32x4Mul()],
      [...op.get(E.mu), ...op.f32Sub(), ...op.tee(E.df), ...op.get(E.df), ...op.f32Mul()],
    ),
    sequentialDoubleSum("dsum", { params: [], locals: [] }, (offset) => [...op.get(0), ...op.f32Load(offset), ...op.f64PromoteF32()]),
    // dsumsq's locals: p 0, n 1, mu 2, acc 3, end4 4, end 5, d 6.
    sequentialDoubleSum("dsumsq", { params: ["f32"], locals: ["f32"] }, (offset) => [
      ...op.get(0), ...op.f32Load(offset), ...op.get(2), ...op.f32Sub(), ...op.tee(6), ...op.get(6), ...op.f32Mul(), ...op.f64PromoteF32(),
    ]),
    fmaTransform(),
    elementwise(
      "normalize",
      [...op.get(E.m), ...op.f32x4Sub(), ...op.get(E.s), ...op.f32x4Div()],
      [...op.get(E.mu), ...op.f32Sub(), ...op.get(E.sd), ...op.f32Div()],
    ),
  ];
}

/**
 * The kernels, addressed in floats of {@link BatchNormKernels.memory}. Pointers and lengths must
 * lie inside the reserved floats.
 */
export interface BatchNormKernels {
  /** The module's memory as floats; replaced by {@link reserve} when the memory grows. */
  readonly memory: Float32Array;
  /** Makes at least `floats` floats addressable; false when the memory cannot grow that far. */
  reserve(floats: number): boolean;
  /** avxRowKernel (openblas-order.ts) of the `n` floats at `at`; `n` a multiple of 4. */
  sum8(at: number, n: number): number;
  /** avxRowKernel over `fround(fround(v − mu)²)` of the `n` floats at `at`; `n` a multiple of 4. */
  sumOfSquares8(at: number, n: number, mu: number): number;
  /** `to[i] = fround(fround(from[i] − mu)²)` for i < n. */
  squares(from: number, to: number, n: number, mu: number): void;
  /** `to[i] = fround(fround(from[i] − mu) / sd)` for i < n (`to` may equal `from`). */
  normalize(from: number, to: number, n: number, mu: number, sd: number): void;
  /** `acc + Σ v` over the `n` floats at `at`, added one after the other in double. */
  doubleSum(at: number, n: number, acc: number): number;
  /** `acc + Σ fround(fround(v − mu)²)` over the `n` floats at `at`, added one after the other in double. */
  doubleSumOfSquares(at: number, n: number, mu: number, acc: number): number;
  /**
   * `to[i] = fround(from[i]·alpha + beta)` (product and sum in double) for i < n, n a multiple of 4;
   * the float indices of the groups of four that may need fmaf's tie correction go to the Int32
   * list at float index `flags`; returns their number.
   */
  fmaTransform(from: number, to: number, n: number, alpha: number, beta: number, flags: number): number;
}

interface KernelExports {
  memory: WasmMemory;
  sum8(p: number, n: number): number;
  sumsq8(p: number, n: number, mu: number): number;
  squares(src: number, dst: number, n: number, mu: number, sd: number): void;
  normalize(src: number, dst: number, n: number, mu: number, sd: number): void;
  dsum(p: number, n: number, acc: number): number;
  dsumsq(p: number, n: number, mu: number, acc: number): number;
  fmaTransform(src: number, dst: number, n: number, alpha: number, beta: number, flags: number): number;
}

const PAGE_FLOATS = 65536 / 4;

function instantiate(): BatchNormKernels | null {
  const ex = instantiateModule<KernelExports>(assembleModule(kernelFunctions(), 1));
  if (!ex) return null; // an engine without WebAssembly SIMD: the scalar executor runs instead
  let memory = new Float32Array(ex.memory.buffer);
  return {
    get memory() {
      return memory;
    },
    reserve(floats: number): boolean {
      if (floats <= memory.length) return true;
      try {
        ex.memory.grow(Math.ceil((floats - memory.length) / PAGE_FLOATS));
      } catch {
        return false;
      }
      memory = new Float32Array(ex.memory.buffer);
      return true;
    },
    sum8: (at, n) => ex.sum8(at << 2, n),
    sumOfSquares8: (at, n, mu) => ex.sumsq8(at << 2, n, mu),
    squares: (from, to, n, mu) => ex.squares(from << 2, to << 2, n, mu, 1),
    normalize: (from, to, n, mu, sd) => ex.normalize(from << 2, to << 2, n, mu, sd),
    doubleSum: (at, n, acc) => ex.dsum(at << 2, n, acc),
    doubleSumOfSquares: (at, n, mu, acc) => ex.dsumsq(at << 2, n, mu, acc),
    fmaTransform: (from, to, n, alpha, beta, flags) => ex.fmaTransform(from << 2, to << 2, n, alpha, beta, flags << 2),
  };
}

let kernels: BatchNormKernels | null | undefined;

/** The kernels (instantiated on first use, shared), or null when the engine cannot run them. */
export function batchNormKernels(): BatchNormKernels | null {
  if (kernels === undefined) kernels = instantiate();
  return kernels;
}

/** Below this row length a plain loop copies faster than a subarray and `set` per row. */
const SHORT_ROW = 64;

/** Copies the N rows of channel `c` of an N×C×S tensor to the kernels' memory, row n at n·S. */
export function loadChannel(k: BatchNormKernels, x: Float32Array, num: number, channels: number, spatial: number, c: number): void {
  const memory = k.memory;
  for (let n = 0; n < num; n++) {
    const base = (n * channels + c) * spatial;
    if (spatial < SHORT_ROW) {
      for (let i = 0, at = n * spatial; i < spatial; i++) memory[at + i] = x[base + i] as number;
    } else {
      memory.set(x.subarray(base, base + spatial), n * spatial);
    }
  }
}

/** Copies the N rows at n·S in the kernels' memory back to channel `c` of an N×C×S tensor. */
export function storeChannel(k: BatchNormKernels, y: Float32Array, num: number, channels: number, spatial: number, c: number): void {
  const memory = k.memory;
  for (let n = 0; n < num; n++) {
    const base = (n * channels + c) * spatial;
    if (spatial < SHORT_ROW) {
      for (let i = 0, at = n * spatial; i < spatial; i++) y[base + i] = memory[at + i] as number;
    } else {
      y.set(memory.subarray(n * spatial, (n + 1) * spatial), base);
    }
  }
}
