/**
 * The formulas `explain --verbose` prints: what Caffe's BatchNormLayer (+ ScaleLayer) and
 * torch.nn.BatchNorm2d compute, and how each updates its running statistics. Pure.
 */
import type { ConvertBlock } from "../convert/types.js";
import type { TextStyle } from "./style.js";

/** The formula lines (already indented), for the blocks explained. */
export function formulas(blocks: readonly ConvertBlock[], style: TextStyle): string[] {
  const c = style.code;
  const d = style.dim;
  const bvlc = blocks.some((b) => !b.caffe.fork);
  const out: string[] = [];
  if (bvlc) {
    out.push(
      `  Caffe (BatchNormLayer, then ScaleLayer), per channel; blob 0 = mean_sum, blob 1 = var_sum, blob 2 = s:`,
      `    ${c("y = (x − mean_sum/s) / sqrt(var_sum/s + eps) · gamma + beta")}   ${d("(stored statistics; with s = 0 Caffe uses 0 for both)")}`,
      `    ${c("y = (x − mean) / sqrt(var + eps) · gamma + beta")}               ${d("(batch statistics: mean and biased var of this batch)")}`,
      `    each training step, with f = moving_average_fraction and m values per channel in the batch:`,
      `      ${c("s ← f·s + 1")}`,
      `      ${c("mean_sum ← f·mean_sum + mean")}`,
      `      ${c("var_sum ← f·var_sum + m/(m−1)·var")}   ${d("(unbiased variance)")}`,
    );
  }
  out.push(
    `  PyTorch (nn.BatchNorm1d/2d/3d):`,
    `    ${c("y = (x − running_mean) / sqrt(running_var + eps) · weight + bias")}   ${d("(eval(); train() uses the batch's mean and biased var)")}`,
    `    each training step:`,
    `      ${c("running ← (1 − momentum)·running + momentum·batch")}   ${d("(variance: unbiased, m/(m−1)·var)")}`,
    `      ${c("momentum=None")}: ${c("running ← running + (batch − running)/num_batches_tracked")}   ${d("(cumulative average)")}`,
    `    start: running_mean = 0, running_var = 1, so after k steps with f = 1 − momentum:`,
    `      ${c("running = (1 − f^k)·Caffe's mean_sum/s + f^k·start")}`,
  );
  return out;
}
