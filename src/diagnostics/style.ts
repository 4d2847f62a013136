/**
 * The colours formatters may apply. The CLI builds one from its colour decision (NO_COLOR,
 * --color/--no-color, terminal) in cli/color.ts; everything below the CLI only receives it, so
 * no core module touches chalk or the environment.
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

/** No colour at all (pipes, NO_COLOR, tests). */
export const plainStyle: TextStyle = { error: same, warning: same, info: same, dim: same, bold: same, good: same, code: same };
