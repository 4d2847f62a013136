/**
 * The sequence layers of the OCR fork senlinuc/caffe_ocr (src/caffe/layers/reverse_layer.cpp,
 * transpose_layer.cpp, lstm_layer_Junhyuk.cpp, ctc_decoder_layer.cpp): Reverse, Transpose, Lstm
 * (Junhyuk Oh's LSTM, not BVLC's LSTM) and CTCGreedyDecoder.
 */
import { ctcLossBlank, lstmHidden, readCtcDecoder, reverseAxis, transposeDims } from "../../caffe/layers/ocr.js";
import { sigmoidOf } from "../../numeric/kernels/activations.js";
import { blobOf, count, inPlace, needBottoms, param } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";
import { forkSource } from "./fork-source.js";

const f = Math.fround;

/**
 * Reverse (reverse_layer.cpp:7-46): the blocks of count(axis + 1) values along `axis` in reverse
 * order within each slice of the axes before it; in-place is refused (:18-19).
 */
export const reverse: LayerExecutor = {
  types: ["Reverse"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    if (inPlace(ctx)) fail("in-place-not-allowed", { layer: ctx.layer.name });
    const axis = reverseAxis(ctx.layer, x.shape.length, forkSource(ctx));
    if (typeof axis !== "number") return fail(axis.refused, { layer: ctx.layer.name, ...axis.data });
    const block = count(x.shape, axis + 1);
    const steps = x.shape[axis]!;
    const out = new Float32Array(x.data.length);
    for (let outer = 0; outer < count(x.shape, 0, axis); outer++) {
      const base = outer * steps * block;
      for (let i = 0; i < steps; i++) out.set(x.data.subarray(base + i * block, base + (i + 1) * block), base + (steps - 1 - i) * block);
    }
    return [blobOf(x.shape, out)];
  },
};

/** Transpose (transpose_layer.cpp:5-21, 32-95): top axis i is bottom axis dim[i]; in-place refused (:26-27). */
export const transpose: LayerExecutor = {
  types: ["Transpose"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    if (inPlace(ctx)) fail("in-place-not-allowed", { layer: ctx.layer.name });
    const dims = transposeDims(ctx.layer, x.shape.length, forkSource(ctx));
    if ("refused" in dims) return fail(dims.refused, { layer: ctx.layer.name, ...dims.data });
    const topShape = dims.map((d) => x.shape[d]!);
    const fromCounts = x.shape.map((_, i) => count(x.shape, i + 1));
    const toCounts = topShape.map((_, i) => count(topShape, i + 1));
    const out = new Float32Array(x.data.length);
    const at = new Array<number>(x.shape.length).fill(0);
    for (let index = 0; index < x.data.length; index++) {
      let rest = index;
      for (let i = 0; i < at.length; i++) {
        at[i] = Math.trunc(rest / fromCounts[i]!);
        rest %= fromCounts[i]!;
      }
      let to = 0;
      for (let i = 0; i < at.length; i++) to += at[dims[i]!]! * toCounts[i]!;
      out[to] = x.data[index]!;
    }
    return [blobOf(topShape, out)];
  },
};

/**
 * Lstm (lstm_layer_Junhyuk.cpp:130-208) on bottom [T, N, I]: blobs W_i [4H, I], W_h [4H, H], b [4H]
 * (:29-54), gates in the order i, f, o, g. Pre-gates x·W_iᵀ + b (:160-163); from the second step on
 * (or where the optional bottom 1 [T, N] is non-zero) h_{t−1}·W_hᵀ is added and the forget gate
 * used, else it is 0 (:180-190); c = f·c_{t−1} + i·g, h = o·tanh(c) (:193-194). The state starts
 * at 0; with bottom 1 it would carry over from the previous forward (:150-153), 0 for the first.
 */
export const lstm: LayerExecutor = {
  types: ["Lstm"],
  forward(ctx) {
    needBottoms(ctx, 1, 2);
    const x = ctx.bottoms[0]!;
    if (x.shape.length !== 3) fail("lstm-rank", { layer: ctx.layer.name, shape: [...x.shape] });
    const hidden = lstmHidden(ctx.layer, forkSource(ctx));
    if (typeof hidden !== "number") return fail(hidden.refused, { layer: ctx.layer.name, ...hidden.data });
    const [steps, num, size] = x.shape as [number, number, number];
    const H = hidden;
    const wi = param(ctx, 0, [4 * H, size]).data;
    const wh = param(ctx, 1, [4 * H, H]).data;
    const b = param(ctx, 2, [4 * H]).data;
    const clip = ctx.bottoms[1];
    if (clip && clip.data.length !== steps * num) fail("lstm-clip-shape", { layer: ctx.layer.name, shape: [...clip.shape] });
    const dot = (a: Float32Array, ao: number, w: Float32Array, row: number, k: number): number => {
      let s = 0;
      for (let j = 0; j < k; j++) s += a[ao + j]! * w[row * k + j]!;
      return f(s);
    };
    const out = new Float32Array(steps * num * H);
    let c = new Float32Array(num * H);
    let h = new Float32Array(num * H);
    for (let t = 0; t < steps; t++) {
      const cNext = new Float32Array(num * H);
      for (let n = 0; n < num; n++) {
        const cont = clip ? clip.data[t * num + n] !== 0 : t > 0;
        const pre = (gate: number, d: number): number => {
          const row = gate * H + d;
          const fromInput = f(dot(x.data, (t * num + n) * size, wi, row, size) + b[row]!);
          return cont ? f(fromInput + dot(h, n * H, wh, row, H)) : fromInput;
        };
        for (let d = 0; d < H; d++) {
          const i = sigmoidOf(pre(0, d));
          const fg = cont ? sigmoidOf(pre(1, d)) : 0;
          const o = sigmoidOf(pre(2, d));
          const g = f(Math.tanh(pre(3, d)));
          const cell = f(f(fg * c[n * H + d]!) + f(i * g));
          cNext[n * H + d] = cell;
          out[(t * num + n) * H + d] = f(o * f(Math.tanh(cell)));
        }
      }
      c = cNext;
      h = out.slice(t * num * H, (t + 1) * num * H);
    }
    return [blobOf([steps, num, H], out)];
  },
};

/** EditDistance (ctc_decoder_layer.cpp:253-276): Levenshtein distance. */
function editDistance(a: readonly number[], b: readonly number[]): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

/**
 * CTCGreedyDecoder on scores [T, N, C] (ctc_decoder_layer.cpp:337-376): per step the first class
 * with the largest score; repeats merged (ctc_merge_repeated), blanks dropped (blank_index, −1 the
 * last class, :96-98). One bottom: the sequences [N, T, 1, 1] padded with −1 (:175-190). With the
 * labels [N, L] as bottom 1 and one top: [1, 2, 1, 1] = (1 − mean normalised edit distance, share
 * of exact sequences), labels ending at a negative value, blanks left out (:193-236).
 */
export const ctcGreedyDecoder: LayerExecutor = {
  types: ["CTCGreedyDecoder"],
  forward(ctx) {
    needBottoms(ctx, 1, 2);
    const x = ctx.bottoms[0]!;
    if (x.shape.length < 3) fail("ctc-rank", { layer: ctx.layer.name, shape: [...x.shape] });
    // :57-66: (scores) → sequences or (scores, labels) → accuracy, one top each.
    if (ctx.layer.tops.length !== 1) fail("ctc-decoder-tops", { layer: ctx.layer.name, tops: ctx.layer.tops.length });
    const [T, N] = [x.shape[0]!, x.shape[1]!];
    const C = count(x.shape, 2);
    const p = readCtcDecoder(ctx.layer, forkSource(ctx));
    const blank = p.blankIndex < 0 ? C - 1 : p.blankIndex;
    const sequences: number[][] = [];
    for (let n = 0; n < N; n++) {
      const seq: number[] = [];
      let prev = -1;
      for (let t = 0; t < T; t++) {
        const base = (t * N + n) * C;
        let best = 0;
        for (let k = 1; k < C; k++) if (x.data[base + k]! > x.data[base + best]!) best = k;
        if (best !== blank && !(p.mergeRepeated && best === prev)) seq.push(best);
        prev = best;
      }
      sequences.push(seq);
    }
    const labels = ctx.bottoms[1];
    if (!labels) {
      const out = new Float32Array(N * T).fill(-1);
      sequences.forEach((s, n) => s.forEach((v, t) => (out[n * T + t] = v)));
      return [blobOf([N, T, 1, 1], out)];
    }
    const L = count(labels.shape, 1);
    let edit = 0;
    let exact = 0;
    sequences.forEach((seq, n) => {
      const target: number[] = [];
      for (let t = 0; t < L; t++) {
        const v = labels.data[n * L + t]!;
        if (v < 0) break;
        const label = Math.trunc(0.5 + v);
        if (label !== blank) target.push(label);
      }
      const longest = Math.max(target.length, seq.length);
      if (longest === 0) return;
      const ed = editDistance(target, seq);
      edit = f(edit + ed / longest);
      if (ed === 0) exact++;
    });
    return [blobOf([1, 2, 1, 1], Float32Array.from([f(1 - f(edit / N)), f(exact / N)]))];
  },
};

/** log(e^a + e^b) as warp-ctc's log_plus (ctc_helper.h:49-59), −∞ being the neutral element. */
const logPlus = (a: number, b: number): number => (a === -Infinity ? b : b === -Infinity ? a : Math.log1p(Math.exp(-Math.abs(a - b))) + Math.max(a, b));

/**
 * The CTC cost of one sequence as warp-ctc's CPU kernel computes it (include/detail/cpu_ctc.h):
 * −log Σ over alignments, by the forward (alpha) recursion in log space over the labels with blanks
 * (:224-268). A label sequence that cannot fit, L + repeats > T, costs 0, not ∞ (:199-201).
 */
function ctcCost(logProb: (t: number, k: number) => number, T: number, labels: readonly number[], blank: number): number {
  const L = labels.length;
  const repeats = labels.filter((v, i) => i > 0 && labels[i - 1] === v).length;
  if (L + repeats > T) return 0;
  const S = 2 * L + 1;
  const ext = Array.from({ length: S }, (_, i) => (i % 2 === 0 ? blank : labels[(i - 1) / 2]!));
  let alpha = new Array<number>(S).fill(-Infinity);
  alpha[0] = logProb(0, blank);
  if (S > 1) alpha[1] = logProb(0, ext[1]!);
  for (let t = 1; t < T; t++) {
    const next = new Array<number>(S).fill(-Infinity);
    for (let i = 0; i < S; i++) {
      let sum = logPlus(alpha[i]!, i > 0 ? alpha[i - 1]! : -Infinity);
      if (i > 1 && ext[i] !== blank && ext[i] !== ext[i - 2]) sum = logPlus(sum, alpha[i - 2]!);
      next[i] = sum + logProb(t, ext[i]!);
    }
    alpha = next;
  }
  return -logPlus(alpha[S - 1]!, S > 1 ? alpha[S - 2]! : -Infinity);
}

/**
 * WarpCTCLoss with its two bottoms (senlinuc/caffe_ocr warp_ctc_loss_layer.cpp:74-192):
 * activations [T, N, C] (warp-ctc takes the softmax itself, cpu_ctc.h:162-185), labels [N, L]
 * cast to int with blank_index entries skipped (:84-103), every sequence T long; the loss is the
 * mean of the finite costs (:173-183). The 3- and 4-bottom forms (sequence indicators or lengths)
 * are refused.
 */
export const warpCtcLoss: LayerExecutor = {
  types: ["WarpCTCLoss"],
  forward(ctx) {
    needBottoms(ctx, 2);
    const [x, labels] = [ctx.bottoms[0]!, ctx.bottoms[1]!];
    // :31-37: T = num, N = channels, C = height, width 1.
    const [T, N] = [x.shape[0] ?? 1, x.shape[1] ?? 1];
    const C = x.shape[2] ?? 1;
    if ((x.shape[3] ?? 1) !== 1 || x.shape.length > 4 || labels.shape[0] !== N) fail("ctc-loss-shapes", { layer: ctx.layer.name, x: [...x.shape], labels: [...labels.shape] });
    const blank = ctcLossBlank(ctx.layer, forkSource(ctx));
    // cpu_ctc.h:162-185: a softmax per step and item in float32, then logs.
    const logProbs = new Float64Array(T * N * C);
    for (let r = 0; r < T * N; r++) {
      let max = -Infinity;
      for (let k = 0; k < C; k++) max = Math.max(max, x.data[r * C + k]!);
      const e = Array.from({ length: C }, (_, k) => f(Math.exp(f(x.data[r * C + k]! - max))));
      const denom = e.reduce((a, b) => f(a + b), 0);
      e.forEach((v, k) => (logProbs[r * C + k] = Math.log(f(v / denom))));
    }
    const perItem = count(labels.shape, 1);
    let loss = 0;
    let finite = 0;
    for (let n = 0; n < N; n++) {
      const seq: number[] = [];
      for (let l = 0; l < perItem; l++) {
        const label = Math.trunc(labels.data[n * perItem + l]!);
        if (label !== blank) seq.push(label);
      }
      const cost = f(ctcCost((t, k) => logProbs[(t * N + n) * C + k]!, T, seq, blank));
      if (cost < Infinity) {
        loss = f(loss + cost);
        finite++;
      }
    }
    return [blobOf([], Float32Array.of(f(loss / finite)))];
  },
};

/** The executors of this file. */
export const FORK_OCR: readonly LayerExecutor[] = [reverse, transpose, lstm, ctcGreedyDecoder, warpCtcLoss];
