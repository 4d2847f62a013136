import { describe, expect, it } from "vitest";
import { LAYERS } from "../../src/caffe/layers/index.js";
import { executeNet } from "../../src/execute/net.js";
import { EXECUTORS, executedTypes, executorsByType } from "../../src/execute/registry.js";
import type { Blob } from "../../src/execute/types.js";
import { createRng, randomNormal } from "../../src/numeric/rng.js";
import { testNet } from "./golden.js";

const blob = (shape: number[], values?: number[]): Blob => ({
  shape,
  data: values ? Float32Array.from(values) : randomNormal(shape, createRng(shape.reduce((a, b) => a * 31 + b, 7))).data,
});

const INPUT = (shape: number[], name = "x"): string =>
  `layer { name: "${name}" type: "Input" top: "${name}" input_param { shape { ${shape.map((d) => `dim: ${d}`).join(" ")} } } }\n`;

describe("the executor registry", () => {
  it("runs only types of the layer catalogue (BVLC's, and the forks' with their fork's semantics)", () => {
    const known = new Set(LAYERS.map((t) => t.type));
    expect(executedTypes().filter((t) => !known.has(t))).toEqual([]);
  });

  it("refuses a type claimed by two executors", () => {
    expect(() => executorsByType([...EXECUTORS, { types: ["ReLU"], forward: () => [] }])).toThrow(/ReLU/);
  });
});

describe("executeNet", () => {
  it("stops at a layer type it cannot run, naming it, and keeps the layers run before", () => {
    const model = testNet(INPUT([1, 2]) + 'layer { name: "r" type: "ReLU" bottom: "x" top: "y" }\nlayer { name: "p" type: "Python" bottom: "y" top: "z" }\n');
    const result = executeNet(model, new Map([["x", blob([1, 2], [-1, 2])]]), new Map());
    expect(result.layers.map((l) => l.name)).toEqual(["x", "r"]);
    expect(result.layers[1]!.tops[0]!.data).toEqual(Float32Array.of(0, 2));
    expect(result.error).toMatchObject({ layer: "p", type: "Python", position: 2, code: "unsupported-type" });
  });

  it("names an input blob it was not given", () => {
    const result = executeNet(testNet(INPUT([1, 2])), new Map(), new Map());
    expect(result.error).toMatchObject({ layer: "x", code: "missing-input", data: { blob: "x" } });
  });

  it("refuses a caffemodel blob of another shape than the layer sets up, as Caffe does", () => {
    const model = testNet(INPUT([2, 3]) + 'layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y" inner_product_param { num_output: 4 } }\n');
    const result = executeNet(model, new Map([["x", blob([2, 3])]]), new Map([["ip", [blob([3, 4]), blob([4])]]]));
    expect(result.error).toMatchObject({ layer: "ip", code: "param-shape", data: { index: 0, expected: [4, 3], actual: [3, 4] } });
  });

  it("accepts blobs saved with the legacy num/channels/height/width fields (Blob::ShapeEquals)", () => {
    const model = testNet(INPUT([1, 2]) + 'layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y" inner_product_param { num_output: 2 } }\n');
    const w = { shape: [1, 1, 2, 2], data: Float32Array.of(1, 2, 3, 4), legacy: true };
    const b = { shape: [1, 1, 1, 2], data: Float32Array.of(0.5, -0.5), legacy: true };
    const result = executeNet(model, new Map([["x", blob([1, 2], [1, 1])]]), new Map([["ip", [w, b]]]));
    expect(result.layers[1]!.tops[0]).toMatchObject({ shape: [1, 2], data: Float32Array.of(3.5, 6.5) });
  });

  it("records an in-place chain step by step: a later in-place layer never rewrites an earlier record", () => {
    const model = testNet(
      INPUT([1, 3]) +
        'layer { name: "p" type: "Power" bottom: "x" top: "x" power_param { shift: -1 } }\nlayer { name: "r" type: "ReLU" bottom: "x" top: "x" }\n',
    );
    const result = executeNet(model, new Map([["x", blob([1, 3], [0, 1, 2])]]), new Map());
    expect(result.layers.map((l) => [l.name, Array.from(l.tops[0]!.data)])).toEqual([
      ["x", [0, 1, 2]],
      ["p", [-1, 0, 1]],
      ["r", [0, 0, 1]],
    ]);
  });
});

describe("layer semantics the golden nets do not reach", () => {
  it("Parameter gives its blob, an explicit Split copies its bottom to every top, Silence gives nothing", () => {
    const model = testNet(
      'layer { name: "p" type: "Parameter" top: "p" parameter_param { shape { dim: 2 } } }\n' +
        'layer { name: "s" type: "Split" bottom: "p" top: "a" top: "b" }\nlayer { name: "q" type: "Silence" bottom: "a" bottom: "b" }\n',
    );
    const result = executeNet(model, new Map(), new Map([["p", [blob([2], [4, 5])]]]));
    expect(result.error).toBeNull();
    expect(result.layers.map((l) => [l.name, l.tops.map((t) => Array.from(t.data))])).toEqual([
      ["p", [[4, 5]]],
      ["s", [[4, 5], [4, 5]]],
      ["q", []],
    ]);
  });

  it("refuses Dropout in TRAIN (Caffe's random mask is not reproduced)", () => {
    const read = INPUT([1, 2]) + 'layer { name: "d" type: "Dropout" bottom: "x" top: "x" }\n';
    const model = { ...testNet(read), state: { phase: "TRAIN" as const, level: 0, stages: [] } };
    expect(executeNet(model, new Map([["x", blob([1, 2])]]), new Map()).error).toMatchObject({ layer: "d", code: "dropout-train" });
  });

  it("BatchNorm with batch statistics folds the batch into its blobs and hands them over; the weights given stay as they were", () => {
    const text = INPUT([2, 1]) + 'layer { name: "bn" type: "BatchNorm" bottom: "x" top: "y" batch_norm_param { moving_average_fraction: 0.5 } }\n';
    const blobs = [blob([1], [4]), blob([1], [2]), blob([1], [2])];
    const x = new Map([["x", blob([2, 1], [1, 3])]]);
    const train = executeNet({ ...testNet(text), state: { phase: "TRAIN" as const, level: 0, stages: [] } }, x, new Map([["bn", blobs]]));
    // Batch mean 2, biased variance 1 (m = 2, so var_sum gains 2·1): s = 0.5·2 + 1, sums = batch + 0.5·sums.
    expect(train.updatedParams?.get("bn")?.map((b) => Array.from(b.data))).toEqual([[4], [3], [2]]);
    expect(train.layers[1]!.params).toBe(train.updatedParams?.get("bn"));
    expect(Array.from(blobs[0]!.data)).toEqual([4]);
    // In TEST the stored statistics are read (mean 4/2, variance 2/2) and nothing is written.
    const test = executeNet(testNet(text), x, new Map([["bn", blobs]]));
    expect(test.updatedParams?.size).toBe(0);
    expect(Array.from(test.layers[1]!.tops[0]!.data)).toEqual([-1, 1].map((v) => Math.fround(v / Math.fround(Math.sqrt(Math.fround(1 + 1e-5))))));
  });

  it("MAX pooling's second top holds each maximum's index in its plane (the first one on ties)", () => {
    const model = testNet(INPUT([1, 1, 2, 3]) + 'layer { name: "pool" type: "Pooling" bottom: "x" top: "y" top: "mask" pooling_param { pool: MAX kernel_size: 2 stride: 1 } }\n');
    const result = executeNet(model, new Map([["x", blob([1, 1, 2, 3], [1, 5, 5, 0, 2, 3])]]), new Map());
    const [y, mask] = result.layers[1]!.tops;
    expect(Array.from(y!.data)).toEqual([5, 5]);
    // The second window holds 5 twice (indices 1 and 2): the first wins.
    expect(Array.from(mask!.data)).toEqual([1, 1]);
  });

  it("ArgMax puts the larger index first among equal values (std::greater on (value, index) pairs)", () => {
    const model = testNet(INPUT([1, 4]) + 'layer { name: "a" type: "ArgMax" bottom: "x" top: "y" argmax_param { top_k: 3 } }\n');
    const result = executeNet(model, new Map([["x", blob([1, 4], [2, 7, 2, 7])]]), new Map());
    expect(result.layers[1]!.tops[0]).toMatchObject({ shape: [1, 1, 3], data: Float32Array.of(3, 1, 2) });
  });

  // A deconvolution is the adjoint of the convolution with the same blob: <conv(x), y> = <x, deconv(y)>.
  it.each([
    ["2-D, groups, stride, padding and dilation", [2, 4, 9, 7], "kernel_size: 3 stride: 2 pad: 1 dilation: 2 group: 2", 6, [6, 2, 3, 3]],
    ["3-D", [1, 2, 5, 4, 7], "kernel_size: 3 kernel_size: 2 kernel_size: 3 stride: 2 pad: 1", 3, [3, 2, 3, 2, 3]],
  ] as const)("Deconvolution is the adjoint of Convolution (%s)", (_title, shape, geometry, outputs, weightShape) => {
    const conv = testNet(INPUT([...shape]) + `layer { name: "c" type: "Convolution" bottom: "x" top: "y" convolution_param { num_output: ${outputs} bias_term: false ${geometry} } }\n`);
    const w = blob([...weightShape]);
    const x = blob([...shape]);
    const y = executeNet(conv, new Map([["x", x]]), new Map([["c", [w]]])).layers[1]!.tops[0]!;
    const z = blob(y.shape);
    const deconv = testNet(
      INPUT(y.shape, "z") + `layer { name: "d" type: "Deconvolution" bottom: "z" top: "t" convolution_param { num_output: ${shape[1]} bias_term: false ${geometry} } }\n`,
    );
    const t = executeNet(deconv, new Map([["z", z]]), new Map([["d", [w]]])).layers[1]!.tops[0]!;
    expect(t.shape).toEqual(shape);
    const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
    const left = dot(y.data, z.data);
    expect(Math.abs(left - dot(x.data, t.data))).toBeLessThan(1e-4 * Math.max(1, Math.abs(left)));
  });
});

describe("in place, as Caffe runs a layer on one shared buffer", () => {
  const run = (layers: string, x: number[]) =>
    executeNet(testNet(INPUT([1, 1, 1, x.length]) + INPUT([1, 1, 1, x.length], "w") + layers), new Map([["x", blob([1, 1, 1, x.length], x)], ["w", blob([1, 1, 1, x.length], x.map((v) => 10 * v))]]), new Map())
      .layers.at(-1)!.tops[0]!.data;

  it("an Eltwise SUM or MAX on bottom 0 loses bottom 0 (the top is cleared first); PROD does not", () => {
    expect(Array.from(run('layer { name: "s" type: "Eltwise" bottom: "x" bottom: "w" top: "x" eltwise_param { operation: SUM coeff: 1 coeff: 0.5 } }', [1, -2]))).toEqual([5, -10]);
    expect(Array.from(run('layer { name: "m" type: "Eltwise" bottom: "x" bottom: "w" top: "x" eltwise_param { operation: MAX } }', [1, -2]))).toEqual([10, -20]);
    expect(Array.from(run('layer { name: "p" type: "Eltwise" bottom: "x" bottom: "w" top: "x" eltwise_param { operation: PROD } }', [1, -2]))).toEqual([10, 40]);
  });

  it("an LRN across channels gives (scale^−β)², not x·scale^−β", () => {
    const x = [3];
    const lrn = 'lrn_param { local_size: 1 alpha: 1 beta: 1 k: 1 }';
    // scale = k + α·x² = 10, scale^−β = 0.1 (in float32)
    expect(run(`layer { name: "l" type: "LRN" bottom: "x" top: "y" ${lrn} }`, x)[0]).toBe(Math.fround(Math.fround(0.1) * 3));
    expect(run(`layer { name: "l" type: "LRN" bottom: "x" top: "x" ${lrn} }`, x)[0]).toBe(Math.fround(Math.fround(0.1) * Math.fround(0.1)));
  });
});
