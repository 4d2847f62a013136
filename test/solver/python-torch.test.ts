/**
 * The emitted solver.py under real PyTorch on behaviours the golden recordings do not reach:
 * `param { name }` sharing tied to one Parameter, lr_mult 0 frozen, a parameter no gradient
 * reaches still updated (weight decay), multistep's rate, and each exact update rule equal to
 * torch.optim where the formulas agree.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { emitSolverModule } from "../../src/solver/python.js";
import { requireTorch, runPythonJson, skipWithoutTorch, writeTempFile } from "../helpers/python.js";
import { planOf } from "./support.js";

const CHECKER = fileURLToPath(new URL("./check_emitted.py", import.meta.url));

const NET = `layer { name: "d" type: "Input" top: "x" input_param { shape { dim: 3 dim: 4 } } }
layer { name: "f" type: "InnerProduct" bottom: "x" top: "h" param { lr_mult: 0 } param { lr_mult: 0 } inner_product_param { num_output: 4 } }
layer { name: "a" type: "InnerProduct" bottom: "h" top: "y" param { name: "w" lr_mult: 2 } inner_product_param { num_output: 4 } }
layer { name: "b" type: "InnerProduct" bottom: "y" top: "z" param { name: "w" } inner_product_param { num_output: 4 } }
layer { name: "u" type: "InnerProduct" bottom: "x" top: "unused" inner_product_param { num_output: 2 } }
`;
const SOLVER = 'net: "n"\nbase_lr: 0.1\nlr_policy: "multistep"\ngamma: 0.5\nstepvalue: 2\nstepvalue: 2\nstepvalue: 4\nmomentum: 0.9\nweight_decay: 0.01\nmax_iter: 6\n';

interface Observed {
  tied: boolean;
  frozen: boolean[];
  group_lrs: number[];
  in_optimizer: number;
  losses: number[];
  unused_moved: number;
  rates: number[];
}

describe.skipIf(skipWithoutTorch)("emitted solver.py behaviours (real PyTorch)", () => {
  for (const exact of [false, true]) {
    it(`${exact ? "--exact" : "plain"}: ties shared weights, freezes lr_mult 0, updates a parameter without gradient, and steps multistep one stepvalue per iteration`, () => {
      requireTorch();
      const path = writeTempFile("solver.py", emitSolverModule(planOf(SOLVER, NET, exact)));
      const o = runPythonJson<Observed>(CHECKER, [path]);
      expect(o.tied).toBe(true);
      expect(o.frozen).toEqual([true, true]);
      // (2, 1) for the shared weight (a's lr_mult), (1, 1) for the biases and u; the scheduler
      // scales them by Caffe's float32 rate / BASE_LR.
      expect(o.group_lrs.map(Math.fround)).toEqual([0.2, 0.1].map(Math.fround));
      expect(o.in_optimizer).toBe(5);
      expect(o.losses[2]!).toBeLessThan(o.losses[0]!);
      expect(o.unused_moved).toBeGreaterThan(0);
      // Caffe's counter: stepvalues 2, 2, 4 pass at iterations 2, 3 and 4.
      expect(o.rates).toEqual([0.1, 0.1, 0.05, 0.025, 0.0125, 0.0125].map(Math.fround));
    });
  }
});
