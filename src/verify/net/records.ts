/**
 * What the two sides of `verify --net` hand to the comparison: every layer's tops right after it
 * ran, by Caffe layer name, in the order the side ran them.
 */

/** One top's values, row-major float32. */
export interface TopValues {
  shape: readonly number[];
  data: Float32Array;
}

/**
 * One recorded top that is stored as statistics and samples only (a real net's recording keeps
 * large tops that way): compared on the samples and on the mean and mean square.
 */
export interface SampledTop {
  shape: readonly number[];
  samples: { index: readonly number[]; value: readonly number[] };
  stats: { sum: number; sq_sum: number; min: number; max: number };
}

/** A reference top: full values, or samples and statistics. */
export type ReferenceTop = TopValues | SampledTop;

/** One layer's tops on one side. */
export interface LayerTops<T = TopValues> {
  name: string;
  tops: T[];
}

/** Why a side stopped before the end of the net: the layer and a message in words. */
export interface SideFailure {
  layer: string;
  message: string;
}

/** Every layer a side ran, in order, and where it stopped (null: it ran to the end). */
export interface SideRecords<T = TopValues> {
  layers: LayerTops<T>[];
  error: SideFailure | null;
}

/** Whether a reference top holds its values in full. */
export function isFull(top: ReferenceTop): top is TopValues {
  return (top as TopValues).data !== undefined;
}
