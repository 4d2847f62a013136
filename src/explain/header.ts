/**
 * The one-line summary of a block: `bn_conv1 + scale_conv1 → nn.BatchNorm2d(64, eps=1e-05,
 * momentum=0.001, affine=True) [eval]`. Pure.
 */
import type { ConvertBlock } from "../convert/types.js";
import type { TextStyle } from "./style.js";
import { pyNum } from "./words.js";

/** Whether the converter gave no PyTorch equivalent at all (a BN of no known fork). */
export function hasNoEquivalent(block: ConvertBlock): boolean {
  return block.caffe.fork?.family === "unrecognised";
}

/**
 * The PyTorch constructor call, as torch.nn.BatchNorm2d's signature orders it. `features` replaces
 * num_features (groups show one example); an unknown rank prints `BatchNorm?d`.
 */
export function constructorCall(block: ConvertBlock, features = block.torch.num_features === null ? "?" : String(block.torch.num_features)): string {
  const t = block.torch;
  const args = [features, `eps=${pyNum(t.eps)}`, `momentum=${t.momentum === null ? "None" : pyNum(t.momentum)}`, `affine=${t.affine ? "True" : "False"}`];
  if (!t.track_running_stats) args.push("track_running_stats=False");
  return `nn.${t.module ?? "BatchNorm?d"}(${args.join(", ")})`;
}

/** What the module must be told, in brackets: the mode and any frozen gamma/beta. */
export function modeTag(block: ConvertBlock): string {
  const t = block.torch;
  const parts: string[] = [
    { train: "train", eval: "eval", frozen: "frozen", "batch-stats": "batch statistics" }[t.mode],
  ];
  const fixedZeroBias = block.notes.some((n) => n.code === "scale-without-bias");
  if (t.affine && t.weight_requires_grad === false && (t.bias_requires_grad === false || fixedZeroBias)) parts.push("requires_grad=False");
  else if (t.affine && t.weight_requires_grad === false) parts.push("weight frozen");
  else if (fixedZeroBias) parts.push("bias fixed at 0");
  else if (t.affine && t.bias_requires_grad === false) parts.push("bias frozen");
  return `[${parts.join("; ")}]`;
}

/** The Caffe layers of a block: `bn + scale (+ bias)`, with the fork named for fork layers. */
export function layerNames(block: ConvertBlock, style: TextStyle): string {
  const names = [block.batchnorm, block.scale, block.bias].filter((n): n is string => n !== null).map((n) => style.bold(n));
  return names.join(style.dim(" + "));
}

/** The header line of one block. */
export function headerLine(block: ConvertBlock, style: TextStyle, features?: string): string {
  const arrow = style.dim("→");
  if (hasNoEquivalent(block)) return `${layerNames(block, style)} ${arrow} ${style.warning("no PyTorch equivalent (a BN layer of no known fork)")}`;
  const tag = block.torch.mode === "frozen" || block.torch.mode === "batch-stats" ? style.warning(modeTag(block)) : style.good(modeTag(block));
  return `${layerNames(block, style)} ${arrow} ${style.code(constructorCall(block, features))} ${tag}`;
}
