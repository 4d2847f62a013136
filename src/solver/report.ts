import type { PyValue } from "../convert/torch-graph.js";
import { differenceText } from "./messages.js";
import { NOTE_MESSAGES, type SolverPlan } from "./plan.js";

function plain(value: PyValue): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(plain);
  if ("tuple" in value) return value.tuple.map(plain);
  return value.raw;
}

/** `solver --format json`: the groups, the optimizer, the policy and each difference, as one object. */
export function solverJson(plan: SolverPlan): unknown {
  const o = plan.optimizer;
  return {
    solver: plan.solver,
    net: plan.net,
    exact: plan.exact,
    type: plan.type,
    optimizer: {
      class: plan.exact ? o.exactClass : o.torchClass,
      torch: { class: o.torchClass, kwargs: Object.fromEntries(Object.entries(o.kwargs).map(([k, v]) => [k, plain(v)])) },
      exact: { class: o.exactClass, kwargs: Object.fromEntries(Object.entries(o.exactKwargs).map(([k, v]) => [k, plain(v)])) },
      caffe: o.caffe,
    },
    policy: { ...plan.policy, scheduler: "LambdaLR", stepped: "per iteration" },
    iter_size: plan.iterSize,
    clip_gradients: plan.clipGradients,
    max_iter: plan.maxIter,
    momentum: plan.momentum,
    weight_decay: plan.weightDecay,
    regularization_type: plan.regularizationType,
    inputs: plan.inputs,
    groups: plan.groups.groups.map((g) => ({ lr_mult: g.lrMult, decay_mult: g.decayMult, lr: g.lr, weight_decay: g.weightDecay, l1_decay: g.l1Decay, params: g.params })),
    frozen: plan.groups.frozen,
    buffers: plan.groups.buffers,
    shared: plan.groups.shared,
    unbound: plan.groups.unbound,
    differences: plan.differences.map((d) => ({ code: d.code, status: d.status, message: differenceText(d), caffe: d.caffe, torch: d.torch, data: d.data })),
    notes: plan.notes.map((n) => ({ code: n.code, message: NOTE_MESSAGES[n.code]?.(n.data) ?? n.code, data: n.data })),
  };
}

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ").replace(/[`*_<>[\]]/g, (c) => `\\${c}`);
}

const fmt = (n: number): string => String(n);

/** `solver --format markdown`: the parameter groups as a table, then the optimizer, the policy and the differences. */
export function solverMarkdown(plan: SolverPlan): string {
  const o = plan.optimizer;
  const out: string[] = [];
  out.push(`# Solver ${cell(plan.solver)} (net ${cell(plan.net)})`, "");
  out.push("| parameter | Caffe layer, blob | lr_mult | decay_mult | lr | weight_decay | trained |", "|---|---|---|---|---|---|---|");
  for (const g of plan.groups.groups) {
    for (const p of g.params) {
      const decay = plan.regularizationType === "L1" ? `${fmt(g.l1Decay)} (L1)` : fmt(g.weightDecay);
      out.push(`| ${cell(p.key)} | ${cell(p.layer)}, ${p.blob} | ${fmt(g.lrMult)} | ${fmt(g.decayMult)} | ${fmt(g.lr)} | ${decay} | yes |`);
    }
  }
  for (const p of plan.groups.frozen) out.push(`| ${cell(p.key)} | ${cell(p.layer)}, ${p.blob} | 0 | | 0 | | no (requires_grad=False) |`);
  for (const p of plan.groups.buffers) out.push(`| ${cell(p.key)} | ${cell(p.layer)}, ${p.blob} | | | | | buffer (BatchNorm statistics) |`);
  for (const sp of plan.groups.shared) for (const x of sp.sharers) out.push(`| ${cell(x.key)} | ${cell(x.layer)}, ${x.blob} | | | | | ${x.tie ? `shared with ${cell(sp.owner.key)}` : "shared, not tied (shapes differ)"} |`);
  out.push("");
  const optimizer = plan.exact ? `${o.exactClass} (Caffe's update)` : o.torchClass;
  out.push(`- Optimizer: ${cell(plan.type)} → ${cell(optimizer)}; lr_policy ${cell(plan.policy.name)} → LambdaLR, stepped per iteration`);
  out.push(`- iter_size ${plan.iterSize}; clip_gradients ${plan.clipGradients === null ? "off" : fmt(plan.clipGradients)}; max_iter ${plan.maxIter}; regularization ${plan.regularizationType}`);
  out.push("", "| difference | plain mapping | Caffe | PyTorch |", "|---|---|---|---|");
  for (const d of plan.differences) out.push(`| ${cell(differenceText(d))} | ${d.status} | ${cell(d.caffe)} | ${cell(d.torch)} |`);
  for (const n of plan.notes) out.push("", `Note: ${cell(NOTE_MESSAGES[n.code]?.(n.data) ?? n.code)}`);
  return out.join("\n") + "\n";
}
