/**
 * The data a report page embeds (`<script type="application/json" id="caffe2torch-report">`) and
 * draws: the `verify --net --json` result (or the same keys with every layer unchecked when no
 * verification ran) plus the graph, the BatchNorm blocks, lint findings and the solver. Plain data,
 * JSON-able; the page script reads nothing else.
 */
import type { DivergenceCause, NetLayerCheck, NetVerification } from "../verify/net-types.js";

/** Verification status of a layer, as `data-status` carries it. */
export type LayerStatus = NetLayerCheck["status"];

/** One step of a node: a Caffe layer and what it became in PyTorch. */
export interface ReportLayer {
  /** Caffe layer name. */
  name: string;
  type: string;
  /** 1-based position in the prototxt (0 when the layer has no text, e.g. `input:` fields). */
  line: number;
  /** The layer's text in the prototxt ("" when none). */
  prototxt: string;
  bottoms: string[];
  tops: string[];
  /** Shapes of the bottoms and tops as inferred (null where unknown; a dim null where unknown). */
  bottomShapes: ((number | null)[] | null)[];
  topShapes: ((number | null)[] | null)[];
  /** What it became: `nn.Conv2d(3, 64, kernel_size=7, …)`, an expression, or a phrase ("fused into bn1"). */
  torch: string;
  /** How `forward` uses it: module, expr, input, alias, fused, none, stub. */
  call: string;
  /** Helper classes needed, each with the Caffe behaviour PyTorch lacks. */
  helpers: { name: string; why: string }[];
  /** Learned values the layer holds (parameter blobs, not BatchNorm statistics). */
  parameters: number;
  /** state_dict keys with their torch shapes and lr/decay multipliers. */
  params: { key: string | null; shape: number[] | null; kind: "parameter" | "buffer"; lrMult: number; decayMult: number }[];
  /** Converter notes in words. */
  notes: string[];
  /** Set when no converter handles the layer: why, in words (the page marks it as not exported). */
  unsupported: string | null;
  /** The BatchNorm block this layer belongs to (its BatchNorm layer's name), or null. */
  block: string | null;
  /** Lint findings on this layer's text. */
  lint: ReportFinding[];
  status: LayerStatus;
  /** From the verification, when the layer was compared. */
  scaledError: number | null;
  maxAbsError: number | null;
}

/** A node of the drawn graph: a layer, with the in-place layers that follow it on its top. */
export interface ReportNode {
  /** Stable id (`n0`, `n1`…). */
  id: string;
  /** Indices into {@link ReportGraph.layers}: the head first, then the in-place steps. */
  layers: number[];
  /** Net input (a data or Input layer, or a blob no layer writes) */
  role: "input" | "layer" | "output";
  /** For the markers of net inputs without a layer and of net outputs: the blob. */
  blob?: string;
}

/** A blob from one node to another. */
export interface ReportEdge {
  from: string;
  to: string;
  blob: string;
  shape: (number | null)[] | null;
}

/** The net as drawn. */
export interface ReportGraph {
  layers: ReportLayer[];
  nodes: ReportNode[];
  edges: ReportEdge[];
  inputs: string[];
  outputs: string[];
}

/** A lint finding, worded. */
export interface ReportFinding {
  rule: string;
  severity: "error" | "warning" | "info";
  message: string;
  line: number;
  column: number;
  /** The layer the finding's range lies in, or null for a finding on the net as a whole. */
  layer: string | null;
}

/** A BatchNorm block's mapping, for its panel. */
export interface ReportBlock {
  batchnorm: string;
  scale: string | null;
  bias: string | null;
  module: string | null;
  numFeatures: number | null;
  eps: number;
  momentum: number | null;
  movingAverageFraction: number;
  affine: boolean;
  /** gamma/beta do not train (lr_mult 0) */
  frozen: boolean;
  mode: string;
  training: string;
  lagSteps: number | null;
  notes: string[];
  /** Index into {@link ReportData.lagPlots}, when a plot was drawn for this block's fraction. */
  lagPlot: number | null;
}

/** A lag plot (an SVG from verify's plot.ts) and the block it was measured on. */
export interface ReportLagPlot {
  block: string;
  channel: number;
  movingAverageFraction: number;
  svg: string;
}

/** The solver's parameter groups and its learning-rate curve. */
export interface ReportSolver {
  file: string;
  type: string;
  policy: string;
  baseLr: number;
  maxIter: number;
  groups: { lrMult: number; decayMult: number; lr: number; weightDecay: number; params: string[] }[];
  frozen: string[];
  /** Caffe's rate at sampled iterations: [iteration, rate] pairs. */
  curve: [number, number][];
  differences: string[];
}

/** Everything the page embeds: the verify --net JSON keys, then the report's own. */
export interface ReportData {
  net: string;
  phase: "TEST" | "TRAIN";
  /** From the verification; null when none ran. */
  tolerance: number | null;
  against: NetVerification["against"] | null;
  layers: NetLayerCheck[];
  first_divergent: string | null;
  cause: DivergenceCause | null;
  ok: boolean | null;
  /** Whether a verification is included. */
  verified: boolean;
  source: string;
  /** The net's name, else the file's base name: the page's title. */
  title: string;
  generator: string;
  graph: ReportGraph;
  blocks: ReportBlock[];
  lagPlots: ReportLagPlot[];
  /** Findings on no layer (the net as a whole). */
  lint: ReportFinding[];
  solver: ReportSolver | null;
  /** Learned values of the whole model. */
  parameters: number;
  /** The caffemodel checked against the net (every blob fits its layer), or null. */
  weights: string | null;
}
