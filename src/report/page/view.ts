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

/** What the view hands back: the element of each layer, and how to move the camera. */
export interface GraphView {
  steps: SVGGElement[];
  nodeOfLayer: number[];
  nodeElements: SVGGElement[];
  centerOn(layer: number, minScale?: number): void;
  /** Puts a label above the node of a layer (the first divergence). */
  tag(layer: number, text: string): void;
  fit(): void;
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

function drawStep(data: ReportData, index: number, y: number): SVGGElement {
  const layer = data.graph.layers[index]!;
  const marks: SVGElement[] = [];
  let x = NODE_WIDTH - 8;
  const mark = (label: string, cls: string, title: string) => {
    marks.push(s("text", { class: `mark ${cls}`, x, y: y + 14, "text-anchor": "end" }, s("title", {}, title)));
    marks[marks.length - 1]!.prepend(label);
    x -= 12;
  };
  if (layer.unsupported) mark("✕", "bad", "not exported: " + layer.unsupported);
  if (layer.helpers.length > 0) mark("H", "helper", "needs the helper " + layer.helpers.map((h) => h.name).join(", "));
  if (layer.lint.length > 0) mark("!", "lint", `${layer.lint.length} lint finding${layer.lint.length === 1 ? "" : "s"}`);
  const g = s(
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
    s("rect", { class: "bg", x: 2, y: y + 1, width: NODE_WIDTH - 4, height: STEP_HEIGHT - 2, rx: 3 }),
    s("text", { class: "name", x: 8, y: y + 14 }, cut(layer.name, NAME_CHARS - marks.length * 2)),
    s("text", { class: "sub", x: 8, y: y + 27 }, cut(`${layer.type} → ${torchShort(layer)}`, SUB_CHARS)),
    ...marks,
    s("title", {}, `${layer.name} (${layer.type})`),
  ) as SVGGElement;
  return g;
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
  dagre.layout(g);
  const layoutMs = performance.now() - started;

  const defs = s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { class: "arrow", d: "M0,0 L10,5 L0,10 z" })));
  const root = s("g", { id: "viewport" }) as SVGGElement;
  const edgeLayer = s("g", { class: "edges" });
  const nodeLayer = s("g", { class: "nodes" });
  root.append(edgeLayer, nodeLayer);
  svg.replaceChildren(defs, root);

  for (const e of edges) {
    const points: { x: number; y: number }[] = g.edge(e.from, e.to)?.points ?? [];
    if (points.length < 2) continue;
    const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    edgeLayer.append(s("path", { class: "edge", d, "marker-end": "url(#arrow)" }, s("title", {}, `${e.blob} ${shapeText(e.shape)}`)));
  }

  const steps: SVGGElement[] = new Array(layers.length);
  const nodeOfLayer: number[] = new Array(layers.length);
  const nodeElements: SVGGElement[] = [];
  nodes.forEach((n, ni) => {
    const box = g.node(n.id);
    const height = nodeHeight(n);
    const group = s("g", { class: `node ${n.role}`, "data-node": n.id, transform: `translate(${(box.x - NODE_WIDTH / 2).toFixed(1)},${(box.y - height / 2).toFixed(1)})` }) as SVGGElement;
    group.append(s("rect", { class: "box", width: NODE_WIDTH, height, rx: 6 }));
    if (n.layers.length === 0) {
      const label = n.role === "output" ? `output: ${n.blob ?? ""}` : `input: ${n.blob ?? ""}`;
      group.setAttribute("data-blob", n.blob ?? "");
      group.append(s("text", { class: "name", x: 10, y: 18 }, cut(label, NAME_CHARS + 2)));
    }
    n.layers.forEach((li, k) => {
      const step = drawStep(data, li, 3 + k * STEP_HEIGHT);
      steps[li] = step;
      nodeOfLayer[li] = ni;
      group.append(step);
      if (layers[li]!.status === "diverged") group.classList.add("has-diverged");
    });
    if (n.layers.length > 0) {
      const last = layers[n.layers[n.layers.length - 1]!]!;
      const shape = last.topShapes.length > 0 ? last.topShapes.map(shapeText).join(", ") : "no top";
      group.append(s("text", { class: "sub", x: 8, y: height - 6 }, cut(`→ ${shape}`, SUB_CHARS)));
    }
    nodeElements.push(group);
    nodeLayer.append(group);
  });

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
    fit() {
      const r = viewport();
      k = clampScale(Math.min(r.width / Math.max(1, width), r.height / Math.max(1, height)));
      // A large net fitted whole is unreadable: show where it starts (its first node, at the top
      // of a deep net, somewhere along a wide one) at a readable scale instead.
      if (k < 0.35) {
        k = 0.85;
        const first = nodes.length > 0 ? g.node(nodes[0]!.id) : { x: width / 2, y: 0, height: 0 };
        tx = Math.min(20, r.width / 2 - first.x * k);
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
