/**
 * Python literals for generated code. Everything we write is pure ASCII: any other character is
 * written as an escape sequence, so the file decodes the same under any source encoding and a
 * layer name can never end a string, a comment or a docstring early.
 */

/** Named escapes Python recognises in ordinary (non-raw) string literals. */
const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  '"': '\\"',
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function hex(codePoint: number, width: number): string {
  return codePoint.toString(16).padStart(width, "0");
}

/**
 * The body of a double-quoted Python string literal for `text`, without the quotes.
 *
 * Printable ASCII stays as is; control characters and DEL become `\xNN`; other code points become
 * `\xNN`, `\uNNNN` or `\UNNNNNNNN` (Python's escapes, which denote code points, not bytes). A lone
 * UTF-16 surrogate (possible in a JS string) becomes `\uD8xx`, which Python accepts in a `str`.
 * The body is also safe inside a triple-quoted docstring: every `"` is escaped.
 */
export function pyStringBody(text: string): string {
  let out = "";
  // for..of walks code points; a lone surrogate comes out as one unit, which is what we want.
  for (const ch of text) {
    const named = NAMED_ESCAPES[ch];
    if (named !== undefined) {
      out += named;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out;
}

/** A double-quoted Python `str` literal that evaluates to exactly `text`. */
export function pyString(text: string): string {
  return `"${pyStringBody(text)}"`;
}

/**
 * A Python `float` literal that evaluates to exactly `value`, spelled as Python's `repr(float)`
 * spells it (`1e-05`, `0.001`, `1.0`, `1e+16`), so the file reads like Python wrote it.
 *
 * JavaScript's `toExponential()` (no argument) and Python's repr both use the shortest digit
 * string that round-trips the IEEE double, so the value survives exactly. Like repr, we use
 * positional notation when the decimal exponent is in [-4, 16) and otherwise `<digits>e±XX`
 * (at least two exponent digits). -0 keeps its sign; non-finite values use `float(...)`, as
 * Python has no literal for them.
 */
export function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'float("nan")';
  if (value === Infinity) return 'float("inf")';
  if (value === -Infinity) return '-float("inf")';
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const sign = value < 0 ? "-" : "";
  const [mantissa = "0", expText = "0"] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const expSign = exp < 0 ? "-" : "+";
    return `${sign}${digits[0] ?? "0"}${frac}e${expSign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const fracPart = digits.slice(exp + 1);
  return `${sign}${intPart}.${fracPart === "" ? "0" : fracPart}`;
}

/** `True`/`False`. */
export function pyBool(value: boolean): string {
  return value ? "True" : "False";
}

/** A Python `float` literal, or `None` for null. */
export function pyOptionalFloat(value: number | null): string {
  return value === null ? "None" : pyFloat(value);
}

/**
 * A Python dict literal, one entry per line, keys and values already rendered as literals.
 * An empty dict is written `{}` so the generated file stays short.
 */
export function pyDict(entries: readonly (readonly [string, string])[], indent = "    "): string {
  if (entries.length === 0) return "{}";
  const lines = entries.map(([k, v]) => `${indent}${k}: ${v},`);
  return `{\n${lines.join("\n")}\n}`;
}
