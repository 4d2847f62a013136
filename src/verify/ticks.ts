/**
 * Axis ticks for the verify plot: "nice" linear steps (1, 2, 2.5, 5 × 10ⁿ) and decades on log axes.
 */

/** A linear axis: its (widened) range and its ticks. */
export interface LinearAxis {
  readonly min: number;
  readonly max: number;
  readonly ticks: number[];
  /** Decimal places that print every tick distinctly. */
  readonly decimals: number;
}

/** A step of 1, 2, 2.5 or 5 × 10ⁿ giving about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * A linear axis covering [lo, hi], widened outward to whole steps. A degenerate range (lo = hi) is
 * opened around its value so that a flat line sits mid-panel.
 */
export function linearAxis(lo: number, hi: number, count = 5): LinearAxis {
  let a = lo;
  let b = hi;
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    a = 0;
    b = 1;
  }
  if (a === b) {
    const pad = a === 0 ? 1 : Math.abs(a) * 0.1;
    a -= pad;
    b += pad;
  }
  const step = niceStep(b - a, count);
  const min = Math.floor(a / step) * step + 0;
  const max = Math.ceil(b / step) * step + 0;
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + step * 1e-9; i++) ticks.push(Number((min + i * step).toPrecision(12)));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (step / Math.pow(10, Math.floor(Math.log10(step))) === 2.5 ? 1 : 0));
  return { min, max, ticks, decimals };
}

/** A log axis from decade 10^lo to 10^hi (integers), with a tick per decade (every other one when many). */
export interface LogAxis {
  readonly minExponent: number;
  readonly maxExponent: number;
  readonly ticks: number[];
}

/** The decades covering [lo, hi] (both > 0), at most `maxTicks` labelled. */
export function logAxis(lo: number, hi: number, maxTicks = 8): LogAxis {
  // `+ 0` turns −0 (Math.ceil(−0.3)) into 0.
  let minExponent = Math.floor(Math.log10(lo)) + 0;
  let maxExponent = Math.ceil(Math.log10(hi)) + 0;
  if (!Number.isFinite(minExponent) || !Number.isFinite(maxExponent)) {
    minExponent = -8;
    maxExponent = 0;
  }
  if (maxExponent <= minExponent) maxExponent = minExponent + 1;
  const every = Math.ceil((maxExponent - minExponent + 1) / maxTicks);
  const ticks: number[] = [];
  for (let e = maxExponent; e >= minExponent; e -= every) ticks.unshift(e);
  return { minExponent, maxExponent, ticks };
}

const SUPERSCRIPT: Record<string, string> = {
  "-": "⁻",
  "0": "⁰",
  "1": "¹",
  "2": "²",
  "3": "³",
  "4": "⁴",
  "5": "⁵",
  "6": "⁶",
  "7": "⁷",
  "8": "⁸",
  "9": "⁹",
};

/** "10⁻⁶" for exponent −6 ("1" for 0, "10" for 1). */
export function decadeLabel(exponent: number): string {
  if (exponent === 0) return "1";
  if (exponent === 1) return "10";
  return `10${[...String(exponent)].map((ch) => SUPERSCRIPT[ch] ?? ch).join("")}`;
}

/** A tick value with `decimals` places, a true minus sign, and no "-0". */
export function tickLabel(value: number, decimals: number): string {
  const text = (Math.abs(value) < 1e-12 ? 0 : value).toFixed(Math.min(10, decimals));
  return text.replace(/^-/, "−");
}
