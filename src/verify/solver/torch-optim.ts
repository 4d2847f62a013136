/**
 * The plain mapping's optimizers: torch.optim's single-tensor update rules of PyTorch 1.13
 * (torch/optim/sgd.py, adagrad.py, rmsprop.py, adadelta.py, adam.py, `foreach=False`, the CPU
 * default there) in float32, with the keyword arguments `solver` writes (Python floats: the decimals
 * as written, rounded to float32 where they meet a tensor).
 */
import type { PyValue } from "../../convert/torch-graph.js";
import { addAlpha, addcdiv, addcmul } from "./torch-ops.js";

const f32 = Math.fround;

/** One parameter: its values and its `.grad` (both float32, updated in place). */
export interface TorchParam {
  data: Float32Array;
  grad: Float32Array;
}

/** One `param_groups` entry as the optimizer reads it at `step()`. */
export interface TorchGroup {
  /** The group's lr now (LambdaLR's initial_lr · factor, a Python float). */
  lr: number;
  weightDecay: number;
  /** The emitted Solver's L1 term (the optimizers of the plain mapping never read it). */
  l1Decay: number;
  params: TorchParam[];
}

/** `optimizer.step()` over the groups; the optimizer keeps its state per parameter. */
export type OptimizerStep = (groups: readonly TorchGroup[]) => void;

/** A number keyword argument (Python float), or `fallback`. */
export function numberArg(kwargs: Record<string, PyValue>, name: string, fallback: number): number {
  const v = kwargs[name];
  return typeof v === "number" ? v : fallback;
}

function betas(kwargs: Record<string, PyValue>): [number, number] {
  const v = kwargs["betas"];
  const t = v !== null && typeof v === "object" && !Array.isArray(v) && "tuple" in v ? v.tuple : [];
  return [typeof t[0] === "number" ? t[0] : 0.9, typeof t[1] === "number" ? t[1] : 0.999];
}

/** `grad.add(param, alpha=weight_decay)` when weight_decay ≠ 0, as every torch.optim rule starts. */
function decayed(p: TorchParam, weightDecay: number, j: number): number {
  return weightDecay !== 0 ? addAlpha(p.grad[j]!, p.data[j]!, weightDecay) : p.grad[j]!;
}

function perParam<S>(make: (p: TorchParam) => S): (p: TorchParam) => S {
  const state = new WeakMap<Float32Array, S>();
  return (p) => {
    let s = state.get(p.data);
    if (s === undefined) {
      s = make(p);
      state.set(p.data, s);
    }
    return s;
  };
}

/**
 * The torch.optim class the plain mapping names (`torch.optim.SGD` … `torch.optim.Adam`) with its
 * kwargs; throws for a class this executor does not know (a bug: optimizer.ts names only these).
 */
export function plainOptimizer(torchClass: string, kwargs: Record<string, PyValue>): OptimizerStep {
  switch (torchClass) {
    case "torch.optim.SGD": {
      const momentum = numberArg(kwargs, "momentum", 0);
      const nesterov = kwargs["nesterov"] === true;
      // sgd.py _single_tensor_sgd: buf = clone(d_p) at the first step, then buf·momentum + d_p.
      const state = perParam<{ buf: Float32Array | null }>(() => ({ buf: null }));
      return (groups) => {
        for (const g of groups) {
          for (const p of g.params) {
            const s = state(p);
            const first = s.buf === null;
            s.buf ??= new Float32Array(p.data.length);
            for (let j = 0; j < p.data.length; j++) {
              let d = decayed(p, g.weightDecay, j);
              if (momentum !== 0) {
                s.buf[j] = first ? d : f32(f32(s.buf[j]! * f32(momentum)) + d);
                d = nesterov ? addAlpha(d, s.buf[j]!, momentum) : s.buf[j]!;
              }
              p.data[j] = addAlpha(p.data[j]!, d, -g.lr);
            }
          }
        }
      };
    }
    case "torch.optim.Adagrad": {
      const eps = numberArg(kwargs, "eps", 1e-10);
      // adagrad.py: state_sum.addcmul_(grad, grad, value=1); std = sqrt(sum) + eps; param.addcdiv_(grad, std, value=-clr), clr = lr (lr_decay 0).
      const state = perParam((p) => ({ sum: new Float32Array(p.data.length) }));
      return (groups) => {
        for (const g of groups) {
          for (const p of g.params) {
            const s = state(p);
            for (let j = 0; j < p.data.length; j++) {
              const d = decayed(p, g.weightDecay, j);
              s.sum[j] = addcmul(s.sum[j]!, d, d, 1);
              const std = f32(f32(Math.sqrt(s.sum[j]!)) + f32(eps));
              p.data[j] = addcdiv(p.data[j]!, d, std, -g.lr);
            }
          }
        }
      };
    }
    case "torch.optim.RMSprop": {
      const alpha = numberArg(kwargs, "alpha", 0.99);
      const eps = numberArg(kwargs, "eps", 1e-8);
      // rmsprop.py: square_avg.mul_(alpha).addcmul_(grad, grad, value=1-alpha); avg = sqrt + eps; addcdiv_(grad, avg, value=-lr).
      const state = perParam((p) => ({ avg: new Float32Array(p.data.length) }));
      return (groups) => {
        for (const g of groups) {
          for (const p of g.params) {
            const s = state(p);
            for (let j = 0; j < p.data.length; j++) {
              const d = decayed(p, g.weightDecay, j);
              s.avg[j] = addcmul(f32(s.avg[j]! * f32(alpha)), d, d, 1 - alpha);
              const avg = f32(f32(Math.sqrt(s.avg[j]!)) + f32(eps));
              p.data[j] = addcdiv(p.data[j]!, d, avg, -g.lr);
            }
          }
        }
      };
    }
    case "torch.optim.Adadelta": {
      const rho = numberArg(kwargs, "rho", 0.9);
      const eps = numberArg(kwargs, "eps", 1e-6);
      // adadelta.py: std = sqrt(square_avg + eps); delta = sqrt(acc_delta + eps) / std · grad; param.add_(delta, alpha=-lr).
      const state = perParam((p) => ({ avg: new Float32Array(p.data.length), acc: new Float32Array(p.data.length) }));
      return (groups) => {
        for (const g of groups) {
          for (const p of g.params) {
            const s = state(p);
            for (let j = 0; j < p.data.length; j++) {
              const d = decayed(p, g.weightDecay, j);
              s.avg[j] = addcmul(f32(s.avg[j]! * f32(rho)), d, d, 1 - rho);
              const std = f32(Math.sqrt(f32(s.avg[j]! + f32(eps))));
              const delta = f32(f32(f32(Math.sqrt(f32(s.acc[j]! + f32(eps)))) / std) * d);
              s.acc[j] = addcmul(f32(s.acc[j]! * f32(rho)), delta, delta, 1 - rho);
              p.data[j] = addAlpha(p.data[j]!, delta, -g.lr);
            }
          }
        }
      };
    }
    case "torch.optim.Adam": {
      const [beta1, beta2] = betas(kwargs);
      const eps = numberArg(kwargs, "eps", 1e-8);
      // adam.py _single_tensor_adam: bias corrections in Python floats; denom = sqrt(v)/sqrt(bc2) + eps; addcdiv_(m, denom, value=-lr/bc1).
      const state = perParam((p) => ({ step: 0, m: new Float32Array(p.data.length), v: new Float32Array(p.data.length) }));
      return (groups) => {
        for (const g of groups) {
          for (const p of g.params) {
            const s = state(p);
            s.step += 1;
            const bc1 = 1 - Math.pow(beta1, s.step);
            const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, s.step));
            const stepSize = g.lr / bc1;
            for (let j = 0; j < p.data.length; j++) {
              const d = decayed(p, g.weightDecay, j);
              s.m[j] = addAlpha(f32(s.m[j]! * f32(beta1)), d, 1 - beta1);
              s.v[j] = addcmul(f32(s.v[j]! * f32(beta2)), d, d, 1 - beta2);
              const denom = f32(f32(f32(Math.sqrt(s.v[j]!)) / f32(bc2Sqrt)) + f32(eps));
              p.data[j] = addcdiv(p.data[j]!, s.m[j]!, denom, -stepSize);
            }
          }
        }
      };
    }
    default:
      throw new Error(`no executor for ${torchClass}`);
  }
}
