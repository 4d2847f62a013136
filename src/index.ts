/**
 * caffe2torch's programmatic API. The CLI is a thin layer over these functions; nothing here
 * touches the process, the file system or the console.
 *
 * @example
 * ```ts
 * import { readNet, encodeNet } from "caffe2torch";
 * const { net, diagnostics } = readNet(text, { allowUnknown: true, upgrade: true });
 * ```
 */
export type { Diagnostic, Severity } from "./diagnostics/diagnostic.js";
export type { Range, Position } from "./diagnostics/range.js";
export { LineIndex } from "./diagnostics/range.js";
export { renderMessage } from "./diagnostics/messages.js";
export { codeFrame } from "./diagnostics/code-frame.js";

export type { Document, FieldNode, Value, ScalarValue, MessageValue, Comment } from "./textproto/tree.js";
export { parseTextProto, type ParseResult } from "./textproto/tree-builder.js";

export { loadCaffeSchema, type Schema, type MessageInfo, type FieldInfo, type EnumInfo } from "./schema/load.js";
export { bindText, type BoundMessage, type BindOptions, type BindResult } from "./schema/bind.js";
export { readNet, type ReadOptions, type ReadResult } from "./schema/read.js";
export { readSolver, textKind, type SolverReadOptions, type SolverReadResult } from "./schema/read-solver.js";
export { SourceMap, type MessageLocation } from "./schema/locations.js";
export { encodeMessage } from "./schema/encode.js";
export { decodeMessage } from "./schema/decode.js";
export { printMessage } from "./schema/print.js";
export { encodeNet, decodeNet } from "./schema/net-binary.js";

export { analyzeNet, type AnalyzeOptions, type NetAnalysis } from "./caffe/analyze.js";
export type { InputShape } from "./caffe/input-shapes.js";
export { convertNet, convertNetDetailed, type ConvertOptions, type ConvertOutcome } from "./convert/convert.js";
export type {
  ConvertResult,
  ConvertBlock,
  CaffeBlockConfig,
  TorchBlockConfig,
  TorchMode,
  BlockNote,
  UnpairedEntry,
} from "./convert/types.js";
export { emit, emitJson, emitPython, emitMarkdown, type EmitFormat } from "./emit/index.js";
export { explainNet, type ExplainOptions } from "./explain/explain.js";
export { lintText, fixText } from "./lint/run.js";
export { solverSettings, type SolverSettings } from "./solver/settings.js";
export { solverProblems } from "./solver/checks.js";
export { solverPlan, type SolverPlan } from "./solver/plan.js";
export { emitSolverModule } from "./solver/python.js";
export { solverJson, solverMarkdown } from "./solver/report.js";
export { verifyNet } from "./verify/verify.js";
export { buildReportData, type ReportInputs } from "./report/build.js";
export { renderReportPage } from "./report/page.js";
export type { ReportData, ReportGraph, ReportLayer, ReportNode, ReportEdge } from "./report/model.js";
export { replayTrace, replayCase } from "./numeric/golden.js";
export { attachWeights } from "./weights/attach.js";
export { inspectCaffemodel } from "./weights/inspect.js";
export { safetensorsBytes } from "./weights/safetensors.js";
export { messageOf } from "./render/messages.js";
export { plainStyle, type TextStyle } from "./diagnostics/style.js";
