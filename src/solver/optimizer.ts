import type { PyValue } from "../convert/torch-graph.js";
import type { SolverSettings, SolverType } from "./settings.js";

/** The PyTorch optimizer a Caffe solver type maps to. */
export interface OptimizerPlan {
  type: SolverType;
  /** The plain mapping: a torch.optim class. */
  torchClass: string;
  /** Its keyword arguments besides the parameter groups (each group sets lr and weight_decay). */
  kwargs: Record<string, PyValue>;
  /** The `--exact` class defined in solver.py (Caffe's ComputeUpdateValue). */
  exactClass: string;
  /** Its keyword arguments. */
  exactKwargs: Record<string, PyValue>;
  /** Caffe's hyper-parameters as written, by Caffe field name. */
  caffe: Record<string, number>;
}

/**
 * Caffe's hyper-parameters mapped onto torch.optim (PyTorch 1.13):
 * SGD → SGD(momentum); Nesterov → SGD(momentum, nesterov=True) (plain SGD when momentum is 0,
 * which torch refuses for Nesterov and for which Caffe's Nesterov update is plain SGD);
 * AdaGrad → Adagrad(eps=delta); RMSProp → RMSprop(alpha=rms_decay, eps=delta);
 * AdaDelta → Adadelta(rho=momentum, eps=delta); Adam → Adam(betas=(momentum, momentum2), eps=delta).
 * Defaults torch would otherwise change (lr_decay, initial_accumulator_value, centered …) are written out.
 */
export function optimizerPlan(type: SolverType, settings: SolverSettings): OptimizerPlan {
  // The decimals as written: torch rounds a Python float to float32 where it meets a float32
  // tensor, so `momentum=0.9` computes with Caffe's float32 0.9 and reads better.
  const w = settings.written;
  const s = { momentum: w["momentum"]!, momentum2: w["momentum2"]!, rmsDecay: w["rms_decay"]!, delta: w["delta"]! };
  const lr = w["base_lr"]!;
  switch (type) {
    case "SGD":
      return { type, torchClass: "torch.optim.SGD", kwargs: { lr, momentum: s.momentum }, exactClass: "CaffeSGD", exactKwargs: { momentum: s.momentum }, caffe: { momentum: s.momentum } };
    case "Nesterov":
      return {
        type,
        torchClass: "torch.optim.SGD",
        kwargs: s.momentum > 0 ? { lr, momentum: s.momentum, nesterov: true } : { lr, momentum: 0 },
        exactClass: "CaffeSGD",
        exactKwargs: { momentum: s.momentum, nesterov: true },
        caffe: { momentum: s.momentum },
      };
    case "AdaGrad":
      return {
        type,
        torchClass: "torch.optim.Adagrad",
        kwargs: { lr, lr_decay: 0, initial_accumulator_value: 0, eps: s.delta },
        exactClass: "CaffeAdaGrad",
        exactKwargs: { delta: s.delta },
        caffe: { delta: s.delta },
      };
    case "RMSProp":
      return {
        type,
        torchClass: "torch.optim.RMSprop",
        kwargs: { lr, alpha: s.rmsDecay, eps: s.delta, momentum: 0, centered: false },
        exactClass: "CaffeRMSProp",
        exactKwargs: { rms_decay: s.rmsDecay, delta: s.delta },
        caffe: { rms_decay: s.rmsDecay, delta: s.delta },
      };
    case "AdaDelta":
      return {
        type,
        torchClass: "torch.optim.Adadelta",
        kwargs: { lr, rho: s.momentum, eps: s.delta },
        exactClass: "CaffeAdaDelta",
        exactKwargs: { momentum: s.momentum, delta: s.delta },
        caffe: { momentum: s.momentum, delta: s.delta },
      };
    case "Adam":
      return {
        type,
        torchClass: "torch.optim.Adam",
        kwargs: { lr, betas: { tuple: [s.momentum, s.momentum2] }, eps: s.delta },
        exactClass: "CaffeAdam",
        exactKwargs: { momentum: s.momentum, momentum2: s.momentum2, delta: s.delta },
        caffe: { momentum: s.momentum, momentum2: s.momentum2, delta: s.delta },
      };
  }
}
