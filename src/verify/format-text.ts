/**
 * The text report of `caffe2torch verify` (stdout): a header, a line per block (or per group of
 * alike blocks in big nets), the lag explained with its numbers, and a summary. Pure: report in,
 * text out; colours come from the caller's style.
 */
import { plainStyle, type TextStyle } from "../diagnostics/style.js";
import { visibleStrings } from "../diagnostics/visible.js";
import { formatSignificant } from "../weights/messages.js";
import type { BlockVerification, Float32BoundUse, LagReport, VerifyMetric, VerifyReport } from "./types.js";

/** Above this many blocks, alike agreeing/lagging/skipped blocks are grouped on one line. */
const GROUP_ABOVE = 12;

/** An error or gap: "0", or two significant digits in exponent form ("4.8e-7"). */
export function num(x: number): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 0.01 && abs < 1000) return String(Number(x.toPrecision(3)));
  return x.toExponential(1).replace("e+", "e").replace(".0e", "e");
}

function metric(name: string, m: VerifyMetric | null): string | null {
  if (m === null) return null;
  const where = m.step === 0 ? "" : ` (step ${m.step})`;
  return `${name} ${num(m.max_error)}${m.within ? "" : where}`;
}

function statsText(b: BlockVerification): string | null {
  if (b.running_mean === null || b.running_var === null) return null;
  return `running mean ${num(b.running_mean.max_error)}, var ${num(b.running_var.max_error)}`;
}

function verdictWord(b: BlockVerification, style: TextStyle): string {
  const word = b.verdict.padEnd(8);
  if (b.verdict === "agree") return style.good(word);
  if (b.verdict === "lag") return b.ok ? style.warning(word) : style.error(word);
  if (b.verdict === "skipped") return style.dim(word);
  return style.error(word);
}

function blockName(b: BlockVerification): string {
  const parts = [b.scale, b.bias].filter((x): x is string => x !== null);
  return parts.length === 0 ? b.batchnorm : `${b.batchnorm} (+${parts.join(", +")})`;
}

const REASONS: Record<string, string> = {
  "fork-semantics": "a Caffe fork's BatchNorm: its semantics are not executed",
  "rank-unsupported": "input rank outside 2…5: no BatchNorm1d/2d/3d takes it",
  "single-value-per-channel": "one value per channel with batch statistics: PyTorch raises (Caffe outputs 0); use a larger --batch",
  "too-large": "the input holds more than 16,777,216 values, more than verify runs; use a smaller --batch",
};

/** A scale factor to 6 significant digits ("39.2298"), as inspect and convert's notes print it. */
const scaleText = (s: number): string => formatSignificant(s);

/** `0.999^k` fresh; `0.961·0.999^k` continuing from a caffemodel's s₀ (w_k of lag.ts). */
function weightText(lag: LagReport, k: string): string {
  const f = `${num(lag.moving_average_fraction)}^${k}`;
  return lag.start_scale_factor === 0 ? f : `${num(lag.start_weight)}·${f}`;
}

function lagSummary(lag: LagReport): string {
  const k = lag.final.step;
  return (
    `running-mean gap after ${k} steps ${num(lag.final.running_mean_gap)} (predicted ${weightText(lag, String(k))}·|init − Caffe| = ` +
    `${num(lag.final.predicted_mean_gap)}), var gap ${num(lag.final.running_var_gap)} (predicted ${num(lag.final.predicted_var_gap)})`
  );
}

function relationText(lag: LagReport): string {
  const f = num(lag.moving_average_fraction);
  const forgotten = lag.steps_until_forgotten === null ? "" : `; ${weightText(lag, "k")} < 1e-3 after ${lag.steps_until_forgotten} steps`;
  const relation =
    lag.start_scale_factor === 0
      ? `torch_k = (1 − ${f}^k)·Caffe_k + ${f}^k·init`
      : `torch_k = (1 − w_k)·Caffe_k + w_k·init with w_k = (1 − (1 − f)·s₀)·f^k = ${weightText(lag, "k")} (s₀ = ${scaleText(lag.start_scale_factor)}, the caffemodel's)`;
  const bounded = lag.relation_float32_bound === 0 ? "" : `, ${lag.relation_float32_bound} channel-steps within float32's error bound left out`;
  return `${relation} holds to ${num(lag.relation_max_error)} (tolerance ${num(lag.relation_tolerance)}${bounded})${forgotten}`;
}

function lagDetails(b: BlockVerification, indent: string): string[] {
  const lag = b.lag;
  if (lag === null) return [];
  const lines = [`${indent}${lagSummary(lag)}`, `${indent}${relationText(lag)}`];
  const alt = b.alternative;
  if (alt !== null && alt.configuration === "exact") {
    const word = alt.verdict === "agree" ? "agrees" : "does NOT agree";
    lines.push(
      `${indent}--exact ${word}: running mean ${num(alt.running_mean.max_error)}, var ${num(alt.running_var.max_error)}, eval output ${num(alt.eval_output.max_error)}`,
    );
  }
  return lines;
}

function lagTable(b: BlockVerification, indent: string): string[] {
  const lag = b.lag;
  if (lag === null) return [];
  const cols = ["step", lag.start_scale_factor === 0 ? "f^k" : "w_k", "mean gap", "predicted", "var gap", "predicted"];
  const rows = lag.per_step.map((s) => [String(s.step), num(s.init_weight), num(s.running_mean_gap), num(s.predicted_mean_gap), num(s.running_var_gap), num(s.predicted_var_gap)]);
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => indent + cells.map((c, i) => c.padStart(widths[i] as number)).join("  ");
  return [`${indent}${b.batchnorm}: the plain mapping's gap to Caffe's running statistics, per step`, line(cols), ...rows.map(line)];
}

/** Every metric of the block that needed float32's error bound, with its label. */
function boundUses(b: BlockVerification): { label: string; m: VerifyMetric & { float32_bound: Float32BoundUse } }[] {
  const all: [string, VerifyMetric | null][] = [
    ["training outputs", b.train_output],
    ["eval output", b.eval_output],
    ["running mean", b.running_mean],
    ["running var", b.running_var],
  ];
  return all.flatMap(([label, m]) => (m !== null && m.float32_bound !== null ? [{ label, m: m as VerifyMetric & { float32_bound: Float32BoundUse } }] : []));
}

/**
 * Why values beyond the tolerance passed: they lie within float32's error bound for their operands.
 * The ratio |μ|/σ says how much of the input's spread the statistics cancel (float32-bound.ts).
 */
function boundLines(b: BlockVerification, indent: string): string[] {
  const uses = boundUses(b);
  if (uses.length === 0) return [];
  const what = uses.map(({ label, m }) => `${label} ${num(m.max_error)} (${m.float32_bound.elements} value${m.float32_bound.elements === 1 ? "" : "s"})`);
  const ratioOf = (u: Float32BoundUse) => (u.std > 0 ? u.mean / u.std : Infinity);
  const worst = uses.reduce((a, u) => (ratioOf(u.m.float32_bound) > ratioOf(a.m.float32_bound) ? u : a));
  const f = worst.m.float32_bound;
  const ratio = ratioOf(f);
  const lost = `both frameworks lose the input below ulp(|mean|) = ${num(ulp32(f.mean))}`;
  const cause =
    ratio >= 1
      ? `|mean| ${num(f.mean)} is ${num(ratio)}·σ (σ = ${num(f.std)}): float32 cancellation, ${lost}; not a conversion error`
      : `the operands outweigh the result (|mean| ${num(f.mean)}, σ ${num(f.std)}): float32 rounding, not a conversion error`;
  return [
    `${indent}beyond the tolerance but within float32's error bound for their operands: ${what.join(", ")}`,
    `${indent}closest (${worst.label}): |Δ| ${num(f.error)} against a bound of ${num(f.bound)}; ${cause}`,
  ];
}

/** The spacing of float32 values at |x| (a normal number's ulp). */
function ulp32(x: number): number {
  const a = Math.fround(Math.abs(x));
  if (a === 0 || !Number.isFinite(a)) return 0;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

function blockLine(b: BlockVerification, style: TextStyle, nameWidth: number): string[] {
  const shape = b.shape === null ? "" : `[${b.shape.join(",")}]`;
  const head = `${blockName(b).padEnd(nameWidth)}  ${shape.padEnd(14)} ${b.mode.padEnd(11)} ${verdictWord(b, style)}`;
  if (b.verdict === "skipped" || b.verdict === "error") return [`${head} ${REASONS[b.reason ?? ""] ?? b.reason ?? ""}`];
  const parts: string[] = [];
  if (b.weights !== null) parts.push(`caffemodel s ${scaleText(b.weights.scale_factor)}`);
  const train = metric(`outputs of ${b.steps} training steps`, b.train_output);
  if (train !== null) parts.push(train);
  const evalOut = metric("eval output", b.eval_output);
  if (evalOut !== null && b.verdict === "lag") parts.push(`${evalOut} (${b.eval_output?.within ? "the lag has faded by the end" : "still lagging"})`);
  else if (evalOut !== null) parts.push(evalOut);
  const stats = b.verdict === "lag" ? null : statsText(b);
  if (stats !== null) parts.push(stats);
  const lines = [`${head} ${parts.join(" · ")}`];
  const indent = " ".repeat(4);
  if (b.failures.length > 0) lines.push(`${indent}${style.error(`beyond tolerance: ${b.failures.join(", ")}`)}`);
  lines.push(...boundLines(b, indent));
  if (b.verdict === "lag" || b.failures.includes("lag_relation")) lines.push(...lagDetails(b, indent));
  return lines;
}

function worst(blocks: BlockVerification[], pick: (b: BlockVerification) => VerifyMetric | null): { value: number; block: string } | null {
  let best: { value: number; block: string } | null = null;
  for (const b of blocks) {
    const m = pick(b);
    if (m !== null && (best === null || m.max_error > best.value)) best = { value: m.max_error, block: b.batchnorm };
  }
  return best;
}

function groupLine(group: BlockVerification[], style: TextStyle): string[] {
  const first = group[0] as BlockVerification;
  const last = group[group.length - 1] as BlockVerification;
  const head = `${group.length} blocks (${first.batchnorm} … ${last.batchnorm})  ${first.mode.padEnd(11)} ${verdictWord(first, style)}`;
  if (first.verdict === "skipped") return [`${head} ${REASONS[first.reason ?? ""] ?? ""}`];
  const parts: string[] = [];
  const add = (label: string, w: { value: number; block: string } | null) => {
    if (w !== null) parts.push(`${label} ≤ ${num(w.value)} (${w.block})`);
  };
  add("outputs", worst(group, (b) => b.train_output));
  add("eval output", worst(group, (b) => b.eval_output));
  if (first.verdict === "lag") {
    const gap = Math.max(...group.map((b) => b.lag?.final.running_mean_gap ?? 0));
    parts.push(`running-mean gap after ${first.steps} steps ≤ ${num(gap)}`);
    const relation = Math.max(...group.map((b) => b.lag?.relation_max_error ?? 0));
    parts.push(`lag relation holds to ≤ ${num(relation)}`);
    const alt = worst(group, (b) => b.alternative?.eval_output ?? null);
    if (alt !== null) parts.push(`--exact eval output ≤ ${num(alt.value)}`);
  } else {
    const stats = Math.max(0, ...group.map((b) => Math.max(b.running_mean?.max_error ?? 0, b.running_var?.max_error ?? 0)));
    if (group.some((b) => b.running_mean !== null)) parts.push(stats === 0 ? "running stats identical" : `running stats ≤ ${num(stats)}`);
  }
  const bounded = group.filter((b) => boundUses(b).length > 0).length;
  if (bounded > 0) parts.push(`${bounded} beyond the tolerance but within float32's error bound for their operands (--json: float32_bound)`);
  return [`${head} ${parts.join(" · ")}`];
}

/** Consecutive runs of blocks with the same mode and verdict, when the net is big; single blocks otherwise. */
function groups(blocks: BlockVerification[]): BlockVerification[][] {
  if (blocks.length <= GROUP_ABOVE) return blocks.map((b) => [b]);
  const key = (b: BlockVerification) => `${b.mode} ${b.verdict} ${b.reason ?? ""}`;
  const groupable = (b: BlockVerification) => b.verdict === "agree" || b.verdict === "skipped" || (b.verdict === "lag" && b.ok);
  const out: BlockVerification[][] = [];
  const byKey = new Map<string, BlockVerification[]>();
  for (const b of blocks) {
    if (!groupable(b)) {
      out.push([b]);
      continue;
    }
    let g = byKey.get(key(b));
    if (g === undefined) {
      g = [];
      byKey.set(key(b), g);
      out.push(g);
    }
    g.push(b);
  }
  return out;
}

function header(r: VerifyReport, style: TextStyle): string[] {
  const net = r.net === null ? "" : `, net "${r.net}"`;
  const config = r.configuration === "exact" ? "--exact Caffe* modules (momentum 1/s)" : "plain nn.BatchNorm*d (momentum = 1 − f)";
  const forwards =
    r.phase === "TRAIN"
      ? `${r.steps} training steps, then one evaluation forward`
      : `${r.steps} steps for blocks using batch statistics, then one evaluation forward (blocks that only read Caffe's stored statistics: the evaluation alone)`;
  const statistics =
    r.weights === null
      ? []
      : [`  statistics: ${r.weights.source} (Caffe from its BatchNorm and Scale/Bias blobs, PyTorch from the converted state${r.phase === "TRAIN" ? "; blocks that train continue from them" : ""})`];
  return [
    style.bold(`caffe2torch verify: ${r.source}${net}, ${r.phase} phase`),
    `  PyTorch configuration: ${config}; batch ${r.batch}, seed ${r.seed}`,
    ...statistics,
    `  forwards: ${forwards}`,
    `  tolerance ${num(r.tolerance)} on |torch − caffe| / max(1, |caffe|) (running statistics: plus float32 drift over long runs); beyond it, only within float32's error bound for the operands`,
    "",
  ];
}

const blocksText = (n: number): string => `${n} block${n === 1 ? "" : "s"}`;

/** Nothing was compared: no block, or every block skipped. Not a pass (exit 1). */
function nothingVerified(r: VerifyReport, style: TextStyle): string[] {
  const s = r.summary;
  if (s.blocks === 0) {
    return [
      `No BatchNorm layer is active in the ${r.phase} phase: nothing to verify.`,
      style.error("NOT VERIFIED: no block was run, so nothing is shown to agree with Caffe."),
    ];
  }
  const reasons = [...new Set(r.blocks.map((b) => REASONS[b.reason ?? ""] ?? b.reason ?? b.verdict))];
  const none = s.blocks === 1 ? "the only block could not be run" : `none of the ${s.blocks} blocks could be run`;
  return ["", `${blocksText(s.blocks)}: ${countsText(r)}`, style.error(`NOT VERIFIED: ${none} (${reasons.join("; ")}), so nothing is shown to agree with Caffe.`)];
}

function countsText(r: VerifyReport): string {
  const s = r.summary;
  return (["agree", "lag", "mismatch", "skipped", "error"] as const).filter((v) => s[v] > 0).map((v) => `${s[v]} ${v}`).join(", ");
}

/**
 * A passing run with lagging blocks: what holds first (the training outputs, all the plain mapping
 * claims while training), then the lag as the expected, predicted consequence, then its remedy.
 */
function lagVerdict(r: VerifyReport, style: TextStyle): string[] {
  const s = r.summary;
  const lagging = r.blocks.filter((b) => b.verdict === "lag");
  const claim = "all the plain mapping claims while training";
  const holds =
    s.agree > 0
      ? `OK: ${blocksText(s.agree)} agree${s.agree === 1 ? "s" : ""} with Caffe in everything; the other ${s.lag} in every training step's output, ${claim}.`
      : `OK: every training step's output agrees with Caffe in ${s.lag === 1 ? "the block" : `all ${s.lag} blocks`}, ${claim}.`;
  const evalLags = lagging.filter((b) => b.eval_output !== null && !b.eval_output.within).length;
  const evalText = evalLags === 0 ? "" : `, and so does the eval output computed from them (${evalLags} of ${s.lag})`;
  const exactAgrees = lagging.filter((b) => b.alternative?.configuration === "exact" && b.alternative.verdict === "agree").length;
  return [
    style.good(holds),
    `Lag, as predicted: the running statistics of momentum = 1 − f trail Caffe's bias-corrected ones in ${s.lag === 1 ? "that block" : `those ${s.lag}`}${evalText}; expected, and not a failure without --strict.`,
    `--exact removes the lag: its running statistics and eval output agree with Caffe in ${exactAgrees} of ${s.lag} (convert --exact writes those modules).`,
  ];
}

function summary(r: VerifyReport, style: TextStyle): string[] {
  const s = r.summary;
  if (s.verified === 0 && s.error === 0) return nothingVerified(r, style);
  const lines = ["", `${blocksText(s.blocks)}: ${countsText(r)}`];
  const which = s.skipped === 1 ? "The skipped block is" : `The ${s.skipped} skipped blocks are`;
  const skipped = s.skipped === 0 ? [] : [`${which} not verified${r.strict ? " (--strict: a failure)" : ""}.`];
  if (!r.ok) {
    if (s.lag > 0 && r.strict) lines.push(style.error("--strict: the plain momentum mapping's lag counts as a failure."));
    lines.push(...skipped, style.error("FAILED: see the blocks above."));
    return lines;
  }
  if (s.lag > 0) return [...lines, ...lagVerdict(r, style), ...skipped];
  const verified = s.skipped === 0 ? "" : ` (the ${blocksText(s.verified)} verified)`;
  return [...lines, style.good(`OK: every configuration claimed equivalent agrees with Caffe${verified}.`), ...skipped];
}

/**
 * The whole text report. Its strings (the source, the net's and the blocks' names) go through
 * {@link visibleStrings} first: the report is for a terminal, and a name must not write to it.
 */
export function formatVerifyText(report: VerifyReport, style: TextStyle = plainStyle): string {
  const r = visibleStrings(report);
  const lines = header(r, style);
  const nameWidth = Math.min(36, Math.max(8, ...r.blocks.map((b) => blockName(b).length)));
  for (const g of groups(r.blocks)) lines.push(...(g.length === 1 ? blockLine(g[0] as BlockVerification, style, nameWidth) : groupLine(g, style)));
  const firstLag = r.blocks.find((b) => b.verdict === "lag" && b.lag !== null && b.lag.per_step.length > 0);
  if (firstLag !== undefined) lines.push("", ...lagTable(firstLag, "  "), "  (--json has the per-step gaps of every block)");
  lines.push(...summary(r, style));
  return `${lines.join("\n")}\n`;
}
