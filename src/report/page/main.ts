/**
 * The report page's script: reads the embedded data, draws the graph, and wires selection, the
 * details panel, search, the keyboard, the error chart and the theme switch. Loads nothing: the
 * page's Content-Security-Policy forbids every request.
 */
import type { ReportData } from "../model.js";
import { showLayer } from "./panel.js";
import { drawGraph } from "./view.js";

declare global {
  interface Window {
    /** For tests and the benchmark: layout time and readiness. */
    caffe2torchReport?: { layoutMs: number; totalMs: number; select(name: string): boolean };
  }
}

function boot(): void {
  const started = performance.now();
  const data = JSON.parse(document.getElementById("caffe2torch-report")!.textContent ?? "{}") as ReportData;
  const svg = document.getElementById("canvas") as unknown as SVGSVGElement;
  const panel = document.getElementById("panel")!;
  const graphBox = document.getElementById("graph")!;
  const search = document.getElementById("search") as HTMLInputElement;
  const searchCount = document.getElementById("search-count")!;
  const layers = data.graph.layers;
  const view = drawGraph(svg, data);
  const byName = new Map(layers.map((l, i) => [l.name, i]));
  const bars = [...document.querySelectorAll<SVGElement>("[data-chart-layer]")];
  let selected = -1;
  let matches: number[] = [];
  let matchAt = -1;

  const select = (index: number, options: { center?: boolean; focus?: boolean } = {}): void => {
    if (index < 0 || index >= layers.length) return;
    if (selected >= 0) view.steps[selected]?.classList.remove("selected");
    view.steps[selected < 0 ? 0 : selected]?.setAttribute("tabindex", "-1");
    selected = index;
    const step = view.steps[index]!;
    step.classList.add("selected");
    step.setAttribute("tabindex", "0");
    for (const bar of bars) {
      const current = bar.dataset["chartLayer"] === layers[index]!.name;
      bar.classList.toggle("current", current);
      // The chart of a large net scrolls sideways: bring the layer's bar into it.
      if (current) bar.scrollIntoView({ block: "nearest", inline: "center" });
    }
    showLayer(panel, data, index);
    if (options.center ?? true) view.centerOn(index, 0.8);
    if (options.focus ?? true) step.focus({ preventScroll: true });
    history.replaceState(null, "", `#${encodeURIComponent(layers[index]!.name)}`);
  };

  const runSearch = (): void => {
    const q = search.value.trim().toLowerCase();
    matches = q === "" ? [] : layers.flatMap((l, i) => (l.name.toLowerCase().includes(q) ? [i] : []));
    matchAt = -1;
    const on = new Set(matches);
    view.steps.forEach((step, i) => {
      step.classList.toggle("match", on.has(i));
      step.classList.toggle("dim", q !== "" && !on.has(i));
    });
    searchCount.textContent = q === "" ? "" : `${matches.length} match${matches.length === 1 ? "" : "es"}`;
  };

  const nextMatch = (direction: number): void => {
    if (matches.length === 0) return;
    matchAt = (matchAt + direction + matches.length) % matches.length;
    searchCount.textContent = `${matchAt + 1} of ${matches.length}`;
    select(matches[matchAt]!, { focus: false });
  };

  /** The first layer of the node `step` edges lead to from the selected layer's node (or come from). */
  const neighbour = (forward: boolean): number => {
    if (selected < 0) return 0;
    const node = data.graph.nodes[view.nodeOfLayer[selected]!]!;
    const within = node.layers.indexOf(selected);
    if (forward && within < node.layers.length - 1) return node.layers[within + 1]!;
    if (!forward && within > 0) return node.layers[within - 1]!;
    const ids = data.graph.edges.filter((e) => (forward ? e.from === node.id : e.to === node.id)).map((e) => (forward ? e.to : e.from));
    for (const id of ids) {
      const other = data.graph.nodes.find((n) => n.id === id);
      if (other && other.layers.length > 0) return forward ? other.layers[0]! : other.layers[other.layers.length - 1]!;
    }
    return selected;
  };

  const nextDiverged = (direction: number): void => {
    const n = layers.length;
    for (let k = 1; k <= n; k++) {
      const i = (((selected < 0 ? -1 : selected) + direction * k) % n + n) % n;
      if (layers[i]!.status === "diverged") return select(i);
    }
  };

  // Tab reaches the graph at the selected layer (the first before any is selected); Enter or
  // Space on a focused layer opens it.
  view.steps[0]?.setAttribute("tabindex", "0");
  svg.addEventListener("keydown", (event) => {
    const step = (event.target as Element).closest?.("[data-layer]");
    if (step && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      event.stopPropagation();
      select(Number(step.getAttribute("data-index")), { center: false });
    }
  });
  svg.addEventListener("click", (event) => {
    const step = (event.target as Element).closest("[data-layer]");
    if (step) select(Number(step.getAttribute("data-index")), { center: false });
  });
  for (const bar of bars) bar.addEventListener("click", () => select(byName.get(bar.dataset["chartLayer"] ?? "") ?? -1));
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") nextMatch(event.shiftKey ? -1 : 1);
    if (event.key === "Escape") {
      search.value = "";
      runSearch();
      graphBox.focus();
    }
  });
  document.getElementById("fit")!.addEventListener("click", () => view.fit());
  document.getElementById("theme")!.addEventListener("click", () => {
    const root = document.documentElement;
    const dark = root.dataset["theme"] ? root.dataset["theme"] === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
    root.dataset["theme"] = dark ? "light" : "dark";
  });
  document.addEventListener("keydown", (event) => {
    if (event.target === search || event.ctrlKey || event.metaKey || event.altKey) return;
    const keys: Record<string, () => void> = {
      "/": () => search.focus(),
      j: () => select(Math.min(layers.length - 1, selected + 1)),
      k: () => select(Math.max(0, selected - 1)),
      ArrowDown: () => select(neighbour(true)),
      ArrowUp: () => select(neighbour(false)),
      ArrowRight: () => select(Math.min(layers.length - 1, selected + 1)),
      ArrowLeft: () => select(Math.max(0, selected - 1)),
      n: () => (matches.length > 0 ? nextMatch(1) : nextDiverged(1)),
      N: () => (matches.length > 0 ? nextMatch(-1) : nextDiverged(-1)),
      f: () => view.fit(),
      "+": () => view.zoom(1.25),
      "=": () => view.zoom(1.25),
      "-": () => view.zoom(0.8),
      Escape: () => view.fit(),
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  // Open on the first divergent layer; else on the layer the address names; else the whole net.
  const hash = decodeURIComponent(location.hash.slice(1));
  const first = data.first_divergent === null ? undefined : byName.get(data.first_divergent);
  if (first !== undefined) {
    view.nodeElements[view.nodeOfLayer[first]!]?.classList.add("first-divergent");
    view.tag(first, "▼ first divergence");
    select(first, { center: true });
  } else if (byName.has(hash)) {
    select(byName.get(hash)!);
  } else {
    view.fit(false);
    panel.replaceChildren((document.getElementById("overview") as HTMLTemplateElement).content.cloneNode(true));
  }
  window.caffe2torchReport = {
    layoutMs: view.layoutMs,
    totalMs: performance.now() - started,
    select(name) {
      const i = byName.get(name);
      if (i === undefined) return false;
      select(i);
      return true;
    },
  };
  document.body.dataset["ready"] = "true";
}

boot();
