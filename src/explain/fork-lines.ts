/**
 * Plain-words lines for BatchNorm layers of Caffe forks, which hold gamma and beta themselves:
 * NVIDIA Caffe's BatchNorm with scale_bias, SegNet/ENet's BN, PSPNet's BN. Each says which fork,
 * where every blob goes, and what is certain. Semantics as src/convert/converters/fork-bn.ts and
 * nvcaffe-batch-norm.ts read them from each fork's BNLayer/BatchNormLayer.
 */
import type { ConvertBlock } from "../convert/types.js";
import { epsLine, shapeLines } from "./bvlc-lines.js";
import type { Line, TextStyle } from "./style.js";
import { num } from "./words.js";

const has = (block: ConvertBlock, code: string): boolean => block.notes.some((n) => n.code === code);

/** The fork's layer, for overviews: "PSPNet's BN layer". */
export function forkLayerName(family: string): string {
  return (
    { nvcaffe: "NVIDIA Caffe's BatchNorm layer with scale_bias", segnet: "SegNet/ENet's BN layer", pspnet: "PSPNet's BN layer" } as Record<string, string>
  )[family] ?? "a BN layer of no known fork";
}

function nvcaffe(block: ConvertBlock, style: TextStyle): Line[] {
  const c = style.code;
  const training = block.torch.mode === "train";
  const lines: Line[] = [
    {
      label: "Caffe",
      text: `NVIDIA Caffe's BatchNorm with scale_bias (a fork, not BVLC Caffe): one layer normalises with ${training ? "the current batch's" : "its stored"} mean and variance and applies gamma and beta itself. The phase alone decides which statistics${block.caffe.use_global_stats_explicit ? "; the use_global_stats written here is ignored" : ""}.`,
    },
    {
      label: "PyTorch",
      text: `${c("weight")} = gamma (blob 3), ${c("bias")} = beta (blob 4), ${c("running_mean")} = blob 0 and ${c("running_var")} = blob 1 as stored (blob 2 is not a divisor). NVCaffe forces gamma's and beta's lr_mult to 1, so both train.`,
    },
    { label: "Mode", text: training ? `${c("train()")} while training, ${c("eval()")} at test time, as NVCaffe switches by phase.` : `${c("eval()")}, as NVCaffe uses the stored statistics in the TEST phase.` },
  ];
  const inForce = block.caffe.fork?.settings["eps_in_force"];
  if (typeof inForce === "number" && inForce !== block.caffe.eps) {
    lines.push({ label: "eps", text: `NVCaffe raises the written eps ${num(block.caffe.eps)} to ${num(inForce)}, so ${c(`eps=${num(inForce)}`)}.` });
  }
  for (const note of block.notes.filter((n) => n.code === "fork-nvcaffe-lr-mult")) lines.push({ label: "Note", text: note.message, tone: "warning" });
  lines.push({
    label: "Certain",
    text: training
      ? "the normalisation itself. Not reproduced: NVCaffe's running statistics (its first two steps copy the batch statistics, and it stores the biased variance plus eps)."
      : "inference with the stored statistics is the same. Training would differ (NVCaffe's own running-statistics updates).",
  });
  return lines;
}

function segnet(block: ConvertBlock, style: TextStyle): Line[] {
  const c = style.code;
  if (has(block, "fork-segnet-inference")) {
    return [
      {
        label: "Caffe",
        text: "SegNet/ENet's BN layer (a fork) in bn_mode INFERENCE: it computes scale·x + shift per channel and does not normalise; SegNet's compute_bn_statistics.py folded the mean and variance into scale and shift.",
      },
      {
        label: "PyTorch",
        text: `the module in ${c("eval()")} with ${c("running_mean")} 0, ${c("running_var")} 1 and ${c("eps=0")} computes exactly that: ${c("weight")} = scale (blob 0), ${c("bias")} = shift (blob 1). Keep it in ${c("eval()")} in every phase.`,
      },
      { label: "Certain", text: "exact: nothing is normalised or accumulated on either side." },
    ];
  }
  return [
    {
      label: "Caffe",
      text: "SegNet/ENet's BN layer (a fork) in bn_mode LEARN: in every phase it normalises each batch with that batch's own mean and variance and keeps no running statistics; gamma and beta are its blobs 0 and 1; eps is fixed at 1e-9.",
    },
    {
      label: "PyTorch",
      text: `${c("track_running_stats=False")}, so batch statistics are used in ${c("train()")} and ${c("eval()")} alike and momentum does not matter; ${c("weight")} = blob 0, ${c("bias")} = blob 1.`,
    },
    { label: "Certain", text: "exact: neither side accumulates anything." },
  ];
}

function pspnet(block: ConvertBlock, style: TextStyle): Line[] {
  const c = style.code;
  const frozen = block.caffe.fork?.settings["frozen"] === true;
  const lines: Line[] = [
    {
      label: "Caffe",
      text: "PSPNet's BN layer (a fork, not BVLC Caffe): one layer normalises and applies slope (gamma) and bias (beta), its blobs 0 and 1; the moving mean and variance are blobs 2 and 3, stored as they are (no scale factor).",
    },
    {
      label: "PyTorch",
      text: `${c("weight")} = blob 0, ${c("bias")} = blob 1, ${c("running_mean")} = blob 2, ${c("running_var")} = blob 3, loaded unchanged.`,
    },
  ];
  const eps = epsLine(block.caffe.eps);
  if (eps) lines.push(eps);
  if (frozen) {
    lines.push({
      label: "Frozen",
      text: `frozen: true: the stored statistics are used in both phases and never updated, and slope and bias do not train whatever their param says (the fork forces lr_mult 0): keep these modules in ${c("eval()")} with ${c("requires_grad=False")}.`,
    });
    lines.push({ label: "Certain", text: "exact, since nothing changes while training." });
  } else {
    lines.push({ label: "Mode", text: block.torch.mode === "train" ? `${c("train()")} while training, ${c("eval()")} at test time.` : `${c("eval()")}: the stored statistics.` });
    lines.push({
      label: "Certain",
      text: "inference with the stored statistics is the same. Training differs: the fork averages the biased batch variance (PyTorch the unbiased one) and starts from variance 0 (PyTorch from 1).",
    });
  }
  return lines;
}

function unrecognised(block: ConvertBlock): Line[] {
  const note = block.notes.find((n) => n.code === "fork-unrecognised");
  return [
    { label: "Caffe", text: note?.message ?? "A BN layer of no known fork: its semantics are unknown.", tone: "warning" },
    { label: "PyTorch", text: "no configuration is given: read the fork's BN layer source to map it by hand." },
  ];
}

/**
 * gamma or beta with lr_mult 0 on a fork layer that does not freeze them by itself (PSPNet's
 * `frozen` says so in its own line): requires_grad=False with the loaded values.
 */
function frozenParamsLine(block: ConvertBlock, style: TextStyle): Line | null {
  const t = block.torch;
  if (!t.affine || block.caffe.fork?.settings["frozen"] === true) return null;
  const frozen = [t.weight_requires_grad === false ? "gamma (weight)" : null, t.bias_requires_grad === false ? "beta (bias)" : null].filter((x) => x !== null);
  if (frozen.length === 0) return null;
  return { label: "Frozen", text: `${frozen.join(" and ")} ${frozen.length > 1 ? "have" : "has"} lr_mult: 0: load ${frozen.length > 1 ? "them" : "it"} and set ${style.code("requires_grad=False")}.` };
}

/** Every line for a fork block. */
export function forkLines(block: ConvertBlock, style: TextStyle): Line[] {
  const family = block.caffe.fork?.family;
  const lines =
    family === "nvcaffe" ? nvcaffe(block, style) : family === "segnet" ? segnet(block, style) : family === "pspnet" ? pspnet(block, style) : unrecognised(block);
  const frozen = frozenParamsLine(block, style);
  // Before the closing "Certain:" line.
  if (frozen) lines.splice(lines.length - 1, 0, frozen);
  return [...lines, ...shapeLines(block)];
}
