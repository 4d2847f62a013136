export { plainStyle, type TextStyle } from "../diagnostics/style.js";

/** One labelled line of a block's explanation, e.g. `Caffe:` and what Caffe does. */
export interface Line {
  label: string;
  text: string;
  /** Warnings (Caffe refuses the net, a value PyTorch cannot match) get the warning colour. */
  tone?: "warning";
}
