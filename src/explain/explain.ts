/**
 * `caffe2torch explain`: a converted net in plain words for people who have never used Caffe.
 * An opening paragraph, then the blocks (alike ones grouped: ResNet-50's 53 identical blocks are
 * described once), then the common confusions answered once for this net, unpaired blocks, and a
 * one-or-two-line summary of diagnostics. Pure: (result, options) → text.
 */
import type { ConvertBlock, ConvertResult, UnpairedEntry } from "../convert/types.js";
import { visibleStrings } from "../diagnostics/visible.js";
import { bvlcLines, rankUnknown, rankUnknownLine } from "./bvlc-lines.js";
import { confusions } from "./confusions.js";
import { diagnosticsSummary } from "./diagnostics-summary.js";
import { forkLines } from "./fork-lines.js";
import { formulas } from "./formulas.js";
import { constructorCall, headerLine, modeTag } from "./header.js";
import { overview } from "./overview.js";
import { isUnknownLayer, selectBlocks, type UnknownLayer } from "./select.js";
import { plainStyle, type Line, type TextStyle } from "./style.js";
import { distinct, nameList, num, wrap } from "./words.js";

export type { UnknownLayer } from "./select.js";
export type { TextStyle } from "./style.js";

/** Options of {@link explainNet}. */
export interface ExplainOptions {
  /** Colours (the CLI passes its Style); default none. */
  style?: TextStyle;
  /** Only the block whose BatchNorm, Scale or Bias layer has this name. */
  layer?: string;
  /** Formulas, and every block on its own with its settings (no grouping). */
  verbose?: boolean;
  /** Wrap width in columns (default 100). */
  width?: number;
  /**
   * Layers that overwrite an in-place ReLU's data when the net trains (caffe/relu-mask.ts, by
   * layer name): blocks with one of them as BatchNorm, Scale or Bias get a Training line.
   */
  reluMaskWriters?: ReadonlySet<string>;
}

/** The text, or why `--layer` matched nothing. */
export type ExplainOutcome = { ok: true; text: string } | { ok: false; error: UnknownLayer; message: string };

const LABEL_WIDTH = 10;

/**
 * When the net trains, Caffe's ReLU backward reads its mask from the blob's data, which this
 * block has overwritten in place (relu_layer.cpp Backward_cpu; training README §6).
 */
const RELU_MASK_LINE: Line = {
  label: "Training",
  tone: "warning",
  text:
    "an in-place ReLU before this block works on the same blob, and this block overwrites it in place. Caffe's ReLU backward takes its mask " +
    "from that blob when the backward runs, so in Caffe's training it masks with this block's output (> 0) instead of the ReLU's input: " +
    "Caffe's gradients below the ReLU are not the mathematical ones PyTorch's autograd computes, and the converted model will not train as the Caffe net did " +
    "(lint rule relu-mask-overwritten). Giving the ReLU its own top makes both compute the mathematical gradients.",
};

/** The explanation lines of a block, naming no layer (so alike blocks compare equal). */
function blockLines(block: ConvertBlock, result: ConvertResult, style: TextStyle, writers: ReadonlySet<string>): Line[] {
  const lines = block.caffe.fork ? forkLines(block, style) : bvlcLines(block, result.phase, style);
  const overwrites = [block.batchnorm, block.scale, block.bias].some((name) => name !== null && writers.has(name));
  return overwrites ? [...lines, RELU_MASK_LINE] : lines;
}

function renderLine(line: Line, style: TextStyle, width: number): string {
  const label = style.dim(`${line.label}:`.padEnd(LABEL_WIDTH));
  const text = line.tone === "warning" ? style.warning(line.text) : line.text;
  return wrap(text, width, `  ${label}`, " ".repeat(2 + LABEL_WIDTH));
}

/** The settings as written in the prototxt (verbose only). */
function settingsLine(block: ConvertBlock): Line {
  const k = block.caffe;
  const lr = (v: readonly (number | null)[] | null | undefined): string => (!v || v.length === 0 ? "none" : `[${v.map((x) => (x === null ? "unset" : num(x))).join(", ")}]`);
  const parts = [
    `use_global_stats ${String(k.use_global_stats)} (${k.use_global_stats_explicit ? "written" : "phase default"})`,
    `moving_average_fraction ${num(k.moving_average_fraction)}`,
    `eps ${num(k.eps)}`,
    `${k.fork ? "statistics" : "BatchNorm"} param lr_mult ${lr(k.stats_lr_mult)}`,
  ];
  if (k.scale_lr_mult !== null) parts.push(`${k.fork ? "gamma/beta" : "Scale"} param lr_mult ${lr(k.scale_lr_mult)}`);
  if (k.bias_lr_mult) parts.push(`Bias param lr_mult ${lr(k.bias_lr_mult)}`);
  if (k.fork) parts.push(`fork ${k.fork.family} (${Object.entries(k.fork.settings).map(([a, b]) => `${a} ${String(b)}`).join(", ")})`);
  return { label: "Settings", text: `${parts.join("; ")}.` };
}

function whereLine(block: ConvertBlock): Line {
  const dims = block.input_shape ?? block.input_dims ?? null;
  const shape = dims === null ? "shape unknown" : dims.map((d) => (d === null ? "?" : String(d))).join("×");
  return { label: "Where", text: `line ${block.line}; reads blob ${block.input} (${shape}), writes ${block.output}.` };
}

/** A group of blocks explained alike. */
interface Group {
  blocks: ConvertBlock[];
  /** The lines every member shares. */
  lines: Line[];
  /** The Shape line naming members whose input rank is unknown, if any. */
  shape: Line | null;
}

/**
 * Groups blocks whose explanation and configuration agree (num_features aside). A block whose
 * input rank is unknown joins a group that agrees on everything else, so one unknown shape does
 * not repeat a whole description; its Shape line names it. `verbose` keeps every block alone.
 */
function groupBlocks(blocks: readonly ConvertBlock[], result: ConvertResult, style: TextStyle, verbose: boolean, writers: ReadonlySet<string>): Group[] {
  const groups: { rest: string; module: string | null; group: Group; first: number }[] = [];
  const order = blocks.map((block, index) => ({ block, index, lines: blockLines(block, result, style, writers) }));
  // Blocks with a known module first, so unknown ones can join them.
  order.sort((a, b) => Number(rankUnknown(a.block)) - Number(rankUnknown(b.block)) || a.index - b.index);
  for (const { block, index, lines } of order) {
    const rest = verbose ? String(index) : JSON.stringify([constructorCall({ ...block, torch: { ...block.torch, module: null } }, "C"), modeTag(block), lines]);
    const found = groups.find((g) => g.rest === rest && (block.torch.module === null || g.module === block.torch.module));
    if (found) {
      found.group.blocks.push(block);
      found.first = Math.min(found.first, index);
    } else groups.push({ rest, module: block.torch.module, group: { blocks: [block], lines, shape: null }, first: index });
  }
  groups.sort((a, b) => a.first - b.first);
  return groups.map(({ group }) => {
    group.blocks.sort((a, b) => blocks.indexOf(a) - blocks.indexOf(b));
    const unknown = group.blocks.filter(rankUnknown);
    if (unknown.length === 0) return group;
    return { ...group, shape: rankUnknownLine(unknown.length === group.blocks.length ? null : unknown.map((b) => b.batchnorm), style) };
  });
}

function renderGroup(group: Group, style: TextStyle, width: number, verbose: boolean, sameAs: string | null): string {
  const first = group.blocks[0]!;
  const example = group.blocks.find((b) => !rankUnknown(b)) ?? first;
  const out: string[] = [];
  if (group.blocks.length === 1) out.push(wrap(headerLine(first, style), width, "", "    "));
  else {
    const names = group.blocks.map((b) => b.batchnorm);
    out.push(wrap(`${style.bold(`${group.blocks.length} blocks like this:`)} ${nameList(names)}`, width, "", "    "));
    out.push(wrap(`e.g. ${headerLine(example, style)}`, width, "  ", "       "));
    const features = distinct(group.blocks.map((b) => b.torch.num_features)).filter((n): n is number => n !== null);
    if (features.length > 1) {
      const sorted = [...features].sort((a, b) => a - b);
      const list = sorted.length <= 8 ? `${sorted.slice(0, -1).join(", ")} or ${sorted[sorted.length - 1]!}` : `from ${sorted[0]!} to ${sorted[sorted.length - 1]!}`;
      out.push(wrap(`num_features is each block's channel count: ${list}.`, width, "       "));
    }
  }
  const shape = group.shape ? [group.shape] : [];
  if (sameAs !== null) {
    out.push(`  ${style.dim(`Explained as for ${sameAs} above; only the settings in the header differ.`)}`);
    for (const line of shape) out.push(renderLine(line, style, width));
    return out.join("\n");
  }
  const lines = verbose ? [whereLine(first), settingsLine(first), ...group.lines, ...shape] : [...group.lines, ...shape];
  for (const line of lines) out.push(renderLine(line, style, width));
  return out.join("\n");
}

function unpairedSection(entries: readonly UnpairedEntry[], style: TextStyle, width: number): string[] {
  if (entries.length === 0) return [];
  const reasons = distinct(entries.map((u) => u.reason));
  return [
    style.bold("Not fused with a Scale, so affine=False:"),
    ...reasons.map((r) => {
      const names = entries.filter((u) => u.reason === r).map((u) => u.batchnorm);
      return wrap(`${nameList(names)}: ${names.length > 1 ? "for each, " : ""}${r}.`, width, "  ", "    ");
    }),
  ];
}

/**
 * Explains `result` in plain words. With `layer`, only the matching block; a name that matches
 * no BatchNorm, Scale or Bias layer gives `ok: false` with the known names and a did-you-mean.
 * Every string of the result (names, the source, notes, diagnostics) goes through
 * {@link visibleStrings}: the text is for a terminal, and a name must not be able to write to it.
 */
export function explainNet(raw: ConvertResult, options: ExplainOptions = {}): ExplainOutcome {
  const style = options.style ?? plainStyle;
  const width = options.width ?? 100;
  const verbose = options.verbose ?? false;
  let chosen: readonly ConvertBlock[] = raw.blocks;
  if (options.layer !== undefined) {
    const selected = selectBlocks(raw.blocks, options.layer, raw.phase);
    if (isUnknownLayer(selected)) return { ok: false, error: selected, message: unknownLayerMessage(selected, width) };
    chosen = selected;
  }
  // Selected on the exact names (two names can look alike once visible), shown visible from here on.
  const names = new Set(chosen.map((b) => b.batchnorm));
  const unpaired = visibleStrings(raw.unpaired.filter((u) => names.has(u.batchnorm)));
  const result = visibleStrings(raw);
  const index = new Map(raw.blocks.map((b, i) => [b, i]));
  const blocks = chosen.map((b) => result.blocks[index.get(b)!]!);
  const sections: string[] = [];
  // Names compared before visibleStrings (blocks carry visible names from here on): made visible alike.
  const writers = new Set([...(options.reluMaskWriters ?? [])].map((n) => visibleStrings(n)));
  const groups = groupBlocks(blocks, result, style, verbose, writers);
  const [title, ...paragraphs] = overview(result, blocks, style, options.layer !== undefined, verbose ? blocks.length : groups.length);
  sections.push([title!, ...paragraphs.map((p) => wrap(p, width))].join("\n\n"));
  if (blocks.length > 0) {
    if (verbose) sections.push([style.bold("Formulas"), ...formulas(blocks, style)].join("\n"));
    // A group explained word for word like an earlier one (e.g. a BatchNorm1d among 2d ones)
    // points back to it instead of repeating it.
    const seen = new Map<string, string>();
    const rendered = groups.map((g) => {
      const key = JSON.stringify(g.lines);
      const sameAs = verbose ? null : seen.get(key) ?? null;
      if (!seen.has(key)) seen.set(key, g.blocks[0]!.batchnorm);
      return renderGroup(g, style, width, verbose, sameAs);
    });
    sections.push(rendered.join("\n\n"));
    const items = confusions(blocks, style);
    if (items.length > 0) {
      sections.push([style.bold("Common confusions, answered for this net"), ...items.map((s) => wrap(`• ${s}`, width, "  ", "    "))].join("\n"));
    }
  }
  const unpairedLines = unpairedSection(unpaired, style, width);
  if (unpairedLines.length > 0) sections.push(unpairedLines.join("\n"));
  const diagnostics = diagnosticsSummary(result.diagnostics, style);
  if (diagnostics.length > 0) sections.push(diagnostics.map((l) => wrap(l, width, "", "  ")).join("\n"));
  return { ok: true, text: `${sections.join("\n\n")}\n` };
}

/** The message for a `--layer` name that matches nothing (for standard error; names through {@link visibleStrings}). */
export function unknownLayerMessage(raw: UnknownLayer, width = 100): string {
  const e = visibleStrings(raw);
  const hint = e.suggestion ? ` Did you mean "${e.suggestion}"?` : "";
  const known = e.batchnorms.length === 0 ? `There are no BatchNorm layers in the ${e.phase} phase.` : `BatchNorm layers in the ${e.phase} phase: ${e.batchnorms.join(", ")}.`;
  return `${wrap(`No BatchNorm, Scale or Bias layer is named "${e.name}".${hint}`, width)}\n${wrap(known, width, "", "  ")}\n`;
}
