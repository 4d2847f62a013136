/**
 * Hand-worked inputs and expected values of the detection forks' training losses (SmoothL1Loss,
 * SmoothL1LossOHEM, MultiBoxLoss), shared by the helper tests (test/export/detection-loss-helpers.test.ts)
 * and the executors' tests (test/execute/caffe/fork-detection-losses.test.ts,
 * test/execute/torch/modules/detection-losses.test.ts). The reasoning sits beside each value.
 */
export const LN = Math.log;

// SmoothL1Loss, sigma 3: threshold 1/9. d = w_in·(x − t) = [0.05, −0.5, 1, 0] → f = [0.5·9·0.05², 0.5 − 0.5/9,
// 1 − 0.5/9, 0] → ·w_out [1, 2, 1, 1], summed, / num 2. Gradient w_out · f'(d) · w_in / 2, f' = 9d or sign(d).
export const SIGMA3 = (0.5 * 9 * 0.05 * 0.05 + 2 * (0.5 - 0.5 / 9) + (1 - 0.5 / 9)) / 2;

// MultiBoxLoss: five priors (the four quarters of the image, then its centre), variances 0.1, 0.1, 0.2, 0.2.
export const PRIORS = [
  [0, 0, 0.5, 0.5],
  [0.5, 0, 1, 0.5],
  [0, 0.5, 0.5, 1],
  [0.5, 0.5, 1, 1],
  [0.25, 0.25, 0.75, 0.75],
];
export const PRIOR_BLOB = [[PRIORS.flat(), PRIORS.flatMap(() => [0.1, 0.1, 0.2, 0.2])]];
// Image 0: box g0 (class 1) overlaps prior 0 by 0.2/0.25 = 0.8 and the centre by 0.0375/0.4125.
// Image 1: g1 (class 2) is prior 3 (overlap 1); g2 (class 1, difficult) overlaps the centre by 0.64,
// the quarters by 0.04/0.37 each. A row of image −1 is padding.
export const GT = (g2Class = 1): number[][][][] => [[[
  [0, 1, 0, 0, 0, 0.5, 0.4, 0],
  [1, 2, 0, 0.5, 0.5, 1, 1, 0],
  [1, g2Class, 1, 0.3, 0.3, 0.7, 0.7, 1],
  [-1, 0, 0, 0, 0, 0, 0, 0],
]]];
// Locations: matched priors get values near their targets, every other prior 7 (never read).
// Targets (CENTER_SIZE / variance): g0 on prior 0 [0, −1, 0, 5 ln 0.8], g1 on prior 3 [0, 0, 0, 0],
// g2 on prior 4 [0, 0, 5 ln 0.8, 5 ln 0.8].
export const SEVEN = [7, 7, 7, 7];
export const LOC = [
  [0.5, -1, 0.2, 0, ...SEVEN, ...SEVEN, ...SEVEN, ...SEVEN],
  [...SEVEN, ...SEVEN, ...SEVEN, 0, 0, 0, 2, 0, 0, 0, 0],
];
export const L2 = LN(2);
export const L3 = LN(3);
// Softmax rows of three classes made exact by logits 0, ln 2, ln 3.
export const CONF = [
  [[0, L3, 0], [0, 0, 0], [L3, 0, 0], [0, L2, 0], [L2, 0, 0]],
  [[0, 0, 0], [L3, 0, 0], [0, L2, 0], [0, 0, L3], [0, L2, L2]],
].map((image) => image.flat());
export const H = 5 * LN(1.25) - 0.5; // smooth L1 of |5 ln 0.8| > 1
// Losses: img0 prior 0 matched (class 1: −ln 0.6); 1 match → 3 negatives of the 4 eligible, by background
// loss: prior 3 (ln 4), prior 1 (ln 3), centre (ln 2); prior 2 (ln 5/3) is left out.
// img1: priors 3 (class 2: ln 5/3) and centre (class 1: ln 5/2) matched → 6 wanted, all 3 eligible kept:
// ln 3, ln 5/3, ln 4.
export const CONF_IMG0 = -LN(0.6) + LN(4) + L3 + L2;
export const CONF_IMG1 = L3 + LN(5 / 3) + LN(4) + LN(5 / 3) + LN(5 / 2);
export const LOC_ALL = 0.125 + 0.02 + H + 1.5 + 2 * H;
export const MBOX_INPUTS = (g2Class = 1): { data: unknown; grad?: boolean }[] => [{ data: LOC, grad: true }, { data: CONF, grad: true }, { data: PRIOR_BLOB }, { data: GT(g2Class) }];
// Gradients of the default case: f'(d)/3 at matched locations; (softmax − one-hot)/3 at the kept rows.
export const Z4 = [0, 0, 0, 0];
export const LOC_GRAD = [
  [0.5, 0, 0.2, 1, ...Z4, ...Z4, ...Z4, ...Z4],
  [...Z4, ...Z4, ...Z4, 0, 0, 0, 1, 0, 0, 1, 1],
].flat().map((v) => v / 3);
export const CONF_GRAD = [
  [0.2, -0.4, 0.2], [-2 / 3, 1 / 3, 1 / 3], [0, 0, 0], [-3 / 4, 1 / 2, 1 / 4], [-1 / 2, 1 / 4, 1 / 4],
  [-2 / 3, 1 / 3, 1 / 3], [-2 / 5, 1 / 5, 1 / 5], [-3 / 4, 1 / 2, 1 / 4], [1 / 5, 1 / 5, -2 / 5], [1 / 5, -3 / 5, 2 / 5],
].flat().map((v) => v / 3);
export const SSD = { num_classes: 3, code_type: "CENTER_SIZE" };
