import type { SolverType } from "./settings.js";

/** The base of the `--exact` optimizers: Caffe's Regularize before each update rule. */
const BASE = `class _CaffeUpdate(torch.optim.Optimizer):
    """Caffe's SGDSolver::Regularize (sgd_solver.cpp:155-183) before each update rule: L2 adds
    weight_decay * theta, L1 adds l1_decay * sign(theta), per group. Histories start at 0 and are
    named as in a Caffe .solverstate ("history", "history2")."""

    def _gradient(self, p, group):
        g = p.grad
        if group["weight_decay"]:
            g = g.add(p, alpha=group["weight_decay"])
        if group["l1_decay"]:
            g = g.add(torch.sign(p), alpha=group["l1_decay"])
        return g

    def _history(self, p, name="history"):
        state = self.state[p]
        if name not in state:
            state[name] = torch.zeros_like(p, memory_format=torch.preserve_format)
        return state[name]
`;

/** Each exact update rule, as Caffe's ComputeUpdateValue computes it (hyper-parameters as float32). */
const RULES: Record<string, string> = {
  CaffeSGD: `class CaffeSGD(_CaffeUpdate):
    """Caffe's SGD and Nesterov updates: the history holds lr-scaled steps, v = momentum*v + lr*g
    (sgd_solver.cpp:232-237); SGD subtracts v, Nesterov (1+momentum)*v - momentum*v_prev
    (nesterov_solver.cpp:21-39). A change of lr leaves the accumulated momentum as it was."""

    def __init__(self, params, lr, momentum=0.0, nesterov=False):
        super().__init__(params, dict(lr=lr, momentum=_f32(momentum), nesterov=nesterov, weight_decay=0.0, l1_decay=0.0))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            lr, m = group["lr"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = self._gradient(p, group)
                v = self._history(p)
                previous = v.clone() if group["nesterov"] else None
                v.mul_(m).add_(g, alpha=lr)
                if previous is None:
                    p.sub_(v)
                else:
                    p.sub_(v * _f32(1.0 + m) - previous * m)
`,
  CaffeAdaGrad: `class CaffeAdaGrad(_CaffeUpdate):
    """Caffe's AdaGrad update (adagrad_solver.cpp:21-48): h += g^2; theta -= lr * g / (sqrt(h) + delta)."""

    def __init__(self, params, lr, delta=1e-8):
        super().__init__(params, dict(lr=lr, delta=_f32(delta), weight_decay=0.0, l1_decay=0.0))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = self._gradient(p, group)
                h = self._history(p)
                h.add_(g * g)
                p.sub_(g / (h.sqrt() + group["delta"]) * group["lr"])
`,
  CaffeRMSProp: `class CaffeRMSProp(_CaffeUpdate):
    """Caffe's RMSProp update (rmsprop_solver.cpp:25-50): h = rms_decay*h + (1-rms_decay)*g^2;
    theta -= lr * g / (sqrt(h) + delta)."""

    def __init__(self, params, lr, rms_decay=0.99, delta=1e-8):
        super().__init__(params, dict(lr=lr, rms_decay=_f32(rms_decay), delta=_f32(delta), weight_decay=0.0, l1_decay=0.0))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            decay = group["rms_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = self._gradient(p, group)
                h = self._history(p)
                h.mul_(decay).add_(g * g, alpha=_f32(1.0 - decay))
                p.sub_(g / (h.sqrt() + group["delta"]) * group["lr"])
`,
  CaffeAdaDelta: `class CaffeAdaDelta(_CaffeUpdate):
    """Caffe's AdaDelta update (adadelta_solver.cpp:35-89): h = m*h + (1-m)*g^2;
    s = g * sqrt((h2 + delta) / (h + delta)); h2 = m*h2 + (1-m)*s^2; theta -= lr * s."""

    def __init__(self, params, lr, momentum=0.0, delta=1e-8):
        super().__init__(params, dict(lr=lr, momentum=_f32(momentum), delta=_f32(delta), weight_decay=0.0, l1_decay=0.0))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            m, delta = group["momentum"], group["delta"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = self._gradient(p, group)
                h, h2 = self._history(p), self._history(p, "history2")
                h.mul_(m).add_(g * g, alpha=_f32(1.0 - m))
                s = g * ((h2 + delta) / (h + delta)).sqrt()
                h2.mul_(m).add_(s * s, alpha=_f32(1.0 - m))
                p.sub_(s * group["lr"])
`,
  CaffeAdam: `class CaffeAdam(_CaffeUpdate):
    """Caffe's Adam update (adam_solver.cpp:39-73): m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
    theta -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + delta), t = iteration + 1: delta is
    added to sqrt(v) before the bias correction (torch.optim.Adam adds eps after it)."""

    def __init__(self, params, lr, momentum=0.0, momentum2=0.999, delta=1e-8):
        super().__init__(params, dict(lr=lr, momentum=_f32(momentum), momentum2=_f32(momentum2), delta=_f32(delta), weight_decay=0.0, l1_decay=0.0))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            b1, b2 = group["momentum"], group["momentum2"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = self._gradient(p, group)
                m, v = self._history(p), self._history(p, "history2")
                state = self.state[p]
                state["step"] = t = state.get("step", 0) + 1
                correction = _f32(math.sqrt(1.0 - math.pow(b2, t)) / (1.0 - math.pow(b1, t)))
                m.mul_(b1).add_(g, alpha=_f32(1.0 - b1))
                v.mul_(b2).add_(g * g, alpha=_f32(1.0 - b2))
                p.sub_(m / (v.sqrt() + group["delta"]) * _f32(group["lr"] * correction))
`,
};

const CLASS_OF: Record<SolverType, string> = {
  SGD: "CaffeSGD",
  Nesterov: "CaffeSGD",
  AdaGrad: "CaffeAdaGrad",
  RMSProp: "CaffeRMSProp",
  AdaDelta: "CaffeAdaDelta",
  Adam: "CaffeAdam",
};

/** The Python source of the `--exact` optimizer for a solver type (the base class and its rule). */
export function exactOptimizerSource(type: SolverType): string {
  return `${BASE}\n\n${RULES[CLASS_OF[type]]!}`;
}
