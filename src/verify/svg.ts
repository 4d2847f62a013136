/**
 * Small SVG building blocks for the verify plot: escaped text, attributes, and polylines thinned to
 * the pixels they cover. Output is plain SVG 1.1 that browsers, rsvg-convert and ImageMagick render.
 */

/**
 * Characters XML 1.0 does not allow at all, not even as character references: C0 controls other
 * than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF. With the `u` flag the surrogate range
 * only matches unpaired halves.
 */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/gu;

/**
 * Escapes text for XML content and attribute values. A name from the prototxt may hold any
 * character; those XML forbids are shown as `U+XXXX`, so the file stays well-formed.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[ch] as string)
    .replace(NOT_XML, (ch) => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`);
}

/** A number for an SVG coordinate: at most two decimals. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** `name="value"` pairs; undefined values are left out. */
export function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => `${name}="${escapeXml(typeof value === "number" ? px(value) : value)}"`)
    .join(" ");
}

/** A `<text>` element. */
export function text(x: number, y: number, content: string, extra: Record<string, string | number | undefined> = {}): string {
  return `<text ${attrs({ x, y, ...extra })}>${escapeXml(content)}</text>`;
}

/** A `<line>` element. */
export function line(x1: number, y1: number, x2: number, y2: number, extra: Record<string, string | number | undefined> = {}): string {
  return `<line ${attrs({ x1, y1, x2, y2, ...extra })}/>`;
}

/**
 * The indices worth drawing of a series of `count` points spread over `pixels` horizontal pixels:
 * every point when they fit, else per bucket of points the first, the lowest, the highest and the
 * last (in index order), so spikes and the envelope survive thinning.
 */
export function thinIndices(values: ArrayLike<number>, count: number, pixels: number): number[] {
  const budget = Math.max(2, Math.floor(pixels));
  if (count <= budget * 2) return Array.from({ length: count }, (_, i) => i);
  const bucket = Math.ceil(count / budget);
  const out: number[] = [];
  for (let start = 0; start < count; start += bucket) {
    const end = Math.min(count, start + bucket);
    let lo = start;
    let hi = start;
    for (let i = start; i < end; i++) {
      if ((values[i] as number) < (values[lo] as number)) lo = i;
      if ((values[i] as number) > (values[hi] as number)) hi = i;
    }
    const picks = [...new Set([start, lo, hi, end - 1])].sort((a, b) => a - b);
    out.push(...picks);
  }
  return out;
}

/** A `<polyline>` through (x(i), y(values[i])), thinned to the pixel width; skips non-finite values. */
export function polyline(
  values: ArrayLike<number>,
  x: (index: number) => number,
  y: (value: number) => number,
  pixels: number,
  style: Record<string, string | number | undefined>,
): string {
  const points: string[] = [];
  for (const i of thinIndices(values, values.length, pixels)) {
    const v = values[i] as number;
    if (Number.isFinite(v)) points.push(`${px(x(i))},${px(y(v))}`);
  }
  if (points.length === 0) return "";
  return `<polyline ${attrs({ points: points.join(" "), fill: "none", "stroke-linejoin": "round", ...style })}/>`;
}

/**
 * A generous average advance per em of the fonts the plot names (DejaVu Sans: digits 0.64, lower
 * case about 0.6, `/` and `.` about 0.33; Helvetica and Arial are narrower), for bold text a little
 * more. Used to keep text inside the picture without measuring it, which SVG cannot do in advance.
 */
const EM_ADVANCE = { normal: 0.62, bold: 0.68 } as const;

/** How many characters of `fontSize`-pixel text fit in `width` pixels, by {@link EM_ADVANCE}. */
export function charsThatFit(width: number, fontSize: number, weight: keyof typeof EM_ADVANCE = "normal"): number {
  return Math.max(1, Math.floor(width / (fontSize * EM_ADVANCE[weight])));
}

/**
 * `text` cut to at most `max` characters (code points) by replacing its middle with "…": a long path
 * keeps its start and its file name, where a cut edge would lose one of them.
 */
export function middleEllipsis(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const keep = Math.max(0, max - 1);
  const head = Math.ceil(keep / 2);
  return `${chars.slice(0, head).join("")}…${chars.slice(chars.length - (keep - head)).join("")}`;
}
