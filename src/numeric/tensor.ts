/**
 * A minimal float32 tensor: a shape and a flat row-major (C order) buffer.
 *
 * Caffe blobs and PyTorch tensors in this project are NCHW-like: axis 0 is the batch, axis 1 the
 * channel, everything after axis 1 is "spatial". Element `[n][c][s]` sits at `(n*C + c)*S + s`, so one
 * (n, c) pair owns a contiguous run of S values — the loops in the executors walk those runs.
 */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** Any `{shape, data}` pair, e.g. a tensor parsed from a golden trace (`data` as a plain number array). */
export interface TensorLike {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/**
 * The reduction layout BatchNorm uses: N × C × S with m = N·S values per channel.
 *
 * As Caffe's BatchNormLayer does, a rank-1 blob has one channel (channels_ = 1) and spatial 1.
 */
export interface ChannelLayout {
  /** shape[0] (1 for a rank-0 shape). */
  readonly num: number;
  /** shape[1], or 1 for rank ≤ 1. */
  readonly channels: number;
  /** The product of the dims after axis 1 (1 when there are none). */
  readonly spatial: number;
  /** Values reduced per channel: num × spatial. */
  readonly m: number;
}

/** The number of elements of a shape (1 for the empty shape, as for a scalar). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Creates a tensor; without `data` it is zero-filled. The data length must equal numel(shape). */
export function tensor(shape: readonly number[], data?: Float32Array | ArrayLike<number>): Tensor {
  const count = numel(shape);
  const buffer = data === undefined ? new Float32Array(count) : Float32Array.from(data);
  if (buffer.length !== count) {
    throw new RangeError(`tensor data has ${buffer.length} values, shape [${shape.join(",")}] needs ${count}`);
  }
  return { shape: [...shape], data: buffer };
}

/** A zero-filled tensor of the given shape. */
export function zeros(shape: readonly number[]): Tensor {
  return tensor(shape);
}

/** A copy with its own buffer. */
export function cloneTensor(t: TensorLike): Tensor {
  return tensor(t.shape, t.data);
}

/**
 * Converts a `{shape, data}` record to a Tensor. Golden traces store float32 values widened exactly to
 * doubles, so `Float32Array.from` recovers the float32 bits exactly.
 */
export function fromTensorLike(t: TensorLike): Tensor {
  return tensor(t.shape, t.data);
}

/** channels = shape[1] (1 for rank ≤ 1, as Caffe's BatchNormLayer sets channels_ for a 1-axis blob). */
export function channelsOf(shape: readonly number[]): number {
  return shape.length >= 2 ? (shape[1] as number) : 1;
}

/** The product of the dims after axis 1. */
export function spatialOf(shape: readonly number[]): number {
  let s = 1;
  for (let i = 2; i < shape.length; i++) s *= shape[i] as number;
  return s;
}

/** The N × C × S layout of a shape; see {@link ChannelLayout}. */
export function channelLayout(shape: readonly number[]): ChannelLayout {
  const num = shape.length >= 1 ? (shape[0] as number) : 1;
  const channels = channelsOf(shape);
  const spatial = spatialOf(shape);
  return { num, channels, spatial, m: num * spatial };
}

/** The multi-index (row-major) of a flat index. */
export function unravelIndex(index: number, shape: readonly number[]): number[] {
  const position = new Array<number>(shape.length).fill(0);
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const dim = shape[axis] as number;
    if (dim > 0) {
      position[axis] = rest % dim;
      rest = Math.floor(rest / dim);
    }
  }
  return position;
}

/** Whether two shapes are equal dimension by dimension. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
