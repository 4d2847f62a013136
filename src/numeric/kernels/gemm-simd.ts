/**
 * The float32 GEMM on WebAssembly SIMD (gemm-simd-kernels.ts), for the products large enough to
 * pay for the copies: A is copied into the module's memory (rows padded to a multiple of 4 with
 * zeros, K to a multiple of 4), B is copied and packed into 8-column panels, the micro-kernel
 * writes C there, and C's rows are copied out. Zero padding adds only exact zeros to each sum.
 *
 * Blocking: the panels are taken in blocks whose packed size stays in L2 (about 256 KiB) while
 * every 4-row strip of A passes over them, so B is read from memory once and A once per block.
 * The module's memory grows to the largest product seen and is kept (one instance per thread); a
 * product needing more than 64 MiB goes through in blocks of columns (of output rows for a
 * convolution), so the memory stays within that (VGG's fc6 would otherwise keep 800 MB).
 */
import { assembleModule, instantiateModule, type WasmMemory } from "../wasm-assembler.js";
import type { MatrixView } from "./gemm.js";
import type { ConvGeometry } from "./im2col.js";
import { gemmFunctions, PANEL, SUM_CHUNK, TILE_ROWS } from "./gemm-simd-kernels.js";

interface GemmExports {
  memory: WasmMemory;
  tiles(a: number, lda: number, b: number, kp: number, c: number, ldc: number, rowTiles: number, p0: number, p1: number, d: number): void;
  packRows(src: number, n8: number, kp: number, dst: number): void;
  packColumns(src: number, kp: number, n8: number, dst: number): void;
  im2col(
    src: number, channels: number, height: number, width: number, oh0: number, rows: number, outW: number, kh: number, kw: number,
    sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, dst: number, n8: number,
  ): void;
  depthwise(
    src: number, dst: number, w: number, channels: number, height: number, width: number, outH: number, outW: number,
    kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number,
  ): void;
}

/** Bytes of packed B kept hot while the strips of A pass over it. */
const BLOCK_BYTES = 256 * 1024;
const PAGE_FLOATS = 65536 / 4;
/** Floats of the micro-kernel's double scratch (256 bytes) at the start of memory. */
const SCRATCH_FLOATS = 64;

let instance: GemmExports | null | undefined;
let memory = new Float32Array(0);

function kernels(): GemmExports | null {
  if (instance === undefined) {
    // Null on an engine without WebAssembly SIMD: the scalar GEMM runs instead.
    instance = instantiateModule<GemmExports>(assembleModule(gemmFunctions(), 1));
    if (instance) memory = new Float32Array(instance.memory.buffer);
  }
  return instance;
}

function reserve(ex: GemmExports, floats: number): boolean {
  if (floats > memory.length) {
    try {
      ex.memory.grow(Math.ceil((floats - memory.length) / PAGE_FLOATS));
    } catch {
      return false;
    }
    memory = new Float32Array(ex.memory.buffer);
  }
  return true;
}

const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

/** Copies `rows` rows of `cols` floats from a view into memory at `to` (row stride `toStride`), zero-padded to `padRows` × `toStride`. */
function copyIn(src: MatrixView, rows: number, cols: number, to: number, toStride: number, padRows: number): void {
  if (cols === toStride && src.stride === cols) {
    memory.set(src.data.subarray(src.offset, src.offset + rows * cols), to);
  } else {
    for (let i = 0; i < rows; i++) {
      const from = src.offset + i * src.stride;
      memory.set(src.data.subarray(from, from + cols), to + i * toStride);
      if (toStride > cols) memory.fill(0, to + i * toStride + cols, to + (i + 1) * toStride);
    }
  }
  memory.fill(0, to + rows * toStride, to + padRows * toStride);
}

/** Where B comes from: a K×N or N×K view, or the im2col of a 2-D image. */
type BSource =
  | { kind: "kn"; view: MatrixView }
  | { kind: "nk"; view: MatrixView }
  | { kind: "image"; x: Float32Array; xOffset: number; c0: number; channels: number; g: ConvGeometry };

/**
 * `C = A·B` (`bLayout` "kn": B is K×N) or `C = A·Bᵀ` ("nk": B is N×K), A being M×K, all float32
 * row-major views; C is overwritten. Each element is Σ_k A[i][k]·B[k][j] with float32 products,
 * summed in float32 over chunks of 32 k and in double across chunks, rounded to float32 once.
 * Returns false (and leaves C alone) when WebAssembly SIMD or the memory is not available.
 */
export function simdGemm(m: number, n: number, k: number, a: MatrixView, b: MatrixView, bLayout: "kn" | "nk", c: MatrixView): boolean {
  return run(m, n, k, a, bLayout === "kn" ? { kind: "kn", view: b } : { kind: "nk", view: b }, c);
}

/**
 * `C = A · im2col(image)` for a 2-D convolution of channels [c0, c0 + channels) of the image at
 * `x[xOffset]` (channel-major, C × g.image): Caffe's column buffer is built in the module's memory
 * (im2col.cpp's values and k order), never in JavaScript. A is M × (channels · kernel size).
 * Returns false when the geometry is not 2-D or the kernels are not available.
 */
export function simdConvolutionGemm(m: number, a: MatrixView, x: Float32Array, xOffset: number, c0: number, channels: number, g: ConvGeometry, c: MatrixView): boolean {
  if (g.image.length !== 2) return false;
  const k = channels * g.kernel[0]! * g.kernel[1]!;
  const n = g.columns[0]! * g.columns[1]!;
  return run(m, n, k, a, { kind: "image", x, xOffset, c0, channels, g }, c);
}

/**
 * A 2-D convolution with one input and one output channel per group (`channels` groups, weights
 * `[channels, 1, kh, kw]`), for kernels of at most SUM_CHUNK taps: each output the float32 sum of
 * its products in k order — the bits {@link simdConvolutionGemm} gives per group, without its
 * 4-row tile doing one useful row. Writes channels × g.columns floats at `out[outOffset]`; false
 * when it does not apply or the kernels are not available.
 */
export function simdDepthwiseConvolution(x: Float32Array, xOffset: number, channels: number, weight: Float32Array, g: ConvGeometry, out: Float32Array, outOffset: number): boolean {
  if (g.image.length !== 2 || g.kernel[0]! * g.kernel[1]! > SUM_CHUNK) return false;
  const ex = kernels();
  if (ex === null) return false;
  const [height, width] = g.image as [number, number];
  const [outH, outW] = g.columns as [number, number];
  const imageFloats = channels * height * width;
  const outFloats = channels * outH * outW;
  const weightAt = SCRATCH_FLOATS;
  const imageAt = roundUp(weightAt + weight.length, 4);
  const outAt = roundUp(imageAt + imageFloats, 4);
  if (outAt + outFloats > MEMORY_BUDGET || !reserve(ex, outAt + outFloats)) return false;
  memory.set(weight, weightAt);
  memory.set(x.subarray(xOffset, xOffset + imageFloats), imageAt);
  memory.fill(0, outAt, outAt + outFloats);
  ex.depthwise(imageAt * 4, outAt * 4, weightAt * 4, channels, height, width, outH, outW, g.kernel[0]!, g.kernel[1]!,
    g.stride[0]!, g.stride[1]!, g.pad[0]!, g.pad[1]!, g.dilation[0]!, g.dilation[1]!);
  out.set(memory.subarray(outAt, outAt + outFloats), outOffset);
  return true;
}

/** Floats of module memory one product may use (64 MiB); larger ones go through in column blocks. */
export const MEMORY_BUDGET = 1 << 24;

/** Bytes of the GEMM module's memory (it grows to the largest product seen and is kept). */
export function simdGemmMemoryBytes(): number {
  return memory.byteLength;
}

function run(m: number, n: number, k: number, a: MatrixView, b: BSource, c: MatrixView): boolean {
  const ex = kernels();
  if (ex === null) return false;
  const kp = roundUp(k, 4);
  const m4 = roundUp(m, TILE_ROWS);
  const aAt = SCRATCH_FLOATS;
  const imageFloats = b.kind === "image" ? b.channels * b.g.image[0]! * b.g.image[1]! : 0;
  const imageAt = aAt + m4 * kp;
  const rawAt = roundUp(imageAt + imageFloats, 4);
  if (rawAt > MEMORY_BUDGET / 2) return false;
  // Columns per block: raw and packed B (kp each) and C (m4) per column, within the budget.
  const fit = Math.max(PANEL, Math.floor((MEMORY_BUDGET - rawAt) / (2 * kp + m4) / PANEL) * PANEL);
  const outW = b.kind === "image" ? b.g.columns[1]! : 1;
  const step = b.kind === "image" ? Math.max(1, Math.floor(fit / outW)) * outW : fit;
  const n8 = roundUp(Math.min(n, step), PANEL);
  const packedAt = rawAt + kp * n8;
  const cAt = packedAt + kp * n8;
  if (!reserve(ex, cAt + m4 * n8)) return false;
  copyIn(a, m, k, aAt, kp, m4);
  if (b.kind === "image") {
    const from = b.xOffset + b.c0 * b.g.image[0]! * b.g.image[1]!;
    memory.set(b.x.subarray(from, from + imageFloats), imageAt);
  }
  for (let j0 = 0; j0 < n; j0 += step) {
    const cols = Math.min(step, n - j0);
    const cols8 = roundUp(cols, PANEL);
    if (b.kind === "nk") {
      copyIn({ data: b.view.data, offset: b.view.offset + j0 * b.view.stride, stride: b.view.stride }, cols, k, rawAt, kp, cols8);
      ex.packColumns(rawAt * 4, kp, cols8, packedAt * 4);
    } else {
      if (b.kind === "kn") {
        copyIn({ data: b.view.data, offset: b.view.offset + j0, stride: b.view.stride }, k, cols, rawAt, cols8, kp);
      } else {
        const g = b.g;
        ex.im2col(imageAt * 4, b.channels, g.image[0]!, g.image[1]!, j0 / outW, cols / outW, outW, g.kernel[0]!, g.kernel[1]!,
          g.stride[0]!, g.stride[1]!, g.pad[0]!, g.pad[1]!, g.dilation[0]!, g.dilation[1]!, rawAt * 4, cols8);
        memory.fill(0, rawAt + k * cols8, rawAt + kp * cols8);
      }
      ex.packRows(rawAt * 4, cols8, kp, packedAt * 4);
    }
    const panels = cols8 / PANEL;
    const block = Math.max(1, Math.floor(BLOCK_BYTES / (kp * PANEL * 4)));
    for (let p0 = 0; p0 < panels; p0 += block) {
      ex.tiles(aAt * 4, kp * 4, packedAt * 4, kp, cAt * 4, cols8 * 4, m4 / TILE_ROWS, p0, Math.min(panels, p0 + block), 0);
    }
    if (c.stride === n && n === cols8) {
      c.data.set(memory.subarray(cAt, cAt + m * n), c.offset);
    } else {
      for (let i = 0; i < m; i++) c.data.set(memory.subarray(cAt + i * cols8, cAt + i * cols8 + cols), c.offset + i * c.stride + j0);
    }
  }
  return true;
}
