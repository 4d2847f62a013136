/**
 * `verify --solver`: Caffe's update rules (caffe-update.ts), the plain mapping's emitted solver and
 * the `--exact` one (torch-solver.ts) run in lockstep on the same seeded gradients, every
 * parameter group, and each PyTorch side compared with Caffe after every iteration.
 */
import { NOTE_MESSAGES, type SolverPlan } from "../../solver/plan.js";
import { lrChanges } from "../../solver/differences.js";
import { rateSchedule } from "../../solver/policies.js";
import type { SolverSettings } from "../../solver/settings.js";
import { boundIncrement, historyFactor } from "./bound.js";
import { CaffeUpdater, type CaffeRule } from "./caffe-update.js";
import { SolverScenario, type SolverBlob } from "./scenario.js";
import { TorchSolver, type TorchMode } from "./torch-solver.js";
import type { GroupSummary, SideError, SideSummary, SolverIterationRow, SolverVerification } from "./types.js";

/** How a run is set up. */
export interface SolverVerifyOptions {
  iterations: number;
  seed: number;
  /** At most this many values of each blob are run. */
  valuesPerBlob: number;
}

/** A side's per-blob record over the run. */
interface Track {
  max: number[];
  first: (number | null)[];
}

/** The blobs a run updates: every trained blob of the plan's groups, then the frozen ones, each with its seeded gradient scale. */
export function solverBlobs(plan: SolverPlan, options: SolverVerifyOptions): SolverBlob[] {
  const blobs: SolverBlob[] = [];
  const count = (shape: number[] | null): number | null => (shape === null ? null : shape.reduce((a, b) => a * b, 1));
  const add = (p: { key: string; layer: string; blob: number; shape: number[] | null }, lrMult: number, decayMult: number, group: number | null): void => {
    const n = count(p.shape);
    // A blob whose shape the net does not give still runs: its rule is the same for any count.
    blobs.push({ key: p.key, layer: p.layer, blob: p.blob, lrMult, decayMult, group, count: n, values: Math.max(1, Math.min(n ?? options.valuesPerBlob, options.valuesPerBlob)), gradientScale: 0 });
  };
  plan.groups.groups.forEach((g, i) => g.params.forEach((p) => add(p, g.lrMult, g.decayMult, i)));
  for (const p of plan.groups.frozen) add(p, 0, 0, null);
  SolverScenario.scales(blobs.length, options.seed).forEach((s, i) => (blobs[i]!.gradientScale = s));
  return blobs;
}

/** Caffe's settings as CaffeUpdater takes them. */
export function caffeRule(plan: SolverPlan, s: SolverSettings): CaffeRule {
  return {
    type: plan.type,
    momentum: s.momentum,
    momentum2: s.momentum2,
    rmsDecay: s.rmsDecay,
    delta: s.delta,
    weightDecay: s.weightDecay,
    regularization: s.regularizationType === "L1" ? "L1" : "L2",
    iterSize: s.iterSize,
    clipGradients: s.clipGradients,
  };
}

function scaleOf(x: Float32Array): number {
  let scale = 1;
  for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]!));
  return scale;
}

function scaledError(a: Float32Array, ref: Float32Array): { error: number; scale: number } {
  let error = 0;
  let scale = 1;
  for (let i = 0; i < ref.length; i++) {
    error = Math.max(error, Math.abs(a[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return { error: error / scale, scale };
}

/** Runs the three executors for `options.iterations` iterations and compares them. */
export function verifySolver(plan: SolverPlan, settings: SolverSettings, options: SolverVerifyOptions): SolverVerification {
  const blobs = solverBlobs(plan, options);
  const scenario = new SolverScenario(blobs, settings.iterSize, options.seed);
  const index = new Map(blobs.map((b, i) => [b.key, i]));
  const indexOf = (key: string): number => index.get(key)!;
  const caffe = new CaffeUpdater(
    caffeRule(plan, settings),
    blobs.map((b, i) => ({ lrMult: b.lrMult, decayMult: b.decayMult, data: Float32Array.from(scenario.initial[i]!) })),
  );
  const side0 = (mode: TorchMode): { data: Float32Array[]; solver: TorchSolver; track: Track } => {
    const data = scenario.initial.map((d) => Float32Array.from(d));
    return { data, solver: new TorchSolver(plan, mode, data, indexOf), track: { max: blobs.map(() => 0), first: blobs.map(() => null) } };
  };
  const sides: Record<TorchMode, ReturnType<typeof side0>> = { plain: side0("plain"), exact: side0("exact") };
  const rates = rateSchedule(plan.policy.name, settings, options.iterations);
  const clipValues = settings.clipGradients >= 0 ? blobs.reduce((n, b) => n + b.values, 0) : null;
  const bounds = blobs.map(() => 0);
  const rows: SolverIterationRow[] = [];

  for (let k = 0; k < options.iterations; k++) {
    const gradients = scenario.next();
    const rate = rates[k]!;
    const step = caffe.apply(k, rate, gradients);
    const h = historyFactor(plan.type, settings, k);
    blobs.forEach((_, i) => {
      const data = caffe.blobs[i]!.data;
      let maxParam = 0;
      for (let j = 0; j < data.length; j++) maxParam = Math.max(maxParam, Math.abs(data[j]!));
      bounds[i]! += boundIncrement(maxParam, step.gross[i]!, h, clipValues);
    });
    const side = (mode: TorchMode): SideError => {
      const s = sides[mode];
      s.solver.apply(rate, gradients);
      let worst: SideError = { error: 0, blob: blobs[0]?.key ?? "", blob_error: 0, bound: 0, within: true };
      let worstRatio = -1;
      blobs.forEach((b, i) => {
        const { error, scale } = scaledError(s.data[i]!, caffe.blobs[i]!.data);
        const bound = bounds[i]! / scale;
        s.track.max[i] = Math.max(s.track.max[i]!, error);
        if (error > bound && s.track.first[i] === null) s.track.first[i] = k;
        worst.error = Math.max(worst.error, error);
        const ratio = bound > 0 ? error / bound : error > 0 ? Infinity : 0;
        if (ratio > worstRatio) {
          worstRatio = ratio;
          worst = { ...worst, blob: b.key, blob_error: error, bound };
        }
        if (error > bound) worst.within = false;
      });
      return worst;
    };
    rows.push({
      k,
      lr: rate,
      lr_changed: k > 0 && rate !== rates[k - 1],
      clipped: step.norm === null ? null : step.clipScale !== null,
      bound: Math.min(...blobs.map((_, i) => bounds[i]! / scaleOf(caffe.blobs[i]!.data))),
      plain: side("plain"),
      exact: side("exact"),
    });
  }

  const claimPlain = plan.differences.some((d) => d.status === "differs") ? "differs" : "equal";
  const summary = (mode: TorchMode, claim: "equal" | "differs"): SideSummary => {
    const t = sides[mode].track;
    const firsts = t.first.map((f, i) => ({ f, i })).filter((x) => x.f !== null).sort((a, b) => a.f! - b.f!);
    const worst = t.max.reduce((w, e, i) => (e > t.max[w]! ? i : w), 0);
    const first = firsts[0];
    return {
      optimizer: mode === "exact" ? plan.optimizer.exactClass : plan.optimizer.torchClass,
      claim,
      max_error: Math.max(0, ...t.max),
      first_beyond: first?.f ?? null,
      blob: first ? blobs[first.i]!.key : blobs.length > 0 ? blobs[worst]!.key : null,
      failed: claim === "equal" && first !== undefined,
    };
  };
  const plain = summary("plain", claimPlain);
  const exact = summary("exact", "equal");
  const frozenUnchanged = blobs.every((b, i) => b.group !== null || ["plain", "exact"].every((m) => sides[m as TorchMode].data[i]!.every((v, j) => v === scenario.initial[i]![j] && caffe.blobs[i]!.data[j] === v)));

  return {
    solver: plan.solver,
    net: plan.net,
    type: plan.type,
    lr_policy: plan.policy.name,
    iterations: options.iterations,
    seed: options.seed,
    values_per_blob: options.valuesPerBlob,
    lr_changes: rows.filter((r) => r.lr_changed).map((r) => r.k),
    first_lr_change: lrChanges(settings).first,
    differences: plan.differences.map((d) => ({ code: d.code, status: d.status })),
    blobs: blobs.map((b) => ({ key: b.key, layer: b.layer, blob: b.blob, lr_mult: b.lrMult, decay_mult: b.decayMult, frozen: b.group === null, count: b.count, values: b.values, gradient_scale: b.gradientScale })),
    rows,
    groups: groupSummaries(plan, blobs, sides.plain.track, sides.exact.track),
    plain,
    exact,
    frozen_unchanged: frozenUnchanged,
    notes: plan.notes.map((n) => ({ code: n.code, message: NOTE_MESSAGES[n.code]?.(n.data) ?? n.code })),
    ok: !plain.failed && !exact.failed && frozenUnchanged,
  };
}

function groupSummaries(plan: SolverPlan, blobs: SolverBlob[], plain: Track, exact: Track): GroupSummary[] {
  const ids: (number | null)[] = [...plan.groups.groups.map((_, i) => i), ...(plan.groups.frozen.length > 0 ? [null] : [])];
  const minFirst = (t: Track, members: number[]): number | null => members.reduce<number | null>((m, i) => (t.first[i] === null ? m : m === null ? t.first[i]! : Math.min(m, t.first[i]!)), null);
  return ids.map((id) => {
    const members = blobs.map((b, i) => (b.group === id ? i : -1)).filter((i) => i >= 0);
    const g = id === null ? null : plan.groups.groups[id]!;
    return {
      lr_mult: g?.lrMult ?? 0,
      decay_mult: g?.decayMult ?? 0,
      blobs: members.map((i) => blobs[i]!.key),
      plain: Math.max(0, ...members.map((i) => plain.max[i]!)),
      exact: Math.max(0, ...members.map((i) => exact.max[i]!)),
      plain_first_beyond: minFirst(plain, members),
      exact_first_beyond: minFirst(exact, members),
    };
  });
}
