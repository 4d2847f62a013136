import type { Difference } from "./differences.js";

type Data = Difference["data"];

const num = (v: unknown): string => (typeof v === "number" ? String(Number(v.toPrecision(6))) : String(v));

/**
 * English for each difference code: what Caffe does, what torch.optim does, and what the emitted
 * Solver and `--exact` do about it. Only formatters (JSON, Markdown, the Python docstring) call it.
 */
export const DIFFERENCE_MESSAGES: Readonly<Record<string, (d: Data, status: Difference["status"]) => string>> = {
  "momentum-lr-scaled": (d, status) =>
    "Caffe's momentum history holds lr-scaled steps (v = momentum·v + lr·g; θ -= v); torch.optim.SGD keeps raw gradients " +
    "(buf = momentum·buf + g; θ -= lr·buf). They agree while the lr is constant. " +
    (status === "differs"
      ? `Here the lr first changes at iteration ${num(d["first"])} (${num(d["from"])} → ${num(d["to"])}, ${num(d["changes"])} change(s) in all): ` +
        "from then on PyTorch applies the new lr to the momentum accumulated under the old one (its momentum term is new/old times Caffe's). " +
        "--exact (CaffeSGD) keeps Caffe's history; with torch.optim, multiply every momentum_buffer by lr_old/lr_new at each change."
      : "The lr never changes here, so the plain mapping is exact."),
  "nesterov-form": (_d, status) =>
    "Caffe's Nesterov step is (1+momentum)·v − momentum·v_prev on the lr-scaled history; torch's is lr·(g + momentum·buf). " +
    "Algebraically the same while the lr is constant" +
    (status === "differs" ? "; here the lr changes, so they drift apart as with SGD momentum (--exact: CaffeSGD(nesterov=True))." : "; the lr is constant here."),
  "nesterov-without-momentum": () => "Nesterov with momentum 0 is plain SGD in Caffe; torch refuses nesterov=True without momentum, so the plain mapping uses SGD.",
  "adam-epsilon": (d) =>
    "Caffe folds Adam's bias corrections into the rate and adds delta to √v: lr·√(1−β2^t)/(1−β1^t)·m/(√v + delta); " +
    "torch adds eps to the corrected √v/√(1−β2^t): the same as Caffe with delta scaled by 1/√(1−β2^t) " +
    `(${num(1 / Math.sqrt(1 - Number(d["momentum2"])))}× at the first step with momentum2 ${num(d["momentum2"])}). ` +
    "Negligible while √v ≫ delta; where gradients are near delta the steps differ (--exact: CaffeAdam).",
  "adam-step-count": () => "Caffe's t is the solver iteration + 1; torch counts steps per parameter. Equal because Solver.step gives every parameter a gradient each iteration.",
  "adagrad-equal": () => "AdaGrad: torch.optim.Adagrad (lr_decay 0, initial_accumulator_value 0) adds eps after the square root, as Caffe adds delta: equal.",
  "rmsprop-equal": () => "RMSProp: torch.optim.RMSprop (alpha = rms_decay, centered False, momentum 0) adds eps after the square root, as Caffe adds delta: equal.",
  "adadelta-equal": () => "AdaDelta: torch.optim.Adadelta (rho = momentum, eps = delta) computes √(h2+δ)/√(h+δ) where Caffe computes √((h2+δ)/(h+δ)): equal up to rounding.",
  "l1-regularization": (d) =>
    `regularization_type L1: Caffe adds weight_decay·decay_mult·sign(θ) (${num(d["weight_decay"])}·decay_mult) to the gradient; torch.optim only has L2. ` +
    "The groups carry it as l1_decay with weight_decay 0, and Solver adds it before optimizer.step() (make_optimizer alone does not).",
  "clip-gradients": (d) =>
    `clip_gradients ${num(d["clip_gradients"])}: Caffe scales all diffs by c/‖G‖ when the global L2 norm of the gradient summed over iter_size exceeds c, ` +
    "before dividing by iter_size and before weight decay. The plain Solver calls clip_grad_norm_(params, CLIP_GRADIENTS / ITER_SIZE) on the averaged gradient: " +
    "the same scale, except that torch divides by (norm + 1e-6) and so scales by a relative 1e-6/norm also just below the threshold (--exact clips as Caffe).",
  "iter-size": (d) => `iter_size ${num(d["iter_size"])}: Caffe sums the gradients of ${num(d["iter_size"])} forward/backward passes and divides by ${num(d["iter_size"])}; Solver.step does the same.`,
  "lr-per-iteration": (d) =>
    `lr_policy ${String(d["policy"])} changes the rate per iteration: make_scheduler's LambdaLR must be stepped once per iteration (Solver.step does), not once per epoch.`,
  "update-without-gradient": () =>
    "Caffe updates every learnable blob every iteration, with a zero diff when no gradient reached it (momentum and weight decay still move it); torch.optim skips parameters whose .grad is None. Solver gives them zeros.",
  "frozen-history": () =>
    "Blobs with lr_mult 0 but decay_mult ≠ 0 (e.g. a BatchNorm declared without param blocks) still accumulate weight decay in Caffe's history; their update is 0, so no parameter differs.",
  "shared-params": (d) =>
    `Shared blobs (${String(d["names"])}) are one tensor in Caffe with the owner's multipliers; tie_shared(net) makes each sharer the owner's Parameter and only the owner is in the optimizer.` +
    (d["untied"] ? ` ${String(d["untied"])}: the PyTorch shapes differ from the owner's, so they cannot be tied and do not train.` : ""),
};

/** The English of one difference. */
export function differenceText(d: Difference): string {
  const render = DIFFERENCE_MESSAGES[d.code];
  return render ? render(d.data, d.status) : d.code;
}
