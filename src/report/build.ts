/**
 * Gathers what the report page shows into one {@link ReportData}: the graph in PyTorch terms,
 * shapes, BatchNorm mappings, lint findings on the layers they concern, the verification (when
 * one ran) and the solver. Pure: the CLI reads the files and passes them in.
 */
import type { GraphOutcome } from "../convert/graph.js";
import type { ConvertBlock } from "../convert/types.js";
import type { ReadResult } from "../schema/read.js";
import type { Finding } from "../lint/results.js";
import { messageText } from "../lint/messages.js";
import { RULE_METAS } from "../lint/rules/index.js";
import type { NetLayerCheck, NetVerification } from "../verify/net-types.js";
import { reportNodes } from "./graph.js";
import { reportLayers } from "./layers.js";
import type { ReportBlock, ReportData, ReportFinding, ReportLagPlot, ReportSolver } from "./model.js";

/** The last part of a path ("<stdin>" stays). */
function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** What {@link buildReportData} is given. */
export interface ReportInputs {
  read: ReadResult;
  /** buildTorchGraph's outcome for the report's phase (with stubs, so that every layer is a node). */
  outcome: GraphOutcome;
  /** Lint findings of the prototxt (any phase: those of other phases are left out). */
  findings: readonly Finding[];
  verification?: NetVerification | null;
  solver?: ReportSolver | null;
  lagPlots?: readonly ReportLagPlot[];
  /** e.g. "caffe2torch 0.1.0". */
  generator: string;
  /** The caffemodel the CLI checked against the net, as given. */
  weights?: string | null;
}

/** Each finding on the layer whose text holds its start; net-wide findings under null. */
function placeFindings(inputs: ReportInputs): { byLayer: Map<string, ReportFinding[]>; net: ReportFinding[] } {
  const { read, outcome } = inputs;
  const phase = outcome.graph.phase === "TRAIN" ? "train" : "test";
  const ranges = outcome.convert.analysis.model.layers
    .filter((l) => !l.synthetic)
    .map((l) => ({ name: l.name, range: read.sourceMap.get(l.param)?.range }))
    .filter((r): r is { name: string; range: { offset: number; length: number } } => r.range !== undefined);
  const byLayer = new Map<string, ReportFinding[]>();
  const net: ReportFinding[] = [];
  for (const f of inputs.findings) {
    if (f.phase !== null && f.phase !== phase) continue;
    const at = f.range.offset;
    const layer = ranges.find((r) => at >= r.range.offset && at < r.range.offset + r.range.length)?.name ?? null;
    const finding: ReportFinding = { rule: f.ruleId, severity: f.severity, message: messageText(f, RULE_METAS), line: f.line, column: f.column, layer };
    if (layer === null) net.push(finding);
    else byLayer.set(layer, [...(byLayer.get(layer) ?? []), finding]);
  }
  return { byLayer, net };
}

function reportBlock(b: ConvertBlock, plots: readonly ReportLagPlot[]): ReportBlock {
  const f = b.caffe.moving_average_fraction;
  const plot = b.torch.mode === "train" ? plots.findIndex((p) => p.movingAverageFraction === f) : -1;
  return {
    batchnorm: b.batchnorm,
    scale: b.scale,
    bias: b.bias,
    module: b.torch.module,
    numFeatures: b.torch.num_features,
    eps: b.torch.eps,
    momentum: b.torch.momentum,
    movingAverageFraction: f,
    affine: b.torch.affine,
    frozen: b.torch.weight_requires_grad === false,
    mode: b.torch.mode,
    training: b.equivalence.training,
    lagSteps: b.equivalence.lag_steps,
    notes: b.notes.map((n) => n.message),
    lagPlot: plot === -1 ? null : plot,
  };
}

/** The page's data. A verification of another phase than the graph's is ignored (it would mislabel nodes). */
export function buildReportData(inputs: ReportInputs): ReportData {
  const { outcome } = inputs;
  const graph = outcome.graph;
  const verification = inputs.verification && inputs.verification.phase === graph.phase ? inputs.verification : null;
  const checks = new Map<string, NetLayerCheck>((verification?.layers ?? []).map((l) => [l.name, l]));
  const { byLayer, net } = placeFindings(inputs);
  const layers = reportLayers(inputs.read, outcome, byLayer, checks);
  const { analysis } = outcome.convert;
  const { nodes, edges } = reportNodes(graph, analysis.graph, analysis.shapes);
  const lagPlots = [...(inputs.lagPlots ?? [])];
  const unchecked: NetLayerCheck[] = layers.map((l) => ({
    name: l.name,
    type: l.type,
    shape: (l.topShapes[0]?.every((d) => d !== null) ? l.topShapes[0] : null) as number[] | null,
    max_abs_error: null,
    scaled_error: null,
    ok: false,
    status: "unchecked",
  }));
  return {
    net: verification?.net ?? graph.net ?? graph.source,
    phase: graph.phase,
    tolerance: verification?.tolerance ?? null,
    against: verification?.against ?? null,
    layers: verification?.layers ?? unchecked,
    first_divergent: verification?.first_divergent ?? null,
    cause: verification?.cause ?? null,
    ok: verification?.ok ?? null,
    verified: verification !== null,
    source: graph.source,
    title: graph.net ?? baseName(graph.source),
    generator: inputs.generator,
    graph: { layers, nodes, edges, inputs: graph.inputs.map((i) => i.blob), outputs: graph.outputs },
    blocks: outcome.convert.result.blocks.map((b) => reportBlock(b, lagPlots)),
    lagPlots,
    lint: net,
    solver: inputs.solver ?? null,
    parameters: layers.reduce((n, l) => n + l.parameters, 0),
    weights: inputs.weights ?? null,
  };
}
