/**
 * SSD's DetectionOutput helper as the emitted Python computes it
 * (src/emit/python/helpers/detection-output.ts, caffe-nms.ts): DecodeBBox (CORNER, CORNER_SIZE,
 * CENTER_SIZE; float32 arithmetic), per-class ApplyNMSFast (scores above the threshold, stable
 * descending order, top_k, greedy suppression by JaccardOverlap with the adaptive eta), keep_top_k
 * over all classes, rows (image, label, score, box) by image then label; one row of −1 per image
 * when nothing is kept.
 */
import { asBool, asInt, asNumber, asString, asTensor, float, int, NONE, tensor, type Tensor, type Value } from "../value.js";
import { arity, type ModuleContext, type ModuleImpl } from "./module.js";

const f32 = Math.fround;
const FLT_MAX = 3.4028234663852886e38;

type Box = [number, number, number, number];

/** DecodeBBox of one location against its prior and variances. */
function decode(code: string, p: Box, v: Box, l: Box): Box {
  if (code === "CORNER") return [0, 1, 2, 3].map((k) => f32(p[k]! + f32(v[k]! * l[k]!))) as Box;
  const pw = f32(p[2] - p[0]);
  const ph = f32(p[3] - p[1]);
  if (code === "CORNER_SIZE") {
    const size = [pw, ph, pw, ph];
    return [0, 1, 2, 3].map((k) => f32(p[k]! + f32(f32(v[k]! * l[k]!) * size[k]!))) as Box;
  }
  const cx = f32(f32(p[0] + p[2]) / 2);
  const cy = f32(f32(p[1] + p[3]) / 2);
  const x = f32(f32(f32(v[0] * l[0]) * pw) + cx);
  const y = f32(f32(f32(v[1] * l[1]) * ph) + cy);
  const w = f32(f32(Math.exp(f32(v[2] * l[2]))) * pw);
  const h = f32(f32(Math.exp(f32(v[3] * l[3]))) * ph);
  return [f32(x - f32(w / 2)), f32(y - f32(h / 2)), f32(x + f32(w / 2)), f32(y + f32(h / 2))];
}

/** JaccardOverlap of SSD Caffe (0 without a positive intersection; BBoxSize 0 for an inverted box). */
function overlap(a: Box, b: Box): number {
  const iw = f32(Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = f32(Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  if (!(iw > 0 && ih > 0)) return 0;
  const size = (x: Box): number => {
    const [w, h] = [f32(x[2] - x[0]), f32(x[3] - x[1])];
    return w < 0 || h < 0 ? 0 : f32(w * h);
  };
  const inter = f32(iw * ih);
  return f32(inter / f32(f32(size(a) + size(b)) - inter));
}

/** caffe_nms: the kept indices in ApplyNMSFast's order. */
export function caffeNms(boxes: readonly Box[], scores: Float32Array | number[], scoreThreshold: number, nmsThreshold: number, eta: number, topK: number): number[] {
  const t = f32(scoreThreshold);
  let candidates = [...scores.keys()].filter((i) => scores[i]! > t);
  candidates = candidates.map((i, r) => [i, r] as const).sort((a, b) => scores[b[0]]! - scores[a[0]]! || a[1] - b[1]).map(([i]) => i);
  if (topK > -1) candidates = candidates.slice(0, topK);
  let threshold = f32(nmsThreshold);
  const kept: number[] = [];
  for (const j of candidates) {
    if (kept.every((k) => overlap(boxes[j]!, boxes[k]!) <= threshold)) {
      kept.push(j);
      if (eta < 1 && threshold > 0.5) threshold = f32(threshold * f32(eta));
    }
  }
  return kept;
}

function detectionOutput(ctx: ModuleContext, inputs: readonly Value[]): Tensor {
  arity(ctx, inputs, 3);
  const a = ctx.args;
  const [loc, conf, prior] = [asTensor(inputs[0], "loc"), asTensor(inputs[1], "conf"), asTensor(inputs[2], "prior")];
  const classes = asInt(a.get("num_classes"), "num_classes");
  const share = asBool(a.get("share_location"), "share_location");
  const background = asInt(a.get("background_label_id"), "background_label_id");
  const code = asString(a.get("code_type"), "code_type");
  const encoded = asBool(a.get("variance_encoded_in_target"), "variance_encoded_in_target");
  const keepTopK = asInt(a.get("keep_top_k"), "keep_top_k");
  const ct = a.get("confidence_threshold")!;
  const confidence = ct.t === "none" ? -FLT_MAX : asNumber(ct, "confidence_threshold");
  const nms = asNumber(a.get("nms_threshold"), "nms_threshold");
  const eta = asNumber(a.get("eta"), "eta");
  const topK = asInt(a.get("top_k"), "top_k");
  const num = loc.shape[0]!;
  const priors = Math.floor(prior.shape[2]! / 4);
  const locClasses = share ? 1 : classes;
  const box = (data: Float32Array, at: number): Box => [data[at]!, data[at + 1]!, data[at + 2]!, data[at + 3]!];
  const rows: number[][] = [];
  for (let i = 0; i < num; i++) {
    // boxes[p][l]: decoded location l of prior p.
    const boxes: Box[][] = Array.from({ length: priors }, (_, p) =>
      Array.from({ length: locClasses }, (_, l) => decode(code, box(prior.data, p * 4), encoded ? [1, 1, 1, 1] : box(prior.data, (priors + p) * 4), box(loc.data, ((i * priors + p) * locClasses + l) * 4))),
    );
    const score = (p: number, c: number): number => conf.data[(i * priors + p) * classes + c]!;
    let kept = new Map<number, number[]>();
    for (let c = 0; c < classes; c++) {
      if (c === background) continue;
      const scores = Array.from({ length: priors }, (_, p) => score(p, c));
      kept.set(c, caffeNms(boxes.map((b) => b[share ? 0 : c]!), scores, confidence, nms, eta, topK));
    }
    const count = [...kept.values()].reduce((s, k) => s + k.length, 0);
    if (keepTopK > -1 && count > keepTopK) {
      const all = [...kept].flatMap(([c, ks]) => ks.map((p) => ({ c, p })));
      const best = all.map((e, r) => ({ ...e, r })).sort((x, y) => score(y.p, y.c) - score(x.p, x.c) || x.r - y.r).slice(0, keepTopK);
      kept = new Map([...kept.keys()].map((c) => [c, best.filter((e) => e.c === c).map((e) => e.p)]));
    }
    for (const c of [...kept.keys()].sort((x, y) => x - y)) {
      for (const p of kept.get(c)!) rows.push([i, c, score(p, c), ...boxes[p]![share ? 0 : c]!]);
    }
  }
  if (rows.length === 0) return tensor([1, 1, num, 7], Float32Array.from({ length: num * 7 }, (_, k) => (k % 7 === 0 ? Math.floor(k / 7) : -1)));
  return tensor([1, 1, rows.length, 7], Float32Array.from(rows.flat()));
}

/** The DetectionOutput helper module. */
export const DETECTION_OUTPUT_MODULES: readonly ModuleImpl[] = [
  {
    classes: ["DetectionOutput"],
    signature: [
      ["num_classes"],
      ["share_location", { t: "bool", v: true }],
      ["background_label_id", int(0)],
      ["code_type", { t: "str", v: "CORNER" }],
      ["variance_encoded_in_target", { t: "bool", v: false }],
      ["keep_top_k", int(-1)],
      ["confidence_threshold", NONE],
      ["nms_threshold", float(0.3)],
      ["eta", float(1)],
      ["top_k", int(-1)],
    ],
    forward: detectionOutput,
  },
];
