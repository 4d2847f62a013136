/**
 * Float32 arithmetic helpers beyond `Math.fround`.
 *
 * A float32 operation is emulated as the double operation followed by `Math.fround`; for + − × ÷ √
 * that double rounding is harmless (53 ≥ 2·24 + 2). A fused multiply-add is different: the exact
 * `a·b + c` can need far more than 53 bits, so it needs a correction step (see {@link fmaf}).
 */

const fround = Math.fround;

/**
 * The float32 fused multiply-add `fround(a·b + c)` with a single rounding, as `vfmadd` computes it
 * (and as compilers emit for `a*b + c` when they contract).
 *
 * For float32 a, b the product is exact in double (48 bits). The double sum `s = p + c` may be
 * rounded; Knuth's TwoSum gives its exact error `e`. Rounding `s` to float32 is then correct unless
 * `s` sits exactly halfway between two floats while `e ≠ 0` — the one case where the double rounding
 * moved the value onto a tie. There the sign of `e` says which neighbour the exact value is closer to.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = fround(s);
  if (r === s || !Number.isFinite(s)) return r;
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  if (e === 0) return r;
  // Is s exactly halfway between r and its float32 neighbour on the other side of s?
  const other = nextFloat32Toward(r, s);
  if (s - r !== other - s) return r;
  // Halfway: the exact value lies on the side of e.
  return (e > 0) === (other > r) ? other : r;
}

const scratch = new Float32Array(1);
const bits = new Uint32Array(scratch.buffer);

/** The float32 next to float32 `x` in the direction of `target` (x itself if they are equal). */
export function nextFloat32Toward(x: number, target: number): number {
  if (x === target || Number.isNaN(x) || Number.isNaN(target)) return x;
  if (x === 0) return target > 0 ? 1.401298464324817e-45 : -1.401298464324817e-45;
  scratch[0] = x;
  // For a positive float the bit pattern grows with the value; for a negative one it shrinks.
  const up = target > x;
  bits[0] = (bits[0] as number) + ((x > 0) === up ? 1 : -1);
  return scratch[0] as number;
}
