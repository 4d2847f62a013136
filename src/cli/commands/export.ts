import { basename, dirname, extname, join } from "node:path";
import type { Command } from "commander";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { messageOf } from "../../render/messages.js";
import { buildTorchGraph } from "../../convert/graph.js";
import { layerNoteMessage, refusalMessage } from "../../convert/layers/messages.js";
import type { TorchGraph, UnsupportedLayer } from "../../convert/torch-graph.js";
import { visible } from "../../diagnostics/visible.js";
import { HELPERS } from "../../emit/python/helpers/index.js";
import { emitNetModule, usedHelpers } from "../../emit/python/net-module.js";
import { jsonText } from "../../diagnostics/json-text.js";
import { readNet } from "../../schema/read.js";
import { exportState } from "../../weights/export-state.js";
import { weightsMessage } from "../../weights/messages.js";
import { safetensorsChunks } from "../../weights/safetensors.js";
import { makeStyle } from "../color.js";
import { CliError, type CliIo } from "../io-types.js";
import { formatDiagnostics } from "../report.js";
import { collect, INPUT_SHAPE_HELP, inputShapeWarnings, parseInputShapes, throwInputShapeError } from "./input-shape.js";
import { parsePhase } from "./options.js";

/** Options of `caffe2torch export`. */
export interface ExportCliOptions {
  phase?: string;
  output?: string;
  weights?: string;
  exact?: boolean;
  allowStubs?: boolean;
  json?: boolean;
  quiet?: boolean;
  /** `--input-shape`, repeatable. */
  inputShape?: string | string[];
}

/** The folder `export` writes to by default: the prototxt's base name beside it. */
export function defaultOutputDir(file: string): string {
  if (file === "-") return "model";
  return join(dirname(file), basename(file, extname(file)));
}

/** What `export --json` prints. */
function summaryJson(graph: TorchGraph, warnings: string[]): string {
  const layers = graph.nodes.map((n) => ({
    name: n.layer,
    type: n.type,
    module: n.module?.cls ?? (n.call.kind === "fused" ? `fused into ${n.call.into}` : n.call.kind === "expr" ? n.call.expr : n.call.kind),
    helper: n.helpers.length > 0 ? n.helpers.join(", ") : null,
    notes: n.notes.map((note) => ({ ...note, message: layerNoteMessage(note.code, note.data) })),
  }));
  // Why each helper module was needed: the Caffe behaviour PyTorch has no module for.
  const helpers = [...usedHelpers(graph)].filter((h) => !h.startsWith("_")).sort().map((name) => ({ name, why: HELPERS[name]?.why ?? null }));
  return jsonText({ layers, inputs: graph.inputs.map((i) => ({ blob: i.blob, shape: i.shape })), outputs: graph.outputs, helpers, warnings }) + "\n";
}

/** Parameter and buffer values the model holds (for the summary line). */
function parameterCount(graph: TorchGraph): number {
  let n = 0;
  for (const node of graph.nodes) for (const p of node.params) if (p.key !== null && p.kind === "parameter" && p.shape) n += p.shape.reduce((a, b) => a * b, 1);
  return n;
}

/**
 * Writes DIR/model.py (and DIR/model.safetensors with --weights) for a whole net. A layer that
 * cannot be converted is an error naming every such layer with its line and why, and nothing is
 * written; with --allow-stubs each becomes a stub module instead, reported as a warning.
 */
export function runExport(file: string, options: ExportCliOptions, io: CliIo): number {
  const phase = parsePhase(options.phase ?? "test");
  const inputShapes = parseInputShapes(options.inputShape);
  const name = file === "-" ? "<stdin>" : file;
  const read = readNet(io.readFile(file), { allowUnknown: true, upgrade: true });
  const style = makeStyle(io.color.stderr);
  if (hasErrors(read.diagnostics)) {
    io.stderr(formatDiagnostics(name, read.lines, read.diagnostics.filter((d) => d.severity === "error"), style));
    return 2;
  }
  const { graph, diagnostics } = buildTorchGraph(read, { phase, source: name, exact: options.exact ?? false, inputShapes, stubs: options.allowStubs ?? false });
  throwInputShapeError(diagnostics);
  if (!options.quiet) {
    const warnings = inputShapeWarnings(diagnostics);
    if (warnings.length > 0) io.stderr(formatDiagnostics(name, read.lines, warnings, style));
  }
  if (hasErrors(diagnostics)) {
    io.stderr(formatDiagnostics(name, read.lines, diagnostics.filter((d) => d.severity === "error"), style));
    return 2;
  }
  const where = (u: UnsupportedLayer): string => `${visible(name)}:${u.line}:${u.column}`;
  const what = (u: UnsupportedLayer): string => `layer "${visible(u.layer)}" (${visible(u.type)})`;
  if (graph.unsupported.length > 0 && !options.allowStubs) {
    const lines = graph.unsupported.map((u) => `${where(u)}: ${style.error("error")}: ${what(u)} cannot be exported: ${visible(refusalMessage(u.reason, u.data))}`);
    const n = graph.unsupported.length;
    const following = graph.unsupported.filter((u) => u.data["after"] !== undefined).length;
    const because = following > 0 ? ` (${following} only because of a layer before ${following === 1 ? "it" : "them"})` : "";
    io.stderr(`${lines.join("\n")}\n${n} layer${n === 1 ? "" : "s"} cannot be exported${because}; nothing was written. --allow-stubs writes a stub module for ${n === 1 ? "it" : "each"}, to be replaced by your own.\n`);
    return 2;
  }
  const stubs = graph.unsupported.map((u) => `${where(u)}: ${style.warning("warning")}: ${what(u)} is a stub that raises NotImplementedError: ${visible(refusalMessage(u.reason, u.data))}`);
  const dir = options.output ?? defaultOutputDir(file);
  const modulePath = join(dir, "model.py");
  const weightsPath = join(dir, "model.safetensors");
  let weights: Uint8Array[] | null = null;
  const weightsWarnings: string[] = [];
  if (options.weights !== undefined) {
    const state = exportState(graph, io.readBytes(options.weights));
    const errors = state.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      const text = errors.map((d) => `${visible(options.weights!)}: ${style.error("error")}: ${visible(weightsMessage(d.code, d.data as never) ?? messageOf(d))}`);
      io.stderr(`${text.join("\n")}\n`);
      return 2;
    }
    for (const d of state.diagnostics) if (d.severity === "warning") weightsWarnings.push(weightsMessage(d.code, d.data as never) ?? messageOf(d));
    weights = safetensorsChunks(state.tensors, { format: "pt", generator: "caffe2torch", source: name, weights: options.weights, phase });
  }
  const source = emitNetModule(graph);
  // A folder that does not exist yet holds no input; an existing one is checked before anything is written.
  if (io.exists(dir)) {
    io.checkOutput(modulePath);
    if (weights) io.checkOutput(weightsPath);
  }
  if (!io.makeDirectory) throw new CliError("this environment cannot create folders");
  io.makeDirectory(dir);
  // The weights first, so the module never sits beside a missing or stale weights file.
  if (weights) io.writeFileAtomic(weightsPath, weights);
  io.writeFileAtomic(modulePath, source);
  const stubWarnings = graph.unsupported.map((u) => `layer "${u.layer}" (${u.type}) is a stub that raises NotImplementedError: ${refusalMessage(u.reason, u.data)}`);
  const warnings = [...stubWarnings, ...weightsWarnings, ...diagnostics.filter((d) => d.severity === "warning").map((d) => messageOf(d))];
  if (stubs.length > 0) io.stderr(`${stubs.join("\n")}\n`);
  for (const w of weightsWarnings) io.stderr(`${visible(options.weights!)}: ${style.warning("warning")}: ${visible(w)}\n`);
  if (options.json) io.stdout(summaryJson(graph, warnings));
  if (!options.quiet) {
    const helpers = [...usedHelpers(graph)].filter((h) => !h.startsWith("_") && h !== "CaffeLayerStub");
    const written = weights ? `${modulePath} and ${weightsPath}` : modulePath;
    const stubText = stubs.length > 0 ? `; ${stubs.length} stub${stubs.length === 1 ? "" : "s"}` : "";
    const helperText = helpers.length > 0 ? `; helpers: ${helpers.join(", ")}` : "";
    const others = warnings.length - stubs.length;
    const warningText = others > 0 ? `; ${others} warning${others === 1 ? "" : "s"}` : "";
    io.stderr(`wrote ${visible(written)} (${graph.nodes.length} layers, ${parameterCount(graph)} parameters${stubText}${helperText}${warningText})\n`);
  }
  return 0;
}

/** Adds `export` to the program. */
export function registerExportCommand(program: Command, io: () => CliIo, setExit: (code: number) => void): void {
  program
    .command("export")
    .description("write a whole Caffe net as a PyTorch model (model.py) with its weights (model.safetensors)")
    .argument("<net.prototxt>", 'the Caffe net definition ("-" reads standard input)')
    .option("--weights <model.caffemodel>", "trained weights: written to DIR/model.safetensors, which build() loads")
    .option("--phase <phase>", "the phase the net is run in: test or train", "test")
    .option("--input-shape <[blob=]dims>", INPUT_SHAPE_HELP, collect)
    .option("-o, --output <dir>", "the folder to write (default: the prototxt's name without extension, beside it)")
    .option("--exact", "BatchNorm modules that reproduce Caffe's running statistics exactly while training")
    .option("--allow-stubs", "write a stub module that raises NotImplementedError for each layer that cannot be converted, instead of refusing the net")
    .option("--json", "print a summary of every layer as JSON on standard output")
    .option("-q, --quiet", "do not print the summary line on standard error")
    .addHelpText(
      "after",
      `
Examples:
  $ caffe2torch export deploy.prototxt --weights trained.caffemodel -o mynet
  $ caffe2torch export train_val.prototxt --phase train --input-shape data=64,1,28,28 -o lenet
  $ python3 -c "import sys; sys.path.insert(0, 'mynet'); import model; net = model.build(); print(net)"

model.py defines class Net(nn.Module) (one attribute per Caffe layer with a module),
forward(*inputs) in Caffe's layer order, forward_layers(*inputs) (every layer's tops),
INPUTS, INPUT_SHAPES, OUTPUTS, LAYER_NAMES, CAFFE_BLOBS and build(weights=None). A net with
loss layers (or loss_weight) also has Net.loss(*inputs), Caffe's weighted objective
(LOSS_WEIGHTS), and data layers with a transform_param give TRANSFORMS and preprocess(image).
Data layers become inputs of forward; DummyData tops are filled as their fillers say.
INPUTS, INPUT_SHAPES, OUTPUTS, LAYER_NAMES, CAFFE_BLOBS, init_caffe_fillers(net, seed) and
build(weights=None, seed=0). Without weights, build() initialises every parameter as the
prototxt's Caffe fillers would (the same distributions, not Caffe's random numbers).

With --allow-stubs, a layer that cannot be converted becomes a CaffeLayerStub that raises
NotImplementedError naming the layer; put a module of your own (a stand-in) in its place:
build(stand_ins={"my_module.MyLayer": MyLayer}) (keys: a Python layer's module.Layer, a Caffe
type or a layer name; each factory gets the stub, with param_str, bottoms, tops, top_shapes).

Exit codes: 0 written, 2 usage or input error (a file that does not parse, a layer that
cannot be exported without --allow-stubs, weights that do not fit the net); nothing is
written then.`,
    )
    .action((file: string, opts: ExportCliOptions) => setExit(runExport(file, opts, io())));
}
