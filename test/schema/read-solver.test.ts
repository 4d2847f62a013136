import { describe, expect, it } from "vitest";
import type { BoundMessage } from "../../src/schema/bind.js";
import { readSolver, textKind } from "../../src/schema/read-solver.js";
import { pinnedWithSeverity } from "../textproto/support.js";

describe("readSolver", () => {
  it("reads a solver as caffe.SolverParameter", () => {
    const r = readSolver('net: "train.prototxt"\ntype: "Adam"\nbase_lr: 0.001\nstepvalue: 10\nstepvalue: 20\nsolver_mode: CPU\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.solver).toEqual({ net: "train.prototxt", type: "Adam", base_lr: 0.001, stepvalue: [10, 20], solver_mode: "CPU" });
  });

  it("is strict by default: an unknown field is an error at its line and column", () => {
    const text = "base_lr: 0.1\n  lr_polcy: 'step'\n";
    expect(pinnedWithSeverity(text, readSolver(text).diagnostics)).toEqual(["2:3 error unknown-field"]);
  });

  it("is lenient with allowUnknown: an unknown field is a warning that names a suggestion", () => {
    const text = "base_lr: 0.1\nlr_polcy: 'step'\n";
    const r = readSolver(text, { allowUnknown: true });
    expect(pinnedWithSeverity(text, r.diagnostics)).toEqual(["2:1 warning unknown-field"]);
    expect(r.diagnostics[0]!.data["suggestion"]).toBe("lr_policy");
  });

  it("reports a syntax error at its line and column", () => {
    const text = "base_lr: 0.1\nmax_iter: \n";
    expect(pinnedWithSeverity(text, readSolver(text).diagnostics)[0]).toMatch(/^3:1 error /);
  });

  it("upgrades solver_type to type as UpgradeSolverAsNeeded does, with a warning at the field", () => {
    const text = "base_lr: 0.1\nsolver_type: ADADELTA\n";
    const r = readSolver(text, { upgrade: true });
    expect(r.solver["type"]).toBe("AdaDelta");
    expect(r.solver["solver_type"]).toBeUndefined();
    expect(pinnedWithSeverity(text, r.diagnostics)).toEqual(["2:1 warning upgraded-solver-type"]);
    expect(r.diagnostics[0]!.data).toEqual({ from: "ADADELTA", to: "AdaDelta" });
  });

  it("maps every solver_type to Caffe's type string, numbers included", () => {
    const names = ["SGD", "NESTEROV", "ADAGRAD", "RMSPROP", "ADADELTA", "ADAM"].map((t) => readSolver(`solver_type: ${t}`, { upgrade: true }).solver["type"]);
    expect(names).toEqual(["SGD", "Nesterov", "AdaGrad", "RMSProp", "AdaDelta", "Adam"]);
    expect(readSolver("solver_type: 1", { upgrade: true }).solver["type"]).toBe("Nesterov");
  });

  it("refuses solver_type together with type, as Caffe's CHECK does, and keeps type", () => {
    const text = 'type: "Adam"\nsolver_type: SGD\n';
    const r = readSolver(text, { upgrade: true });
    expect(pinnedWithSeverity(text, r.diagnostics)).toEqual(["2:1 error solver-type-conflict"]);
    expect(r.solver["type"]).toBe("Adam");
  });

  it("leaves solver_type alone without upgrade", () => {
    expect(readSolver("solver_type: ADAM").solver["solver_type"]).toBe("ADAM");
  });

  it("upgrades an inline legacy net_param as nets are upgraded", () => {
    const r = readSolver("net_param { layers { name: 'ip' type: INNER_PRODUCT } }\nbase_lr: 0.1\n", { upgrade: true });
    const net = r.solver["net_param"] as BoundMessage;
    expect((net["layer"] as BoundMessage[])[0]!["type"]).toBe("InnerProduct");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["upgraded-format"]);
  });
});

describe("textKind", () => {
  it("recognises a solver by its first solver-only field", () => {
    expect(textKind('# solver\nnet: "x.prototxt"\nbase_lr: 0.1\n')).toBe("solver");
    expect(textKind("train_net_param { name: 'n' layer { name: 'a' } }\nbase_lr: 0.1")).toBe("solver");
  });

  it("recognises a net by its first net-only field, whatever nested messages hold", () => {
    expect(textKind('name: "n"\nlayer { name: "a" type: "Input" }\n')).toBe("net");
    expect(textKind('layer { name: "base_lr" param { lr_mult: 1 } }\n')).toBe("net");
    expect(textKind("input: 'data'\ninput_dim: 1\n")).toBe("net");
  });

  it("ignores names in comments and strings and treats a text without decisive fields as a net", () => {
    expect(textKind('# base_lr: 0.1\nname: "lr_policy: x"\n')).toBe("net");
    expect(textKind("")).toBe("net");
    expect(textKind("debug_info: true\n")).toBe("net");
  });
});
