import { describe, expect, it } from "vitest";
import { evaluate } from "../../../../src/execute/torch/expr/eval.js";
import type { Value } from "../../../../src/execute/torch/value.js";
import { ExecuteError } from "../../../../src/execute/types.js";
import { f32, runExpr, t } from "../one-node.js";

const py = (text: string): Value => evaluate(text, new Map());
const x = t([1, 2, 2, 2], [1, 2, 3, 4, -1, 0.5, 2, -3]);
const values = (expr: string, inputs = [x]): number[] => {
  const r = runExpr(expr, inputs);
  if (r.error) throw new Error(JSON.stringify(r.error));
  return r.tops[0]!.values;
};
const shapeOf = (expr: string, inputs = [x]): number[] => runExpr(expr, inputs).tops[0]!.shape;

describe("Python numbers keep Python's semantics", () => {
  it("int / int is a float, // floors, ** of ints with a non-negative exponent stays an int", () => {
    expect(py("7 / 2")).toEqual({ t: "float", v: 3.5 });
    expect(py("-7 // 2")).toEqual({ t: "int", v: -4 });
    expect(py("2 ** 10")).toEqual({ t: "int", v: 1024 });
    expect(py("2 ** -1")).toEqual({ t: "float", v: 0.5 });
    expect(py("-2 ** 2")).toEqual({ t: "int", v: -4 });
    expect(py("(1, 2) + (3,) * 2")).toEqual({ t: "tuple", items: [1, 2, 3, 3].map((v) => ({ t: "int", v })) });
    expect(py('float("inf")')).toEqual({ t: "float", v: Infinity });
  });
});

describe("tensor arithmetic is float32 with broadcasting", () => {
  it("a Python float meeting a float32 tensor is made a float32 first (0.1 → 0.100000001…)", () => {
    expect(values("{0} * 0.1", [t([1], [3])])).toEqual([Math.fround(3 * Math.fround(0.1))]);
  });

  it("broadcasts from the right: [2, 2, 1, 1]-shaped scale times a [2, 2, 2, 2] tensor", () => {
    const a = t([1, 2, 1, 1], [10, 100]);
    expect(values("{1} * {0}", [x, a])).toEqual(f32([10, 20, 30, 40, -100, 50, 200, -300]));
  });

  it("an Eltwise SUM with coefficients: {0} * 0.5 - {1}, and -{0} + {1}", () => {
    const y = t([1, 2, 2, 2], [1, 1, 1, 1, 1, 1, 1, 1]);
    expect(values("{0} * 0.5 - {1}", [x, y])).toEqual([-0.5, 0, 0.5, 1, -1.5, -0.75, 0, -2.5]);
    expect(values("-{0} + {1}", [x, y])).toEqual([0, -1, -2, -3, 2, 0.5, -1, 4]);
  });

  it("an Eltwise PROD and MAX: {0} * {1} * {2}, torch.maximum(torch.maximum({0}, {1}), {2})", () => {
    const [a, b, c] = [t([3], [1, -2, 3]), t([3], [2, 2, -1]), t([3], [0.5, 4, 0])];
    expect(values("{0} * {1} * {2}", [a, b, c])).toEqual([1, -16, -0]);
    expect(values("torch.maximum(torch.maximum({0}, {1}), {2})", [a, b, c])).toEqual([2, 4, 3]);
  });

  it("a Threshold: ({0} > 0.3).to({0}.dtype) is 1 above, else 0", () => {
    expect(values("({0} > 0.3).to({0}.dtype)", [t([4], [0.3, 0.31, -1, 5])])).toEqual([0, 1, 0, 1]);
  });
});

describe("every expression form the converters write", () => {
  it.each([
    ["Power", "torch.pow({0} * 0.5 + 1.0, 2.0)", [1, 2, 3, 4, -1, 0.5, 2, -3], f32([2.25, 4, 6.25, 9, 0.25, 1.5625, 4, 0.25])],
    ["AbsVal", "torch.abs({0})", [1, -2], [1, 2]],
    ["Clip", "torch.clamp({0}, -0.5, 0.5)", [1, -2, 0.25], [0.5, -0.5, 0.25]],
    ["ReLU6 with a slope", "torch.clamp(F.leaky_relu({0}, 0.5), max=6.0)", [-2, 3, 9], [-1, 3, 6]],
    ["Exp", "torch.exp({0} * 0.6931471824645996) * 1.0717734098434448", [0, 1], f32([1.0717734098434448, 2 * 1.0717734098434448])],
    ["Log", "torch.log({0} * 2.0 + 0.5) * 0.4342944622039795", [0.25], f32([0])],
    ["Reduction ASUM", "{0}.abs().sum(dim=(1, 2))", [1, -2, 3, -4], [10]],
    ["Reduction SUMSQ at axis 0", "{0}.square().sum()", [1, -2, 3, -4], [30]],
    ["Reduction MEAN", "{0}.sum(dim=1) * 0.125", [1, 2, 3, 10], [2]],
    ["Reverse", "torch.flip({0}, [1])", [1, 2, 3, 4], [3, 4, 1, 2]],
  ])("%s: %s", (_, expr, input, expected) => {
    const shape = input.length === 8 ? [1, 2, 2, 2] : expr.includes("sum(dim=(1, 2))") || expr.includes("flip") ? [1, 2, 2] : expr.includes("sum(dim=1)") ? [1, 4] : [input.length];
    const got = values(expr, [t(shape, input)]);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    expect(got.length).toBe(expected.length);
  });

  it("Concat: torch.cat([{0}, {1}], dim=1)", () => {
    const r = runExpr("torch.cat([{0}, {1}], dim=1)", [t([1, 1, 2], [1, 2]), t([1, 2, 2], [3, 4, 5, 6])]);
    expect(r.tops[0]).toEqual({ shape: [1, 3, 2], values: [1, 2, 3, 4, 5, 6] });
  });

  it("Slice: torch.tensor_split at points, and into equal parts", () => {
    const r = runExpr("torch.tensor_split({0}, [1, 3], dim=1)", [t([1, 4], [1, 2, 3, 4])], { tops: 3 });
    expect(r.tops).toEqual([
      { shape: [1, 1], values: [1] },
      { shape: [1, 2], values: [2, 3] },
      { shape: [1, 1], values: [4] },
    ]);
    expect(runExpr("torch.tensor_split({0}, 2, dim=-1)", [t([1, 4], [1, 2, 3, 4])], { tops: 2 }).tops.map((p) => p.values)).toEqual([[1, 2], [3, 4]]);
  });

  it("Crop: {0}[:, :, 1:1 + {1}.shape[2], :{1}.shape[3]]", () => {
    const big = t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const ref = t([1, 1, 2, 2], [0, 0, 0, 0]);
    expect(runExpr("{0}[:, :, 1:1 + {1}.shape[2], :{1}.shape[3]]", [big, ref]).tops[0]).toEqual({ shape: [1, 1, 2, 2], values: [4, 5, 7, 8] });
  });

  it("Interp crop: {0}[:, :, 1:-1, 1:-1]", () => {
    const big = t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(runExpr("{0}[:, :, 1:-1, 1:-1]", [big]).tops[0]).toEqual({ shape: [1, 1, 1, 1], values: [5] });
  });

  it("Tile: {0}.repeat(1, 2, 1, 1)", () => {
    expect(values("{0}.repeat(1, 2, 1, 1)")).toEqual([1, 2, 3, 4, -1, 0.5, 2, -3, 1, 2, 3, 4, -1, 0.5, 2, -3]);
  });

  it("Reshape and Flatten: {0}.reshape({0}.shape[0], -1, 2), torch.flatten({0}, 1), torch.flatten({0}, 1, 2)", () => {
    expect(shapeOf("{0}.reshape({0}.shape[0], -1, 2)")).toEqual([1, 4, 2]);
    expect(shapeOf("torch.flatten({0}, 1)")).toEqual([1, 8]);
    expect(shapeOf("torch.flatten({0}, 1, 2)")).toEqual([1, 4, 2]);
  });

  it("Permute / Transpose: {0}.permute(0, 2, 3, 1)", () => {
    expect(values("{0}.permute(0, 2, 3, 1)")).toEqual([1, -1, 2, 0.5, 3, 2, 4, -3]);
  });

  it("ShuffleChannel: reshape to [N, g, C/g, H, W], transpose(1, 2), reshape back", () => {
    const c4 = t([1, 4, 1, 1], [0, 1, 2, 3]);
    expect(values("{0}.reshape({0}.shape[0], 2, -1, {0}.shape[2], {0}.shape[3]).transpose(1, 2).reshape({0}.shape)", [c4])).toEqual([0, 2, 1, 3]);
  });

  it("Axpy: {0}.reshape({0}.shape[0], {0}.shape[1], 1, 1) * {1} + {2}", () => {
    const a = t([1, 2], [2, 3]);
    const y = t([1, 2, 2, 2], [1, 1, 1, 1, 1, 1, 1, 1]);
    expect(values("{0}.reshape({0}.shape[0], {0}.shape[1], 1, 1) * {1} + {2}", [a, x, y])).toEqual(f32([3, 5, 7, 9, -2, 2.5, 7, -8]));
  });

  it("EuclideanLoss: torch.sum(({0} - {1}.reshape({0}.shape)) ** 2) / {0}.shape[0] / 2", () => {
    const r = runExpr("torch.sum(({0} - {1}.reshape({0}.shape)) ** 2) / {0}.shape[0] / 2", [t([2, 2], [1, 2, 3, 4]), t([4], [0, 0, 0, 0])]);
    expect(r.tops[0]).toEqual({ shape: [], values: [7.5] });
  });

  it("DummyData constant: torch.full((2, 3), 0.5); two tops from a tuple", () => {
    expect(runExpr("torch.full((2, 3), 0.5)", []).tops[0]).toEqual({ shape: [2, 3], values: new Array<number>(6).fill(0.5) });
    expect(runExpr("(torch.full((1,), 1.0), torch.full((2,), 0.0))", [], { tops: 2 }).tops.map((p) => p.shape)).toEqual([[1], [2]]);
  });

  it("Interp: F.interpolate(.., size, mode=\"bilinear\", align_corners=True) samples h·(H − 1)/(OH − 1)", () => {
    const r = runExpr('F.interpolate({0}, size=(3, 3), mode="bilinear", align_corners=True)', [t([1, 1, 2, 2], [0, 1, 2, 3])]);
    expect(r.tops[0]).toEqual({ shape: [1, 1, 3, 3], values: [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3] });
  });

  it("Embed's input: {0}.long() truncates toward zero", () => {
    const r = runExpr("{0}.long()", [t([3], [2.9, -1.5, 0.2])]);
    expect(r.tops[0]!.values).toEqual([2, -1, 0]);
  });
});

describe("constructs outside the subset are refused by name, never a crash", () => {
  const refusal = (expr: string, inputs = [x]): Readonly<Record<string, unknown>> | undefined => {
    const r = runExpr(expr, inputs);
    expect(r.error?.code).toBe("torch-unsupported");
    return r.error?.data;
  };

  it.each([
    ["torch.gelu({0})", { construct: "function", name: "torch.gelu" }],
    ["F.gelu({0})", { construct: "function", name: "F.gelu" }],
    ["{0}.softmax(1)", { construct: "tensor-method", name: "Tensor.softmax" }],
    ["math.sqrt({0})", { construct: "name", name: "math" }],
    ["torch.cat([{0}], dim=1, out=None)", { construct: "keyword-argument", keyword: "out" }],
    ["torch.normal(0.0, 1.0, (2, 2))", { construct: "random", function: "torch.normal" }],
    ['F.interpolate({0}, size=(4, 4), mode="nearest")', { construct: "F.interpolate mode" }],
    ["{0} @ {0}", { construct: "syntax" }],
  ])("%s", (expr, data) => {
    expect(refusal(expr)).toMatchObject(data);
  });

  it("a wrong value (a bad graph) is torch-invalid, naming what went wrong", () => {
    expect(runExpr("{0}.reshape(3, -1)", [x]).error).toMatchObject({ code: "torch-invalid", data: { what: "reshape-size" } });
    expect(runExpr("{0} + {1}", [x, t([3], [1, 2, 3])]).error).toMatchObject({ code: "torch-invalid", data: { what: "broadcast" } });
  });

  it("evaluate throws an ExecuteError (never another error) for a bad expression", () => {
    expect(() => py("torch.unknown(1)")).toThrow(ExecuteError);
    expect(() => py("(1 +")).toThrow(ExecuteError);
  });
});
