import { describe, expect, it } from "vitest";
import { fmaf } from "../../src/numeric/float32.js";
import { createRng } from "../../src/numeric/rng.js";

/** The exact value of a finite double as mantissa · 2^exponent. */
function exact(x: number): [bigint, number] {
  if (x === 0) return [0n, 0];
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased !== 0) mantissa |= 1n << 52n;
  const sign = hi >>> 31 ? -1n : 1n;
  return [sign * mantissa, biased === 0 ? -1074 : biased - 1075];
}

/** fround(a·b + c) with one rounding (ties to even), computed in exact integer arithmetic. */
function referenceFmaf(a: number, b: number, c: number): number {
  const [ma, ea] = exact(a);
  const [mb, eb] = exact(b);
  const [mc, ec] = exact(c);
  const e = Math.min(ea + eb, ec);
  const sum = ma * mb * (1n << BigInt(ea + eb - e)) + mc * (1n << BigInt(ec - e));
  if (sum === 0n) return 0;
  const magnitude = sum < 0n ? -sum : sum;
  const bits = magnitude.toString(2).length;
  const shift = Math.max(0, bits - 24 - Math.max(0, -126 - (bits - 1 + e)));
  let q = magnitude >> BigInt(shift);
  if (shift > 0) {
    const rest = magnitude & ((1n << BigInt(shift)) - 1n);
    const half = 1n << BigInt(shift - 1);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  }
  const value = Number(q) * 2 ** (e + shift);
  return Math.fround(sum < 0n ? -value : value);
}

describe("fmaf", () => {
  const rng = createRng(99);
  const float = (spread: number) => Math.fround((rng.nextFloat() - 0.5) * 2 ** Math.floor(rng.nextFloat() * spread - spread / 2));

  it("rounds a·b + c once, agreeing with exact arithmetic on random operands", () => {
    for (let i = 0; i < 20000; i++) {
      const a = float(20);
      const b = float(20);
      const c = float(20);
      expect(fmaf(a, b, c)).toBe(referenceFmaf(a, b, c));
    }
  });

  it("resolves the cases where the double sum lands exactly on a float32 tie", () => {
    // a·b = h·(1 − u²) just below h, half a float32 ulp of c: the double sum rounds onto the tie
    // c + h, while the exact value is below it.
    for (const c of [1 + 2 ** -23, 3 - 2 ** -22, -(1.5 + 2 ** -23), 1234.5677490234375]) {
      const cf = Math.fround(c);
      for (const k of [13, 16, 18, 20]) {
        const u = 2 ** -k;
        const half = 2 ** (Math.floor(Math.log2(Math.abs(cf))) - 24); // half a float32 ulp of c
        for (const sign of [1, -1]) {
          const a = Math.fround(sign * half * (1 + u));
          const b = Math.fround(1 - u);
          const naive = Math.fround(a * b + cf);
          expect(fmaf(a, b, cf)).toBe(referenceFmaf(a, b, cf));
          if (sign === Math.sign(cf) && k >= 16) expect(fmaf(a, b, cf)).not.toBe(naive);
        }
      }
    }
  });

  it("differs from the unfused float32 computation where the product's low bits matter", () => {
    const a = Math.fround(1 + 2 ** -12);
    const c = -Math.fround(a * a);
    expect(fmaf(a, a, c)).toBe(2 ** -24);
    expect(Math.fround(Math.fround(a * a) + c)).toBe(0);
  });
});
