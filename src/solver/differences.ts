import type { GroupsPlan } from "./groups.js";
import { rateSchedule } from "./policies.js";
import { isLrPolicy, type SolverSettings, type SolverType } from "./settings.js";

/**
 * How the plain mapping (torch.optim + LambdaLR + the emitted Solver) stands to Caffe on one point:
 * - `differs`: the plain mapping computes something else; `--exact` reproduces Caffe.
 * - `handled`: torch.optim alone would differ; the emitted Solver/scheduler does what Caffe does.
 * - `equal`: the formulas agree (up to float rounding).
 */
export type DifferenceStatus = "differs" | "handled" | "equal";

/** One Caffe-vs-PyTorch point that concerns this solver. Words live in messages.ts. */
export interface Difference {
  code: string;
  status: DifferenceStatus;
  /** Where Caffe does it (BVLC master 9b89154). */
  caffe: string;
  /** Where PyTorch 1.13 does it. */
  torch: string;
  data: Record<string, string | number | boolean | null>;
}

/** How many iterations at most are looked at for lr changes (Caffe's rate is cheap; this bounds hostile max_iter). */
const MAX_SCAN = 1_000_000;

/** The first iteration whose rate differs from the previous one, and how many changes there are. */
export function lrChanges(s: SolverSettings): { first: number | null; from: number | null; to: number | null; count: number } {
  if (!isLrPolicy(s.lrPolicy) || s.lrPolicy === "fixed") return { first: null, from: null, to: null, count: 0 };
  const n = Math.min(Math.max(s.maxIter, 0), MAX_SCAN);
  const rates = rateSchedule(s.lrPolicy, s, n);
  let first: number | null = null;
  let count = 0;
  for (let k = 1; k < rates.length; k++) {
    if (rates[k] === rates[k - 1]) continue;
    count++;
    first ??= k;
  }
  return { first, from: first === null ? null : rates[first - 1]!, to: first === null ? null : rates[first]!, count };
}

/** Every Caffe-vs-PyTorch point that concerns a solver of this type and these settings. */
export function solverDifferences(type: SolverType, s: SolverSettings, groups: GroupsPlan): Difference[] {
  const out: Difference[] = [];
  const changes = lrChanges(s);
  const lrChanging = changes.count > 0;
  const momentumType = type === "SGD" || type === "Nesterov";

  if (momentumType && s.momentum !== 0) {
    out.push({
      code: "momentum-lr-scaled",
      status: lrChanging ? "differs" : "equal",
      caffe: "src/caffe/solvers/sgd_solver.cpp:232-237 (history = momentum·history + local_rate·diff; update = history)",
      torch: "torch/optim/sgd.py:235-245 (buf = momentum·buf + grad; param -= lr·buf)",
      data: { momentum: s.written["momentum"]!, first: changes.first, from: changes.from, to: changes.to, changes: changes.count },
    });
  }
  if (type === "Nesterov" && s.momentum !== 0) {
    out.push({
      code: "nesterov-form",
      status: lrChanging ? "differs" : "equal",
      caffe: "src/caffe/solvers/nesterov_solver.cpp:21-39 (update = (1+momentum)·history − momentum·history_prev, history lr-scaled)",
      torch: "torch/optim/sgd.py:240-245 (param -= lr·(grad + momentum·buf))",
      data: { momentum: s.written["momentum"]!, first: changes.first },
    });
  }
  if (type === "Nesterov" && s.momentum === 0) {
    out.push({ code: "nesterov-without-momentum", status: "handled", caffe: "src/caffe/solvers/nesterov_solver.cpp:27-34", torch: "torch/optim/sgd.py:107", data: {} });
  }
  if (type === "Adam") {
    out.push({
      code: "adam-epsilon",
      status: "differs",
      caffe: "src/caffe/solvers/adam_solver.cpp:39-43,62-73 (update = local_rate·√(1−β2^t)/(1−β1^t) · m/(√v + delta))",
      torch: "torch/optim/adam.py:397-412 (param -= lr/(1−β1^t) · m/(√v/√(1−β2^t) + eps))",
      data: { delta: s.written["delta"]!, momentum2: s.written["momentum2"]! },
    });
    out.push({ code: "adam-step-count", status: "handled", caffe: "src/caffe/solvers/adam_solver.cpp:39 (t = iter_ + 1)", torch: "torch/optim/adam.py:397 (state['step'] per parameter)", data: {} });
  }
  if (type === "AdaGrad") {
    out.push({ code: "adagrad-equal", status: "equal", caffe: "src/caffe/solvers/adagrad_solver.cpp:21-48", torch: "torch/optim/adagrad.py:257-278 (lr_decay=0: clr = lr; std = √sum + eps)", data: { delta: s.written["delta"]! } });
  }
  if (type === "RMSProp") {
    out.push({ code: "rmsprop-equal", status: "equal", caffe: "src/caffe/solvers/rmsprop_solver.cpp:25-50", torch: "torch/optim/rmsprop.py:254-259 (centered=False: avg = √square_avg + eps)", data: { rms_decay: s.written["rms_decay"]! } });
  }
  if (type === "AdaDelta") {
    out.push({ code: "adadelta-equal", status: "equal", caffe: "src/caffe/solvers/adadelta_solver.cpp:35-89", torch: "torch/optim/adadelta.py:200-206", data: { momentum: s.written["momentum"]!, delta: s.written["delta"]! } });
  }
  if (s.regularizationType === "L1" && s.weightDecay !== 0) {
    out.push({ code: "l1-regularization", status: "handled", caffe: "src/caffe/solvers/sgd_solver.cpp:172-179 (diff += local_decay·sign(θ))", torch: "torch.optim: weight_decay is L2 only", data: { weight_decay: s.written["weight_decay"]! } });
  }
  if (s.clipGradients >= 0) {
    out.push({
      code: "clip-gradients",
      status: "differs",
      caffe: "src/caffe/solvers/sgd_solver.cpp:88-106,115-119 (L2 norm of the summed diffs, before Normalize and Regularize)",
      torch: "torch/nn/utils/clip_grad.py:50-56 (clip_coef = max_norm/(total_norm + 1e-6), clamped to 1)",
      data: { clip_gradients: s.written["clip_gradients"]!, iter_size: s.iterSize },
    });
  }
  if (s.iterSize > 1) {
    out.push({ code: "iter-size", status: "handled", caffe: "src/caffe/solver.cpp:229-233 and sgd_solver.cpp:130-139 (diffs summed, then scaled by 1/iter_size)", torch: "loss.backward() accumulates .grad", data: { iter_size: s.iterSize } });
  }
  if (lrChanging) {
    out.push({ code: "lr-per-iteration", status: "handled", caffe: "src/caffe/solvers/sgd_solver.cpp:110 (GetLearningRate every iteration)", torch: "torch/optim/lr_scheduler.py LambdaLR (stepped by the caller)", data: { policy: s.lrPolicy } });
  }
  out.push({ code: "update-without-gradient", status: "handled", caffe: "src/caffe/solvers/sgd_solver.cpp:116-122 (every learnable blob, every iteration)", torch: "torch/optim/sgd.py:139, adam.py:203 (`if p.grad is not None`)", data: {} });
  const adaptive = type !== "SGD" && type !== "Nesterov";
  if (adaptive && s.weightDecay !== 0 && (groups.frozen.length > 0 || groups.buffers.some((b) => b.decayMult !== 0))) {
    out.push({ code: "frozen-history", status: "equal", caffe: "src/caffe/solvers/sgd_solver.cpp:155-183 (decay added before the rate-0 update)", torch: "not in the optimizer", data: {} });
  }
  const untied = groups.shared.flatMap((sp) => sp.sharers.filter((x) => !x.tie).map((x) => x.key));
  if (groups.shared.length > 0) {
    out.push({
      code: "shared-params",
      status: untied.length > 0 ? "differs" : "handled",
      caffe: "src/caffe/net.cpp:459-513 (one blob, the owner's lr_mult/decay_mult)",
      torch: "tie_shared(net) in solver.py",
      data: { names: groups.shared.map((sp) => sp.name).join(", "), untied: untied.join(", ") },
    });
  }
  return out;
}
