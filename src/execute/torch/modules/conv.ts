/**
 * nn.Conv1d/2d/3d, nn.ConvTranspose1d/2d/3d and nn.Linear. A convolution is by definition a sum
 * of products over the window (cross-correlation, zero padding, groups, dilation) in PyTorch as in
 * Caffe, and a transposed convolution is its input gradient, so the arithmetic is the shared GEMM
 * kernels of numeric/kernels (conv.ts, gemm.ts); the sizes are PyTorch's:
 * conv `⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1`, transposed `(H − 1)s − 2p + d(k − 1) + output_padding + 1`.
 */
import { convolutionForward, deconvolutionForward, deconvolutionWeights, type ConvSpec } from "../../../numeric/kernels/conv.js";
import { gemmNT } from "../../../numeric/kernels/gemm.js";
import { asBool, asInt, asInts, asTensor, int, invalid, numel, tensor, unsupported, type Value } from "../value.js";
import { arity, type ModuleContext, type ModuleImpl } from "./module.js";
import type { Param } from "../expr/args.js";
import { freshFloats } from "../../../numeric/float-pool.js";

const CONV_SIGNATURE: readonly Param[] = [
  ["in_channels"],
  ["out_channels"],
  ["kernel_size"],
  ["stride", int(1)],
  ["padding", int(0)],
  ["dilation", int(1)],
  ["groups", int(1)],
  ["bias", { t: "bool", v: true }],
  ["padding_mode", { t: "str", v: "zeros" }],
];

const TRANSPOSED_SIGNATURE: readonly Param[] = [
  ["in_channels"],
  ["out_channels"],
  ["kernel_size"],
  ["stride", int(1)],
  ["padding", int(0)],
  ["output_padding", int(0)],
  ["groups", int(1)],
  ["bias", { t: "bool", v: true }],
  ["dilation", int(1)],
  ["padding_mode", { t: "str", v: "zeros" }],
];

function convolve(ctx: ModuleContext, inputs: readonly Value[], axes: number, transposed: boolean): Value {
  arity(ctx, inputs, 1);
  const a = ctx.args;
  if (a.get("padding")!.t === "str") unsupported(`${ctx.node.module!.cls} padding`, { padding: (a.get("padding") as { v: string }).v });
  const mode = a.get("padding_mode")!;
  if (mode.t !== "str" || mode.v !== "zeros") unsupported(`${ctx.node.module!.cls} padding_mode`);
  const x0 = asTensor(inputs[0], "input");
  const batched = x0.shape.length === axes + 2;
  if (!batched && x0.shape.length !== axes + 1) invalid("conv-input-rank", { cls: ctx.node.module!.cls, rank: x0.shape.length });
  const shape = batched ? x0.shape : [1, ...x0.shape];
  const [inC, outC, groups] = [asInt(a.get("in_channels"), "in_channels"), asInt(a.get("out_channels"), "out_channels"), asInt(a.get("groups"), "groups")];
  const kernel = asInts(a.get("kernel_size"), "kernel_size", axes);
  const stride = asInts(a.get("stride"), "stride", axes);
  const pad = asInts(a.get("padding"), "padding", axes);
  const dilation = asInts(a.get("dilation"), "dilation", axes);
  const outputPadding = transposed ? asInts(a.get("output_padding"), "output_padding", axes) : new Array<number>(axes).fill(0);
  if (outputPadding.some((p) => p !== 0)) unsupported("ConvTranspose output_padding");
  if (shape[1] !== inC) invalid("conv-channels", { expected: inC, actual: shape[1] });
  if (inC % groups !== 0 || outC % groups !== 0) invalid("conv-groups", { in: inC, out: outC, groups });
  const weight = ctx.param("weight", transposed ? [inC, outC / groups, ...kernel] : [outC, inC / groups, ...kernel]);
  const bias = asBool(a.get("bias"), "bias") ? ctx.param("bias", [outC]) : null;
  const input = shape.slice(2);
  const output = input.map((size, i) => {
    const extent = dilation[i]! * (kernel[i]! - 1) + 1;
    return transposed ? (size - 1) * stride[i]! - 2 * pad[i]! + extent + outputPadding[i]! : Math.floor((size + 2 * pad[i]! - extent) / stride[i]!) + 1;
  });
  if (output.some((o) => o <= 0)) invalid("conv-empty-output", { input, output });
  const n = shape[0]!;
  const geometry = { image: transposed ? output : input, columns: transposed ? input : output, kernel, stride, pad, dilation };
  const spec: ConvSpec = { geometry, channels: inC, numOutput: outC, group: groups };
  const [inDim, outDim] = [inC * numel(input), outC * numel(output)];
  const out = freshFloats(n * outDim);
  const w = transposed ? deconvolutionWeights(spec, weight.data) : weight.data;
  for (let b = 0; b < n; b++) {
    if (transposed) deconvolutionForward(spec, x0.data, b * inDim, w, bias?.data ?? null, out, b * outDim);
    else convolutionForward(spec, x0.data, b * inDim, w, bias?.data ?? null, out, b * outDim);
  }
  return tensor(batched ? [n, outC, ...output] : [outC, ...output], out);
}

const conv = (axes: number): ModuleImpl => ({
  classes: [`nn.Conv${axes}d`],
  signature: CONV_SIGNATURE,
  forward: (ctx, inputs) => convolve(ctx, inputs, axes, false),
});

const convTranspose = (axes: number): ModuleImpl => ({
  classes: [`nn.ConvTranspose${axes}d`],
  signature: TRANSPOSED_SIGNATURE,
  forward: (ctx, inputs) => convolve(ctx, inputs, axes, true),
});

/** nn.Linear: `y = x·Wᵀ + b` over the last axis (W [out, in]), one GEMM for all leading axes. */
export const linear: ModuleImpl = {
  classes: ["nn.Linear"],
  signature: [["in_features"], ["out_features"], ["bias", { t: "bool", v: true }]],
  forward(ctx, inputs) {
    arity(ctx, inputs, 1);
    const x = asTensor(inputs[0], "input");
    const [k, n] = [asInt(ctx.args.get("in_features"), "in_features"), asInt(ctx.args.get("out_features"), "out_features")];
    if (x.shape.length === 0 || x.shape[x.shape.length - 1] !== k) invalid("linear-input", { in_features: k, shape: [...x.shape] });
    const weight = ctx.param("weight", [n, k]);
    const bias = asBool(ctx.args.get("bias"), "bias") ? ctx.param("bias", [n]) : null;
    const m = x.data.length / k;
    const out = freshFloats(m * n);
    gemmNT(m, n, k, { data: x.data, offset: 0, stride: k }, { data: weight.data, offset: 0, stride: k }, { data: out, offset: 0, stride: n });
    if (bias) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! + bias.data[j]!;
    return tensor([...x.shape.slice(0, -1), n], out);
  },
};

/** The convolution modules. */
export const CONV_MODULES: readonly ModuleImpl[] = [conv(1), conv(2), conv(3), convTranspose(1), convTranspose(2), convTranspose(3), linear];
