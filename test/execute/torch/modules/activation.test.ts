import { describe, expect, it } from "vitest";
import { f32, runModule, t } from "../one-node.js";

const x = t([1, 2, 2, 2], [1, 2, 3, 4, -1, 0.5, 2, -3]);

describe("activation modules", () => {
  it("nn.PReLU scales negatives by the slope of their channel (axis 1)", () => {
    expect(runModule("nn.PReLU", [], { num_parameters: 2 }, [x], { state: { weight: t([2], [0.25, 0.5]) } }).tops[0]!.values).toEqual([1, 2, 3, 4, -0.5, 0.5, 2, -1.5]);
  });

  it("nn.PReLU with one parameter shares it over every channel", () => {
    expect(runModule("nn.PReLU", [], {}, [x], { state: { weight: t([1], [0.1]) } }).tops[0]!.values.slice(4)).toEqual(f32([-0.1, 0.5, 2, -0.3]));
  });

  it("nn.ELU: α·(eᶻ − 1) below 0 (torch: −0.3160602748, −0.4751064777 for α 0.5)", () => {
    const v = runModule("nn.ELU", [], { alpha: 0.5 }, [x]).tops[0]!.values;
    expect(v[4]).toBeCloseTo(-0.31606027483940125, 7);
    expect(v[7]).toBeCloseTo(-0.47510647773742676, 7);
  });

  it("nn.Softplus is linear above its threshold (20)", () => {
    const v = runModule("nn.Softplus", [], {}, [t([3], [-1, 0, 25])]).tops[0]!.values;
    expect(v[0]).toBeCloseTo(0.3132616877555847, 7);
    expect(v[2]).toBe(25);
  });

  it("nn.ReLU6, nn.LeakyReLU, nn.SiLU, nn.Sigmoid, nn.Tanh", () => {
    const y = t([4], [-2, -0.5, 3, 8]);
    expect(runModule("nn.ReLU6", [], {}, [y]).tops[0]!.values).toEqual([0, 0, 3, 6]);
    expect(runModule("nn.LeakyReLU", [], { negative_slope: 0.1 }, [y]).tops[0]!.values).toEqual(f32([-0.2, -0.05, 3, 8]));
    expect(runModule("nn.SiLU", [], {}, [y]).tops[0]!.values[2]).toBeCloseTo(3 / (1 + Math.exp(-3)), 6);
    expect(runModule("nn.Sigmoid", [], {}, [y]).tops[0]!.values[0]).toBeCloseTo(1 / (1 + Math.exp(2)), 7);
    expect(runModule("nn.Tanh", [], {}, [y]).tops[0]!.values[1]).toBeCloseTo(Math.tanh(-0.5), 7);
  });

  it("nn.Dropout is the identity in eval and refused in training (a random mask cannot be reproduced)", () => {
    expect(runModule("nn.Dropout", [], { p: 0.5 }, [x]).tops[0]!.values).toEqual([...x.data]);
    expect(runModule("nn.Dropout", [], { p: 0.5 }, [x], { training: true }).error).toMatchObject({ code: "torch-unsupported", data: { construct: "random" } });
  });

  it("an unknown module class or constructor keyword is refused by name", () => {
    expect(runModule("nn.GELU", [], {}, [x]).error).toMatchObject({ code: "torch-unsupported", data: { construct: "module", cls: "nn.GELU" } });
    expect(runModule("nn.ReLU", [], { approximate: "tanh" }, [x]).error).toMatchObject({ code: "torch-unsupported", data: { construct: "keyword-argument", keyword: "approximate" } });
  });
});
