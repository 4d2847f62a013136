/**
 * Float32 arithmetic helpers beyond `Math.fround`.
 *
 * A float32 operation is emulated as the double operation followed by `Math.fround`; for + − × ÷ √
 * that double rounding is harmless (53 ≥ 2·24 + 2). A fused multiply-add is different: the exact
 * `a·b + c` can need far more than 53 bits, so it needs a correction step (see {@link fmaf}).
 */

/**
 * The float32 fused multiply-add `fround(a·b + c)` with a single rounding, as `vfmadd` computes it
 * (and as compilers emit for `a*b + c` when they contract).
 *
 * For float32 a, b the product is exact in double (48 bits). The double sum `s = p + c` may be
 * rounded; Knuth's TwoSum gives its exact error `e`. Rounding `s` to float32 is then correct unless
 * `s` sits exactly halfway between two floats while `e ≠ 0` — the one case where the double rounding
 * moved the value onto a tie. There the sign of `e` says which neighbour the exact value is closer to.
 * The tie test costs two operations, so the common case stays cheap.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = Math.fround(s);
  if (r === s) return r;
  // Fast exit: s is a tie only if its mirror image 2s − r (exact here) is the neighbouring float.
  const mirror = 2 * s - r;
  if (Math.fround(mirror) !== mirror || !Number.isFinite(s)) return r;
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  if (e === 0) return r;
  // s is exactly halfway between r and mirror: the exact value lies on the side of e.
  return (e > 0) === (mirror > r) ? mirror : r;
}
