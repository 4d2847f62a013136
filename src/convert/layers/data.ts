import type { LayerConverter } from "./types.js";

/**
 * Layers that bring data into the net become arguments of `forward`: Input (and the `input:`
 * fields), and the data layers, whose tops (data, label) have the shapes they produce; SegNet's
 * DenseImageData (image and label image) among them.
 */
export const DATA_TYPES: readonly string[] = ["Input", "Data", "ImageData", "HDF5Data", "MemoryData", "WindowData", "AnnotatedData", "DenseImageData"];

/** Input and data layers. */
export const dataConverter: LayerConverter = {
  types: DATA_TYPES,
  convert: () => ({ module: null, call: { kind: "input" } }),
};
