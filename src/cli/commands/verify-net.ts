/**
 * `caffe2torch verify NET.prototxt --net`: the Caffe executor's forward of the whole net against the
 * PyTorch side — our executor of the emitted graph, with `--torch` also the real model.py, with
 * `--record DIR` a pycaffe recording — layer by layer (src/verify/net).
 */
import { join } from "node:path";
import type { InputShape } from "../../caffe/input-shapes.js";
import { buildNet } from "../../caffe/net.js";
import { buildTorchGraph, type GraphOutcome } from "../../convert/graph.js";
import { refusalMessage } from "../../convert/layers/messages.js";
import type { TorchGraph } from "../../convert/torch-graph.js";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { jsonText } from "../../diagnostics/json-text.js";
import { visible } from "../../diagnostics/visible.js";
import { emitNetModule } from "../../emit/python/net-module.js";
import { messageOf } from "../../render/messages.js";
import type { NetParameter } from "../../schema/caffe-types.js";
import { readNet, type ReadResult } from "../../schema/read.js";
import type { NetVerification } from "../../verify/net-types.js";
import { formatNetReport, type TitledVerification } from "../../verify/net/format-text.js";
import { InputFileError, inputShapeProblems, labelClasses, matchInputs, readInputFile, seededInputs, unknownInputs, type InputSpec } from "../../verify/net/inputs.js";
import { readRecording, RecordFormatError, type Recording } from "../../verify/net/record.js";
import type { ReferenceLayer } from "../../verify/net/compare.js";
import type { TopValues } from "../../verify/net/records.js";
import { defaultTorchSteps, runCaffeSide, stepsOf, verifyLayers, verifyNetStreaming, type ForwardFailure, type NetSetup, type TorchSide } from "../../verify/net/run.js";
import { parameterCount, seededCaffemodel, unknownBlobShapes } from "../../verify/net/seeded-weights.js";
import { DEFAULT_NET_TOLERANCE } from "../../verify/net/tolerance.js";
import { startTorchThread, torchWorkerScript, type TorchThread } from "../../verify/net/torch-thread.js";
import { netWeights } from "../../verify/net/weights.js";
import { weightsMessage } from "../../weights/messages.js";
import { makeStyle } from "../color.js";
import { CliError, type CliIo } from "../io-types.js";
import { formatDiagnostics } from "../report.js";
import { inputShapeWarnings, parseInputShapes, throwInputShapeError } from "./input-shape.js";
import { parsePhase, parseSeed, parseTolerance } from "./options.js";
import { DEFAULT_PYTHON, runTorchJobs, type TorchModelJob } from "./verify-net-torch.js";

/** The options of `verify --net` (commander's strings until parsed). */
export interface VerifyNetCliOptions {
  weights?: string;
  input?: string;
  phase?: string;
  inputShape?: string | string[];
  torch?: boolean;
  json?: boolean;
  tolerance?: string;
  record?: string;
  seed?: string;
  quiet?: boolean;
  /** `--html FILE`: also write the `report` page of the net with this verification. */
  html?: string;
}

/** Options of the BatchNorm-block verify that --net does not take. */
const BLOCK_ONLY = ["trace", "steps", "batch", "exact", "strict", "plot"] as const;

/** The --net part of `verify --help`. */
export const VERIFY_NET_HELP = `
Whole-net verification (--net):
  $ caffe2torch verify deploy.prototxt --net --weights trained.caffemodel
  $ caffe2torch verify deploy.prototxt --net --torch --json          # also the real model.py
  $ caffe2torch verify deploy.prototxt --net --input image.npy --weights trained.caffemodel
  $ caffe2torch verify --net --record my_recording --torch           # replay tools/record_caffe_net.py's output

Runs the net forward twice on the same inputs: our executor of Caffe's CPU layers (reading the
prototxt and caffemodel itself, never the converter's output) and the PyTorch model export emits
(our PyTorch-semantics executor of it; with --torch also model.py under $PYTHON, else
/usr/bin/python3, one process). Every layer's tops are compared, fused BatchNorm/Scale partial values
included: shapes exactly, ArgMax exactly, values by max|Δ| / max(1, max|caffe|) ≤ --tolerance (default
${DEFAULT_NET_TOLERANCE}, float32 summation-order headroom for K ≈ 5000 products). The first divergent layer is
named with its Caffe parameters, the PyTorch module it became and the likely cause.

Inputs are seeded normal values (--seed; integer ids for an Embed input) of the net's input shapes
(--input-shape gives unknown or other ones), or --input FILE. Without --weights both sides get the same
seeded blobs (He-normal weights, BatchNorm sums with a scale factor ≠ 1, gamma around 1) rather than the
prototxt's fillers, whose constant-0 defaults would make most layers agree whatever the mapping.
--record DIR feeds the recording's inputs, takes DIR/net.prototxt and DIR/weights.caffemodel unless
given, and compares the Caffe executor (and with --torch the model.py) with the recorded tops.

--json prints the comparison (one object: net, phase, tolerance, against, layers[], first_divergent,
cause, ok), or a list of them when several ran (--torch, --record --torch).
Exit codes (--net): 0 every layer agrees, 1 a layer diverges, 2 usage or input errors (a layer that
cannot be exported or executed, a bad --input/--weights/--record file, no PyTorch for --torch).`;

/** What the command runs the PyTorch side with (tests inject stand-ins). */
export interface VerifyNetDeps {
  torchSide?: TorchSide;
  runTorch?: (jobs: readonly TorchModelJob[], python: string) => ReturnType<typeof runTorchJobs>;
  /**
   * The worker script of the PyTorch side (torch-worker.js); null runs it in this thread. By default
   * the script beside the built modules, when there is one (used for nets with 8 MiB of weights or more).
   */
  torchWorker?: URL | null;
  /** Told the comparisons once they ran (`verify --net --html` writes its page from them). */
  onResults?: (verifications: readonly NetVerification[]) => void;
}



/** Refusals of export for want of a shape: the inputs' shapes would remove them. */
const SHAPE_REASONS: ReadonlySet<string> = new Set(["input-shape-unknown", "channels-unknown"]);

/** The recording of `--record DIR` (record.json + record.safetensors). */
function loadRecording(dir: string, io: CliIo): Recording {
  try {
    return readRecording(io.readFile(join(dir, "record.json")), io.readBytes(join(dir, "record.safetensors")));
  } catch (e) {
    if (e instanceof RecordFormatError) throw new CliError(`${visible(dir)}: ${visible(e.message)}`);
    throw e;
  }
}

/** The graph for `inputShapes`, or the exit-2 messages of a net that cannot be exported. */
function graphOf(read: ReadResult, name: string, phase: "TEST" | "TRAIN", inputShapes: readonly InputShape[], io: CliIo, warn = false): GraphOutcome {
  const style = makeStyle(io.color.stderr);
  const outcome = buildTorchGraph(read, { phase, source: name, inputShapes });
  const { graph, diagnostics } = outcome;
  throwInputShapeError(diagnostics);
  if (warn) for (const w of inputShapeWarnings(diagnostics)) io.stderr(`${visible(name)}: ${style.warning("warning")}: ${visible(messageOf(w))}\n`);
  if (hasErrors(diagnostics)) {
    io.stderr(formatDiagnostics(name, read.lines, diagnostics.filter((d) => d.severity === "error"), style));
    throw new CliError("the net cannot be converted, so it cannot be verified");
  }
  if (graph.unsupported.length > 0) {
    const lines = graph.unsupported.map((u) => `${visible(name)}:${u.line}:${u.column}: ${style.error("error")}: layer "${visible(u.layer)}" (${visible(u.type)}) cannot be exported: ${visible(refusalMessage(u.reason, u.data))}`);
    io.stderr(`${lines.join("\n")}\n`);
    const shapes = graph.unsupported.some((u) => SHAPE_REASONS.has(u.reason)) ? " (give the input shapes with --input-shape BLOB=DIMS, or --input FILE)" : "";
    throw new CliError(`${graph.unsupported.length} layer${graph.unsupported.length === 1 ? "" : "s"} cannot be exported, so the net cannot be verified${shapes}`);
  }
  return outcome;
}

/** Shapes for the inputs the net leaves unknown, taken from the values fed (file or recording). */
function shapesFromValues(graph: TorchGraph, values: ReadonlyMap<string, TopValues>): InputShape[] {
  return graph.inputs
    .filter((i) => i.shape === null || i.shape.some((d) => d === null))
    .flatMap((i) => {
      const v = values.get(i.blob);
      return v ? [{ blob: i.blob, dims: [...v.shape] }] : [];
    });
}

/**
 * Runs `verify NET --net`. Exit 0 when every comparison agrees, 1 at a divergence, 2 for usage and
 * input errors (a net that cannot be exported or executed, a bad input or weights file, no torch
 * for --torch).
 */
export function runVerifyNet(file: string | undefined, options: VerifyNetCliOptions, io: CliIo, deps: VerifyNetDeps = {}): number {
  const results = netVerifications(file, options, io, deps);
  if (typeof results === "number") return results;
  const verifications: NetVerification[] = results.map((r) => r.verification);
  if (options.json) io.stdout(`${jsonText(verifications.length === 1 ? verifications[0] : verifications)}\n`);
  else io.stdout(formatNetReport(results, makeStyle(io.color.stdout)));
  deps.onResults?.(verifications);
  return verifications.every((v) => v.ok) ? 0 : 1;
}

/** The comparison a page shows: the first that diverges, else the last (the real model.py when run). */
export function pageVerification(verifications: readonly NetVerification[]): NetVerification {
  return verifications.find((v) => !v.ok) ?? verifications[verifications.length - 1]!;
}

/**
 * The comparisons `verify --net` runs, titled for the text report, or the exit code 2 when an
 * input could not be used (the reason already written to stderr). Throws CliError for usage errors.
 */
export function netVerifications(file: string | undefined, options: VerifyNetCliOptions, io: CliIo, deps: VerifyNetDeps = {}): TitledVerification[] | 2 {
  let thread: TorchThread | null = null;
  const script = options.record === undefined && !deps.torchSide ? (deps.torchWorker === undefined ? torchWorkerScript() : deps.torchWorker) : null;
  // Our PyTorch executor on the second core, for a net whose weights are worth it: a worker costs
  // ~0.1 s to start (a small net verifies in 0.2 s in one thread).
  const startThread = (graph: TorchGraph): TorchThread | null => {
    if (script && parameterCount(graph) >= THREAD_MIN_PARAMETERS) thread = startTorchThread(script);
    return thread;
  };
  try {
    return verificationsWith(startThread, file, options, io, deps);
  } finally {
    (thread as TorchThread | null)?.stop();
  }
}

/** Parameters (floats) from which the PyTorch side runs on a worker thread: 8 MiB of weights. */
const THREAD_MIN_PARAMETERS = 2 << 20;

function verificationsWith(
  startThread: (graph: TorchGraph) => TorchThread | null,
  file: string | undefined,
  options: VerifyNetCliOptions,
  io: CliIo,
  deps: VerifyNetDeps,
): TitledVerification[] | 2 {
  const stray = BLOCK_ONLY.filter((k) => (options as Record<string, unknown>)[k] !== undefined && (options as Record<string, unknown>)[k] !== false);
  if (stray.length > 0) throw new CliError(`--${stray[0]!} is an option of the BatchNorm-block verify, not of --net`);
  const recordDir = options.record;
  if (recordDir !== undefined && options.input !== undefined) throw new CliError("give either --input or --record (a recording carries its inputs)");
  const netFile = file ?? (recordDir !== undefined ? join(recordDir, "net.prototxt") : undefined);
  if (netFile === undefined) throw new CliError("missing NET.prototxt");
  const weightsFile = options.weights ?? (recordDir !== undefined && io.exists(join(recordDir, "weights.caffemodel")) ? join(recordDir, "weights.caffemodel") : undefined);
  if (recordDir !== undefined && weightsFile === undefined) throw new CliError(`--record needs the recorded net's weights: ${visible(join(recordDir, "weights.caffemodel"))} does not exist (give --weights)`);
  const phase = parsePhase(options.phase ?? "test");
  const tolerance = parseTolerance(options.tolerance, DEFAULT_NET_TOLERANCE);
  const seed = parseSeed(options.seed);
  const given = parseInputShapes(options.inputShape);
  const recording = recordDir !== undefined ? loadRecording(recordDir, io) : null;
  let fileValues: Map<string, TopValues> | null = null;
  if (options.input !== undefined) {
    try {
      fileValues = readInputFile(io.readBytes(options.input), options.input);
    } catch (e) {
      if (e instanceof InputFileError) throw new CliError(`${visible(options.input)}: ${visible(e.message)}`);
      throw e;
    }
  }

  const name = netFile === "-" ? "<stdin>" : netFile;
  const read = readNet(io.readFile(netFile), { allowUnknown: true, upgrade: true });
  const errStyle = makeStyle(io.color.stderr);
  if (hasErrors(read.diagnostics)) {
    io.stderr(formatDiagnostics(name, read.lines, read.diagnostics.filter((d) => d.severity === "error"), errStyle));
    return 2;
  }
  let outcome = graphOf(read, name, phase, given, io, !options.quiet);
  let graph = outcome.graph;
  let inputs: Map<string, TopValues>;
  const fed = recording?.inputs ?? fileValues;
  const blobs = graph.inputs.map((i) => i.blob);
  if (fed) {
    const where = options.input ?? join(recordDir ?? "", "record.safetensors");
    try {
      inputs = matchInputs(fed, blobs);
    } catch (e) {
      if (e instanceof InputFileError) throw new CliError(`${visible(where)}: ${visible(e.message)}`);
      throw e;
    }
    const derived = given.length === 0 ? shapesFromValues(graph, inputs) : [];
    if (derived.length > 0) {
      outcome = graphOf(read, name, phase, derived, io);
      graph = outcome.graph;
    }
    const problems = inputShapeProblems(inputs, graph.inputs as InputSpec[]);
    if (problems.length > 0) throw new CliError(`${visible(where)}: ${visible(problems[0]!)}`);
  } else {
    const unknown = unknownInputs(graph.inputs as InputSpec[]);
    if (unknown.length > 0) throw new CliError(`the shape of input ${unknown.map(visible).join(", ")} is not known: give --input-shape (e.g. --input-shape ${visible(unknown[0]!)}=2,3,32,32) or --input FILE`);
    inputs = new Map();
  }

  // Weights: the caffemodel, or seeded blobs written as one (both sides read them their own way).
  // On shared memory for the worker thread, started now (it loads while this thread reads or draws):
  // the state it reads is views into these bytes, and it reads half of a file.
  let bytes: Uint8Array;
  let thread: TorchThread | null = null;
  if (weightsFile !== undefined) {
    thread = startThread(graph);
    bytes = io.readBytes(weightsFile, { shared: thread !== null, ...(thread && { split: thread.splitRead }) });
  } else {
    const unknown = unknownBlobShapes(graph);
    if (unknown.length > 0) throw new CliError(`cannot draw weights for layer "${visible(unknown[0]!.layer)}" (${visible(unknown[0]!.type)}): its blob shapes are not known; give --weights or --input-shape`);
    thread = startThread(graph);
    bytes = seededCaffemodel(graph, seed, { shared: thread !== null });
  }
  const weights = netWeights(graph, bytes);
  const weightErrors = weights.diagnostics.filter((d) => d.severity === "error");
  if (weightErrors.length > 0) {
    const text = weightErrors.slice(0, 10).map((d) => `${visible(weightsFile ?? "<seeded weights>")}: ${errStyle.error("error")}: ${visible(weightsMessage(d.code, d.data as never) ?? messageOf(d))}`);
    io.stderr(`${text.join("\n")}\n`);
    return 2;
  }
  if (!fed) {
    const analysis = outcome.convert.analysis;
    inputs = seededInputs(graph.inputs as InputSpec[], analysis.model, seed, labelClasses(analysis));
  }

  const setup: NetSetup = {
    source: name,
    text: read.text,
    sourceMap: read.sourceMap,
    model: buildNet(read.net as NetParameter, { phase }, read.sourceMap),
    graph,
    caffeWeights: weights.caffe,
    state: weights.state,
    inputs,
    tolerance,
  };
  const caffeFailed = (f: ForwardFailure): CliError =>
    new CliError(`${visible(name)}:${f.line}:${f.column}: layer "${visible(f.layer)}" (${visible(f.type)}) cannot be run by the Caffe executor: ${visible(f.message)}`);
  const results: TitledVerification[] = [];
  const python = io.env["PYTHON"] ?? DEFAULT_PYTHON;
  const modelJob = (): TorchModelJob => ({ graph, source: emitNetModule(graph), tensors: weights.tensors, inputs });
  if (recording) {
    const caffe = runCaffeSide(setup);
    if (caffe.failure) throw caffeFailed(caffe.failure);
    const executorRecords = { layers: caffe.reference.map((l) => ({ name: l.name, tops: l.tops as TopValues[] })), error: null };
    results.push({ verification: verifyLayers(setup, recording.layers, executorRecords, { against: "record", candidateIsCaffeExecutor: true }), title: "the Caffe executor against the recording" });
    if (options.torch) {
      const [records] = (deps.runTorch ?? runTorchJobs)([modelJob()], python);
      results.push({ verification: verifyLayers(setup, recording.layers, records!, { against: "torch", state: weights.state }), title: "the emitted model.py in PyTorch against the recording" });
    }
  } else {
    // Both executors in step, each layer compared as it comes: neither side holds the whole net's tops.
    // The worker only pays when the weights are shared with it (else it would get a copy of them).
    const shared = bytes.buffer instanceof SharedArrayBuffer ? thread : null;
    const torchSteps = deps.torchSide ? stepsOf(deps.torchSide) : shared ? shared.steps : defaultTorchSteps;
    const reference: ReferenceLayer[] | undefined = options.torch ? [] : undefined;
    const streamed = verifyNetStreaming(setup, torchSteps, { against: "torch-executor", state: weights.state, keepReference: reference });
    if (streamed.failure) throw caffeFailed(streamed.failure);
    results.push({ verification: streamed.verification });
    if (options.torch) {
      const [records] = (deps.runTorch ?? runTorchJobs)([modelJob()], python);
      results.push({ verification: verifyLayers(setup, reference!, records!, { against: "torch", state: weights.state }) });
    }
  }
  return results;
}
