/**
 * The graph view: lays the nodes out with dagre (layered, top to bottom) and draws them as SVG,
 * one `<g data-layer data-status>` per Caffe layer; pans with the mouse, zooms with the wheel.
 */
import dagre from "@dagrejs/dagre";
import type { ReportData, ReportLayer, ReportNode } from "../model.js";
import { cut, s, shapeText } from "./dom.js";

const NODE_WIDTH = 220;
const STEP_HEIGHT = 32;
const FOOT_HEIGHT = 16;
const MARKER_HEIGHT = 28;
/** Characters of 12px text that fit a node's width beside its marks. */
const NAME_CHARS = 27;
const SUB_CHARS = 33;
/** Below this scale node text (11–12px) is too small to read. */
const READABLE = 0.7;
/** Nodes above which dagre's crossing-reduction sweeps are skipped (see drawGraph). */
const ORDER_SWEEP_LIMIT = 150;
/** The scale a large net opens at. */
const OPEN_SCALE = 0.85;

/** What the view hands back: the element of each layer, and how to move the camera. */
export interface GraphView {
  steps: SVGGElement[];
  nodeOfLayer: number[];
  nodeElements: SVGGElement[];
  centerOn(layer: number, minScale?: number): void;
  /** Puts a label above the node of a layer (the first divergence). */
  tag(layer: number, text: string): void;
  /** Fits the whole graph; with `whole` false, a graph too large to read whole shows its start instead. */
  fit(whole?: boolean): void;
  zoom(factor: number): void;
  layoutMs: number;
}

/** A short word for what the layer became, for the node (the panel has the whole line). */
function torchShort(layer: ReportLayer): string {
  switch (layer.call) {
    case "module":
      return layer.torch.replace(/\(.*$/s, "");
    case "expr":
      return layer.torch;
    case "fused":
      return "fused into BatchNorm";
    case "input":
      return "forward() argument";
    case "alias":
      return "alias";
    case "none":
      return "not computed";
    default:
      return "not exported";
  }
}

/** Colour level of a checked layer: its scaled error's distance below the tolerance. */
export function errorLevel(layer: ReportLayer, tolerance: number | null): number {
  if (layer.status !== "ok" || layer.scaledError === null || tolerance === null || tolerance <= 0) return 0;
  const ratio = layer.scaledError / tolerance;
  return ratio < 1e-2 ? 0 : ratio < 0.5 ? 1 : 2;
}

function nodeHeight(node: ReportNode): number {
  return node.role !== "layer" && node.layers.length === 0 ? MARKER_HEIGHT : node.layers.length * STEP_HEIGHT + FOOT_HEIGHT + 6;
}

/** Escapes text for markup (names from the prototxt are data, never markup). */
function x(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => (ch === "&" ? "&amp;" : ch === "<" ? "&lt;" : ch === ">" ? "&gt;" : "&quot;"));
}

/** An element as markup: attributes escaped, children already markup. */
function el(tag: string, attrs: Record<string, string | number>, ...children: string[]): string {
  const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${x(String(v))}"`).join("");
  return `<${tag}${a}>${children.join("")}</${tag}>`;
}

function stepMarkup(data: ReportData, index: number, y: number): string {
  const layer = data.graph.layers[index]!;
  const marks: string[] = [];
  const mark = (label: string, cls: string, title: string) => {
    marks.push(el("text", { class: `mark ${cls}`, x: NODE_WIDTH - 8 - 12 * marks.length, y: y + 14, "text-anchor": "end" }, x(label), el("title", {}, x(title))));
  };
  if (layer.unsupported) mark("✕", "bad", "not exported: " + layer.unsupported);
  if (layer.helpers.length > 0) mark("H", "helper", "needs the helper " + layer.helpers.map((h) => h.name).join(", "));
  if (layer.lint.length > 0) mark("!", "lint", `${layer.lint.length} lint finding${layer.lint.length === 1 ? "" : "s"}`);
  return el(
    "g",
    {
      class: `step${layer.unsupported ? " stub" : ""}`,
      "data-layer": layer.name,
      "data-status": layer.status,
      "data-level": errorLevel(layer, data.tolerance),
      "data-index": index,
      tabindex: -1,
      role: "button",
      "aria-label": `${layer.name} (${layer.type}), ${layer.status}`,
    },
    el("rect", { class: "bg", x: 2, y: y + 1, width: NODE_WIDTH - 4, height: STEP_HEIGHT - 2, rx: 3 }),
    el("text", { class: "name", x: 8, y: y + 14 }, x(cut(layer.name, NAME_CHARS - marks.length * 2))),
    el("text", { class: "sub", x: 8, y: y + 27 }, x(cut(`${layer.type} → ${torchShort(layer)}`, SUB_CHARS))),
    ...marks,
    el("title", {}, x(`${layer.name} (${layer.type})`)),
  );
}

/** Lays out and draws the graph into `svg`; returns the handles the page needs. */
export function drawGraph(svg: SVGSVGElement, data: ReportData): GraphView {
  const { nodes, edges, layers } = data.graph;
  const started = performance.now();
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 34, edgesep: 10, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_WIDTH, height: nodeHeight(n) });
  for (const e of edges) g.setEdge(e.from, e.to);
  // dagre's crossing reduction sweeps the ranks many times over; on a large net it costs more than
  // the rest of the layout (DenseNet-121: 2.9 s with it, 1.0 s without, same size), and its initial
  // order (a depth-first walk) already keeps a CNN's branches apart.
  dagre.layout(g, { disableOptimalOrderHeuristic: nodes.length > ORDER_SWEEP_LIMIT });
  const layoutMs = performance.now() - started;

  // Markup, parsed once: thousands of createElementNS calls cost several times more.
  const out: string[] = [];
  out.push(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M0,0 L10,5 L0,10 z"/></marker></defs><g id="viewport"><g class="edges">`);
  for (const e of edges) {
    const points: { x: number; y: number }[] = g.edge(e.from, e.to)?.points ?? [];
    if (points.length < 2) continue;
    const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    out.push(el("path", { class: "edge", d, "marker-end": "url(#arrow)" }, el("title", {}, x(`${e.blob} ${shapeText(e.shape)}`))));
  }
  out.push(`</g><g class="nodes">`);
  const nodeOfLayer: number[] = new Array(layers.length);
  nodes.forEach((n, ni) => {
    const box = g.node(n.id);
    const height = nodeHeight(n);
    const parts: string[] = [el("rect", { class: "box", width: NODE_WIDTH, height, rx: 6 })];
    if (n.layers.length === 0) parts.push(el("text", { class: "name", x: 10, y: 18 }, x(cut(`${n.role === "output" ? "output" : "input"}: ${n.blob ?? ""}`, NAME_CHARS + 2))));
    n.layers.forEach((li, k) => {
      parts.push(stepMarkup(data, li, 3 + k * STEP_HEIGHT));
      nodeOfLayer[li] = ni;
    });
    if (n.layers.length > 0) {
      const last = layers[n.layers[n.layers.length - 1]!]!;
      const shape = last.topShapes.length > 0 ? last.topShapes.map(shapeText).join(", ") : "no top";
      parts.push(el("text", { class: "sub", x: 8, y: height - 6 }, x(cut(`→ ${shape}`, SUB_CHARS))));
    }
    const diverged = n.layers.some((li) => layers[li]!.status === "diverged");
    const attrs: Record<string, string | number> = { class: `node ${n.role}${diverged ? " has-diverged" : ""}`, "data-node": n.id, transform: `translate(${(box.x - NODE_WIDTH / 2).toFixed(1)},${(box.y - height / 2).toFixed(1)})` };
    if (n.layers.length === 0) attrs["data-blob"] = n.blob ?? "";
    out.push(el("g", attrs, ...parts));
  });
  out.push("</g></g>");
  svg.innerHTML = out.join("");
  const root = svg.querySelector("#viewport") as SVGGElement;
  const nodeElements = [...svg.querySelectorAll<SVGGElement>("g.node")];
  const steps: SVGGElement[] = new Array(layers.length);
  for (const step of svg.querySelectorAll<SVGGElement>("g.step")) steps[Number(step.getAttribute("data-index"))] = step;

  const graphSize = g.graph() as { width?: number; height?: number };
  const width = graphSize.width ?? 0;
  const height = graphSize.height ?? 0;
  let k = 1;
  let tx = 0;
  let ty = 0;
  const apply = () => root.setAttribute("transform", `translate(${tx.toFixed(1)},${ty.toFixed(1)}) scale(${k.toFixed(4)})`);
  const viewport = () => svg.getBoundingClientRect();
  const clampScale = (v: number) => Math.min(3, Math.max(0.03, v));

  const view: GraphView = {
    steps,
    nodeOfLayer,
    nodeElements,
    layoutMs,
    tag(layer, text) {
      const element = nodeElements[nodeOfLayer[layer]!]!;
      element.append(s("text", { class: "tag", x: 0, y: -7 }, text));
    },
    centerOn(layer, minScale = 0.9) {
      const n = nodes[nodeOfLayer[layer]!]!;
      const box = g.node(n.id);
      const r = viewport();
      k = clampScale(Math.max(k, minScale));
      tx = r.width / 2 - box.x * k;
      ty = r.height / 2 - box.y * k;
      apply();
    },
    fit(whole = true) {
      const r = viewport();
      k = clampScale(Math.min(1, r.width / Math.max(1, width), r.height / Math.max(1, height)));
      // Opening a large net fitted whole would be unreadable: show where it starts (its first
      // node: the top of a deep net, somewhere along a wide one) at a readable scale instead.
      if (!whole && k < READABLE) {
        k = OPEN_SCALE;
        const first = nodes.length > 0 ? g.node(nodes[0]!.id) : { x: width / 2, y: 0 };
        tx = r.width / 2 - first.x * k;
        ty = Math.min(10, r.height / 3 - first.y * k);
      } else {
        tx = (r.width - width * k) / 2;
        ty = (r.height - height * k) / 2;
      }
      apply();
    },
    zoom(factor) {
      const r = viewport();
      const cx = r.width / 2;
      const cy = r.height / 2;
      const next = clampScale(k * factor);
      tx = cx - ((cx - tx) * next) / k;
      ty = cy - ((cy - ty) * next) / k;
      k = next;
      apply();
    },
  };

  svg.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      const r = viewport();
      const px = event.clientX - r.left;
      const py = event.clientY - r.top;
      const next = clampScale(k * Math.exp(-event.deltaY * 0.0015));
      tx = px - ((px - tx) * next) / k;
      ty = py - ((py - ty) * next) / k;
      k = next;
      apply();
    },
    { passive: false },
  );
  let drag: { x: number; y: number; tx: number; ty: number; moved: boolean } | null = null;
  svg.addEventListener("pointerdown", (event) => {
    drag = { x: event.clientX, y: event.clientY, tx, ty, moved: false };
  });
  window.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag.moved = true;
    svg.parentElement?.classList.add("dragging");
    tx = drag.tx + dx;
    ty = drag.ty + dy;
    apply();
  });
  window.addEventListener("pointerup", () => {
    svg.parentElement?.classList.remove("dragging");
    // A drag is not a click: swallow the click that ends it.
    if (drag?.moved) svg.addEventListener("click", (e) => e.stopPropagation(), { capture: true, once: true });
    drag = null;
  });
  apply();
  return view;
}
