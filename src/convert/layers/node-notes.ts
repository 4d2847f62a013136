import type { NodeNote } from "../torch-graph.js";

type Data = NodeNote["data"];
const fmt = (v: Data[string] | undefined): string => (v === null || v === undefined ? "?" : String(v));

/** The English of every note a layer converter or the graph attaches to a node, by code. */
const NODE_NOTES: Record<string, (d: Data) => string> = {
  "loss-weight-count": (d) =>
    `${fmt(d.weights)} loss_weight value(s) for ${fmt(d.tops)} tops: Caffe aborts ("loss_weight must be unspecified or specified once per top blob"); here the first top weighs 1 and the others 0 when none is given, else each missing weight is 0.`,
  "inplace-relu-overwritten": (d) =>
    `This ReLU works in place and ${fmt(d.by)} later overwrites the same blob in place: Caffe's ReLU backward then takes its mask from ${fmt(d.by)}'s output, so its gradients differ from the mathematical ones PyTorch computes.`,
  "infogain-source": (d) =>
    `The infogain matrix H is read by Caffe from ${fmt(d.source)}, which the export does not read: set the module's .infogain to that matrix (classes x classes) before computing the loss.`,
  "image-data-resize": () => "ImageData resizes each image to new_height x new_width (when set) before the transform: preprocess expects images of that size.",
  "memory-data-transform": () =>
    "MemoryData applies transform_param only to data added with AddDatumVector/AddMatVector; arrays given with set_input_arrays (Reset) reach the net untransformed.",
  "annotated-data-transform": () => "AnnotatedData (SSD fork): preprocess applies crop, mean, scale and mirror only; the fork's resize, distort, expand and noise parameters are not reproduced.",
  "window-data-warp": () => "WindowData warps windows of its images itself (context_pad, crop_mode, its own scale): no preprocess is generated for it.",
  "hdf5-data-raw": () => "HDF5Data has no transformer: its arrays are the net's input as they are.",
};

/** The English of a node note; the code itself when unknown. */
export function nodeNoteMessage(note: NodeNote): string {
  return NODE_NOTES[note.code]?.(note.data) ?? note.code;
}

/** Whether `code` has a message. */
export function isNodeNoteCode(code: string): boolean {
  return Object.hasOwn(NODE_NOTES, code);
}
