/**
 * The helper modules `export` defines in model.py (src/emit/python/helpers/*), each computed as
 * its emitted Python computes it: Scale, Bias (parameters broadcast from `axis` by `_from_axis`),
 * ArgMax (stable descending sort of the flipped axis: equal values larger index first), Embed and
 * nn.Embedding (rows picked by int64 ids, plus the bias), Parameter (its weight), MaxUnpool
 * (scatter into a zeroed plane), Lstm (gates i, f, o, g; zero initial state).
 */
import { gemmNT } from "../../../numeric/kernels/gemm.js";
import { ARITHMETIC, binary } from "../ops/elementwise.js";
import { cat, reshape } from "../ops/layout.js";
import { sigmoidOf } from "../ops/math.js";
import { asBool, asInt, asInts, asTensor, int, invalid, NONE, numel, tensor, tuple, wrapDim, type Tensor, type Value } from "../value.js";
import { arity, type ModuleContext, type ModuleImpl } from "./module.js";

const f32 = Math.fround;

/** `_from_axis(p, x, axis)`: p.reshape(p.shape + (1,) * (x.dim() − axis − p.dim())). */
function fromAxis(p: Tensor, x: Tensor, axis: number): Tensor {
  const extra = x.shape.length - axis - p.shape.length;
  return reshape(p, [...p.shape, ...new Array<number>(Math.max(0, extra)).fill(1)]);
}

const mul = (a: Tensor, b: Tensor): Tensor => binary(a, b, ARITHMETIC["*"]!, "float32");
const add = (a: Tensor, b: Tensor): Tensor => binary(a, b, ARITHMETIC["+"]!, "float32");

/** Scale.forward(x, factor=None): x · factor (+ bias), both from `axis`. */
function scale(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 1, 2);
  const x = asTensor(inputs[0], "x");
  const axis = asInt(ctx.args.get("axis"), "axis");
  const shape = ctx.args.get("shape")!;
  const factor = inputs[1] !== undefined && inputs[1].t !== "none" ? asTensor(inputs[1], "factor") : shape.t === "none" ? invalid("scale-no-factor") : ctx.param("weight", asInts(shape, "shape"));
  let y = mul(x, fromAxis(factor, x, axis));
  if (asBool(ctx.args.get("bias"), "bias")) y = add(y, fromAxis(ctx.param("bias"), x, axis));
  return y;
}

/** Bias.forward(x, bias=None): x + bias from `axis`. */
function bias(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 1, 2);
  const x = asTensor(inputs[0], "x");
  const axis = asInt(ctx.args.get("axis"), "axis");
  const b = inputs[1] !== undefined && inputs[1].t !== "none" ? asTensor(inputs[1], "bias") : ctx.param("bias");
  return add(x, fromAxis(b, x, axis));
}

/**
 * ArgMax._top: the k largest along `dim` by a stable descending sort of the flipped axis — so of
 * equal values the larger index comes first — as (values, indices as float32). NaN sorts above
 * every number, as torch.sort's descending order puts it.
 */
function top(x: Tensor, dim: number, k: number): [Tensor, Tensor] {
  const d = wrapDim(dim, x.shape.length);
  const [outer, size, inner] = [numel(x.shape.slice(0, d)), x.shape[d]!, numel(x.shape.slice(d + 1))];
  if (k < 1 || k > size) invalid("argmax-top-k", { top_k: k, size });
  const values = new Float32Array(outer * k * inner);
  const indices = new Float32Array(values.length);
  const order = new Array<number>(size);
  const key = (v: number): number => (Number.isNaN(v) ? Infinity : v);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number): number => x.data[(o * size + j) * inner + i]!;
      // Positions of the flipped axis: q = size − 1 − j; stable by q means larger j first on ties.
      for (let q = 0; q < size; q++) order[q] = size - 1 - q;
      order.sort((a, b) => {
        const [va, vb] = [at(a), at(b)];
        const [na, nb] = [Number.isNaN(va), Number.isNaN(vb)];
        if (na !== nb) return na ? -1 : 1;
        return key(vb) - key(va) || b - a;
      });
      for (let r = 0; r < k; r++) {
        values[(o * k + r) * inner + i] = at(order[r]!);
        indices[(o * k + r) * inner + i] = order[r]!;
      }
    }
  }
  const shape = [...x.shape];
  shape[d] = k;
  return [tensor(shape, values), tensor(shape, indices)];
}

function argMax(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 1);
  const x = asTensor(inputs[0], "x");
  const k = asInt(ctx.args.get("top_k"), "top_k");
  const outMax = asBool(ctx.args.get("out_max_val"), "out_max_val");
  const axis = ctx.args.get("axis")!;
  if (axis.t !== "none") {
    const [values, indices] = top(x, asInt(axis, "axis"), k);
    return outMax ? values : indices;
  }
  const [values, indices] = top(reshape(x, [x.shape[0]!, 1, -1]), 2, k);
  const y = outMax ? cat([indices, values], 1) : indices;
  return reshape(y, [...y.shape, ...new Array<number>(Math.max(0, x.shape.length - 3)).fill(1)]);
}

/** nn.Embedding (and Embed, which adds its bias): the weight's rows picked by int64 ids. */
function embedding(ctx: ModuleContext, inputs: readonly Value[], withBias: boolean): Tensor {
  arity(ctx, inputs, 1);
  const ids = asTensor(inputs[0], "ids");
  if (ids.dtype !== "int64") invalid("embedding-ids-dtype", { dtype: ids.dtype });
  const [k, n] = [asInt(ctx.args.get("num_embeddings"), "num_embeddings"), asInt(ctx.args.get("embedding_dim"), "embedding_dim")];
  const w = ctx.param("weight", [k, n]).data;
  const b = withBias ? ctx.param("bias", [n]).data : null;
  const out = new Float32Array(ids.data.length * n);
  ids.data.forEach((id, r) => {
    if (id < 0 || id >= k) invalid("embedding-index", { index: id, num_embeddings: k });
    for (let j = 0; j < n; j++) out[r * n + j] = b ? w[id * n + j]! + b[j]! : w[id * n + j]!;
  });
  return tensor([...ids.shape, n], out);
}

/** MaxUnpool.forward(x, mask): each value at place mask (truncated to int) of a zeroed output plane. */
function maxUnpool(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 2);
  const x = asTensor(inputs[0], "x");
  const mask = asTensor(inputs[1], "mask");
  if (x.shape.length !== 4) invalid("max-unpool-rank", { rank: x.shape.length });
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const size = ctx.args.get("size")!;
  let height: number;
  let width: number;
  if (size.t !== "none") [height, width] = asInts(size, "size", 2) as [number, number];
  else {
    const [sh, sw] = asInts(ctx.args.get("scale"), "scale", 2);
    const [ph, pw] = asInts(ctx.args.get("pad_out"), "pad_out", 2);
    [height, width] = [h * sh! - ph!, w * sw! - pw!];
  }
  if (mask.data.length !== x.data.length) invalid("max-unpool-mask", { x: [...x.shape], mask: [...mask.shape] });
  const plane = height * width;
  const out = new Float32Array(n * c * plane);
  for (let p = 0; p < n * c; p++) {
    for (let i = 0; i < h * w; i++) {
      const place = Math.trunc(mask.data[p * h * w + i]!);
      if (place < 0 || place >= plane) invalid("max-unpool-index", { index: place, plane });
      out[p * plane + place] = x.data[p * h * w + i]!;
    }
  }
  return tensor([n, c, height, width], out);
}

/** Lstm.forward: [T, N, I] → [T, N, H], gates (i, f, o, g), zero initial h and c. */
function lstm(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 1);
  const x = asTensor(inputs[0], "x");
  const [inputSize, hidden] = [asInt(ctx.args.get("input_size"), "input_size"), asInt(ctx.args.get("hidden_size"), "hidden_size")];
  if (x.shape.length !== 3 || x.shape[2] !== inputSize) invalid("lstm-input", { shape: [...x.shape], input_size: inputSize });
  const [steps, batch] = x.shape as [number, number];
  const g4 = 4 * hidden;
  const wi = ctx.param("weight_i", [g4, inputSize]).data;
  const wh = ctx.param("weight_h", [g4, hidden]).data;
  const b = ctx.param("bias", [g4]).data;
  const gx = new Float32Array(steps * batch * g4);
  gemmNT(steps * batch, g4, inputSize, { data: x.data, offset: 0, stride: inputSize }, { data: wi, offset: 0, stride: inputSize }, { data: gx, offset: 0, stride: g4 });
  for (let r = 0; r < steps * batch; r++) for (let j = 0; j < g4; j++) gx[r * g4 + j] = gx[r * g4 + j]! + b[j]!;
  const out = new Float32Array(steps * batch * hidden);
  const h = new Float32Array(batch * hidden);
  const c = new Float32Array(batch * hidden);
  const gh = new Float32Array(batch * g4);
  for (let t = 0; t < steps; t++) {
    if (t > 0) gemmNT(batch, g4, hidden, { data: h, offset: 0, stride: hidden }, { data: wh, offset: 0, stride: hidden }, { data: gh, offset: 0, stride: g4 });
    for (let n = 0; n < batch; n++) {
      const row = (t * batch + n) * g4;
      const gate = (q: number, j: number): number => f32(gx[row + q * hidden + j]! + (t > 0 ? gh[n * g4 + q * hidden + j]! : 0));
      for (let j = 0; j < hidden; j++) {
        const [i, f, o, g] = [f32(sigmoidOf(gate(0, j))), f32(sigmoidOf(gate(1, j))), f32(sigmoidOf(gate(2, j))), f32(Math.tanh(gate(3, j)))];
        const at = n * hidden + j;
        c[at] = t > 0 ? f32(i * g) + f32(f * c[at]!) : i * g;
        h[at] = o * f32(Math.tanh(c[at]!));
      }
    }
    out.set(h, t * batch * hidden);
  }
  return tensor([steps, batch, hidden], out);
}

/** The general helper modules (Scale, Bias, ArgMax, Embed, nn.Embedding, Parameter, MaxUnpool, Lstm). */
export const HELPER_MODULES: readonly ModuleImpl[] = [
  { classes: ["Scale"], signature: [["shape"], ["axis", int(1)], ["bias", { t: "bool", v: false }], ["bias_shape", NONE]], forward: scale },
  { classes: ["Bias"], signature: [["shape"], ["axis", int(1)]], forward: bias },
  { classes: ["ArgMax"], signature: [["top_k", int(1)], ["axis", NONE], ["out_max_val", { t: "bool", v: false }]], forward: argMax },
  { classes: ["nn.Embedding"], signature: [["num_embeddings"], ["embedding_dim"]], forward: (ctx, inputs) => embedding(ctx, inputs, false) },
  { classes: ["Embed"], signature: [["num_embeddings"], ["embedding_dim"]], forward: (ctx, inputs) => embedding(ctx, inputs, true) },
  {
    classes: ["Parameter"],
    signature: [["shape"]],
    forward: (ctx, inputs) => (arity(ctx, inputs, 0), ctx.param("weight", asInts(ctx.args.get("shape"), "shape"))),
  },
  { classes: ["MaxUnpool"], signature: [["size", NONE], ["scale", tuple([int(2), int(2)])], ["pad_out", tuple([int(0), int(0)])]], forward: maxUnpool },
  { classes: ["Lstm"], signature: [["input_size"], ["hidden_size"]], forward: lstm },
];
