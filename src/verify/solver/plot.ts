/**
 * `verify --solver --plot FILE.svg`: Caffe's learning rate per iteration (top) and, below on a log
 * axis, how far the plain mapping and `--exact` are from Caffe after each iteration, with the
 * float32 bound and a mark at every lr change — the momentum drift at an lr change at a glance.
 * Hand-drawn SVG from the same primitives as the BatchNorm lag plot (svg.ts, ticks.ts).
 */
import { attrs, charsThatFit, escapeXml, line, middleEllipsis, polyline, px, text } from "../svg.js";
import { decadeLabel, linearAxis, logAxis, tickLabel } from "../ticks.js";
import type { SolverVerification } from "./types.js";

const WIDTH = 900;
const HEIGHT = 640;
const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";
const COLORS = { lr: "#444444", plain: "#d95f02", exact: "#1f5fbf", bound: "#6a9f3a", change: "#b0b0b0", grid: "#e6e6e6", axis: "#444444" };
const STYLES = {
  lr: { stroke: COLORS.lr, "stroke-width": 2 },
  plain: { stroke: COLORS.plain, "stroke-width": 2 },
  exact: { stroke: COLORS.exact, "stroke-width": 1.6, "stroke-dasharray": "7 4" },
  bound: { stroke: COLORS.bound, "stroke-width": 1.6, "stroke-dasharray": "10 3 2 3" },
  change: { stroke: COLORS.change, "stroke-width": 1, "stroke-dasharray": "3 3" },
};

interface Box {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

function xOf(box: Box, n: number): (k: number) => number {
  return (k) => box.x0 + ((box.x1 - box.x0) * k) / Math.max(1, n - 1);
}

function frame(box: Box, title: string, yLabel: string, n: number, changes: number[], out: string[]): void {
  const x = xOf(box, n);
  for (const k of changes) out.push(line(x(k), box.y0, x(k), box.y1, STYLES.change));
  out.push(`<rect ${attrs({ x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0, fill: "none", stroke: COLORS.axis })}/>`);
  out.push(text(box.x0, box.y0 - 10, title, { "font-size": 13, "font-weight": "bold" }));
  const cy = (box.y0 + box.y1) / 2;
  out.push(text(box.x0 - 58, cy, yLabel, { "text-anchor": "middle", "font-size": 12, transform: `rotate(-90 ${px(box.x0 - 58)} ${px(cy)})` }));
  const axis = linearAxis(0, Math.max(1, n - 1), 8);
  for (const t of axis.ticks) {
    if (t < 0 || t > n - 1 || !Number.isInteger(t)) continue;
    out.push(line(x(t), box.y1, x(t), box.y1 + 5, { stroke: COLORS.axis }));
    out.push(text(x(t), box.y1 + 18, tickLabel(t, 0), { "text-anchor": "middle", "font-size": 11 }));
  }
  out.push(text((box.x0 + box.x1) / 2, box.y1 + 34, "iteration k (Caffe's iter_)", { "text-anchor": "middle", "font-size": 12 }));
}

function curves(id: string, box: Box, series: [ArrayLike<number>, Record<string, string | number>][], y: (v: number) => number, n: number, out: string[]): void {
  out.push(`<clipPath id="${id}"><rect ${attrs({ x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0 })}/></clipPath>`);
  out.push(`<g clip-path="url(#${id})">`);
  for (const [values, style] of series) out.push(polyline(values, xOf(box, n), y, box.x1 - box.x0, style));
  out.push("</g>");
}

function lrPanel(r: SolverVerification, box: Box, out: string[]): void {
  const lrs = r.rows.map((x) => x.lr);
  const axis = linearAxis(Math.min(0, ...lrs), Math.max(...lrs, 1e-12), 4);
  const y = (v: number) => box.y1 - ((box.y1 - box.y0) * (v - axis.min)) / (axis.max - axis.min || 1);
  for (const t of axis.ticks) {
    out.push(line(box.x0, y(t), box.x1, y(t), { stroke: COLORS.grid }));
    out.push(text(box.x0 - 7, y(t) + 4, tickLabel(t, Math.min(10, axis.decimals)), { "text-anchor": "end", "font-size": 11 }));
  }
  curves("clip-lr", box, [[lrs, STYLES.lr]], y, lrs.length, out);
  frame(box, `Caffe's learning rate (lr_policy ${r.lr_policy})`, "lr", lrs.length, r.lr_changes, out);
}

function errorPanel(r: SolverVerification, box: Box, out: string[]): void {
  const plain = r.rows.map((x) => x.plain.error);
  const exact = r.rows.map((x) => x.exact.error);
  const bound = r.rows.map((x) => x.bound);
  const positive = [...plain, ...exact, ...bound].filter((v) => v > 0 && Number.isFinite(v));
  const axis = logAxis(Math.max(Math.min(...positive, 1), 1e-12), Math.max(...positive, 1e-11));
  const floor = Math.pow(10, axis.minExponent);
  const span = axis.maxExponent - axis.minExponent;
  // Exact zeros (bit-identical parameters) sit on the bottom edge.
  const y = (v: number) => box.y1 - ((box.y1 - box.y0) * (Math.log10(Math.max(v, floor)) - axis.minExponent)) / span;
  for (let e = axis.minExponent; e <= axis.maxExponent; e++) {
    const major = axis.ticks.includes(e);
    out.push(line(box.x0, y(Math.pow(10, e)), box.x1, y(Math.pow(10, e)), { stroke: COLORS.grid, "stroke-width": major ? 1 : 0.5 }));
    if (major) out.push(text(box.x0 - 7, y(Math.pow(10, e)) + 4, decadeLabel(e), { "text-anchor": "end", "font-size": 11 }));
  }
  curves("clip-error", box, [[bound, STYLES.bound], [plain, STYLES.plain], [exact, STYLES.exact]], y, r.rows.length, out);
  frame(box, "Distance from Caffe: max |θ − θ_caffe| / max(1, max |θ_caffe|)   (log scale; 0 on the bottom edge)", "scaled error", r.rows.length, r.lr_changes, out);
}

function legend(x: number, y: number, entries: [string, Record<string, string | number>][], out: string[], width: number): void {
  entries.forEach(([label, style], i) => {
    const ex = x + i * width;
    out.push(line(ex, y, ex + 30, y, { fill: "none", ...style }));
    out.push(text(ex + 36, y + 4, label, { "font-size": 12 }));
  });
}

/** The SVG document (UTF-8 text). */
export function renderSolverPlot(r: SolverVerification): string {
  const out: string[] = [];
  const center = { "text-anchor": "middle" } as const;
  const fit = charsThatFit(WIDTH - 32, 17, "bold");
  out.push(text(WIDTH / 2, 30, middleEllipsis(`${r.type} solver: Caffe vs PyTorch (plain torch.optim, --exact)`, fit), { ...center, "font-size": 17, "font-weight": "bold" }));
  const subtitle = `${r.solver} · net ${r.net} · ${r.iterations} iterations, seed ${r.seed}, ≤ ${r.values_per_blob} values per blob`;
  out.push(text(WIDTH / 2, 52, middleEllipsis(subtitle, charsThatFit(WIDTH - 32, 12)), { ...center, "font-size": 12, fill: "#333333" }));
  lrPanel(r, { x0: 100, x1: 880, y0: 90, y1: 220 }, out);
  errorPanel(r, { x0: 100, x1: 880, y0: 300, y1: 560 }, out);
  legend(
    110,
    612,
    [
      [`plain: ${r.plain.optimizer}`, STYLES.plain],
      [`--exact: ${r.exact.optimizer}`, STYLES.exact],
      ["float32 bound", STYLES.bound],
      ["lr change", STYLES.change],
    ],
    out,
    195,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" ${attrs({ width: WIDTH, height: HEIGHT, viewBox: `0 0 ${WIDTH} ${HEIGHT}`, "font-family": FONT })}>`,
    `<title>${escapeXml(`verify --solver: ${r.solver}`)}</title>`,
    `<rect ${attrs({ x: 0, y: 0, width: WIDTH, height: HEIGHT, fill: "#ffffff" })}/>`,
    ...out.filter((part) => part !== ""),
    "</svg>",
    "",
  ].join("\n");
}
