/**
 * The PyTorch-semantics executor: runs the module graph `export` emits (its modules, helper modules
 * and forward expressions, with PyTorch's formulas and parameter layout) without Python.
 */
export { executeTorchGraph, torchGraphSteps, type TorchExecuteOptions } from "./graph.js";
export { executedClasses, moduleOf, modulesByClass, MODULES } from "./modules/index.js";
export type { ModuleContext, ModuleImpl } from "./modules/module.js";
export { evaluate } from "./expr/eval.js";
export { parseExpr, ExprSyntaxError, type Expr } from "./expr/parse.js";
export type { Tensor, Value } from "./value.js";
