/**
 * The detection forks' training-loss helper modules as the emitted Python computes them
 * (src/emit/python/helpers/smooth-l1.ts, multibox-loss.ts): SmoothL1Loss, SmoothL1LossOHEM and
 * MultiBoxLoss, with PyTorch's float32 element-wise arithmetic (a Python float meeting a float32
 * tensor is rounded to float32 first) and sums taken in double, rounded once.
 */
import { asBool, asInt, asNumber, asString, asTensor, float, invalid, tensor, tuple, type Tensor, type Value } from "../value.js";
import { arity, type ModuleContext, type ModuleImpl } from "./module.js";

const f = Math.fround;
const FLT_MIN = 1.1754943508222875e-38;

/** An optional tensor input (absent or None). */
const optional = (v: Value | undefined, what: string): Tensor | null => (v === undefined || v.t === "none" ? null : asTensor(v, what));

/** `other.reshape(x.shape)`: the values in x's element order, refusing another count. */
function sameCount(x: Tensor, other: Tensor, what: string): Float32Array {
  if (other.data.length !== x.data.length) invalid("reshape-count", { what, expected: x.data.length, actual: other.data.length });
  return other.data;
}

/** `d = (x − target) [· w]`, float32. */
function difference(x: Tensor, target: Tensor, w: Tensor | null): Float32Array {
  const t = sameCount(x, target, "target");
  const ws = w ? sameCount(x, w, "weights") : null;
  const d = new Float32Array(x.data.length);
  for (let i = 0; i < d.length; i++) d[i] = x.data[i]! - t[i]!;
  if (ws) for (let i = 0; i < d.length; i++) d[i] = d[i]! * ws[i]!;
  return d;
}

/** `torch.where(|d| < 1/σ², 0.5·σ²·d·d, |d| − 0.5/σ²)`: each Python constant rounded to float32, each product too. */
function smoothL1(d: Float32Array, sigma2: number): Float32Array {
  const below = f(1 / sigma2);
  const half = f(0.5 * sigma2);
  const shift = f(0.5 / sigma2);
  return d.map((v) => (Math.abs(v) < below ? f(f(half * v) * v) : Math.abs(v) - shift));
}

const sum = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return f(s);
};

/** SmoothL1Loss.forward: `errors.abs().sum() / x.shape[0]`, errors = w_out · f(w_in · (x − t)). */
function smoothL1Loss(ctx: ModuleContext, inputs: readonly Value[]): Value {
  arity(ctx, inputs, 2, 4);
  const x = asTensor(inputs[0], "x");
  const sigma = asNumber(ctx.args.get("sigma"), "sigma");
  const errors = smoothL1(difference(x, asTensor(inputs[1], "target"), optional(inputs[2], "inside")), sigma * sigma);
  const outside = optional(inputs[3], "outside");
  if (outside) {
    const w = sameCount(x, outside, "outside");
    for (let i = 0; i < errors.length; i++) errors[i] = errors[i]! * w[i]!;
  }
  return tensor([], Float32Array.of(f(sum(errors.map(Math.abs)) / (x.shape[0] ?? 1))));
}

/** SmoothL1LossOHEM.forward: `sum(f(w · (x − t))) / max(1, normaliser)`, and with per_instance the (N, 1, H, W) channel sums. */
function smoothL1LossOhem(ctx: ModuleContext, inputs: readonly Value[]): Value {
  arity(ctx, inputs, 2, 3);
  const x = asTensor(inputs[0], "x");
  const errors = smoothL1(difference(x, asTensor(inputs[1], "target"), optional(inputs[2], "weights")), 1);
  const n = x.shape[0] ?? 1;
  const h = x.shape.length > 2 ? x.shape[2]! : 1;
  const w = x.shape.length > 3 ? x.shape[3]! : 1;
  const mode = asString(ctx.args.get("normalization"), "normalization");
  const normalizers: Record<string, number> = { FULL: n * h * w, VALID: n * h * w, BATCH_SIZE: n, PRE_FIXED: asNumber(ctx.args.get("pre_fixed_normalizer"), "pre_fixed_normalizer"), NONE: 1 };
  if (normalizers[mode] === undefined) invalid("normalization", { mode });
  const loss = tensor([], Float32Array.of(f(sum(errors) / f(Math.max(1, normalizers[mode]!)))));
  if (!asBool(ctx.args.get("per_instance"), "per_instance")) return loss;
  const channels = x.shape.length > 1 ? x.shape[1]! : 1;
  if (n * channels * h * w !== errors.length) invalid("reshape-count", { what: "per_instance", expected: n * channels * h * w, actual: errors.length });
  const each = new Float32Array(n * h * w);
  for (let b = 0; b < n; b++) {
    for (let s = 0; s < h * w; s++) {
      let acc = 0;
      for (let c = 0; c < channels; c++) acc += errors[(b * channels + c) * h * w + s]!;
      each[b * h * w + s] = f(acc);
    }
  }
  return tuple([loss, tensor([n, 1, h, w], each)]);
}

/** MultiBoxLoss's settings (its constructor arguments). */
interface MultiBox {
  classes: number;
  background: number;
  locL2: boolean;
  locWeight: number;
  perPrediction: boolean;
  overlapThreshold: number;
  useDifficult: boolean;
  negPosRatio: number;
  negOverlap: number;
  code: string;
  varianceInTarget: boolean;
  ignoreCross: boolean;
  mining: boolean;
  normalization: string;
  locTerm: boolean;
  confTerm: boolean;
}

function multiBoxOf(ctx: ModuleContext): MultiBox {
  const a = (k: string): Value | undefined => ctx.args.get(k);
  return {
    classes: asInt(a("num_classes"), "num_classes"),
    background: asInt(a("background_label_id"), "background_label_id"),
    locL2: asString(a("loc_loss_type"), "loc_loss_type") === "L2",
    locWeight: asNumber(a("loc_weight"), "loc_weight"),
    perPrediction: asString(a("match_type"), "match_type") === "PER_PREDICTION",
    overlapThreshold: asNumber(a("overlap_threshold"), "overlap_threshold"),
    useDifficult: asBool(a("use_difficult_gt"), "use_difficult_gt"),
    negPosRatio: asNumber(a("neg_pos_ratio"), "neg_pos_ratio"),
    negOverlap: asNumber(a("neg_overlap"), "neg_overlap"),
    code: asString(a("code_type"), "code_type"),
    varianceInTarget: asBool(a("encode_variance_in_target"), "encode_variance_in_target"),
    ignoreCross: asBool(a("ignore_cross_boundary_bbox"), "ignore_cross_boundary_bbox"),
    mining: asString(a("mining_type"), "mining_type") !== "NONE",
    normalization: asString(a("normalization"), "normalization"),
    locTerm: asBool(a("loc_term"), "loc_term"),
    confTerm: asBool(a("conf_term"), "conf_term"),
  };
}

type Quad = [number, number, number, number];

/** `_sizes`: w·h, 0 when w or h is negative (float32). */
const sizeOf = (b: Quad): number => {
  const w = f(b[2] - b[0]);
  const h = f(b[3] - b[1]);
  return w < 0 || h < 0 ? 0 : f(w * h);
};

/** `_overlaps` of one prior and one box: intersection / union where both sides of the intersection are positive. */
function overlapOf(p: Quad, g: Quad): number {
  const iw = f(Math.min(p[2], g[2]) - Math.max(p[0], g[0]));
  const ih = f(Math.min(p[3], g[3]) - Math.max(p[1], g[1]));
  const inter = f(iw * ih);
  const union = f(f(sizeOf(p) + sizeOf(g)) - inter);
  return iw > 0 && ih > 0 ? f(inter / union) : 0;
}

/** `_match`: per prior its box (−1 none, −2 across the border when ignored) and its best overlap. */
function match(priors: readonly Quad[], gts: readonly Quad[], s: MultiBox): { match: Int32Array; best: Float32Array } {
  const P = priors.length;
  const G = gts.length;
  const m = new Int32Array(P).fill(-1);
  const kept = priors.map((p) => gts.map((g) => overlapOf(p, g)).map((o) => (o > f(1e-6) ? o : -1)));
  if (s.ignoreCross) {
    priors.forEach((p, i) => {
      if (p.some((v) => v < 0 || v > 1)) {
        m[i] = -2;
        kept[i] = kept[i]!.map(() => -1);
      }
    });
  }
  const best = Float32Array.from(kept, (row) => Math.max(0, ...row));
  const used = new Array<boolean>(G).fill(false);
  for (let step = 0; step < G; step++) {
    // `free.argmax()`: the first largest over (prior, box) in row-major order.
    let [bi, bj, bo] = [-1, -1, -Infinity];
    for (let i = 0; i < P; i++) {
      for (let j = 0; j < G; j++) {
        const o = m[i] !== -1 || used[j] ? -1 : kept[i]![j]!;
        if (o > bo) [bi, bj, bo] = [i, j, o];
      }
    }
    if (bo <= -1) break;
    m[bi] = bj;
    best[bi] = bo;
    used[bj] = true;
  }
  if (s.perPrediction) {
    const threshold = f(s.overlapThreshold);
    for (let i = 0; i < P; i++) {
      let [bj, bo] = [0, -Infinity];
      kept[i]!.forEach((o, j) => {
        const v = o < threshold ? -1 : o;
        if (v > bo) [bj, bo] = [j, v];
      });
      if (m[i] === -1 && bo > -1) {
        m[i] = bj;
        best[i] = bo;
      }
    }
  }
  return { match: m, best };
}

/** `_encode` of one box against its prior (float32), divided by the variances unless encode_variance_in_target. */
function encode(p: Quad, v: Quad, g: Quad, s: MultiBox): Quad {
  let code: Quad;
  const pw = f(p[2] - p[0]);
  const ph = f(p[3] - p[1]);
  if (s.code === "CENTER_SIZE") {
    const [pcx, pcy] = [f(f(p[0] + p[2]) / 2), f(f(p[1] + p[3]) / 2)];
    const [bw, bh] = [f(g[2] - g[0]), f(g[3] - g[1])];
    const [bcx, bcy] = [f(f(g[0] + g[2]) / 2), f(f(g[1] + g[3]) / 2)];
    code = [f(f(bcx - pcx) / pw), f(f(bcy - pcy) / ph), f(Math.log(f(bw / pw))), f(Math.log(f(bh / ph)))];
  } else if (s.code === "CORNER_SIZE") {
    const size = [pw, ph, pw, ph];
    code = g.map((c, k) => f(f(c - p[k]!) / size[k]!)) as Quad;
  } else {
    code = g.map((c, k) => f(c - p[k]!)) as Quad;
  }
  return s.varianceInTarget ? code : (code.map((c, k) => f(c / v[k]!)) as Quad);
}

/** The softmax of one row (float32 values: exp(x − max) / Σ, the sum in double). */
function softmaxRow(row: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let c = 0; c < row.length; c++) max = Math.max(max, row[c]!);
  const e = Array.from(row, (v) => f(Math.exp(f(v - max))));
  const total = f(e.reduce((a, b) => a + b, 0));
  return Float32Array.from(e, (v) => f(v / total));
}

const nll = (p: number): number => f(-f(Math.log(Math.max(p, FLT_MIN))));

/** `_ground_truth`: per image its boxes and classes; padding rows (image −1) skipped, a background class refused. */
function groundTruth(label: Tensor, num: number, s: MultiBox): { boxes: Quad[][]; classes: number[][] } {
  const boxes: Quad[][] = Array.from({ length: num }, () => []);
  const classes: number[][] = Array.from({ length: num }, () => []);
  if (label.data.length % 8 !== 0) invalid("reshape-count", { what: "label rows of 8", actual: label.data.length });
  for (let r = 0; r < label.data.length / 8; r++) {
    const row = label.data.subarray(r * 8, r * 8 + 8);
    const [item, cls] = [Math.trunc(row[0]!), Math.trunc(row[1]!)];
    if (item === -1) continue;
    if (cls === s.background) invalid("multibox-background-ground-truth", { label: cls });
    if (!s.useDifficult && row[7] !== 0) continue;
    if (item >= 0 && item < num) {
      boxes[item]!.push([row[3]!, row[4]!, row[5]!, row[6]!]);
      classes[item]!.push(cls);
    }
  }
  return { boxes, classes };
}

/** MultiBoxLoss.forward(loc, conf, prior, label). */
function multiBoxLoss(ctx: ModuleContext, inputs: readonly Value[]): Value {
  arity(ctx, inputs, 4);
  const s = multiBoxOf(ctx);
  const [loc, conf, prior, label] = inputs.map((v, i) => asTensor(v, ["loc", "conf", "prior", "label"][i]!)) as [Tensor, Tensor, Tensor, Tensor];
  const num = loc.shape[0]!;
  const P = Math.trunc(prior.shape[2]! / 4);
  const C = s.classes;
  if (loc.data.length !== num * P * 4 || conf.data.length !== num * P * C || prior.data.length < 8 * P) {
    invalid("reshape-count", { what: "multibox inputs", loc: [...loc.shape], conf: [...conf.shape], prior: [...prior.shape] });
  }
  const quad = (a: Float32Array, at: number): Quad => [a[at]!, a[at + 1]!, a[at + 2]!, a[at + 3]!];
  const priors = Array.from({ length: P }, (_, j) => quad(prior.data, j * 4));
  const variances = Array.from({ length: P }, (_, j) => quad(prior.data, (P + j) * 4));
  const { boxes, classes } = groundTruth(label, num, s);
  const diffs: number[] = [];
  const confRows: { row: Float32Array; label: number }[] = [];
  let matches = 0;
  for (let i = 0; i < num; i++) {
    const row = (j: number): Float32Array => conf.data.subarray((i * P + j) * C, (i * P + j + 1) * C);
    const gts = boxes[i]!;
    if (gts.length === 0) {
      if (!s.mining) for (let j = 0; j < P; j++) confRows.push({ row: row(j), label: s.background });
      continue;
    }
    const m = match(priors, gts, s);
    const target = Array.from(m.match, (g) => (g > -1 ? classes[i]![g]! : s.background));
    const positive: number[] = [];
    m.match.forEach((g, j) => {
      if (g <= -1) return;
      positive.push(j);
      const code = encode(priors[j]!, variances[j]!, gts[g]!, s);
      for (let k = 0; k < 4; k++) {
        const pred = loc.data[(i * P + j) * 4 + k]!;
        const v = variances[j]![k]!;
        diffs.push(s.varianceInTarget ? f(f(pred / v) - f(code[k]! / v)) : f(pred - code[k]!));
      }
    });
    matches += positive.length;
    if (!s.mining) {
      for (let j = 0; j < P; j++) confRows.push({ row: row(j), label: target[j]! });
      continue;
    }
    const eligible: number[] = [];
    const negOverlap = f(s.negOverlap);
    m.match.forEach((g, j) => {
      if (g === -1 && m.best[j]! < negOverlap) eligible.push(j);
    });
    const losses = new Map(eligible.map((j) => [j, nll(softmaxRow(row(j))[s.background]!)]));
    const wanted = Math.trunc(f(f(positive.length) * f(s.negPosRatio)));
    // A stable descending sort: equal losses keep the lower prior first.
    const negatives = [...eligible]
      .sort((a, b) => losses.get(b)! - losses.get(a)!)
      .slice(0, Math.min(wanted, eligible.length))
      .sort((a, b) => a - b);
    for (const j of positive) confRows.push({ row: row(j), label: target[j]! });
    for (const j of negatives) confRows.push({ row: row(j), label: s.background });
  }
  const modes: Record<string, number> = { FULL: num * P, VALID: matches, BATCH_SIZE: num, NONE: 1 };
  if (modes[s.normalization] === undefined) invalid("normalization", { mode: s.normalization });
  const normalizer = f(Math.max(1, modes[s.normalization]!));
  let loss = 0;
  if (s.locTerm && matches >= 1) {
    const terms = diffs.map((d) => (s.locL2 ? f(d * d) : Math.abs(d) < 1 ? f(f(0.5 * d) * d) : f(Math.abs(d) - 0.5)));
    const locLoss = s.locL2 ? f(sum(terms) / 2) : sum(terms);
    loss = f(loss + f(f(f(s.locWeight) * locLoss) / normalizer));
  }
  if (s.confTerm && confRows.length >= 1) {
    const terms = confRows.map(({ row, label: k }) => {
      if (k < 0 || k >= C) invalid("label-out-of-range", { label: k, classes: C });
      return nll(softmaxRow(row)[k]!);
    });
    loss = f(loss + f(sum(terms) / normalizer));
  }
  return tensor([], Float32Array.of(loss));
}

const S = (v: string): Value => ({ t: "str", v });

/** The detection-loss helper modules. */
export const DETECTION_LOSS_MODULES: readonly ModuleImpl[] = [
  { classes: ["SmoothL1Loss"], signature: [["sigma", float(1)]], forward: smoothL1Loss },
  {
    classes: ["SmoothL1LossOHEM"],
    signature: [
      ["normalization", S("VALID")],
      ["pre_fixed_normalizer", float(1)],
      ["per_instance", { t: "bool", v: false }],
    ],
    forward: smoothL1LossOhem,
  },
  {
    classes: ["MultiBoxLoss"],
    signature: [
      ["num_classes"],
      ["background_label_id", { t: "int", v: 0 }],
      ["loc_loss_type", S("SMOOTH_L1")],
      ["loc_weight", float(1)],
      ["match_type", S("PER_PREDICTION")],
      ["overlap_threshold", float(0.5)],
      ["use_difficult_gt", { t: "bool", v: true }],
      ["neg_pos_ratio", float(3)],
      ["neg_overlap", float(0.5)],
      ["code_type", S("CORNER")],
      ["encode_variance_in_target", { t: "bool", v: false }],
      ["ignore_cross_boundary_bbox", { t: "bool", v: false }],
      ["mining_type", S("MAX_NEGATIVE")],
      ["normalization", S("VALID")],
      ["loc_term", { t: "bool", v: true }],
      ["conf_term", { t: "bool", v: true }],
    ],
    forward: multiBoxLoss,
  },
];
