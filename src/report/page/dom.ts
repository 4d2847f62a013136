/** Small DOM helpers: every text goes in as a text node, never as markup (layer names are data). */

export const SVG_NS = "http://www.w3.org/2000/svg";

type Child = Node | string | null | undefined | false;

/** An HTML element with attributes and children (strings become text nodes). */
export function h(tag: string, attrs: Record<string, string | number | undefined> = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/** An SVG element with attributes and children. */
export function s(tag: string, attrs: Record<string, string | number | undefined> = {}, ...children: Child[]): SVGElement {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/** `text` cut to `max` characters with an ellipsis. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** A shape as `1×3×224×224` (`?` for an unknown dim; `unknown` for an unknown rank). */
export function shapeText(shape: readonly (number | null)[] | null | undefined): string {
  if (!shape) return "unknown";
  return shape.length === 0 ? "scalar" : shape.map((d) => (d === null ? "?" : String(d))).join("×");
}

/** A number in a few significant digits. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined) return "–";
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(2);
}

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
