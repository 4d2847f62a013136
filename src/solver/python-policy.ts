import type { LrPolicy } from "./settings.js";

/**
 * The body of `CaffeLR.rate(k)` per policy: Caffe's GetLearningRate (sgd_solver.cpp:27-70) with
 * its float32/double operations: `_f32` rounds where Caffe's float arithmetic rounds.
 */
const RATE: Record<LrPolicy, string[]> = {
  fixed: ["# fixed: base_lr", "return _f32(BASE_LR)"],
  step: ["# step: base_lr * gamma^floor(k / stepsize), pow in double (sgd_solver.cpp:32-37)", "return _f32(_f32(BASE_LR) * _pow(_f32(GAMMA), k // STEPSIZE))"],
  exp: ["# exp: base_lr * gamma^k, pow in double (sgd_solver.cpp:38-40)", "return _f32(_f32(BASE_LR) * _pow(_f32(GAMMA), k))"],
  inv: [
    "# inv: base_lr * (1 + gamma*k)^(-power), in float32 (sgd_solver.cpp:41-45)",
    "return _f32(_f32(BASE_LR) * _f32(_pow(_f32(1.0 + _f32(_f32(GAMMA) * k)), -_f32(POWER))))",
  ],
  multistep: [
    "# multistep: base_lr * gamma^c; Caffe advances c by at most one per call, once per iteration,",
    "# when k >= stepvalue[c] (sgd_solver.cpp:46-55)",
    "if k < self.k:",
    "    self.k, self.count = -1, 0",
    "while self.k < k:",
    "    self.k += 1",
    "    if self.count < len(STEPVALUE) and self.k >= STEPVALUE[self.count]:",
    "        self.count += 1",
    "return _f32(_f32(BASE_LR) * _pow(_f32(GAMMA), self.count))",
  ],
  poly: [
    "# poly: base_lr * (1 - k/max_iter)^power, in float32 (sgd_solver.cpp:56-59)",
    "return _f32(_f32(BASE_LR) * _f32(_pow(_f32(1.0 - _f32(_f32(k) / _f32(MAX_ITER))), _f32(POWER))))",
  ],
  sigmoid: [
    "# sigmoid: base_lr / (1 + exp(-gamma * (k - stepsize))), in float32 (sgd_solver.cpp:60-65)",
    "return _f32(_f32(BASE_LR) * _f32(1.0 / _f32(1.0 + _f32(_exp(_f32(-_f32(GAMMA) * _f32(_f32(k) - _f32(STEPSIZE))))))))",
  ],
};

/** The `CaffeLR` class: Caffe's rate as a factor of BASE_LR for LambdaLR (k = the iteration). */
export function lrClassSource(policy: LrPolicy): string {
  const body = RATE[policy].map((l) => `        ${l}`).join("\n");
  return `class CaffeLR:
    """Caffe's learning rate for lr_policy ${JSON.stringify(policy)} as a LambdaLR factor of BASE_LR.
    The scheduler calls it with the iteration k (Caffe's iter_), once per Solver.step."""

    def __init__(self):
        self.k, self.count = -1, 0

    def rate(self, k):
        """Caffe's rate at iteration k (SGDSolver::GetLearningRate)."""
${body}

    def __call__(self, k):
        return self.rate(k) / BASE_LR if BASE_LR else 0.0
`;
}
