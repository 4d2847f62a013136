import type { ConvertBlock, ConvertResult } from "../convert/types.js";
import { mdName, mdNumber, mdTable, mdText } from "./markdown-text.js";

function pyBoolText(value: boolean): string {
  return value ? "`True`" : "`False`";
}

function lrList(values: readonly (number | null)[]): string {
  if (values.length === 0) return "none";
  return `[${values.map((v) => (v === null ? "unset" : mdNumber(v))).join(", ")}]`;
}

/** The Caffe | PyTorch rows of one block's table. */
function blockRows(block: ConvertBlock, phase: ConvertResult["phase"]): string[][] {
  const { caffe, torch } = block;
  const pairing = [`type ${mdText(caffe.type)}`];
  if (block.scale !== null) pairing.push(`Scale ${mdName(block.scale)}`);
  if (block.bias !== null) pairing.push(`Bias ${mdName(block.bias)}`);
  const shape = block.input_shape === null ? "unknown" : `[${block.input_shape.join(", ")}]`;
  const momentum =
    torch.momentum === null
      ? "`None` (cumulative average, as fraction 1 gives)"
      : `${mdNumber(torch.momentum)} (= 1 − ${mdNumber(caffe.moving_average_fraction)})`;
  const scaleSide =
    block.scale === null
      ? "no Scale paired"
      : `Scale paired, bias_term: ${caffe.bias_term === null ? "unset" : String(caffe.bias_term)}`;
  const grads = torch.affine
    ? `weight: ${pyBoolText(torch.weight_requires_grad ?? true)}, bias: ${pyBoolText(torch.bias_requires_grad ?? true)}`
    : "n/a (no weight or bias)";
  const scaleLr = caffe.scale_lr_mult === null ? "no Scale" : lrList(caffe.scale_lr_mult);
  const globalStats = `use_global_stats: ${String(caffe.use_global_stats)} (${
    caffe.use_global_stats_explicit ? "written" : `${phase} default`
  })`;
  return [
    ["module", pairing.join(", "), torch.module === null ? "unknown (input rank unknown)" : `\`nn.${torch.module}\``],
    ["num_features", `input shape ${shape}`, torch.num_features === null ? "unknown" : String(torch.num_features)],
    ["eps", mdNumber(caffe.eps), mdNumber(torch.eps)],
    ["momentum", `moving_average_fraction: ${mdNumber(caffe.moving_average_fraction)}`, momentum],
    ["affine", scaleSide, pyBoolText(torch.affine)],
    ["requires_grad", `Scale/Bias lr_mult: ${scaleLr}; BatchNorm lr_mult: ${lrList(caffe.stats_lr_mult)}`, grads],
    ["track_running_stats", globalStats, pyBoolText(torch.track_running_stats)],
    ["mode", `phase ${phase}`, `\`${torch.mode}\``],
    ["inference", inferenceCaffe(block), block.equivalence.inference === "exact" ? "exact" : "unknown (see notes)"],
    ["training", "running statistics = sums / scale factor (s ← f·s + 1)", trainingText(block)],
  ];
}

/** What the block's forward normalises with in this phase, on Caffe's side. */
function inferenceCaffe(block: ConvertBlock): string {
  if (block.equivalence.inference === "unknown") return "a fork's semantics, not recognised";
  const mode = block.torch.mode;
  return mode === "eval" || mode === "frozen" ? "stored statistics (sums / scale factor)" : "batch statistics";
}

/**
 * Whether PyTorch's running statistics follow Caffe's as training goes on: a row of its own, so that
 * an exact inference is not read as "not exact" because of what continued training would do.
 */
function trainingText(block: ConvertBlock): string {
  const e = block.equivalence;
  switch (e.training) {
    case "exact":
      return block.notes.some((n) => n.code === "exact-emulation") ? "exact from the first step (--exact)" : "exact from the first step";
    case "lags":
      return e.lag_steps === 0
        ? "lags by under 0.1 % (the loaded statistics have converged); exact with --exact"
        : `lags for ${e.lag_steps} steps (PyTorch's start weighs over 0.1 % until then); exact with --exact`;
    case "differs":
      return "differs (see notes)";
    case "none":
      return block.torch.mode === "frozen" ? "nothing to follow: the statistics stay as loaded" : "nothing to follow: no running statistics are used";
    case "unknown":
      return "unknown (see notes)";
  }
}

function blockSection(block: ConvertBlock, index: number, phase: ConvertResult["phase"]): string {
  const parts = [
    `## Block ${index + 1}: ${mdName(block.batchnorm)}`,
    `Input ${mdName(block.input)}, output ${mdName(block.output)}, line ${block.line}, column ${block.column}.`,
    mdTable(["Setting", "Caffe", "PyTorch"], blockRows(block, phase)),
  ];
  if (block.notes.length > 0) {
    parts.push(block.notes.map((n) => `- **${mdText(n.code)}**: ${mdText(n.message)}`).join("\n"));
  }
  return parts.join("\n\n");
}

/**
 * A Markdown report of `result`: a title, a table per block (setting | Caffe | PyTorch), the
 * block's notes as a list, then unpaired BatchNorm layers and diagnostics. Every name and
 * message from the prototxt or converter is escaped (see markdown-text.ts). Pure.
 */
export function emitMarkdown(result: ConvertResult): string {
  const title = result.net ?? result.source;
  const parts = [
    `# caffe2torch: ${mdText(title)}`,
    [
      `- Source: ${mdText(result.source)}`,
      `- Net: ${mdName(result.net)}`,
      `- Phase: ${result.phase}`,
      `- BatchNorm blocks: ${result.blocks.length}`,
    ].join("\n"),
  ];
  if (result.blocks.length === 0) parts.push("No BatchNorm layers are active in this phase.");
  result.blocks.forEach((block, i) => parts.push(blockSection(block, i, result.phase)));
  if (result.unpaired.length > 0) {
    parts.push(
      "## Unpaired BatchNorm layers",
      result.unpaired
        .map((u) => `- ${mdName(u.batchnorm)}: ${mdText(u.reason)} (${mdText(u.code)})`)
        .join("\n"),
    );
  }
  if (result.diagnostics.length > 0) {
    parts.push(
      "## Diagnostics",
      result.diagnostics
        .map((d) => {
          const at = d.line === null ? "" : `${d.line}:${d.column ?? 1} `;
          return `- ${at}${d.severity} ${mdText(d.code)}: ${mdText(d.message)}`;
        })
        .join("\n"),
    );
  }
  return `${parts.join("\n\n")}\n`;
}
