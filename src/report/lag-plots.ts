/**
 * The lag plots of a TRAIN report: verify's `--plot` (src/verify/plot.ts) for one train-mode block
 * per moving_average_fraction. The plain mapping's lag f^k·|init − Caffe| depends on the block only
 * through f (and where its statistics start), so one plot per fraction shows every block's lag
 * without a plot per block (a ResNet-152 has 155 blocks: megabytes of SVG saying the same).
 */
import type { NetModel } from "../caffe/net.js";
import type { ConvertResult } from "../convert/types.js";
import { numel } from "../numeric/tensor.js";
import { renderLagPlot } from "../verify/plot.js";
import { DEFAULT_VERIFY_TOLERANCE, planVerification, verifyNet, type VerifyOptions } from "../verify/verify.js";
import type { ReportLagPlot } from "./model.js";

/** At most this many plots (distinct fractions are few in real nets: usually one). */
const MAX_PLOTS = 4;
/** Forward elements one plot may cost, so a large block trains fewer steps (the lag shows within tens). */
const ELEMENT_BUDGET = 4e7;
const MIN_STEPS = 20;
const MAX_STEPS = 1000;
const BATCH = 2;

/** One plot per fraction among the blocks that train with 0 < f < 1 in TRAIN; [] otherwise. */
export function lagPlots(result: ConvertResult, net: NetModel, phase: "TRAIN" | "TEST", source: string, seed = 0): ReportLagPlot[] {
  if (phase !== "TRAIN") return [];
  const base: VerifyOptions = { phase, steps: MIN_STEPS, batch: BATCH, seed, tolerance: DEFAULT_VERIFY_TOLERANCE, configuration: "plain", strict: false };
  const plan = planVerification(result, net, base);
  const chosen = new Map<number, (typeof plan.blocks)[number]>();
  for (const p of plan.blocks) {
    const f = p.block.caffe.moving_average_fraction;
    if (p.block.torch.mode !== "train" || p.shape.kind !== "shape" || !(f > 0 && f < 1) || p.block.caffe.fork) continue;
    if (!chosen.has(f) && chosen.size < MAX_PLOTS) chosen.set(f, p);
  }
  const plots: ReportLagPlot[] = [];
  for (const [f, p] of chosen) {
    if (p.shape.kind !== "shape") continue;
    // Two sides per step (plain and exact beside Caffe): the budget in steps for this block's size.
    const steps = Math.max(MIN_STEPS, Math.min(MAX_STEPS, Math.floor(ELEMENT_BUDGET / (3 * numel(p.shape.shape)))));
    const options = { ...base, steps };
    const one = { blocks: [p], unknown: [], work: 0 };
    try {
      const { series } = verifyNet(result, one, options, { plotBlock: p.index });
      if (series === null) continue;
      // Inline in HTML: the file's XML declaration has no place there.
      const svg = renderLagPlot(series, { source, net: result.net, batch: BATCH, seed, tolerance: options.tolerance }).replace(/^<\?xml[^>]*>\s*/, "");
      plots.push({ block: series.block, channel: series.channel, movingAverageFraction: f, svg });
    } catch {
      // A block PyTorch refuses (one value per channel) has no plot; its mapping is still shown.
    }
  }
  return plots;
}
