import { describe, expect, it } from "vitest";
import { differenceText } from "../../src/solver/messages.js";
import { goldenCase, planOf } from "./support.js";

const statusOf = (name: string): Record<string, unknown> => {
  const { solver, net } = goldenCase(name);
  return Object.fromEntries(planOf(solver, net).differences.map((d) => [d.code, d.status]));
};

describe("Caffe-vs-PyTorch differences of a solver", () => {
  it("says SGD momentum differs from the first lr change on, and names the iteration", () => {
    const { solver, net } = goldenCase("solver_sgd_step");
    const d = planOf(solver, net).differences.find((x) => x.code === "momentum-lr-scaled")!;
    // The rates Caffe recorded at k = 4 and 5 (float32 of 0.05, and of 0.05·0.1 in double).
    expect(d).toMatchObject({ status: "differs", data: { first: 5, changes: 2, from: Math.fround(0.05), to: 0.005000000353902578 } });
    expect(d.caffe).toContain("sgd_solver.cpp:232");
    expect(differenceText(d)).toContain("iteration 5");
  });

  it("calls SGD momentum with a fixed lr equal", () => {
    expect(statusOf("solver_sgd_fixed")).toMatchObject({ "momentum-lr-scaled": "equal" });
  });

  it("flags Nesterov under inv from iteration 1 and its form as differing", () => {
    const { solver, net } = goldenCase("solver_nesterov_inv");
    const diffs = planOf(solver, net).differences;
    expect(diffs.find((d) => d.code === "momentum-lr-scaled")!.data["first"]).toBe(1);
    expect(diffs.find((d) => d.code === "nesterov-form")!.status).toBe("differs");
  });

  it("lists Adam's epsilon placement, L1, clipping and iter_size where they apply", () => {
    expect(statusOf("solver_adam_sigmoid")).toMatchObject({ "adam-epsilon": "differs", "adam-step-count": "handled", "lr-per-iteration": "handled" });
    expect(statusOf("solver_sgd_multistep_l1")).toMatchObject({ "l1-regularization": "handled", "momentum-lr-scaled": "differs" });
    expect(statusOf("solver_sgd_itersize_clip")).toMatchObject({ "clip-gradients": "differs", "iter-size": "handled" });
  });

  it("calls AdaGrad, RMSProp and AdaDelta equal to torch.optim", () => {
    expect(statusOf("solver_adagrad_poly")).toMatchObject({ "adagrad-equal": "equal" });
    expect(statusOf("solver_rmsprop_exp")).toMatchObject({ "rmsprop-equal": "equal" });
    expect(statusOf("solver_adadelta")).toMatchObject({ "adadelta-equal": "equal" });
  });

  it("notes an in-place ReLU whose blob a later in-place BatchNorm overwrites, not one writing its own blob", () => {
    const net = (relu: string) => `layer { name: "d" type: "Input" top: "x" input_param { shape { dim: 2 dim: 3 dim: 4 dim: 4 } } }
layer { name: "c" type: "Convolution" bottom: "x" top: "y" convolution_param { num_output: 2 kernel_size: 1 } }
layer { name: "r" type: "ReLU" bottom: "y" top: "${relu}" }
layer { name: "bn" type: "BatchNorm" bottom: "${relu}" top: "${relu}" }
`;
    const solver = 'net: "n"\nbase_lr: 0.1\nlr_policy: "fixed"\n';
    expect(planOf(solver, net("y")).notes).toEqual([{ code: "relu-mask-overwritten", data: { relu: "r", layer: "bn", type: "BatchNorm", blob: "y", in_place: true } }]);
    expect(planOf(solver, net("z")).notes).toEqual([]);
  });
});
