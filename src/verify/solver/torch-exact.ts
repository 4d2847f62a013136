/**
 * The `--exact` optimizers `solver --exact` emits (src/solver/python-exact.ts: CaffeSGD,
 * CaffeAdaGrad, CaffeRMSProp, CaffeAdaDelta, CaffeAdam), executed as PyTorch 1.13 computes their
 * Python in float32: the hyper-parameters pass through `_f32`, the group lr is LambdaLR's Python float.
 */
import type { PyValue } from "../../convert/torch-graph.js";
import { addAlpha, signOf } from "./torch-ops.js";
import { numberArg, type OptimizerStep, type TorchGroup, type TorchParam } from "./torch-optim.js";

const f32 = Math.fround;

/** `_CaffeUpdate._gradient`: grad + weight_decay·θ (L2), + l1_decay·sign(θ) (L1). */
function gradient(p: TorchParam, g: TorchGroup, j: number): number {
  let d = p.grad[j]!;
  if (g.weightDecay) d = addAlpha(d, p.data[j]!, g.weightDecay);
  if (g.l1Decay) d = addAlpha(d, signOf(p.data[j]!), g.l1Decay);
  return d;
}

function histories(count: number): (p: TorchParam) => { h: Float32Array; h2: Float32Array; step: number } {
  const state = new WeakMap<Float32Array, { h: Float32Array; h2: Float32Array; step: number }>();
  return (p) => {
    let s = state.get(p.data);
    if (s === undefined) {
      s = { h: new Float32Array(p.data.length), h2: new Float32Array(count > 1 ? p.data.length : 0), step: 0 };
      state.set(p.data, s);
    }
    return s;
  };
}

/** The emitted exact class by name with its kwargs (`exactKwargs` of the plan). */
export function exactOptimizer(exactClass: string, kwargs: Record<string, PyValue>): OptimizerStep {
  const arg = (name: string, fallback: number): number => f32(numberArg(kwargs, name, fallback));
  switch (exactClass) {
    case "CaffeSGD": {
      const m = arg("momentum", 0);
      const nesterov = kwargs["nesterov"] === true;
      const state = histories(1);
      return (groups) => {
        for (const g of groups) {
          for (const p of g.params) {
            const v = state(p).h;
            for (let j = 0; j < p.data.length; j++) {
              const d = gradient(p, g, j);
              const previous = v[j]!;
              // v.mul_(m).add_(g, alpha=lr)
              v[j] = addAlpha(f32(v[j]! * m), d, g.lr);
              // p.sub_(v), or p.sub_(v * _f32(1 + m) - previous * m)
              const step = nesterov ? f32(f32(v[j]! * f32(1 + m)) - f32(previous * m)) : v[j]!;
              p.data[j] = f32(p.data[j]! - step);
            }
          }
        }
      };
    }
    case "CaffeAdaGrad": {
      const delta = arg("delta", 1e-8);
      const state = histories(1);
      return (groups) => {
        for (const g of groups) {
          for (const p of g.params) {
            const h = state(p).h;
            for (let j = 0; j < p.data.length; j++) {
              const d = gradient(p, g, j);
              h[j] = f32(h[j]! + f32(d * d));
              p.data[j] = f32(p.data[j]! - f32(f32(d / f32(f32(Math.sqrt(h[j]!)) + delta)) * f32(g.lr)));
            }
          }
        }
      };
    }
    case "CaffeRMSProp": {
      const decay = arg("rms_decay", 0.99);
      const delta = arg("delta", 1e-8);
      const state = histories(1);
      return (groups) => {
        for (const g of groups) {
          for (const p of g.params) {
            const h = state(p).h;
            for (let j = 0; j < p.data.length; j++) {
              const d = gradient(p, g, j);
              h[j] = addAlpha(f32(h[j]! * decay), f32(d * d), f32(1 - decay));
              p.data[j] = f32(p.data[j]! - f32(f32(d / f32(f32(Math.sqrt(h[j]!)) + delta)) * f32(g.lr)));
            }
          }
        }
      };
    }
    case "CaffeAdaDelta": {
      const m = arg("momentum", 0);
      const delta = arg("delta", 1e-8);
      const state = histories(2);
      return (groups) => {
        for (const g of groups) {
          for (const p of g.params) {
            const { h, h2 } = state(p);
            for (let j = 0; j < p.data.length; j++) {
              const d = gradient(p, g, j);
              h[j] = addAlpha(f32(h[j]! * m), f32(d * d), f32(1 - m));
              const s = f32(d * f32(Math.sqrt(f32(f32(h2[j]! + delta) / f32(h[j]! + delta)))));
              h2[j] = addAlpha(f32(h2[j]! * m), f32(s * s), f32(1 - m));
              p.data[j] = f32(p.data[j]! - f32(s * f32(g.lr)));
            }
          }
        }
      };
    }
    case "CaffeAdam": {
      const b1 = arg("momentum", 0);
      const b2 = arg("momentum2", 0.999);
      const delta = arg("delta", 1e-8);
      const state = histories(2);
      return (groups) => {
        for (const g of groups) {
          for (const p of g.params) {
            const s = state(p);
            s.step += 1;
            const correction = f32(Math.sqrt(1 - Math.pow(b2, s.step)) / (1 - Math.pow(b1, s.step)));
            const scale = f32(g.lr * correction);
            for (let j = 0; j < p.data.length; j++) {
              const d = gradient(p, g, j);
              s.h[j] = addAlpha(f32(s.h[j]! * b1), d, f32(1 - b1));
              s.h2[j] = addAlpha(f32(s.h2[j]! * b2), f32(d * d), f32(1 - b2));
              p.data[j] = f32(p.data[j]! - f32(f32(s.h[j]! / f32(f32(Math.sqrt(s.h2[j]!)) + delta)) * scale));
            }
          }
        }
      };
    }
    default:
      throw new Error(`no executor for ${exactClass}`);
  }
}
