/**
 * The pass `verify --net` makes over every top of both sides: the largest |a − b| and the largest
 * finite |a|, in double (as the report prints them). ResNet-50 has ~47 M values a side; the scalar
 * loop takes ~2.6 ns a value in V8 (its data-dependent branches defeat prediction), the WebAssembly
 * SIMD kernel below ~0.7 ns with the copies into its memory (f64x2.max, NaN-propagating, is a long
 * instruction sequence in V8; pmax is one maxpd, so NaN is flagged apart). Lanes are widened to
 * double before subtracting, so every difference is the exact double the scalar loop computes, and
 * max is exact: the results are the scalar loop's bit for bit. NaN or an infinity anywhere sends the
 * whole pair through the scalar loop, whose rules for them are the report's.
 */
import { assembleModule, instantiateModule, op, type WasmFunction, type WasmMemory } from "./wasm-assembler.js";

interface DifferenceExports {
  memory: WasmMemory;
  stats(a: number, b: number, end: number): void;
}

/** The largest |a − b| and the largest finite |a| of two arrays of one length. */
export interface DifferenceStats {
  maxAbs: number;
  maxRef: number;
}

/** |a − b| with NaN (one side only, or both) counted as an infinite difference, equal infinities as 0. */
export function absDiff(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0; // equal infinities
  return Math.abs(a - b);
}

/** The scalar pass: the reference, and the path for arrays holding NaN or infinities. */
export function scalarDifferenceStats(a: Float32Array, b: Float32Array): DifferenceStats {
  let maxAbs = 0;
  let maxRef = 0;
  const n = a.length;
  for (let i = 0; i < n; i++) {
    const r = a[i]!;
    const g = b[i]!;
    const d = Math.abs(r - g);
    // Taken rarely (a new largest difference, or NaN): the loop stays a subtraction and two comparisons.
    if (!(d <= maxAbs)) {
      const e = d === d ? d : absDiff(r, g);
      if (e > maxAbs) maxAbs = e;
    }
    const m = Math.abs(r);
    if (m > maxRef && m !== Infinity) maxRef = m;
  }
  return { maxAbs, maxRef };
}

/** Floats of each operand per kernel call: two 256 KiB windows, which stay in L2 while compared. */
const CHUNK = 65536;
/** Byte addresses: the two f64x2 results, then the windows of a and b. */
const RESULTS = 0;
const A_AT = 64;
const B_AT = A_AT + CHUNK * 4;
const PAGES = Math.ceil((B_AT + CHUNK * 4) / 65536);

/** Locals: a, b, end (byte addresses), then va, vb, t, maxD, maxR, d, nan. */
function statsFunction(): WasmFunction {
  const [a, b, end, va, vb, t, maxD, maxR, d, nan] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  // Lanes 2 and 3 of a float32 vector moved to lanes 0 and 1 (to widen them).
  const high = op.i8x16Shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
  // pmax is one instruction but drops NaN: NaN differences (a NaN operand, or ∞ − ∞) are flagged apart.
  const half = (widenA: number[], widenB: number[]): number[] => [
    ...widenA, ...op.f64x2PromoteLowF32x4(), ...op.set(t),
    ...op.get(maxR), ...op.get(t), ...op.f64x2Abs(), ...op.f64x2Pmax(), ...op.set(maxR),
    ...op.get(t), ...widenB, ...op.f64x2PromoteLowF32x4(), ...op.f64x2Sub(), ...op.f64x2Abs(), ...op.set(d),
    ...op.get(maxD), ...op.get(d), ...op.f64x2Pmax(), ...op.set(maxD),
    ...op.get(nan), ...op.get(d), ...op.get(d), ...op.f64x2Ne(), ...op.v128Or(), ...op.set(nan),
  ];
  return {
    name: "stats",
    params: ["i32", "i32", "i32"],
    results: [],
    locals: ["v128", "v128", "v128", "v128", "v128", "v128", "v128"],
    body: [
      ...op.block(),
      ...op.get(a), ...op.get(end), ...op.i32GeU(), ...op.brIf(0),
      ...op.loop(),
      ...op.get(a), ...op.v128Load(), ...op.set(va),
      ...op.get(b), ...op.v128Load(), ...op.set(vb),
      ...half(op.get(va), op.get(vb)),
      ...half([...op.get(va), ...op.get(va), ...high], [...op.get(vb), ...op.get(vb), ...high]),
      ...op.get(b), ...op.i32Const(16), ...op.i32Add(), ...op.set(b),
      ...op.get(a), ...op.i32Const(16), ...op.i32Add(), ...op.tee(a), ...op.get(end), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
      ...op.end(),
      ...op.i32Const(RESULTS), ...op.get(maxD), ...op.v128Store(),
      ...op.i32Const(RESULTS + 16), ...op.get(maxR), ...op.v128Store(),
      ...op.i32Const(RESULTS + 32), ...op.get(nan), ...op.v128Store(),
    ],
  };
}

let instance: { ex: DifferenceExports; floats: Float32Array; doubles: Float64Array; flags: Int32Array } | null | undefined;

function kernel(): typeof instance {
  if (instance === undefined) {
    const ex = instantiateModule<DifferenceExports>(assembleModule([statsFunction()], PAGES));
    // Null on an engine without WebAssembly SIMD: the scalar pass runs instead.
    const buffer = ex?.memory.buffer;
    instance = ex && buffer ? { ex, floats: new Float32Array(buffer), doubles: new Float64Array(buffer, RESULTS, 4), flags: new Int32Array(buffer, RESULTS + 32, 4) } : null;
  }
  return instance;
}

/** The largest |a − b| (absDiff's rules) and the largest finite |a|, over arrays of one length. */
export function differenceStats(a: Float32Array, b: Float32Array): DifferenceStats {
  const k = a.length >= 64 ? kernel() : null;
  if (!k) return scalarDifferenceStats(a, b);
  let maxAbs = 0;
  let maxRef = 0;
  for (let start = 0; start < a.length; start += CHUNK) {
    const len = Math.min(CHUNK, a.length - start);
    const vectors = len & ~3;
    k.floats.set(a.subarray(start, start + vectors), A_AT / 4);
    k.floats.set(b.subarray(start, start + vectors), B_AT / 4);
    k.ex.stats(A_AT, B_AT, A_AT + vectors * 4);
    const d = k.doubles;
    // A NaN difference somewhere: the scalar rules decide what it counts as.
    if (k.flags.some((f) => f !== 0)) return scalarDifferenceStats(a, b);
    maxAbs = Math.max(maxAbs, d[0]!, d[1]!);
    maxRef = Math.max(maxRef, d[2]!, d[3]!);
    if (vectors < len) {
      const tail = scalarDifferenceStats(a.subarray(start + vectors, start + len), b.subarray(start + vectors, start + len));
      maxAbs = Math.max(maxAbs, tail.maxAbs);
      maxRef = Math.max(maxRef, tail.maxRef);
    }
  }
  // An infinity somewhere (a one-sided ∞ difference, or |a| = ∞, which is no scale): the scalar rules.
  if (!Number.isFinite(maxAbs) || !Number.isFinite(maxRef)) return scalarDifferenceStats(a, b);
  return { maxAbs, maxRef };
}
