/**
 * The report's two charts as SVG text: the scaled error of every layer against the tolerance (log
 * axis; bars carry `data-chart-layer` so that a click selects the layer), and the solver's learning
 * rate over the iterations. Colours come from the page's CSS classes, so both schemes apply.
 */
import { escapeXml } from "../verify/svg.js";
import type { ReportData, ReportSolver } from "./model.js";

const CHART_HEIGHT = 170;
const PLOT_TOP = 12;
const PLOT_BOTTOM = 140;
const LEFT = 48;
const BAR = 5;
/** The log axis spans 10^FLOOR … 10^ceil(max): float32 agreement sits near 1e-7, exact at 0. */
const FLOOR = -10;

const f1 = (x: number) => x.toFixed(1);

/** Per-layer scaled error, one bar per layer in Caffe's order (HTML: axis and bars); null when nothing was verified. */
export function errorChart(data: ReportData): string | null {
  if (!data.verified || data.tolerance === null) return null;
  const layers = data.graph.layers;
  const errors = layers.map((l) => l.scaledError).filter((e): e is number => e !== null && e > 0);
  const top = Math.max(0, Math.ceil(Math.log10(Math.max(data.tolerance, ...errors, 1e-9))));
  const y = (e: number) => {
    const v = Math.min(top, Math.max(FLOOR, Math.log10(Math.max(e, 10 ** FLOOR))));
    return PLOT_BOTTOM - ((v - FLOOR) / (top - FLOOR)) * (PLOT_BOTTOM - PLOT_TOP);
  };
  const width = layers.length * (BAR + 1) + 12;
  // Two drawings: the axis stays put while the bars of a large net scroll sideways beside it.
  const axis: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${LEFT}" height="${CHART_HEIGHT}" aria-hidden="true">`];
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${CHART_HEIGHT}" role="img" aria-label="scaled error per layer">`];
  for (let d = FLOOR; d <= top; d += 2) {
    out.push(`<line class="axis" x1="0" x2="${width - 6}" y1="${f1(y(10 ** d))}" y2="${f1(y(10 ** d))}"/>`);
    axis.push(`<text x="${LEFT - 4}" y="${f1(y(10 ** d) + 3)}" text-anchor="end">1e${d}</text>`);
  }
  layers.forEach((l, i) => {
    const x = i * (BAR + 1);
    const e = l.scaledError;
    const yTop = e === null ? PLOT_BOTTOM - 3 : y(e);
    const title = `${l.name}: ${e === null ? "not compared" : `scaled error ${e.toExponential(2)}`}`;
    out.push(`<rect class="bar ${l.status}" data-chart-layer="${escapeXml(l.name)}" x="${x}" y="${f1(yTop)}" width="${BAR}" height="${f1(Math.max(1, PLOT_BOTTOM - yTop))}"><title>${escapeXml(title)}</title></rect>`);
  });
  const yt = f1(y(data.tolerance));
  out.push(`<line class="tol" x1="0" x2="${width - 6}" y1="${yt}" y2="${yt}"/>`);
  axis.push(`<line class="tol" x1="${LEFT - 10}" x2="${LEFT}" y1="${yt}" y2="${yt}"/>`);
  axis.push(`<text x="2" y="${CHART_HEIGHT - 10}" text-anchor="start">tol. ${data.tolerance.toExponential(0)}</text>`);
  out.push(`<text x="4" y="${CHART_HEIGHT - 10}">layers in Caffe's order → (dashed: the tolerance)</text>`);
  axis.push("</svg>");
  out.push("</svg>");
  return `<div class="chart-row"><div class="chart-axis">${axis.join("")}</div><div class="chart">${out.join("")}</div></div>`;
}

/** Caffe's learning rate over the iterations (linear axes). */
export function policyChart(solver: ReportSolver): string {
  const width = 520;
  const right = width - 12;
  const points = solver.curve;
  const maxX = Math.max(1, points[points.length - 1]?.[0] ?? 1);
  const maxY = Math.max(...points.map((p) => p[1]), 0) || 1;
  const x = (k: number) => LEFT + (k / maxX) * (right - LEFT);
  const y = (r: number) => PLOT_BOTTOM - (r / maxY) * (PLOT_BOTTOM - PLOT_TOP);
  const d = points.map(([k, r], i) => `${i === 0 ? "M" : "L"}${f1(x(k))},${f1(y(r))}`).join(" ");
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${CHART_HEIGHT}" role="img" aria-label="learning rate by iteration">`);
  out.push(`<line class="axis" x1="${LEFT}" x2="${right}" y1="${PLOT_BOTTOM}" y2="${PLOT_BOTTOM}"/><line class="axis" x1="${LEFT}" x2="${LEFT}" y1="${PLOT_TOP}" y2="${PLOT_BOTTOM}"/>`);
  out.push(`<text x="${LEFT - 4}" y="${PLOT_TOP + 4}" text-anchor="end">${escapeXml(String(Number(maxY.toPrecision(3))))}</text>`);
  out.push(`<text x="${LEFT - 4}" y="${PLOT_BOTTOM}" text-anchor="end">0</text>`);
  out.push(`<text x="${right}" y="${PLOT_BOTTOM + 14}" text-anchor="end">${maxX}</text>`);
  out.push(`<text x="${LEFT}" y="${PLOT_BOTTOM + 14}">0</text>`);
  out.push(`<path class="curve" d="${d}"/>`);
  out.push(`<text x="${(LEFT + right) / 2}" y="${CHART_HEIGHT - 6}" text-anchor="middle">iteration (lr_policy ${escapeXml(solver.policy)})</text>`);
  out.push("</svg>");
  return out.join("");
}
