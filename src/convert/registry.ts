import type { BlockConverter } from "./context.js";
import { batchNormConverter } from "./converters/batch-norm.js";
import { forkBnConverter } from "./converters/fork-bn.js";

/** Converters by Caffe layer type. */
export type ConverterRegistry = ReadonlyMap<string, BlockConverter>;

/**
 * Builds a registry from an explicit list. Two converters for one layer type are a programming
 * error (which one runs would depend on order), so this throws.
 */
export function createRegistry(converters: readonly BlockConverter[]): ConverterRegistry {
  const map = new Map<string, BlockConverter>();
  for (const c of converters) {
    if (map.has(c.layerType)) throw new Error(`duplicate converter for layer type "${c.layerType}"`);
    map.set(c.layerType, c);
  }
  return map;
}

/** The converters this package ships: one per BatchNorm-type layer type. */
export const CONVERTERS: readonly BlockConverter[] = [batchNormConverter, forkBnConverter];

/** The default registry. */
export const defaultRegistry: ConverterRegistry = createRegistry(CONVERTERS);
