import { layerParams } from "./layers/params.js";
import { isForkRefusal, permuteOrder } from "./layers/ssd.js";
import type { ShapeRule } from "./shapes.js";
import { canonicalAxis, mapDim, product, unify, type Dim, type Shape } from "./shape-util.js";

/** Every top has the shape of bottom 0 (activations, normalisations, Dropout, Scale, Bias, …). */
export const sameAsFirst: ShapeRule = ({ layer, inputs }) => layer.tops.map(() => (inputs[0] ? [...inputs[0]] : null));

/** Split: every top is a copy of the single bottom. */
export const splitShape: ShapeRule = sameAsFirst;

/** Eltwise: all bottoms share one shape (EltwiseLayer::Reshape checks it); known dims fill unknown ones. */
export const eltwiseShape: ShapeRule = ({ layer, inputs }) => {
  let shape: Shape = inputs[0] ?? null;
  for (const other of inputs.slice(1)) shape = unify(shape, other);
  return layer.tops.map(() => (shape ? [...shape] : null));
};

/** Loss layers produce a scalar (a blob with no axes). */
export const scalarShape: ShapeRule = ({ layer }) => layer.tops.map(() => []);

/**
 * InnerProduct: the axes before `axis` are kept, the rest flattened into num_output
 * (InnerProductLayer::Reshape). An unknown input still gives `[?, num_output]` for a non-negative
 * axis: the output's rank and last dim do not depend on it.
 */
export const innerProductShape: ShapeRule = ({ layer, inputs }) => {
  const p = layer.param.inner_product_param ?? {};
  const given = p.axis ?? 1;
  const input = inputs[0] ?? (given >= 0 ? Array<Dim>(given + 1).fill(null) : null);
  if (!input) return null;
  const axis = canonicalAxis(given, input.length);
  if (axis === null) return null;
  return layer.tops.map(() => [...input.slice(0, axis), p.num_output ?? null]);
};

/**
 * Concat: sizes add up along the axis (legacy concat_dim wins when written, as ConcatLayer::Reshape).
 * Every bottom has the same rank and the same other dims, so one known bottom gives them; the sum
 * is known only when every bottom's size along the axis is.
 */
export const concatShape: ShapeRule = ({ layer, inputs }) => {
  const first = inputs.find((input) => input !== null);
  if (!first) return null;
  const p = layer.param.concat_param ?? {};
  const axis = p.concat_dim !== undefined ? p.concat_dim : canonicalAxis(p.axis ?? 1, first.length);
  if (axis === null || axis >= first.length) return null;
  let total: Dim = 0;
  let shape: Shape = [...first];
  for (const input of inputs) {
    if (input && input.length !== first.length) return null;
    total = total === null || !input || input[axis] === null ? null : total + input[axis]!;
    shape = unify(shape, input);
  }
  const out = [...shape!];
  out[axis] = total;
  return layer.tops.map(() => [...out]);
};

/**
 * Slice: cut along the axis at slice_point (one fewer point than tops), or into equal parts when
 * no point is given (SliceLayer::Reshape); legacy slice_dim wins when written.
 */
export const sliceShape: ShapeRule = ({ layer, inputs }) => {
  const input = inputs[0];
  if (!input) return null;
  const p = layer.param.slice_param ?? {};
  const axis = p.slice_dim !== undefined ? p.slice_dim : canonicalAxis(p.axis ?? 1, input.length);
  if (axis === null || axis >= input.length) return null;
  const size = input[axis] ?? null;
  const n = layer.tops.length;
  const points = p.slice_point ?? [];
  const sizes: Dim[] = [];
  if (points.length > 0) {
    if (points.length !== n - 1) return null;
    let prev = 0;
    for (const point of points) {
      sizes.push(point - prev);
      prev = point;
    }
    sizes.push(size === null ? null : size - prev);
  } else {
    for (let i = 0; i < n; i++) sizes.push(size === null || size % n !== 0 ? null : size / n);
  }
  return sizes.map((s) => {
    const out = [...input];
    out[axis] = s;
    return out;
  });
};

/**
 * Flatten: axes axis..end_axis (defaults 1 and -1) become one (FlattenLayer::Reshape). Flattening
 * to the last axis from a non-negative one gives rank axis + 1 whatever the input.
 */
export const flattenShape: ShapeRule = ({ layer, inputs }) => {
  const p = layer.param.flatten_param ?? {};
  const input = inputs[0];
  if (!input) {
    const start = p.axis ?? 1;
    if (start < 0 || (p.end_axis ?? -1) !== -1) return null;
    return layer.tops.map(() => Array<Dim>(start + 1).fill(null));
  }
  const start = canonicalAxis(p.axis ?? 1, input.length);
  const end = canonicalAxis(p.end_axis ?? -1, input.length);
  if (start === null || end === null || end < start) return null;
  return layer.tops.map(() => [...input.slice(0, start), product(input.slice(start, end + 1)), ...input.slice(end + 1)]);
};

/**
 * Reshape, as ReshapeLayer::Reshape: the axes [axis, axis + num_axes) of the bottom are replaced
 * by `shape`; a 0 copies the bottom's dim at that position, one -1 is inferred from the count.
 * Replacing every axis (axis 0, num_axes -1, the defaults) gives `shape`'s rank whatever the input.
 */
export const reshapeShape: ShapeRule = ({ layer, inputs }) => {
  const p = layer.param.reshape_param ?? {};
  const dims = p.shape?.dim ?? [];
  const input = inputs[0];
  if (!input) {
    if ((p.axis ?? 0) !== 0 || (p.num_axes ?? -1) !== -1) return null;
    return layer.tops.map(() => dims.map((d) => (d > 0 ? d : null)));
  }
  const rank = input.length;
  const axis = p.axis ?? 0;
  const start = axis >= 0 ? axis : rank + axis + 1;
  const numAxes = p.num_axes ?? -1;
  const end = numAxes === -1 ? rank : start + numAxes;
  if (start < 0 || start > rank || end > rank || end < start) return null;
  const middle: Dim[] = dims.map((d, i) => (d === 0 ? input[start + i] ?? null : d));
  const out: Dim[] = [...input.slice(0, start), ...middle, ...input.slice(end)];
  const inferred = dims.indexOf(-1);
  if (inferred >= 0) {
    const at = start + inferred;
    const others = out.filter((_, i) => i !== at);
    const count = product(input);
    const known = product(others);
    out[at] = count === null || known === null || known === 0 ? null : count / known;
    if (out[at] !== null && !Number.isInteger(out[at])) out[at] = null;
  }
  return layer.tops.map(() => [...out]);
};

/**
 * Crop: bottom 0 takes bottom 1's dims from `axis` (default 2) on (CropLayer::Reshape, which
 * requires both to have the same rank, so bottom 1 gives it when bottom 0 is unknown).
 */
export const cropShape: ShapeRule = ({ layer, inputs }) => {
  const [given, b] = inputs;
  const a = given ?? (b ? b.map((): Dim => null) : null);
  if (!a) return null;
  const axis = canonicalAxis(layer.param.crop_param?.axis ?? 2, a.length);
  if (axis === null) return null;
  const out = a.map((d, i) => (i < axis ? d : b && b.length === a.length ? b[i] ?? null : null));
  return layer.tops.map(() => [...out]);
};

/** Tile: the axis grows `tiles` times (TileLayer::Reshape). */
export const tileShape: ShapeRule = ({ layer, inputs }) => {
  const input = inputs[0];
  const p = layer.param.tile_param ?? {};
  if (!input || p.tiles === undefined) return null;
  const axis = canonicalAxis(p.axis ?? 1, input.length);
  if (axis === null) return null;
  const out = [...input];
  out[axis] = mapDim(out[axis] ?? null, (d) => d * p.tiles!);
  return layer.tops.map(() => [...out]);
};

/** Permute (the SSD fork): the bottom's axes in the order PermuteLayer::LayerSetUp completes (layers/ssd.ts). */
export const permuteShape: ShapeRule = ({ layer, inputs, sourceMap }) => {
  const input = inputs[0];
  if (!input) return null;
  const order = permuteOrder(layer, input.length, sourceMap);
  return isForkRefusal(order) ? null : layer.tops.map(() => order.map((i) => input[i] ?? null));
};

/** Reduction: the axes before `axis` (axis 0: a 0-D top), as ReductionLayer::Reshape keeps them. */
export const reductionShape: ShapeRule = ({ layer, inputs }) => {
  const input = inputs[0];
  if (!input) return null;
  const axis = canonicalAxis(layerParams(layer, "reduction_param").num("axis"), input.length);
  return axis === null ? null : layer.tops.map(() => input.slice(0, axis));
};

/**
 * ArgMax (ArgMaxLayer::Reshape): with `axis`, that axis becomes `top_k`; without, [N, 1 or 2
 * (out_max_val), top_k] padded with 1s to the input's rank, at least 3 axes.
 */
export const argMaxShape: ShapeRule = ({ layer, inputs }) => {
  const input = inputs[0];
  if (!input) return null;
  const p = layerParams(layer, "argmax_param");
  let out: Dim[];
  if (p.has("axis")) {
    const axis = canonicalAxis(p.num("axis"), input.length);
    if (axis === null) return null;
    out = input.map((d, i) => (i === axis ? p.num("top_k") : d));
  } else {
    out = Array<Dim>(Math.max(input.length, 3)).fill(1);
    out[0] = input[0] ?? null;
    out[1] = p.bool("out_max_val") ? 2 : 1;
    out[2] = p.num("top_k");
  }
  return layer.tops.map(() => [...out]);
};

/** Embed: the ids' shape plus num_output (EmbedLayer::Reshape). */
export const embedShape: ShapeRule = ({ layer, inputs }) => {
  const input = inputs[0];
  return input ? layer.tops.map(() => [...input, layerParams(layer, "embed_param").num("num_output")]) : null;
};

/** Parameter: `parameter_param.shape`, its blob's shape (ParameterLayer::LayerSetUp). */
export const parameterShape: ShapeRule = ({ layer }) => layer.tops.map(() => layerParams(layer, "parameter_param").msg("shape").list("dim"));
