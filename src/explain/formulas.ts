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
      `  Caffe, per channel (BatchNorm, then Scale); blobs 0, 1, 2 = mean_sum, var_sum, s:`,
      `    stored statistics:  ${c("y = (x − mean_sum/s) / sqrt(var_sum/s + eps) · gamma + beta")}`,
      `    batch statistics:   ${c("y = (x − mean) / sqrt(var + eps) · gamma + beta")}   ${d("(biased var)")}`,
      `    each training step, with f = moving_average_fraction and m values per channel:`,
      `      ${c("s ← f·s + 1")}`,
      `      ${c("mean_sum ← f·mean_sum + mean")}`,
      `      ${c("var_sum ← f·var_sum + m/(m−1)·var")}   ${d("(unbiased)")}`,
    );
  }
  out.push(
    `  PyTorch (nn.BatchNorm1d/2d/3d), per channel:`,
    `    eval():   ${c("y = (x − running_mean) / sqrt(running_var + eps) · weight + bias")}`,
    `    train():  ${c("y = (x − mean) / sqrt(var + eps) · weight + bias")}   ${d("(batch mean, biased var)")}`,
    `    each training step:`,
    `      ${c("running ← (1 − momentum)·running + momentum·batch")}   ${d("(var: unbiased)")}`,
    `      ${c("momentum=None")}: ${c("running ← running + (batch − running)/num_batches_tracked")}`,
    `    running_mean starts at 0 and running_var at 1, so after k steps, with f = 1 − momentum:`,
    `      ${c("running = (1 − f^k)·(Caffe's sum/s) + f^k·start")}`,
  );
  return out;
}
