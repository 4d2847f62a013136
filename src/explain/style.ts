/**
 * The colours `explain` uses. Structurally the same as the CLI's `Style` (src/cli/color.ts), which
 * callers pass in; declared here because nothing below the CLI imports it (DESIGN.md: only cli/
 * touches chalk, and nothing imports cli/).
 */
export interface TextStyle {
  error(s: string): string;
  warning(s: string): string;
  info(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  good(s: string): string;
  code(s: string): string;
}

const same = (s: string): string => s;

/** No colour at all (for tests and NO_COLOR). */
export const plainStyle: TextStyle = { error: same, warning: same, info: same, dim: same, bold: same, good: same, code: same };

/** One labelled line of a block's explanation, e.g. `Caffe:` and what Caffe does. */
export interface Line {
  label: string;
  text: string;
  /** Warnings (Caffe refuses the net, a value PyTorch cannot match) get the warning colour. */
  tone?: "warning";
}
