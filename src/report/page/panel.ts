/** The details panel of one layer: Caffe beside PyTorch, shapes, parameters, BatchNorm, lint, verification. */
import type { ReportBlock, ReportData, ReportLayer } from "../model.js";
import { count, h, num, shapeText } from "./dom.js";

function section(title: string, ...children: (Node | string | null)[]): HTMLElement {
  return h("section", {}, h("h3", {}, title), ...children);
}

function rows(entries: [string, string | Node][]): HTMLElement {
  return h("table", {}, ...entries.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v))));
}

function blobRows(names: string[], shapes: ReportLayer["topShapes"]): [string, string][] {
  return names.map((b, i) => [b, shapeText(shapes[i])]);
}

function verification(data: ReportData, layer: ReportLayer): HTMLElement {
  const pill = h("span", { class: `pill ${layer.status}` }, layer.status);
  if (!data.verified) return section("Verification", pill, " ", h("span", { class: "muted" }, "this page was made without a verification, so no layer was compared"));
  const entries: [string, string | Node][] = [
    ["status", pill],
    ["scaled error", num(layer.scaledError)],
    ["max |Caffe − PyTorch|", num(layer.maxAbsError)],
    ["tolerance", num(data.tolerance)],
  ];
  const out = section("Verification", rows(entries));
  if (data.first_divergent === layer.name) {
    out.append(h("p", {}, h("strong", {}, "The first layer where PyTorch leaves Caffe.")));
    if (data.cause?.likely_cause) out.append(h("p", {}, "Likely cause: ", data.cause.likely_cause));
  }
  return out;
}

function batchNorm(data: ReportData, block: ReportBlock): HTMLElement {
  const entries: [string, string | Node][] = [
    ["block", [block.batchnorm, block.scale, block.bias].filter((x) => x !== null).join(" → ")],
    ["module", `${block.module ?? "unknown rank"}(${block.numFeatures ?? "?"})`],
    ["mode", block.mode],
    ["momentum", block.momentum === null ? "None (cumulative average)" : String(block.momentum)],
    ["moving_average_fraction", String(block.movingAverageFraction)],
    ["eps", String(block.eps)],
    ["affine", block.affine ? "yes" : "no"],
    ["gamma/beta frozen", block.frozen ? "yes (lr_mult 0)" : "no"],
    ["running statistics", block.training + (block.lagSteps !== null ? ` (lags ~${count(block.lagSteps)} steps)` : "")],
  ];
  const out = section("BatchNorm mapping", rows(entries));
  for (const note of block.notes) out.append(h("p", { class: "muted" }, note));
  if (block.lagPlot !== null) {
    const plot = data.lagPlots[block.lagPlot]!;
    const holder = h("div", { class: "plot", title: "click to enlarge (click again or Esc to close)", tabindex: 0, role: "button" });
    // 900×700 drawn in a 420px panel is too small to read: a click shows it across the window.
    const toggle = () => holder.classList.toggle("enlarged");
    holder.addEventListener("click", toggle);
    holder.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || (event.key === "Escape" && holder.classList.contains("enlarged"))) {
        event.stopPropagation();
        toggle();
      }
    });
    // Our own SVG (verify's plot.ts escapes every text it draws), not page input.
    holder.innerHTML = plot.svg;
    const where = plot.block === block.batchnorm ? "" : ` (measured on ${plot.block}, which has the same moving_average_fraction)`;
    out.append(h("p", { class: "muted" }, `The plain mapping's lag, channel ${plot.channel}${where} (click to enlarge):`), holder);
  }
  return out;
}

/** Fills `panel` with the layer's details. */
export function showLayer(panel: HTMLElement, data: ReportData, index: number): void {
  const layer = data.graph.layers[index]!;
  const parts: (HTMLElement | null)[] = [];
  parts.push(h("h2", {}, layer.name));
  parts.push(h("div", { class: "muted" }, `${layer.type}${layer.line > 0 ? ` · line ${layer.line}` : ""}`));
  parts.push(verification(data, layer));
  const torch = section("PyTorch", h("pre", {}, layer.torch));
  if (layer.unsupported) torch.append(h("p", { class: "finding error" }, "Not exported: ", layer.unsupported));
  for (const helper of layer.helpers) torch.append(h("p", {}, "Helper ", h("code", {}, helper.name), ` — PyTorch has no module for ${helper.why}.`));
  for (const note of layer.notes) torch.append(h("p", { class: "muted" }, note));
  parts.push(torch);
  parts.push(section("Caffe", layer.prototxt ? h("pre", {}, layer.prototxt) : h("p", { class: "muted" }, "made from the net's input fields")));
  parts.push(section("Shapes", rows([...blobRows(layer.bottoms, layer.bottomShapes).map(([b, v]): [string, string] => [`in ${b}`, v]), ...blobRows(layer.tops, layer.topShapes).map(([b, v]): [string, string] => [`out ${b}`, v])])));
  if (layer.params.length > 0) {
    const table = h("table", {}, h("tr", {}, h("th", {}, "state_dict key"), h("th", {}, "shape"), h("th", {}, "lr/decay mult")));
    for (const p of layer.params) table.append(h("tr", {}, h("td", {}, p.key ?? "—"), h("td", {}, shapeText(p.shape)), h("td", {}, p.kind === "buffer" ? "buffer" : `${p.lrMult} / ${p.decayMult}`)));
    parts.push(section(`Parameters: ${count(layer.parameters)}`, table));
  }
  const block = layer.block === null ? undefined : data.blocks.find((b) => b.batchnorm === layer.block);
  if (block) parts.push(batchNorm(data, block));
  if (layer.lint.length > 0) {
    parts.push(section("Lint", ...layer.lint.map((f) => h("p", { class: `finding ${f.severity}` }, `${f.severity} (${f.rule}, line ${f.line}): ${f.message}`))));
  }
  panel.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  panel.scrollTop = 0;
}
