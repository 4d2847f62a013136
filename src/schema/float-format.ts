/**
 * Floating-point text exactly as protoc prints it (protobuf 3.21 strutil.cc):
 * - float: SimpleFtoa, i.e. `%.6g` (FLT_DIG) when safe_strtof reads it back to the same float,
 *   else `%.9g`. safe_strtof also fails when strtof sets errno, which glibc does (ERANGE) for
 *   every subnormal result, so subnormal floats always print with 9 digits
 *   (1.40129846e-45, not 1.4013e-45);
 * - double: SimpleDtoa, i.e. `%.15g` (DBL_DIG) when strtod reads it back, else `%.17g`;
 * - `inf`, `-inf`, `nan` (TextFormat prints every NaN as "nan"), and `-0` for negative zero.
 *
 * `%g` here is glibc's: correctly rounded, ties to even on the exact binary value, trailing
 * zeros removed, exponent with a sign and at least two digits ("1e-05", "3.4e+38").
 *
 * Floats take a fast path in double arithmetic (a float32 has 24 bits, so scaling it to nine
 * digits leaves ample headroom); whenever a value lies within rounding error of a decimal tie
 * or of the round-trip boundary, the exact BigInt path decides. The fast path is checked
 * against the exact one and against protoc itself in test/schema/print.test.ts.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u32of64 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Powers of ten as correctly rounded doubles (exact up to 1e22). */
const POW10: number[] = Array.from({ length: 64 }, (_, k) => Number(`1e${k}`));
const ZEROS = "0".repeat(32);
/** Margin, in units of the last digit, inside which the fast path defers to exact arithmetic. */
const TOLERANCE = 1e-6;

/** Formats a float32 value (given as a number) as protoc's SimpleFtoa does. */
export function formatFloat(v: number): string {
  if (v !== v) return "nan";
  if (v === 0) return 1 / v < 0 ? "-0" : "0";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  const neg = v < 0;
  f32[0] = neg ? -v : v;
  floatDecimal(f32[0]!, u32[0]!);
  const s = gFormat(String(dec.d), dec.e, dec.p);
  return neg ? "-" + s : s;
}

/**
 * Writes what {@link formatFloat} returns as ASCII bytes at `pos` (at most 15 bytes) and
 * returns the new position: the printer's hot loop over blob data, free of per-value strings.
 */
export function writeFloat(buf: Uint8Array, pos: number, v: number): number {
  if (v !== v || v === 0 || v === Infinity || v === -Infinity) {
    const s = formatFloat(v);
    for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
    return pos;
  }
  if (v < 0) {
    buf[pos++] = 45; // '-'
    v = -v;
  }
  f32[0] = v;
  floatDecimal(v, u32[0]!);
  let d = dec.d;
  const nd = dec.nd;
  const e = dec.e;
  for (let i = nd - 1; i >= 0; i--) {
    const q = (d / 10) | 0;
    scratch[i] = 48 + d - q * 10;
    d = q;
  }
  if (e < -4 || e >= dec.p) {
    buf[pos++] = scratch[0]!;
    if (nd > 1) {
      buf[pos++] = 46; // '.'
      for (let i = 1; i < nd; i++) buf[pos++] = scratch[i]!;
    }
    buf[pos++] = 101; // 'e'
    buf[pos++] = e < 0 ? 45 : 43;
    const ae = e < 0 ? -e : e;
    if (ae >= 10) buf[pos++] = 48 + ((ae / 10) | 0);
    else buf[pos++] = 48;
    buf[pos++] = 48 + (ae % 10);
  } else if (e < 0) {
    buf[pos++] = 48;
    buf[pos++] = 46;
    for (let i = -1; i > e; i--) buf[pos++] = 48;
    for (let i = 0; i < nd; i++) buf[pos++] = scratch[i]!;
  } else {
    for (let i = 0; i < nd; i++) {
      if (i === e + 1) buf[pos++] = 46;
      buf[pos++] = scratch[i]!;
    }
    for (let i = nd; i <= e; i++) buf[pos++] = 48;
  }
  return pos;
}

/**
 * {@link formatFloat} computed in exact (BigInt) arithmetic only: slow, the reference the fast
 * path is tested against.
 */
export function formatFloatExact(v: number): string {
  if (v !== v || v === 0 || v === Infinity || v === -Infinity) return formatFloat(v);
  const neg = v < 0;
  f32[0] = neg ? -v : v;
  exactFloat(u32[0]!);
  const s = gFormat(String(dec.d), dec.e, dec.p);
  return neg ? "-" + s : s;
}

/** Formats a double as protoc's SimpleDtoa does. */
export function formatDouble(v: number): string {
  if (v !== v) return "nan";
  if (v === 0) return 1 / v < 0 ? "-0" : "0";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  const neg = v < 0;
  const a = neg ? -v : v;
  const s = doubleDigits(a);
  return neg ? "-" + s : s;
}

/**
 * The decimal SimpleFtoa prints for a positive finite float32: significant digits `d` as an
 * integer without trailing zeros (`nd` of them), the exponent `e` of the first digit, and the
 * `%g` precision `p` (6 or 9) that decides the layout. Filled in place to spare allocations.
 */
const dec = { d: 0, nd: 0, e: 0, p: 0 };
const scratch = new Uint8Array(16);
/** 2^(k-150) for a float32 biased exponent k: the spacing of floats with that exponent. */
const ULP: number[] = Array.from({ length: 256 }, (_, k) => 2 ** (Math.max(k, 1) - 150));
const LOG10_2 = 0.30102999566398120;

function scale(a: number, k: number): number {
  return k >= 0 ? a * POW10[k]! : a / POW10[-k]!;
}

function setDecimal(d: number, nd: number, e: number, p: number): void {
  // Trailing zeros go, as %g removes them.
  for (let q = (d / 10) | 0; q * 10 === d; q = (d / 10) | 0) {
    d = q;
    nd--;
  }
  dec.d = d;
  dec.nd = nd;
  dec.e = e;
  dec.p = p;
}

/** Fills {@link dec} for positive finite float32 `a` whose bit pattern is `bits`. */
function floatDecimal(a: number, bits: number): void {
  const exp = (bits >>> 23) & 0xff;
  // protobuf's safe_strtof treats errno ERANGE as failure, and glibc's strtof sets it for every
  // subnormal result: subnormal floats never read back from 6 digits, so they get 9.
  if (exp === 0) {
    nineDigits(a, Math.floor(Math.log10(a)), bits);
    return;
  }
  // The binary exponent gives the decimal one, possibly one too low; settle it so that
  // scaled lies in [1e5, 1e6).
  let e = Math.floor((exp - 127) * LOG10_2);
  let scaled = scale(a, 5 - e);
  if (scaled >= 1e6) scaled = scale(a, 5 - ++e);
  else if (scaled < 1e5) scaled = scale(a, 5 - --e);
  const r = Math.floor(scaled);
  const frac = scaled - r;
  if (Math.abs(frac - 0.5) < TOLERANCE) {
    exactFloat(bits);
    return;
  }
  const d = frac > 0.5 ? r + 1 : r;
  // Round trip: strtof picks the nearest float, so the 6 digits must lie within half the gap
  // to the neighbouring float on their side (the gap below a power of two is half as wide).
  const below = d < scaled;
  const half = below && (bits & 0x7fffff) === 0 && exp > 1 ? ULP[exp]! / 4 : ULP[exp]! / 2;
  const halfScaled = scale(half, 5 - e);
  const diff = below ? scaled - d : d - scaled;
  if (Math.abs(diff - halfScaled) < TOLERANCE) {
    exactFloat(bits);
    return;
  }
  if (diff < halfScaled) {
    if (d === 1e6) setDecimal(1e5, 6, e + 1, 6);
    else setDecimal(d, 6, e, 6);
    return;
  }
  nineDigits(a, e, bits);
}

/** %.9g of a positive finite float32 whose first digit has exponent `e` (or one off). */
function nineDigits(a: number, e: number, bits: number): void {
  let scaled = scale(a, 8 - e);
  if (scaled >= 1e9) scaled = scale(a, 8 - ++e);
  else if (scaled < 1e8) scaled = scale(a, 8 - --e);
  const r = Math.floor(scaled);
  const frac = scaled - r;
  if (Math.abs(frac - 0.5) < TOLERANCE) {
    exactFloat(bits);
    return;
  }
  const d = frac > 0.5 ? r + 1 : r;
  if (d === 1e9) setDecimal(1e8, 9, e + 1, 9);
  else setDecimal(d, 9, e, 9);
}

/** %.15g or %.17g of a positive finite double. */
function doubleDigits(a: number): string {
  // V8's toPrecision is correctly rounded except that it breaks exact ties upwards; at 15
  // digits a tie never reads back (it needs 16 digits), so only the 17-digit form needs care.
  const s15 = a.toPrecision(15);
  if (Number(s15) === a) return fromPrecision(s15, 15);
  const s18 = a.toPrecision(18);
  const m18 = mantissaOf(s18);
  if (m18.charCodeAt(m18.length - 1) === 53 /* '5' */) return exactDouble(a);
  return fromPrecision(a.toPrecision(17), 17);
}

/** The digits of a toPrecision result (without point and exponent). */
function mantissaOf(s: string): string {
  const e = s.indexOf("e");
  return (e < 0 ? s : s.slice(0, e)).replace(".", "");
}

/** Re-renders a toPrecision(p) string in %g style. */
function fromPrecision(s: string, p: number): string {
  const ei = s.indexOf("e");
  let digits: string;
  let e: number;
  if (ei >= 0) {
    digits = s.slice(0, ei).replace(".", "");
    e = Number(s.slice(ei + 1));
  } else {
    const dot = s.indexOf(".");
    const intPart = dot < 0 ? s : s.slice(0, dot);
    const all = dot < 0 ? s : intPart + s.slice(dot + 1);
    if (intPart !== "0") {
      digits = all;
      e = intPart.length - 1;
    } else {
      // "0.000ddd": the exponent is minus the position of the first non-zero digit.
      let i = 1;
      while (all.charCodeAt(i) === 48) i++;
      digits = all.slice(i);
      e = -i;
    }
  }
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  return gFormat(digits.slice(0, end), e, p);
}

/**
 * `%g` layout of significant digits `d` (no trailing zeros) whose first digit has decimal
 * exponent `e`: scientific when e < -4 or e >= precision, as C's printf decides.
 */
function gFormat(d: string, e: number, precision: number): string {
  if (e < -4 || e >= precision) {
    const m = d.length > 1 ? d[0] + "." + d.slice(1) : d;
    const ae = e < 0 ? -e : e;
    return m + (e < 0 ? "e-" : "e+") + (ae < 10 ? "0" + ae : String(ae));
  }
  if (e < 0) return "0." + ZEROS.slice(0, -e - 1) + d;
  if (d.length <= e + 1) return d + ZEROS.slice(0, e + 1 - d.length);
  return d.slice(0, e + 1) + "." + d.slice(e + 1);
}

/** Significant digits of M·2^X rounded to `p` digits, ties to even; e is the first digit's exponent. */
function exactRound(m: bigint, x: number, p: number): { digits: string; e: number } {
  const n = x >= 0 ? m << BigInt(x) : m * 5n ** BigInt(-x);
  const s = n.toString();
  let e = s.length - 1 + Math.min(x, 0);
  if (s.length <= p) return { digits: s, e };
  const head = s.slice(0, p);
  const next = s.charCodeAt(p);
  const restZero = /^0*$/.test(s.slice(p + 1));
  const odd = (head.charCodeAt(p - 1) - 48) % 2 === 1;
  const up = next > 53 || (next === 53 && (!restZero || odd));
  let digits = up ? (BigInt(head) + 1n).toString() : head;
  if (digits.length > p) {
    digits = digits.slice(0, p);
    e++;
  }
  return { digits, e };
}

/** Both SimpleFtoa steps in exact arithmetic, for values the fast path cannot settle. */
function exactFloat(bits: number): void {
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  const m = BigInt(exp === 0 ? mant : mant | 0x800000);
  const x = exp === 0 ? -149 : exp - 150;
  const six = exactRound(m, x, 6);
  const r = exp !== 0 && readsBackAsFloat(six.digits, six.e, m, x, mant === 0 && exp > 1) ? six : exactRound(m, x, 9);
  setDecimal(Number(r.digits), r.digits.length, r.e, exp !== 0 && r === six ? 6 : 9);
}

/** Whether strtof of digits·10^(e-len+1) is the float M·2^X (round to nearest, ties to even). */
function readsBackAsFloat(digits: string, e: number, m: bigint, x: number, powerOfTwo: boolean): boolean {
  const q = e - digits.length + 1;
  const t = Math.max(0, -q);
  // Everything times 2^150·10^t is an integer.
  const a = (m << BigInt(x + 150)) * 10n ** BigInt(t);
  const c = (BigInt(digits) * 10n ** BigInt(q + t)) << 150n;
  const even = (m & 1n) === 0n;
  if (c >= a) {
    const half = (1n << BigInt(x + 149)) * 10n ** BigInt(t);
    return c - a < half || (c - a === half && even);
  }
  const half = (1n << BigInt(x + (powerOfTwo ? 148 : 149))) * 10n ** BigInt(t);
  return a - c < half || (a - c === half && even);
}

/** %.17g in exact arithmetic (glibc breaks ties to even where toPrecision rounds up). */
function exactDouble(a: number): string {
  f64[0] = a;
  const hi = u32of64[HI]!;
  const lo = u32of64[1 - HI]!;
  const exp = (hi >>> 20) & 0x7ff;
  const mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  const m = exp === 0 ? mant : mant | (1n << 52n);
  const x = exp === 0 ? -1074 : exp - 1075;
  const r = exactRound(m, x, 17);
  return gFormat(trimZeros(r.digits), r.e, 17);
}

function trimZeros(d: string): string {
  let end = d.length;
  while (end > 1 && d.charCodeAt(end - 1) === 48) end--;
  return d.slice(0, end);
}
