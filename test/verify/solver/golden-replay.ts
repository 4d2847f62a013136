/** Replaying a golden Caffe solver recording through our Caffe-rule executor (tests only). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { boundIncrement, historyFactor } from "../../../src/verify/solver/bound.js";
import { CaffeUpdater, type CaffeRule } from "../../../src/verify/solver/caffe-update.js";
import { rateSchedule } from "../../../src/solver/policies.js";
import { isLrPolicy, isSolverType } from "../../../src/solver/settings.js";
import { parseSafetensors } from "../../../src/weights/safetensors.js";
import { settingsOf, TRAINING } from "../../solver/support.js";

interface RecordParam {
  layer: string;
  type: string;
  index: number;
  lr_mult: number;
  decay_mult: number;
}
interface Record {
  iterations: { k: number; lr: number }[];
  params: RecordParam[];
}

/** The worst scaled error of one quantity over the blobs and iterations, and its ratio to the bound. */
export interface ReplayResult {
  /** max over blobs and iterations of |θ − θ_caffe| / max(1, max |θ_caffe|). */
  params: number;
  /** max over the same of error / (scaled float32 bound). */
  ratio: number;
  /** max |update − recorded update| / max(1, max |recorded update|). */
  updates: number;
  /** GetLearningRate replayed equals the recorded lr in every iteration. */
  lrExact: boolean;
  iterations: number;
}

/**
 * Replays `solver_*` case `name` from its initial weights on Caffe's recorded raw gradients (the
 * sum over iter_size) and Caffe's rate, with the multipliers Caffe reported, comparing every
 * learnable blob but BatchNorm's (those change through the forward, never through the solver).
 */
export function replayGolden(name: string, mutate: (rule: CaffeRule) => CaffeRule = (r) => r): ReplayResult {
  const dir = join(TRAINING, name);
  const record = JSON.parse(readFileSync(join(dir, "record.json"), "utf8")) as Record;
  const tensors = parseSafetensors(readFileSync(join(dir, "record.safetensors"))).tensors;
  const get = (n: string): Float32Array => {
    const t = tensors.get(n);
    if (t === undefined || t.dtype !== "F32") throw new Error(`${name}: no tensor ${n}`);
    return t.data;
  };
  const s = settingsOf(readFileSync(join(dir, "solver.prototxt"), "utf8"));
  if (!isSolverType(s.type) || !isLrPolicy(s.lrPolicy)) throw new Error(`${name}: ${s.type} ${s.lrPolicy}`);
  const params = record.params.filter((p) => p.type !== "BatchNorm");
  const rule = mutate({ type: s.type, momentum: s.momentum, momentum2: s.momentum2, rmsDecay: s.rmsDecay, delta: s.delta, weightDecay: s.weightDecay, regularization: s.regularizationType === "L1" ? "L1" : "L2", iterSize: s.iterSize, clipGradients: s.clipGradients });
  const caffe = new CaffeUpdater(rule, params.map((p) => ({ lrMult: p.lr_mult, decayMult: p.decay_mult, data: Float32Array.from(get(`init/${p.layer}/${p.index}`)) })));
  const rates = rateSchedule(s.lrPolicy, s, record.iterations.length);
  const clipValues = s.clipGradients >= 0 ? params.reduce((n, p) => n + get(`init/${p.layer}/${p.index}`).length, 0) : null;
  const bounds = params.map(() => 0);
  const result: ReplayResult = { params: 0, ratio: 0, updates: 0, lrExact: true, iterations: record.iterations.length };
  for (const it of record.iterations) {
    if (rates[it.k] !== it.lr) result.lrExact = false;
    const step = caffe.apply(it.k, it.lr, params.map((p) => get(`iter/${it.k}/grad/${p.layer}/${p.index}`)));
    const h = historyFactor(rule.type, rule, it.k);
    params.forEach((p, i) => {
      const ours = caffe.blobs[i]!.data;
      const ref = get(`iter/${it.k}/param/${p.layer}/${p.index}`);
      const update = get(`iter/${it.k}/update/${p.layer}/${p.index}`);
      let error = 0;
      let scale = 1;
      let maxParam = 0;
      let updateError = 0;
      let updateScale = 1;
      for (let j = 0; j < ref.length; j++) {
        error = Math.max(error, Math.abs(ours[j]! - ref[j]!));
        scale = Math.max(scale, Math.abs(ref[j]!));
        maxParam = Math.max(maxParam, Math.abs(ours[j]!));
        updateError = Math.max(updateError, Math.abs(step.updates[i]![j]! - update[j]!));
        updateScale = Math.max(updateScale, Math.abs(update[j]!));
      }
      bounds[i]! += boundIncrement(maxParam, step.gross[i]!, h, clipValues);
      result.params = Math.max(result.params, error / scale);
      result.ratio = Math.max(result.ratio, error / (bounds[i]! / scale));
      result.updates = Math.max(result.updates, updateError / updateScale);
    });
  }
  return result;
}
