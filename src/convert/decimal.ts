/**
 * Decimal arithmetic for values that users write as decimals. `1 - 0.999` in binary floating point
 * is 0.0010000000000000009; PyTorch users expect `momentum=0.001`. We therefore subtract in
 * decimal: the fraction is taken as the shortest decimal that round-trips the double the reader
 * produced (which is the decimal written, for anything written with at most 15 significant
 * digits), 1 − fraction is computed exactly, and the result is the double nearest to it.
 */

/** `1 − x` computed on the decimal representation of `x`. */
export function oneMinusDecimal(x: number): number {
  if (!Number.isFinite(x)) return 1 - x;
  const { mantissa, exponent } = decimalParts(x);
  if (exponent >= 0) return Number(1n - mantissa * 10n ** BigInt(exponent));
  const scale = 10n ** BigInt(-exponent);
  const diff = scale - mantissa;
  const negative = diff < 0n;
  const digits = (negative ? -diff : diff).toString().padStart(-exponent + 1, "0");
  const point = digits.length + exponent;
  return Number(`${negative ? "-" : ""}${digits.slice(0, point)}.${digits.slice(point)}`);
}

/** x = mantissa · 10^exponent, from JavaScript's shortest round-trip representation. */
function decimalParts(x: number): { mantissa: bigint; exponent: number } {
  const [coef, exp] = String(x).toLowerCase().split("e") as [string, string | undefined];
  let exponent = exp === undefined ? 0 : Number(exp);
  const negative = coef.startsWith("-");
  let digits = negative ? coef.slice(1) : coef;
  const dot = digits.indexOf(".");
  if (dot >= 0) {
    exponent -= digits.length - dot - 1;
    digits = digits.slice(0, dot) + digits.slice(dot + 1);
  }
  const mantissa = BigInt(digits);
  return { mantissa: negative ? -mantissa : mantissa, exponent };
}

/**
 * The smallest number of steps k ≥ 1 with f^k < threshold, for 0 ≤ f < 1: after that many
 * updates an exponential moving average with decay f has forgotten its initial value to below
 * `threshold` of its weight. Infinity when f ≥ 1 (it never forgets).
 */
export function stepsUntilBelow(f: number, threshold: number): number {
  if (!(f < 1)) return Infinity;
  if (f <= 0) return 1;
  let k = Math.max(1, Math.ceil(Math.log(threshold) / Math.log(f)));
  // Correct the logarithm's rounding with the powers themselves.
  while (Math.pow(f, k) >= threshold) k++;
  while (k > 1 && Math.pow(f, k - 1) < threshold) k--;
  return k;
}
