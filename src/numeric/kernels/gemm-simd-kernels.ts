/**
 * The WebAssembly SIMD kernels of the float32 GEMM (gemm-simd.ts), written as wasm bytes at run
 * time by our own assembler (../wasm-assembler.ts), as the BatchNorm kernels are.
 *
 * The micro-kernel computes a 4×8 tile of C = A·B: A's four rows are read in place (one float of
 * each, splatted, per k), B comes packed in panels of eight columns (`kp` rows of 8 floats, one
 * 32-byte line per k), so each k step is two vector loads, four splats, eight f32x4 multiplies and
 * eight adds into eight independent accumulators. Products and sums are float32 (wasm has no fused
 * multiply-add; each lane's sum runs over k in order), and every {@link SUM_CHUNK} steps the
 * accumulators are added into double partial sums in a 256-byte scratch, so a float32 sum never
 * runs over more than SUM_CHUNK terms: the result is the exact dot product within a few float32
 * ulps of the partial sums, well inside OpenBLAS's own float32 rounding (which accumulates the
 * whole K block in float32), and C is rounded to float32 once from the double.
 */
import { op, type WasmFunction } from "../wasm-assembler.js";

/** k steps summed in float32 before they go into the double partial sums (a multiple of 4). */
export const SUM_CHUNK = 32;

/** The rows of C per micro-kernel tile and the columns per packed B panel. */
export const TILE_ROWS = 4;
export const PANEL = 8;

/**
 * k steps per trip of the micro-kernel's inner loop. One: with more, V8's scheduler hoists every
 * step's loads to the top of the loop body and spills accumulators to the stack (measured: 4 steps
 * ran at 30 GFLOP/s, 2 at 24, 1 at 41–46). The single step needs 15 of x64's 16 xmm registers.
 */
const UNROLL = 1;

/** i8x16.shuffle lanes taking float lanes `lanes` (0–3 of a, 4–7 of b). */
function floatLanes(lanes: readonly number[]): number[] {
  return lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
}

const add = (local: number, bytes: number[]) => [...op.get(local), ...bytes, ...op.i32Add(), ...op.set(local)];
const addConst = (local: number, value: number) => add(local, op.i32Const(value));

/**
 * `tiles(a, lda, b, kp, c, ldc, rowTiles, p0, p1, d)`: for each 4-row tile t < rowTiles and each
 * panel p in [p0, p1), `C[4t..4t+4][8p..8p+8] = A[4t..4t+4][0..kp) · panel p`. Byte addresses:
 * a (row stride lda bytes), b (panels of kp·32 bytes), c (row stride ldc bytes), d (256-byte
 * scratch, 16-aligned). kp is a positive multiple of 4; rowTiles ≥ 1 and p0 < p1.
 */
function tiles(): WasmFunction {
  const [a, lda, b, kp, c, ldc, rowTiles, p0, p1, d] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [t, p, a0, a1, a2, a3, bp, kEnd, chunkEnd, cp] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
  const acc = [20, 21, 22, 23, 24, 25, 26, 27];
  const [bv0, bv1, s] = [28, 29, 30];
  const rows = [a0, a1, a2, a3];
  const step = (u: number) => [
    ...op.get(bp), ...op.v128Load(u * 32), ...op.set(bv0),
    ...op.get(bp), ...op.v128Load(u * 32 + 16), ...op.set(bv1),
    ...rows.flatMap((row, r) => [
      ...op.get(row), ...op.v128Load32Splat(u * 4), ...op.set(s),
      ...op.get(acc[2 * r]!), ...op.get(bv0), ...op.get(s), ...op.f32x4Mul(), ...op.f32x4Add(), ...op.set(acc[2 * r]!),
      ...op.get(acc[2 * r + 1]!), ...op.get(bv1), ...op.get(s), ...op.f32x4Mul(), ...op.f32x4Add(), ...op.set(acc[2 * r + 1]!),
    ]),
  ];
  const high = floatLanes([2, 3, 2, 3]);
  // Scratch q·32: the double sums of accumulator q, lanes 0–1 then 2–3.
  const flush = acc.flatMap((v, q) => [
    ...op.get(d), ...op.get(d), ...op.v128Load(q * 32), ...op.get(v), ...op.f64x2PromoteLowF32x4(), ...op.f64x2Add(), ...op.v128Store(q * 32),
    ...op.get(d), ...op.get(d), ...op.v128Load(q * 32 + 16), ...op.get(v), ...op.get(v), ...op.i8x16Shuffle(high), ...op.f64x2PromoteLowF32x4(), ...op.f64x2Add(), ...op.v128Store(q * 32 + 16),
  ]);
  const rounded = (q: number) => [
    ...op.get(d), ...op.v128Load(q * 32), ...op.f32x4DemoteF64x2Zero(),
    ...op.get(d), ...op.v128Load(q * 32 + 16), ...op.f32x4DemoteF64x2Zero(),
    ...op.i8x16Shuffle(floatLanes([0, 1, 4, 5])),
  ];
  const store = [0, 1, 2, 3].flatMap((r) => [
    ...op.get(cp), ...rounded(2 * r), ...op.v128Store(0),
    ...op.get(cp), ...rounded(2 * r + 1), ...op.v128Store(16),
    ...add(cp, op.get(ldc)),
  ]);
  return {
    name: "tiles",
    params: Array<"i32">(10).fill("i32"),
    results: [],
    locals: [...Array<"i32">(10).fill("i32"), ...Array<"v128">(11).fill("v128")],
    body: [
      ...op.loop(), // rows
      ...op.get(p0), ...op.set(p),
      ...op.loop(), // panels
      ...op.get(a), ...op.get(t), ...op.get(lda), ...op.i32Mul(), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(a0),
      ...op.get(a0), ...op.get(lda), ...op.i32Add(), ...op.set(a1),
      ...op.get(a1), ...op.get(lda), ...op.i32Add(), ...op.set(a2),
      ...op.get(a2), ...op.get(lda), ...op.i32Add(), ...op.set(a3),
      ...op.get(b), ...op.get(p), ...op.get(kp), ...op.i32Mul(), ...op.i32Const(5), ...op.i32Shl(), ...op.i32Add(), ...op.tee(bp),
      ...op.get(kp), ...op.i32Const(5), ...op.i32Shl(), ...op.i32Add(), ...op.set(kEnd),
      ...Array.from({ length: 16 }, (_, q) => [...op.get(d), ...op.v128Zero(), ...op.v128Store(q * 16)]).flat(),
      ...op.loop(), // chunks of SUM_CHUNK k steps
      ...op.get(bp), ...op.i32Const(SUM_CHUNK * 32), ...op.i32Add(), ...op.tee(chunkEnd),
      ...op.get(kEnd), ...op.get(chunkEnd), ...op.get(kEnd), ...op.i32LtU(), ...op.select(), ...op.set(chunkEnd),
      ...acc.flatMap((v) => [...op.v128Zero(), ...op.set(v)]),
      ...op.loop(), // UNROLL k steps
      ...Array.from({ length: UNROLL }, (_, u) => step(u)).flat(),
      ...rows.flatMap((row) => addConst(row, 4 * UNROLL)),
      ...op.get(bp), ...op.i32Const(32 * UNROLL), ...op.i32Add(), ...op.tee(bp), ...op.get(chunkEnd), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
      ...flush,
      ...op.get(bp), ...op.get(kEnd), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
      ...op.get(c), ...op.get(t), ...op.get(ldc), ...op.i32Mul(), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(),
      ...op.get(p), ...op.i32Const(5), ...op.i32Shl(), ...op.i32Add(), ...op.set(cp),
      ...store,
      ...op.get(p), ...op.i32Const(1), ...op.i32Add(), ...op.tee(p), ...op.get(p1), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
      ...op.get(t), ...op.i32Const(1), ...op.i32Add(), ...op.tee(t), ...op.get(rowTiles), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
    ],
  };
}

/**
 * `packRows(src, n8, kp, dst)`: B given as kp rows of n8 floats (row-major, n8 a multiple of 8) →
 * n8/8 panels, panel p holding `B[k][8p..8p+8]` at k·32 bytes.
 */
function packRows(): WasmFunction {
  const [src, n8, kp, dst] = [0, 1, 2, 3];
  const [p, s, e, rowBytes, panels] = [4, 5, 6, 7, 8];
  return {
    name: "packRows",
    params: ["i32", "i32", "i32", "i32"],
    results: [],
    locals: Array<"i32">(5).fill("i32"),
    body: [
      ...op.get(n8), ...op.i32Const(2), ...op.i32Shl(), ...op.set(rowBytes),
      ...op.get(n8), ...op.i32Const(3), ...op.i32ShrU(), ...op.set(panels),
      ...op.loop(),
      ...op.get(src), ...op.get(p), ...op.i32Const(5), ...op.i32Shl(), ...op.i32Add(), ...op.set(s),
      ...op.get(dst), ...op.get(kp), ...op.i32Const(5), ...op.i32Shl(), ...op.i32Add(), ...op.set(e),
      ...op.loop(),
      ...op.get(dst), ...op.get(s), ...op.v128Load(0), ...op.v128Store(0),
      ...op.get(dst), ...op.get(s), ...op.v128Load(16), ...op.v128Store(16),
      ...add(s, op.get(rowBytes)),
      ...op.get(dst), ...op.i32Const(32), ...op.i32Add(), ...op.tee(dst), ...op.get(e), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
      ...op.get(p), ...op.i32Const(1), ...op.i32Add(), ...op.tee(p), ...op.get(panels), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
    ],
  };
}

/**
 * `packColumns(src, kp, n8, dst)`: B given transposed, n8 rows of kp floats (kp a multiple of 4,
 * n8 of 8) → the same panels as packRows: eight rows at a time, four k at a time, through two
 * 4×4 transposes.
 */
function packColumns(): WasmFunction {
  const [src, kp, n8, dst] = [0, 1, 2, 3];
  const [p, r, e, rowBytes, q, panels] = [4, 5, 6, 7, 8, 9];
  const x = [10, 11, 12, 13];
  const y = [14, 15, 16, 17];
  const half = (h: number) => [
    ...op.get(r), ...op.get(rowBytes), ...op.i32Const(4 * h), ...op.i32Mul(), ...op.i32Add(), ...op.set(q),
    ...x.flatMap((v) => [...op.get(q), ...op.v128Load(0), ...op.set(v), ...add(q, op.get(rowBytes))]),
    ...op.get(x[0]!), ...op.get(x[1]!), ...op.i8x16Shuffle(floatLanes([0, 4, 1, 5])), ...op.set(y[0]!),
    ...op.get(x[2]!), ...op.get(x[3]!), ...op.i8x16Shuffle(floatLanes([0, 4, 1, 5])), ...op.set(y[1]!),
    ...op.get(x[0]!), ...op.get(x[1]!), ...op.i8x16Shuffle(floatLanes([2, 6, 3, 7])), ...op.set(y[2]!),
    ...op.get(x[2]!), ...op.get(x[3]!), ...op.i8x16Shuffle(floatLanes([2, 6, 3, 7])), ...op.set(y[3]!),
    ...op.get(dst), ...op.get(y[0]!), ...op.get(y[1]!), ...op.i8x16Shuffle(floatLanes([0, 1, 4, 5])), ...op.v128Store(16 * h),
    ...op.get(dst), ...op.get(y[0]!), ...op.get(y[1]!), ...op.i8x16Shuffle(floatLanes([2, 3, 6, 7])), ...op.v128Store(32 + 16 * h),
    ...op.get(dst), ...op.get(y[2]!), ...op.get(y[3]!), ...op.i8x16Shuffle(floatLanes([0, 1, 4, 5])), ...op.v128Store(64 + 16 * h),
    ...op.get(dst), ...op.get(y[2]!), ...op.get(y[3]!), ...op.i8x16Shuffle(floatLanes([2, 3, 6, 7])), ...op.v128Store(96 + 16 * h),
  ];
  return {
    name: "packColumns",
    params: ["i32", "i32", "i32", "i32"],
    results: [],
    locals: [...Array<"i32">(6).fill("i32"), ...Array<"v128">(8).fill("v128")],
    body: [
      ...op.get(kp), ...op.i32Const(2), ...op.i32Shl(), ...op.set(rowBytes),
      ...op.get(n8), ...op.i32Const(3), ...op.i32ShrU(), ...op.set(panels),
      ...op.loop(),
      ...op.get(src), ...op.get(p), ...op.get(rowBytes), ...op.i32Mul(), ...op.i32Const(3), ...op.i32Shl(), ...op.i32Add(), ...op.set(r),
      ...op.get(dst), ...op.get(kp), ...op.i32Const(5), ...op.i32Shl(), ...op.i32Add(), ...op.set(e),
      ...op.loop(),
      ...half(0),
      ...half(1),
      ...addConst(r, 16),
      ...op.get(dst), ...op.i32Const(128), ...op.i32Add(), ...op.tee(dst), ...op.get(e), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
      ...op.get(p), ...op.i32Const(1), ...op.i32Add(), ...op.tee(p), ...op.get(panels), ...op.i32LtU(), ...op.brIf(0),
      ...op.end(),
    ],
  };
}

/** `for (v = 0; v < limit; v++) body` over i32 locals (signed compare). */
function forLoop(v: number, limit: number, body: number[]): number[] {
  return [
    ...op.i32Const(0), ...op.set(v),
    ...op.block(),
    ...op.get(v), ...op.get(limit), ...op.i32GeS(), ...op.brIf(0),
    ...op.loop(),
    ...body,
    ...op.get(v), ...op.i32Const(1), ...op.i32Add(), ...op.tee(v), ...op.get(limit), ...op.i32LtS(), ...op.brIf(0),
    ...op.end(),
    ...op.end(),
  ];
}

/** `while (q < end) { body; }` where body advances q. */
function whileBelow(q: number, end: number, body: number[]): number[] {
  return [
    ...op.block(),
    ...op.get(q), ...op.get(end), ...op.i32GeU(), ...op.brIf(0),
    ...op.loop(),
    ...body,
    ...op.get(q), ...op.get(end), ...op.i32LtU(), ...op.brIf(0),
    ...op.end(),
    ...op.end(),
  ];
}

/**
 * `im2col(src, channels, height, width, oh0, rows, outW, kh, kw, sh, sw, ph, pw, dh, dw, dst, n8)`:
 * Caffe's 2-D im2col (im2col.cpp) of the `channels` planes at byte address src, output rows
 * [oh0, oh0 + rows), into rows of n8 floats at dst (row k = (c·kh + i)·kw + j, column
 * (oh − oh0)·outW + ow; columns from rows·outW to n8 are zeros). Each output row's in-image run [lo, hi) is found first, so the copy needs no bounds
 * check (four floats per vector when the stride is 1).
 */
function im2col(): WasmFunction {
  const [src, channels, height, width, oh0, outH, outW, kh, kw, sh, sw, ph, pw, dh, dw, dst, n8] = Array.from({ length: 17 }, (_, i) => i);
  const [c, i, j, oh, ih, shift, lo, hi, q, line, plane, end, rowEnd, from, step, padBytes] = Array.from({ length: 16 }, (_, i) => 17 + i);
  const mul = (x: number[], y: number[]) => [...x, ...y, ...op.i32Mul()];
  const zerosTo = (limit: number) => whileBelow(q, limit, [
    ...op.get(q), ...op.f32Const(0), ...op.f32Store(0), ...addConst(q, 4),
  ]);
  const copyRun = [
    ...op.get(q), ...op.get(hi), ...op.get(lo), ...op.i32Sub(), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(end),
    ...op.get(line), ...op.get(lo), ...op.get(sw), ...op.i32Mul(), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(from),
    ...op.get(sw), ...op.i32Const(1), ...op.i32Eq(), ...op.if(),
    // vector part: while q + 16 ≤ end
    ...op.get(end), ...op.i32Const(12), ...op.i32Sub(), ...op.set(rowEnd),
    ...whileBelow(q, rowEnd, [
      ...op.get(q), ...op.get(from), ...op.v128Load(0), ...op.v128Store(0), ...addConst(q, 16), ...addConst(from, 16),
    ]),
    ...op.end(),
    ...whileBelow(q, end, [
      ...op.get(q), ...op.get(from), ...op.f32Load(0), ...op.f32Store(0), ...addConst(q, 4), ...add(from, op.get(step)),
    ]),
  ];
  const row = [
    ...op.get(q), ...op.get(outW), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(rowEnd),
    ...mul([...op.get(oh), ...op.get(oh0), ...op.i32Add()], op.get(sh)), ...op.get(ph), ...op.i32Sub(), ...mul(op.get(i), op.get(dh)), ...op.i32Add(), ...op.tee(ih),
    ...op.get(height), ...op.i32LtU(), ...op.if(),
    ...op.get(plane), ...mul(op.get(ih), op.get(width)), ...op.get(shift), ...op.i32Add(), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(line),
    ...op.get(q), ...op.get(lo), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(end),
    ...zerosTo(end),
    ...copyRun,
    // copyRun may have reused rowEnd as the vector limit: recompute it
    ...op.get(q), ...op.get(outW), ...op.get(hi), ...op.i32Sub(), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(rowEnd),
    ...zerosTo(rowEnd),
    ...op.else(),
    ...zerosTo(rowEnd),
    ...op.end(),
  ];
  const kernelOffset = [
    ...mul(op.get(j), op.get(dw)), ...op.get(pw), ...op.i32Sub(), ...op.set(shift),
    // lo: the first ow with ow·sw + shift ≥ 0; hi: one past the last with ow·sw + shift < width
    ...op.i32Const(0), ...op.set(lo),
    ...op.block(), ...op.loop(),
    ...op.get(lo), ...op.get(outW), ...op.i32GeS(), ...op.brIf(1),
    ...mul(op.get(lo), op.get(sw)), ...op.get(shift), ...op.i32Add(), ...op.i32Const(0), ...op.i32GeS(), ...op.brIf(1),
    ...addConst(lo, 1), ...op.br(0),
    ...op.end(), ...op.end(),
    ...op.get(outW), ...op.set(hi),
    ...op.block(), ...op.loop(),
    ...op.get(hi), ...op.get(lo), ...op.i32LeS(), ...op.brIf(1),
    ...op.get(hi), ...op.i32Const(1), ...op.i32Sub(), ...op.get(sw), ...op.i32Mul(), ...op.get(shift), ...op.i32Add(), ...op.get(width), ...op.i32LtS(), ...op.brIf(1),
    ...addConst(hi, -1), ...op.br(0),
    ...op.end(), ...op.end(),
    ...forLoop(oh, outH, row),
    ...op.get(q), ...op.get(padBytes), ...op.i32Add(), ...op.set(end),
    ...zerosTo(end),
  ];
  return {
    name: "im2col",
    params: Array<"i32">(17).fill("i32"),
    results: [],
    locals: Array<"i32">(16).fill("i32"),
    body: [
      ...op.get(dst), ...op.set(q),
      ...op.get(src), ...op.set(plane),
      ...op.get(sw), ...op.i32Const(2), ...op.i32Shl(), ...op.set(step),
      ...op.get(n8), ...mul(op.get(outH), op.get(outW)), ...op.i32Sub(), ...op.i32Const(2), ...op.i32Shl(), ...op.set(padBytes),
      ...forLoop(c, channels, [
        ...forLoop(i, kh, forLoop(j, kw, kernelOffset)),
        ...add(plane, [...mul(op.get(height), op.get(width)), ...op.i32Const(2), ...op.i32Shl()]),
      ]),
    ],
  };
}

/**
 * `depthwise(src, dst, w, channels, height, width, outH, outW, kh, kw, sh, sw, ph, pw, dh, dw)`: a
 * convolution with one input and one output channel per group, straight from its definition:
 * dst (zeroed by the caller, channels × outH × outW floats) accumulates, kernel offset after kernel
 * offset, `dst = fround(dst + fround(w · x))` over the in-image positions. Per output that is the
 * float32 sum of the products in k order: for kh·kw ≤ SUM_CHUNK exactly what {@link tiles} computes
 * for the same GEMM (its padded zeros add nothing), without the 4-row tile's three idle rows.
 */
function depthwise(): WasmFunction {
  const [src, dst, w, channels, height, width, outH, outW, kh, kw, sh, sw, ph, pw, dh, dw] = Array.from({ length: 16 }, (_, i) => i);
  const [c, i, j, oh, ih, shift, lo, hi, q, line, plane, end, from, step, out, vectorEnd] = Array.from({ length: 16 }, (_, i) => 16 + i);
  const [wf, wv] = [32, 33];
  const mul = (x: number[], y: number[]) => [...x, ...y, ...op.i32Mul()];
  const row = [
    ...mul(op.get(oh), op.get(sh)), ...op.get(ph), ...op.i32Sub(), ...mul(op.get(i), op.get(dh)), ...op.i32Add(), ...op.tee(ih),
    ...op.get(height), ...op.i32LtU(), ...op.if(),
    ...op.get(out), ...mul(op.get(oh), op.get(outW)), ...op.get(lo), ...op.i32Add(), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(q),
    ...op.get(q), ...op.get(hi), ...op.get(lo), ...op.i32Sub(), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(end),
    ...op.get(plane), ...mul(op.get(ih), op.get(width)), ...op.get(shift), ...op.i32Add(), ...mul(op.get(lo), op.get(sw)), ...op.i32Add(), ...op.i32Const(2), ...op.i32Shl(), ...op.i32Add(), ...op.set(from),
    ...op.get(sw), ...op.i32Const(1), ...op.i32Eq(), ...op.if(),
    ...op.get(end), ...op.i32Const(12), ...op.i32Sub(), ...op.set(vectorEnd),
    ...whileBelow(q, vectorEnd, [
      ...op.get(q), ...op.get(q), ...op.v128Load(0), ...op.get(from), ...op.v128Load(0), ...op.get(wv), ...op.f32x4Mul(), ...op.f32x4Add(), ...op.v128Store(0),
      ...addConst(q, 16), ...addConst(from, 16),
    ]),
    ...op.end(),
    ...whileBelow(q, end, [
      ...op.get(q), ...op.get(q), ...op.f32Load(0), ...op.get(from), ...op.f32Load(0), ...op.get(wf), ...op.f32Mul(), ...op.f32Add(), ...op.f32Store(0),
      ...addConst(q, 4), ...add(from, op.get(step)),
    ]),
    ...op.end(),
  ];
  const kernelOffset = [
    ...op.get(w), ...op.f32Load(0), ...op.tee(wf), ...op.f32x4Splat(), ...op.set(wv), ...addConst(w, 4),
    ...mul(op.get(j), op.get(dw)), ...op.get(pw), ...op.i32Sub(), ...op.set(shift),
    ...op.i32Const(0), ...op.set(lo),
    ...op.block(), ...op.loop(),
    ...op.get(lo), ...op.get(outW), ...op.i32GeS(), ...op.brIf(1),
    ...mul(op.get(lo), op.get(sw)), ...op.get(shift), ...op.i32Add(), ...op.i32Const(0), ...op.i32GeS(), ...op.brIf(1),
    ...addConst(lo, 1), ...op.br(0),
    ...op.end(), ...op.end(),
    ...op.get(outW), ...op.set(hi),
    ...op.block(), ...op.loop(),
    ...op.get(hi), ...op.get(lo), ...op.i32LeS(), ...op.brIf(1),
    ...op.get(hi), ...op.i32Const(1), ...op.i32Sub(), ...op.get(sw), ...op.i32Mul(), ...op.get(shift), ...op.i32Add(), ...op.get(width), ...op.i32LtS(), ...op.brIf(1),
    ...addConst(hi, -1), ...op.br(0),
    ...op.end(), ...op.end(),
    ...forLoop(oh, outH, row),
  ];
  return {
    name: "depthwise",
    params: Array<"i32">(16).fill("i32"),
    results: [],
    locals: [...Array<"i32">(16).fill("i32"), "f32", "v128"],
    body: [
      ...op.get(src), ...op.set(plane),
      ...op.get(dst), ...op.set(out),
      ...op.get(sw), ...op.i32Const(2), ...op.i32Shl(), ...op.set(step),
      ...forLoop(c, channels, [
        ...forLoop(i, kh, forLoop(j, kw, kernelOffset)),
        ...add(plane, [...mul(op.get(height), op.get(width)), ...op.i32Const(2), ...op.i32Shl()]),
        ...add(out, [...mul(op.get(outH), op.get(outW)), ...op.i32Const(2), ...op.i32Shl()]),
      ]),
    ],
  };
}

/** The GEMM module's functions. */
export function gemmFunctions(): WasmFunction[] {
  return [tiles(), packRows(), packColumns(), im2col(), depthwise()];
}
