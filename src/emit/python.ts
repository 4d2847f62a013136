import type { ConvertResult } from "../convert/types.js";
import { exactClassesSource, exactClassName } from "./python-exact.js";
import { moduleDocstring } from "./python-header.js";
import {
  pyBool,
  pyDict,
  pyFloat,
  pyOptionalFloat,
  pyString,
} from "./python-literals.js";
import { planModules, type PlannedModule } from "./python-plan.js";
import { BUILD_LOAD_LINES, BUILD_WEIGHTS_DOC, WEIGHTS_FILE_SOURCE, WEIGHTS_FUNCTIONS_SOURCE } from "./python-weights.js";

/** Options of {@link emitPython}. */
export interface PythonEmitOptions {
  /**
   * Build `Caffe*` subclasses that reproduce Caffe's running statistics exactly (scale factor s,
   * momentum 1/s) instead of plain `nn.BatchNorm*d` modules.
   */
  exact?: boolean;
}

/**
 * Whether a block gets the `Caffe*` subclass under --exact: only BVLC BatchNorm blocks, whose
 * update rule (s ← f·s + 1, statistics = sums / s) the subclass reproduces. Fork BatchNorm layers
 * update differently (NVCaffe, PSPNet) or not at all (SegNet/ENet), so they stay plain modules.
 */
export function usesExactClass(plan: PlannedModule, exact: boolean): boolean {
  return exact && plan.block.caffe.type === "BatchNorm" && plan.block.caffe.fork === undefined;
}

/** The constructor call and requires_grad lines for one module, indented for `build()`. */
function buildStatements(plan: PlannedModule, exactRequested: boolean): string[] {
  const { torch, caffe } = plan.block;
  const exact = usesExactClass(plan, exactRequested);
  const module = torch.module ?? "BatchNorm2d"; // never null here: skipped plans are filtered
  const callee = exact ? exactClassName(module) : `nn.${module}`;
  const args = [
    String(torch.num_features),
    `eps=${pyFloat(torch.eps)}`,
    `momentum=${pyOptionalFloat(torch.momentum)}`,
    `affine=${pyBool(torch.affine)}`,
  ];
  const rest = [`track_running_stats=${pyBool(torch.track_running_stats)}`];
  if (exact) rest.push(`moving_average_fraction=${pyFloat(caffe.moving_average_fraction)}`);
  const lines = [
    // The key is a safe identifier; the layer name itself never goes into a comment.
    `    # block ${plan.index + 1}: LAYER_NAMES[${pyString(plan.key)}]`,
    `    m = ${callee}(`,
    `        ${args.join(", ")},`,
    `        ${rest.join(", ")})`,
  ];
  // affine=False has no weight/bias; null requires_grad then means "not applicable".
  if (torch.affine && torch.weight_requires_grad === false) {
    lines.push("    m.weight.requires_grad_(False)");
  }
  if (torch.affine && torch.bias_requires_grad === false) {
    lines.push("    m.bias.requires_grad_(False)");
  }
  lines.push(`    modules[${pyString(plan.key)}] = m`);
  return lines;
}

/** SKIPPED entries: Caffe layer name → reason; duplicate names share one entry ("; "-joined). */
function skippedEntries(plans: readonly PlannedModule[]): [string, string][] {
  const reasons = new Map<string, string[]>();
  for (const plan of plans) {
    if (plan.skipReason === null) continue;
    const list = reasons.get(plan.block.batchnorm) ?? [];
    list.push(plan.skipReason);
    reasons.set(plan.block.batchnorm, list);
  }
  return [...reasons].map(([name, list]) => [pyString(name), pyString(list.join("; "))]);
}

function buildFunction(plans: readonly PlannedModule[], exact: boolean): string {
  const body: string[] = ["    modules = nn.ModuleDict()"];
  for (const plan of plans) {
    if (plan.skipReason === null) body.push(...buildStatements(plan, exact));
    else body.push(`    # block ${plan.index + 1} skipped (see SKIPPED): ${plan.skipReason}`);
  }
  body.push(...BUILD_LOAD_LINES, '    set_training(modules, PHASE == "TRAIN")', "    return modules");
  return [
    "def build(weights=None):",
    '    """Return a torch.nn.ModuleDict with one configured module per key of LAYER_NAMES.',
    "",
    "    requires_grad of weight and bias is set as the Caffe Scale/Bias lr_mult say; the",
    "    modules are left as set_training(modules, PHASE == \"TRAIN\") puts them.",
    "",
    ...BUILD_WEIGHTS_DOC,
    '    """',
    ...body,
  ].join("\n");
}

const SET_TRAINING = `def set_training(modules, training):
    """Put each module of build()'s ModuleDict in the mode its Caffe block needs.

    Use instead of modules.train(training) / modules.eval(): each module follows
    what its Caffe layer does in TRAIN (training) or TEST (not training), so frozen
    blocks stay in eval() while training (see the module docstring). Keys missing
    from TRAINING_FLAGS (modules you added) get module.train(training). Returns
    modules.
    """
    training = bool(training)
    modules.training = training
    for key, module in modules.items():
        flags = TRAINING_FLAGS.get(key)
        module.train(training if flags is None else flags[0 if training else 1])
    return modules`;

/**
 * A Python module for PyTorch (1.13 and later) that builds the BatchNorm modules of `result`.
 *
 * Defines `SOURCE`, `NET`, `PHASE`, `LAYER_NAMES` (key → Caffe layer name), `MODES`
 * (key → block mode), `TRAINING_FLAGS` (key → flags for `set_training`), `SKIPPED`
 * (Caffe layer name → reason, for blocks with unknown rank or channels), `WEIGHTS_FILE`,
 * `build(weights=None)` (which loads a `convert --weights` .safetensors file: the one beside the
 * module by default, see python-weights.ts), `set_training(modules, training)`, `load_weights`
 * and `read_safetensors`. The text is pure ASCII; every name from the prototxt is an
 * escaped string literal or a sanitised key (see convert/names.ts). Pure: same input, same text.
 */
export function emitPython(result: ConvertResult, options: PythonEmitOptions = {}): string {
  const exact = options.exact === true;
  const plans = planModules(result);
  const built = plans.filter((p) => p.skipReason === null);
  const usedTypes = new Set(built.filter((p) => usesExactClass(p, exact)).map((p) => p.block.torch.module ?? ""));
  const classes = exact ? exactClassesSource(usedTypes) : "";

  const imports = ["import errno", "import os", "", "import torch", "from torch import nn"];
  if (classes !== "") imports.push("from torch.nn import functional as F");

  const sections = [
    moduleDocstring(result, exact),
    imports.join("\n"),
    [
      "__all__ = [",
      '    "SOURCE", "NET", "PHASE", "LAYER_NAMES", "MODES", "TRAINING_FLAGS", "SKIPPED",',
      '    "WEIGHTS_FILE", "build", "set_training", "load_weights", "read_safetensors",',
      "]",
    ].join("\n"),
    [
      `SOURCE = ${pyString(result.source)}`,
      `NET = ${result.net === null ? "None" : pyString(result.net)}`,
      `PHASE = ${pyString(result.phase)}`,
    ].join("\n"),
    "# ModuleDict key -> Caffe BatchNorm layer name (modules build() creates).\n" +
      `LAYER_NAMES = ${pyDict(built.map((p) => [pyString(p.key), pyString(p.block.batchnorm)]))}`,
    "# ModuleDict key -> what the block does in PHASE (see the module docstring).\n" +
      `MODES = ${pyDict(built.map((p) => [pyString(p.key), pyString(p.block.torch.mode)]))}`,
    "# ModuleDict key -> (module.training while training, module.training otherwise).\n" +
      `TRAINING_FLAGS = ${pyDict(
        built.map((p) => [
          pyString(p.key),
          `(${pyBool(p.flags.whenTraining)}, ${pyBool(p.flags.whenNotTraining)})`,
        ]),
      )}`,
    "# Caffe BatchNorm layer name -> why build() has no module for it.\n" +
      `SKIPPED = ${pyDict(skippedEntries(plans))}`,
    WEIGHTS_FILE_SOURCE,
  ];
  if (classes !== "") sections.push(classes);
  sections.push(WEIGHTS_FUNCTIONS_SOURCE, buildFunction(plans, exact), SET_TRAINING);
  return `${sections.join("\n\n\n")}\n`;
}
