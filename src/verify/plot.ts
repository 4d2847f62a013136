/**
 * `verify --plot FILE.svg`: the running statistics of one channel per training step under Caffe,
 * PyTorch's plain momentum mapping and the `--exact` emulation, and the gap of each to Caffe — the
 * bias-correction lag at a glance. Drawn as plain SVG by hand (no plotting dependency).
 *
 * Layout: running mean (top left) and running variance (top right) with a shared legend, and below,
 * across the width, the scaled gap |PyTorch − Caffe| / max(1, |Caffe|) on a log axis, with the
 * predicted lag f^k·|init − Caffe| and the tolerance verify applies.
 */
import type { ChannelSeries } from "./block.js";
import { attrs, charsThatFit, escapeXml, line, middleEllipsis, polyline, px, text } from "./svg.js";
import { decadeLabel, linearAxis, logAxis, tickLabel } from "./ticks.js";
import { statisticsTolerance } from "./tolerance.js";

/** What the plot shows besides the series. */
export interface PlotContext {
  /** The prototxt, as given. */
  readonly source: string;
  readonly net: string | null;
  readonly batch: number;
  readonly seed: number;
  /** The run's tolerance (the gap panel draws the statistics tolerance built on it). */
  readonly tolerance: number;
}

const WIDTH = 900;
const HEIGHT = 700;
const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";
const COLORS = { caffe: "#9a9a9a", plain: "#d95f02", exact: "#1f5fbf", predicted: "#222222", tolerance: "#6a9f3a", grid: "#e6e6e6", axis: "#444444" };

interface Box {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

interface Curve {
  readonly values: ArrayLike<number>;
  readonly style: Record<string, string | number | undefined>;
}

/** The x mapping shared by all panels: step k (index k − 1) over [1, K]. */
function xScale(box: Box, steps: number): (index: number) => number {
  const span = Math.max(1, steps - 1);
  return (index) => box.x0 + ((box.x1 - box.x0) * index) / span;
}

function xAxis(box: Box, steps: number, out: string[]): void {
  const axis = linearAxis(1, Math.max(2, steps), 6);
  const x = (step: number) => box.x0 + ((box.x1 - box.x0) * (step - 1)) / Math.max(1, steps - 1);
  for (const t of axis.ticks) {
    if (t < 1 || t > steps) continue;
    out.push(line(x(t), box.y1, x(t), box.y1 + 5, { stroke: COLORS.axis }));
    out.push(text(x(t), box.y1 + 18, tickLabel(t, 0), { "text-anchor": "middle", "font-size": 11 }));
  }
  out.push(text((box.x0 + box.x1) / 2, box.y1 + 36, "training step k", { "text-anchor": "middle", "font-size": 12 }));
}

function frame(box: Box, title: string, yLabel: string, out: string[]): void {
  out.push(`<rect ${attrs({ x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0, fill: "none", stroke: COLORS.axis })}/>`);
  out.push(text(box.x0, box.y0 - 10, title, { "font-size": 13, "font-weight": "bold" }));
  const cy = (box.y0 + box.y1) / 2;
  out.push(text(box.x0 - 52, cy, yLabel, { "text-anchor": "middle", "font-size": 12, transform: `rotate(-90 ${px(box.x0 - 52)} ${px(cy)})` }));
}

function clip(id: string, box: Box): string {
  return `<clipPath id="${id}"><rect ${attrs({ x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0 })}/></clipPath>`;
}

/** The curves of a panel, clipped to its box, then its frame and step axis (both panel kinds). */
function plotCurves(id: string, box: Box, title: string, yLabel: string, curves: Curve[], steps: number, y: (v: number) => number, out: string[]): void {
  out.push(clip(id, box));
  const x = xScale(box, steps);
  out.push(`<g clip-path="url(#${id})">`);
  for (const c of curves) out.push(polyline(c.values, x, y, box.x1 - box.x0, c.style));
  out.push("</g>");
  frame(box, title, yLabel, out);
  xAxis(box, steps, out);
}

function linearPanel(id: string, box: Box, title: string, yLabel: string, curves: Curve[], steps: number, out: string[]): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of curves) for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i] as number;
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const axis = linearAxis(lo, hi, 5);
  const y = (v: number) => box.y1 - ((box.y1 - box.y0) * (v - axis.min)) / (axis.max - axis.min);
  for (const t of axis.ticks) {
    out.push(line(box.x0, y(t), box.x1, y(t), { stroke: COLORS.grid }));
    out.push(text(box.x0 - 7, y(t) + 4, tickLabel(t, axis.decimals), { "text-anchor": "end", "font-size": 11 }));
  }
  plotCurves(id, box, title, yLabel, curves, steps, y, out);
}

function logPanel(id: string, box: Box, title: string, yLabel: string, curves: Curve[], steps: number, out: string[]): void {
  let lo = Infinity;
  let hi = 0;
  for (const c of curves) for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i] as number;
    if (v > 0 && Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const axis = logAxis(Math.max(lo, 1e-12), Math.max(hi, 1e-11));
  const span = axis.maxExponent - axis.minExponent;
  const floor = Math.pow(10, axis.minExponent);
  // Exact zeros (bit-identical values) sit on the bottom edge.
  const y = (v: number) => box.y1 - ((box.y1 - box.y0) * (Math.log10(Math.max(v, floor)) - axis.minExponent)) / span;
  for (let e = axis.minExponent; e <= axis.maxExponent; e++) {
    const major = axis.ticks.includes(e);
    out.push(line(box.x0, y(Math.pow(10, e)), box.x1, y(Math.pow(10, e)), { stroke: COLORS.grid, "stroke-width": major ? 1 : 0.5 }));
    if (major) out.push(text(box.x0 - 7, y(Math.pow(10, e)) + 4, decadeLabel(e), { "text-anchor": "end", "font-size": 11 }));
  }
  plotCurves(id, box, title, yLabel, curves, steps, y, out);
}

function legend(x: number, y: number, entries: [string, Record<string, string | number | undefined>][], out: string[], columnWidth: number): void {
  entries.forEach(([label, style], i) => {
    const ex = x + i * columnWidth;
    out.push(line(ex, y, ex + 30, y, { fill: "none", ...style }));
    out.push(text(ex + 36, y + 4, label, { "font-size": 12 }));
  });
}

const STYLES = {
  caffe: { stroke: COLORS.caffe, "stroke-width": 6, "stroke-linecap": "round" },
  plain: { stroke: COLORS.plain, "stroke-width": 2 },
  exact: { stroke: COLORS.exact, "stroke-width": 1.6, "stroke-dasharray": "7 4" },
};

function scaledGaps(torch: Float64Array, caffe: Float64Array): Float64Array {
  return torch.map((t, i) => Math.abs(t - (caffe[i] as number)) / Math.max(1, Math.abs(caffe[i] as number)));
}

function predictedGaps(f: number, w0: number, init: number, caffe: Float64Array): Float64Array {
  return caffe.map((c, i) => Math.abs(w0 * Math.pow(f, i + 1) * (init - c)) / Math.max(1, Math.abs(c)));
}

/** Left and right margin of the title lines. */
const TITLE_MARGIN = 16;

/**
 * The title and subtitle, centred and kept inside the picture: a long block name or prototxt path is
 * shortened in the middle, and a subtitle too long for one line puts the net and its path on a line
 * of their own above the settings.
 */
function titleLines(s: ChannelSeries, context: PlotContext, steps: number): string[] {
  const width = WIDTH - 2 * TITLE_MARGIN;
  const center = { "text-anchor": "middle" } as const;
  const titleFit = charsThatFit(width, 17, "bold");
  const titleRest = `Running statistics of , channel ${s.channel}: Caffe vs PyTorch`;
  const block = middleEllipsis(s.block, Math.max(12, titleFit - Array.from(titleRest).length));
  const title = text(WIDTH / 2, 30, middleEllipsis(`Running statistics of ${block}, channel ${s.channel}: Caffe vs PyTorch`, titleFit), { ...center, "font-size": 17, "font-weight": "bold" });
  const f = s.movingAverageFraction;
  const name = context.net === null ? context.source : `${context.net} (${context.source})`;
  const settings = `moving_average_fraction f = ${f.toPrecision(6).replace(/\.?0+$/, "")}, momentum ${s.momentum ?? "None"} · ${steps} steps, batch ${context.batch}, seed ${context.seed}`;
  const fit = charsThatFit(width, 12);
  const style = { ...center, "font-size": 12, fill: "#333333" };
  const oneLine = `${name} · ${settings}`;
  if (Array.from(oneLine).length <= fit) return [title, text(WIDTH / 2, 52, oneLine, style)];
  return [title, text(WIDTH / 2, 50, middleEllipsis(name, fit), style), text(WIDTH / 2, 66, middleEllipsis(settings, fit), style)];
}

/** The SVG document (UTF-8 text). */
export function renderLagPlot(s: ChannelSeries, context: PlotContext): string {
  const steps = s.caffeMean.length;
  const f = s.movingAverageFraction;
  const out: string[] = [];
  out.push(...titleLines(s, context, steps));

  const mean: Box = { x0: 90, x1: 440, y0: 95, y1: 300 };
  const variance: Box = { x0: 540, x1: 880, y0: 95, y1: 300 };
  const curves = (caffe: Float64Array, plain: Float64Array, exact: Float64Array): Curve[] => [
    { values: caffe, style: STYLES.caffe },
    { values: plain, style: STYLES.plain },
    { values: exact, style: STYLES.exact },
  ];
  linearPanel("clip-mean", mean, "Running mean", "running_mean", curves(s.caffeMean, s.plainMean, s.exactMean), steps, out);
  linearPanel("clip-var", variance, "Running variance", "running_var", curves(s.caffeVar, s.plainVar, s.exactVar), steps, out);
  legend(
    110,
    370,
    [
      ["Caffe: sum / s", STYLES.caffe],
      [`PyTorch plain: momentum = 1 − f`, STYLES.plain],
      ["PyTorch --exact: momentum = 1/s", STYLES.exact],
    ],
    out,
    260,
  );

  const gap: Box = { x0: 90, x1: 880, y0: 420, y1: 610 };
  const tolerance = new Float64Array(steps).map((_, i) => statisticsTolerance(context.tolerance, i + 1, f));
  const gapStyles = {
    plainMean: { stroke: COLORS.plain, "stroke-width": 2 },
    plainVar: { stroke: COLORS.plain, "stroke-width": 2, "stroke-dasharray": "2 3" },
    predicted: { stroke: COLORS.predicted, "stroke-width": 1.6, "stroke-dasharray": "1.5 5", "stroke-linecap": "round" },
    exactMean: { stroke: COLORS.exact, "stroke-width": 1.4 },
    exactVar: { stroke: COLORS.exact, "stroke-width": 1.4, "stroke-dasharray": "2 3" },
    tolerance: { stroke: COLORS.tolerance, "stroke-width": 1.6, "stroke-dasharray": "10 3 2 3" },
  };
  logPanel(
    "clip-gap",
    gap,
    "Gap to Caffe: |PyTorch − Caffe| / max(1, |Caffe|)   (log scale; 0 is drawn on the bottom edge)",
    "scaled gap",
    [
      { values: tolerance, style: gapStyles.tolerance },
      { values: scaledGaps(s.plainMean, s.caffeMean), style: gapStyles.plainMean },
      { values: scaledGaps(s.plainVar, s.caffeVar), style: gapStyles.plainVar },
      { values: predictedGaps(f, s.startWeight, s.initMean, s.caffeMean), style: gapStyles.predicted },
      { values: predictedGaps(f, s.startWeight, s.initVar, s.caffeVar), style: gapStyles.predicted },
      { values: scaledGaps(s.exactMean, s.caffeMean), style: gapStyles.exactMean },
      { values: scaledGaps(s.exactVar, s.caffeVar), style: gapStyles.exactVar },
    ],
    steps,
    out,
  );
  legend(
    110,
    662,
    [
      ["plain, mean", gapStyles.plainMean],
      ["plain, variance", gapStyles.plainVar],
      [s.startWeight === 1 ? "predicted fᵏ·|init − Caffe|" : "predicted w₀·fᵏ·|init − Caffe|", gapStyles.predicted],
    ],
    out,
    230,
  );
  legend(
    110,
    684,
    [
      ["--exact, mean", gapStyles.exactMean],
      ["--exact, variance", gapStyles.exactVar],
      ["verify's tolerance", gapStyles.tolerance],
    ],
    out,
    230,
  );

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" ${attrs({ width: WIDTH, height: HEIGHT, viewBox: `0 0 ${WIDTH} ${HEIGHT}`, "font-family": FONT })}>`,
    `<title>${escapeXml(`verify: running statistics of ${s.block}, channel ${s.channel}`)}</title>`,
    `<rect ${attrs({ x: 0, y: 0, width: WIDTH, height: HEIGHT, fill: "#ffffff" })}/>`,
    ...out.filter((part) => part !== ""),
    "</svg>",
    "",
  ].join("\n");
}
