/**
 * `renderReportPage(data)`: the whole report as one HTML file that works offline — style, script
 * (the page code with dagre bundled in, src/report/generated/page-assets.ts, made at build time)
 * and data inline; a Content-Security-Policy that allows no request at all.
 */
import { escapeXml } from "../verify/svg.js";
import { errorChart, policyChart } from "./charts.js";
import { LAYOUT_LIBRARY, PAGE_SCRIPT, PAGE_STYLE } from "./generated/page-assets.js";
import type { ReportData } from "./model.js";

/** Nothing may be fetched: no connection, no font, no image from outside the page. */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const esc = escapeXml;

/** JSON for a `<script type="application/json">`: `<` escaped so that no text can end the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

function verdict(data: ReportData): string {
  if (!data.verified) return `<span class="verdict unchecked" title="no verification in this report">not verified</span>`;
  const diverged = data.graph.layers.filter((l) => l.status === "diverged").length;
  if (data.first_divergent !== null) return `<span class="verdict diverged">diverges at ${esc(data.first_divergent)} (${plural(diverged, "layer")})</span>`;
  const ok = data.graph.layers.filter((l) => l.status === "ok").length;
  return `<span class="verdict ok">agrees: ${plural(ok, "layer")} within ${data.tolerance}</span>`;
}

/** The panel's content before anything is selected: the net at a glance. */
function overview(data: ReportData): string {
  const layers = data.graph.layers;
  const helpers = [...new Map(layers.flatMap((l) => l.helpers).map((h) => [h.name, h.why])).entries()];
  const stubs = layers.filter((l) => l.unsupported !== null);
  const out: string[] = [];
  out.push(`<h2>${esc(data.title)}</h2><div class="muted">${esc(data.source)} · ${data.phase} phase</div>`);
  out.push(`<h3>Net</h3><table>`);
  out.push(`<tr><th>layers</th><td>${layers.length} in ${data.graph.nodes.filter((n) => n.layers.length > 0).length} nodes</td></tr>`);
  out.push(`<tr><th>parameters</th><td>${data.parameters.toLocaleString("en-US")}</td></tr>`);
  out.push(`<tr><th>inputs</th><td>${esc(data.graph.inputs.join(", ") || "none")}</td></tr>`);
  out.push(`<tr><th>outputs</th><td>${esc(data.graph.outputs.join(", ") || "none")}</td></tr>`);
  out.push(`<tr><th>BatchNorm blocks</th><td>${data.blocks.length}</td></tr>`);
  if (data.weights !== null) out.push(`<tr><th>weights</th><td>${esc(data.weights)} (every blob fits its layer)</td></tr>`);
  out.push(`</table>`);
  if (helpers.length > 0) {
    out.push(`<h3>Helpers (Caffe behaviours PyTorch has no module for)</h3>`);
    for (const [name, why] of helpers) out.push(`<p><code>${esc(name)}</code> — ${esc(why)}</p>`);
  }
  if (stubs.length > 0) out.push(`<h3>Not exported</h3>${stubs.map((l) => `<p class="finding error">${esc(l.name)} (${esc(l.type)}): ${esc(l.unsupported ?? "")}</p>`).join("")}`);
  if (data.lint.length > 0) out.push(`<h3>Lint (the net as a whole)</h3>${data.lint.map((f) => `<p class="finding ${f.severity}">${f.severity} (${esc(f.rule)}, line ${f.line}): ${esc(f.message)}</p>`).join("")}`);
  out.push(`<p class="muted">Click a layer, or press <kbd>j</kbd>/<kbd>k</kbd> to walk the layers in Caffe's order.</p>`);
  return out.join("");
}

function legend(): string {
  const item = (swatch: string, text: string) => `<span class="item"><span class="swatch" style="${swatch}"></span>${text}</span>`;
  const mark = (label: string, colour: string, text: string) => `<span class="item"><b style="color:${colour}">${label}</b> ${text}</span>`;
  return `<section id="legend"><h2>Legend</h2><div class="legend">
${item("background:var(--ok0)", "agrees, error ≪ tolerance")}
${item("background:var(--ok1)", "agrees, error 1–50 % of the tolerance")}
${item("background:var(--ok2)", "agrees, error near the tolerance")}
${item("background:var(--bad);border-color:var(--badstroke)", "diverged")}
${item("background:var(--unchecked)", "not checked")}
${item("background:var(--input)", "net input")}
${item("background:var(--output)", "net output")}
${item("background:var(--stub)", "not exported ✕")}
${mark("H", "var(--accent)", "Caffe helper module")}
${mark("!", "#e37400", "lint findings")}
</div><p class="muted">A box is a layer with the in-place layers on its top (ReLU, BatchNorm, Scale…); arrows are blobs.</p>
<details class="keys"><summary>Keys</summary><table>
<tr><td><kbd>/</kbd></td><td>search layers by name; Enter / Shift+Enter: next / previous match</td></tr>
<tr><td><kbd>j</kbd> <kbd>k</kbd> <kbd>→</kbd> <kbd>←</kbd></td><td>next / previous layer in Caffe's order</td></tr>
<tr><td><kbd>↓</kbd> <kbd>↑</kbd></td><td>follow the blobs: next / previous layer along the data</td></tr>
<tr><td><kbd>n</kbd> <kbd>N</kbd></td><td>next / previous search match, else diverged layer</td></tr>
<tr><td><kbd>+</kbd> <kbd>−</kbd> <kbd>f</kbd> <kbd>Esc</kbd></td><td>zoom in, out, fit; drag to pan, wheel to zoom</td></tr>
</table></details></section>`;
}

function solverSection(data: ReportData): string {
  const s = data.solver;
  if (s === null) return "";
  const groups = s.groups
    .map((g) => `<tr><td>${g.lrMult}</td><td>${g.decayMult}</td><td>${g.lr}</td><td>${g.weightDecay}</td><td>${g.params.length}</td><td class="muted">${esc(g.params.slice(0, 4).join(", "))}${g.params.length > 4 ? ", …" : ""}</td></tr>`)
    .join("");
  const frozen = s.frozen.length > 0 ? `<p>Frozen (lr_mult 0, requires_grad=False): ${esc(s.frozen.slice(0, 8).join(", "))}${s.frozen.length > 8 ? `, … (${s.frozen.length})` : ""}</p>` : "";
  const differences = s.differences.map((d) => `<p class="muted">${esc(d)}</p>`).join("");
  return `<section id="solver"><h2>Solver</h2><p><code>${esc(s.file)}</code>: ${esc(s.type)}, lr_policy ${esc(s.policy)}, base_lr ${s.baseLr}, max_iter ${s.maxIter}</p>
<div class="side-by-side"><div><table class="groups"><tr><th>lr_mult</th><th>decay_mult</th><th>lr</th><th>weight_decay</th><th>tensors</th><th></th></tr>${groups}</table>${frozen}${differences}</div>
<div class="chart">${policyChart(s)}</div></div></section>`;
}

/** The report page for `data`: one self-contained HTML document. */
export function renderReportPage(data: ReportData): string {
  const chart = errorChart(data);
  const layers = data.graph.layers.length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(data.generator)}; layout: ${esc(LAYOUT_LIBRARY)}">
<title>${esc(data.title)} — caffe2torch report</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1 title="${esc(data.source)}">${esc(data.title)}</h1>
<span class="summary">${data.phase} · ${layers} layers · ${data.parameters.toLocaleString("en-US")} parameters</span>
${verdict(data)}
<div class="tools">
<input id="search" type="search" placeholder="Search layers ( / )" aria-label="search layers by name" autocomplete="off">
<span id="search-count" aria-live="polite"></span>
<button id="fit" type="button" title="fit the graph (f)">Fit</button>
<button id="theme" type="button" title="switch light / dark">Light/Dark</button>
</div>
</header>
<main>
<div id="graph" tabindex="-1"><svg id="canvas" xmlns="http://www.w3.org/2000/svg" aria-label="the net as a graph"></svg></div>
<aside id="panel" aria-live="polite"></aside>
</main>
<footer>
${chart === null ? "" : `<section id="errors"><h2>Scaled error per layer</h2>${chart}</section>`}
${solverSection(data)}
${legend()}
</footer>
<template id="overview">${overview(data)}</template>
<script type="application/json" id="caffe2torch-report">${scriptJson(data)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
