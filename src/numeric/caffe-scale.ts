/**
 * Caffe's Scale and Bias layers over axis 1 (their default `axis: 1`, `num_axes: 1`), forward and
 * backward, in float32 as Caffe's CPU ScaleLayer and BiasLayer compute them.
 *
 * Each product and sum is rounded to float32; parameter gradients are summed in the order of the
 * gemv calls the layers make (openblas-order.ts).
 */
import { gemvColumnSums, gemvRowSum, isVectorRow } from "./openblas-order.js";
import { channelLayout, type Tensor } from "./tensor.js";

/** Which gradients a Scale/Bias backward should produce (Caffe's propagate_down / param_propagate_down). */
export interface ScaleBackwardNeeds {
  /** The bottom (input) gradient. */
  readonly bottom: boolean;
  /** The gamma gradient. */
  readonly scale: boolean;
  /** The beta gradient (only meaningful with a bias). */
  readonly bias: boolean;
}

/** Gradients from a Scale backward; absent when not requested. */
export interface ScaleGradients {
  readonly bottomDiff?: Tensor;
  readonly scaleDiff?: Float32Array;
  readonly biasDiff?: Float32Array;
}

/**
 * Scale forward: `y = fround(x·gamma)`, then with a bias `y = fround(y + beta)` — ScaleLayer runs its
 * internal BiasLayer on its own top, so the product is rounded before the bias is added.
 */
export function caffeScaleForward(
  bottom: Tensor,
  gamma: Float32Array,
  beta: Float32Array | null,
  out?: Float32Array,
): Tensor {
  const { num, channels, spatial } = channelLayout(bottom.shape);
  const x = bottom.data;
  const y = out ?? new Float32Array(x.length);
  for (let n = 0; n < num; n++) {
    for (let c = 0; c < channels; c++) {
      const g = gamma[c] as number;
      const base = (n * channels + c) * spatial;
      const end = base + spatial;
      if (beta === null) {
        for (let i = base; i < end; i++) y[i] = (x[i] as number) * g;
      } else {
        const b = beta[c] as number;
        for (let i = base; i < end; i++) y[i] = Math.fround((x[i] as number) * g) + b;
      }
    }
  }
  return { shape: [...bottom.shape], data: y };
}

/** Bias forward: `y = fround(x + beta)` per channel, as Caffe's BiasLayer does. */
export function caffeBiasForward(bottom: Tensor, beta: Float32Array, out?: Float32Array): Tensor {
  const { num, channels, spatial } = channelLayout(bottom.shape);
  const x = bottom.data;
  const y = out ?? new Float32Array(x.length);
  for (let n = 0; n < num; n++) {
    for (let c = 0; c < channels; c++) {
      const b = beta[c] as number;
      const base = (n * channels + c) * spatial;
      for (let i = base; i < base + spatial; i++) y[i] = (x[i] as number) + b;
    }
  }
  return { shape: [...bottom.shape], data: y };
}

/**
 * The per-channel sum of a top diff: Caffe's bias gradient. BiasLayer::Backward_cpu calls one gemv
 * per batch item over the C × inner block with beta 1, so each item's row sum is added onto the
 * running diff.
 */
export function caffeBiasBackward(topDiff: Tensor): Float32Array {
  const { num, channels, spatial } = channelLayout(topDiff.shape);
  const dy = topDiff.data;
  const sums = new Float32Array(channels);
  for (let n = 0; n < num; n++) {
    for (let c = 0; c < channels; c++) {
      sums[c] = gemvRowSum(dy, (n * channels + c) * spatial, spatial, 1, sums[c] as number, isVectorRow(c, channels));
    }
  }
  return sums;
}

/**
 * Caffe's gamma gradient: the products `fround(dy·x)` are summed per (n, c) row by one gemv (skipped
 * when inner is 1), then over the batch by a second (skipped for a batch of 1).
 */
function scaleParamDiff(dy: Float32Array, x: Float32Array, num: number, channels: number, spatial: number): Float32Array {
  const rows = num * channels;
  const rowSums = new Float32Array(rows);
  const product = new Float32Array(spatial);
  for (let r = 0; r < rows; r++) {
    const base = r * spatial;
    for (let i = 0; i < spatial; i++) product[i] = (dy[base + i] as number) * (x[base + i] as number);
    rowSums[r] = spatial === 1 ? (product[0] as number) : gemvRowSum(product, 0, spatial, 1, 0, isVectorRow(r, rows));
  }
  if (num === 1) return rowSums;
  const sums = new Float32Array(channels);
  gemvColumnSums(rowSums, num, channels, sums);
  return sums;
}

/**
 * Scale backward, as ScaleLayer::Backward_cpu: `dgamma = Σ fround(dy·x)`, `dbeta = Σ dy` (its
 * BiasLayer's backward),
 * `dx = fround(dy·gamma)`, sums over every axis but the channel. `bottom` is the Scale's input from
 * the forward (Caffe keeps a copy of it when the layer runs in place).
 */
export function caffeScaleBackward(
  topDiff: Tensor,
  bottom: Tensor,
  gamma: Float32Array,
  needs: ScaleBackwardNeeds,
): ScaleGradients {
  const { num, channels, spatial } = channelLayout(topDiff.shape);
  const dy = topDiff.data;
  const x = bottom.data;
  const scaleDiff = needs.scale ? scaleParamDiff(dy, x, num, channels, spatial) : undefined;
  const biasDiff = needs.bias ? caffeBiasBackward(topDiff) : undefined;
  let bottomDiff: Tensor | undefined;
  if (needs.bottom) {
    const dx = new Float32Array(dy.length);
    for (let n = 0; n < num; n++) {
      for (let c = 0; c < channels; c++) {
        const g = gamma[c] as number;
        const base = (n * channels + c) * spatial;
        for (let i = base; i < base + spatial; i++) dx[i] = (dy[i] as number) * g;
      }
    }
    bottomDiff = { shape: [...topDiff.shape], data: dx };
  }
  return {
    ...(bottomDiff !== undefined && { bottomDiff }),
    ...(scaleDiff !== undefined && { scaleDiff }),
    ...(biasDiff !== undefined && { biasDiff }),
  };
}
