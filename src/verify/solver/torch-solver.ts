/**
 * The emitted `Solver.apply_update` (src/solver/python.ts) and its LambdaLR, executed: `.grad`
 * holds the gradient summed over ITER_SIZE passes; plain: divide by ITER_SIZE,
 * `clip_grad_norm_(params, CLIP_GRADIENTS / ITER_SIZE)`, the L1 term, torch.optim's step; exact:
 * Caffe's clipping on the sum, the multiplication by `_f32(1 / ITER_SIZE)`, the Caffe* optimizer.
 * Then `scheduler.step()`: every group's lr becomes `initial_lr · CaffeLR()(k + 1)`.
 */
import type { SolverPlan } from "../../solver/plan.js";
import { exactOptimizer } from "./torch-exact.js";
import { addAlpha, signOf, sumOfSquares } from "./torch-ops.js";
import { plainOptimizer, type OptimizerStep, type TorchGroup, type TorchParam } from "./torch-optim.js";

const f32 = Math.fround;

/** Which emitted solver.py: plain torch.optim or `--exact`. */
export type TorchMode = "plain" | "exact";

/** The emitted solver over blobs given by index into the caller's blob list. */
export class TorchSolver {
  private readonly groups: (TorchGroup & { initialLr: number; indices: number[] })[];
  private readonly step: OptimizerStep;
  private readonly baseLr: number;

  /**
   * @param plan what solver.py holds (groups, optimizer, ITER_SIZE, CLIP_GRADIENTS, BASE_LR)
   * @param data each blob's values by index (updated in place); `indexOf` maps a plan key to its index
   */
  constructor(
    readonly plan: SolverPlan,
    readonly mode: TorchMode,
    data: readonly Float32Array[],
    indexOf: (key: string) => number,
  ) {
    this.baseLr = plan.policy.baseLr;
    this.groups = plan.groups.groups.map((g) => {
      const indices = g.params.map((p) => indexOf(p.key));
      const params: TorchParam[] = indices.map((i) => ({ data: data[i]!, grad: new Float32Array(data[i]!.length) }));
      return { lr: g.lr, initialLr: g.lr, weightDecay: g.weightDecay, l1Decay: g.l1Decay, params, indices };
    });
    const o = plan.optimizer;
    this.step = mode === "exact" ? exactOptimizer(o.exactClass, o.exactKwargs) : plainOptimizer(o.torchClass, o.kwargs);
  }

  /** LambdaLR: lr = initial_lr · (rate / BASE_LR), Python floats (CaffeLR's rate is Caffe's, bit for bit). */
  private schedule(rate: number): void {
    const factor = this.baseLr ? rate / this.baseLr : 0;
    for (const g of this.groups) g.lr = g.initialLr * factor;
  }

  /** The lr of every group now (what `optimizer.param_groups[i]["lr"]` holds). */
  lrs(): number[] {
    return this.groups.map((g) => g.lr);
  }

  /**
   * One `apply_update` with the rate CaffeLR gives this iteration (LambdaLR set it at construction
   * or at the previous `scheduler.step()`) and each blob's summed gradient by index.
   */
  apply(rate: number, gradients: readonly Float32Array[]): void {
    this.schedule(rate);
    for (const g of this.groups) g.indices.forEach((i, n) => g.params[n]!.grad.set(gradients[i]!));
    const params = this.groups.flatMap((g) => g.params);
    const iterSize = this.plan.iterSize;
    const clip = this.plan.clipGradients;
    if (this.mode === "exact") {
      if (clip !== null) {
        // norm = sqrt(sum(torch.sum(p.grad * p.grad))): float32 sums added in float32.
        let sum = 0;
        for (const p of params) sum = f32(sum + sumOfSquares(p.grad));
        const norm = f32(Math.sqrt(sum));
        if (norm > f32(clip)) {
          const scale = f32(f32(clip) / norm);
          for (const p of params) for (let j = 0; j < p.grad.length; j++) p.grad[j] = f32(p.grad[j]! * scale);
        }
      }
      if (iterSize > 1) {
        const factor = f32(1 / iterSize);
        for (const p of params) for (let j = 0; j < p.grad.length; j++) p.grad[j] = f32(p.grad[j]! * factor);
      }
    } else {
      if (iterSize > 1) for (const p of params) for (let j = 0; j < p.grad.length; j++) p.grad[j] = f32(p.grad[j]! / iterSize);
      if (clip !== null) {
        // clip_grad_norm_ (torch/nn/utils/clip_grad.py): the norm of the per-parameter norms; clip_coef = max_norm / (total + 1e-6), clamped to 1.
        let squares = 0;
        for (const p of params) {
          const n = f32(Math.sqrt(sumOfSquares(p.grad)));
          squares += n * n;
        }
        const total = f32(Math.sqrt(squares));
        const coef = Math.min(1, f32(f32(clip / iterSize) / f32(total + f32(1e-6))));
        for (const p of params) for (let j = 0; j < p.grad.length; j++) p.grad[j] = f32(p.grad[j]! * coef);
      }
      for (const g of this.groups) {
        if (!g.l1Decay) continue;
        for (const p of g.params) for (let j = 0; j < p.grad.length; j++) p.grad[j] = addAlpha(p.grad[j]!, signOf(p.data[j]!), g.l1Decay);
      }
    }
    this.step(this.groups);
  }
}
