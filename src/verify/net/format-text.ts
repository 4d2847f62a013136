/**
 * The text report of `verify --net`: per comparison a table of the layers (name, type, shape,
 * max |Δ|, scaled error, verdict) — long nets summarised to their first rows, every divergent row
 * and the last rows — then the first divergent layer explained, and one final line. Pure.
 */
import { plainStyle, type TextStyle } from "../../diagnostics/style.js";
import { visible } from "../../diagnostics/visible.js";
import { num } from "../format-text.js";
import type { NetLayerCheck, NetVerification } from "../net-types.js";
import { divergenceNote } from "./compare.js";

/** Nets with more layers than this are summarised. */
const SUMMARISE_ABOVE = 30;
const HEAD_ROWS = 6;
const TAIL_ROWS = 3;

/** What each comparison compared, in words. */
const AGAINST: Record<NetVerification["against"], string> = {
  "torch-executor": "the Caffe executor against our PyTorch executor of the emitted graph",
  torch: "the Caffe executor against the emitted model.py in PyTorch",
  record: "the recording against the Caffe executor",
};

/** A title per comparison (the CLI may name a recording's second comparison itself). */
export interface TitledVerification {
  verification: NetVerification;
  /** Overrides the default description of what was compared. */
  title?: string;
}

const dims = (shape: readonly number[] | null): string => (shape === null ? "—" : shape.length === 0 ? "scalar" : shape.join("×"));

function verdict(c: NetLayerCheck, style: TextStyle): string {
  if (c.status === "ok") return style.good("ok");
  if (c.status === "unchecked") return style.dim(c.ok ? "no top" : "not run");
  const note = divergenceNote(c);
  return style.error(note ? `DIVERGED (${note})` : "DIVERGED");
}

function rows(checks: readonly NetLayerCheck[]): (number | { skipped: number; fine: boolean })[] {
  if (checks.length <= SUMMARISE_ABOVE) return checks.map((_, i) => i);
  const shown = new Set<number>();
  for (let i = 0; i < Math.min(HEAD_ROWS, checks.length); i++) shown.add(i);
  for (let i = Math.max(0, checks.length - TAIL_ROWS); i < checks.length; i++) shown.add(i);
  checks.forEach((c, i) => c.status === "diverged" && shown.add(i));
  const out: (number | { skipped: number; fine: boolean })[] = [];
  let gap = 0;
  let fine = true;
  checks.forEach((c, i) => {
    if (shown.has(i)) {
      if (gap > 0) out.push({ skipped: gap, fine });
      gap = 0;
      fine = true;
      out.push(i);
    } else {
      gap++;
      fine &&= c.ok;
    }
  });
  return out;
}

/** The largest scaled error of the compared layers, and where. */
export function largestError(v: NetVerification): { layer: string; scaled: number } | null {
  let best: { layer: string; scaled: number } | null = null;
  for (const c of v.layers) if (c.scaled_error !== null && (best === null || c.scaled_error > best.scaled)) best = { layer: c.name, scaled: c.scaled_error };
  return best;
}

/** The table and explanation of one comparison. */
export function formatNetVerification(item: TitledVerification, style: TextStyle = plainStyle): string {
  const v = item.verification;
  const lines: string[] = [style.bold(`${visible(v.net)} (${v.phase}): ${item.title ?? AGAINST[v.against]}, tolerance ${num(v.tolerance)}`)];
  const table = v.layers.map((c) => [visible(c.name), visible(c.type), dims(c.shape), c.max_abs_error === null ? "—" : num(c.max_abs_error), c.scaled_error === null ? "—" : num(c.scaled_error)]);
  const header = ["layer", "type", "shape", "max |Δ|", "scaled"];
  const widths = header.map((h, k) => Math.min(k === 0 ? 40 : 24, Math.max(h.length, ...table.map((r) => r[k]!.length))));
  const cell = (text: string, k: number): string => (text.length > widths[k]! ? `${text.slice(0, widths[k]! - 1)}…` : text.padEnd(widths[k]!));
  lines.push(`  ${header.map(cell).join("  ")}  verdict`);
  for (const row of rows(v.layers)) {
    if (typeof row === "number") lines.push(`  ${table[row]!.map(cell).join("  ")}  ${verdict(v.layers[row]!, style)}`);
    else lines.push(style.dim(`  … ${row.skipped} more layer${row.skipped === 1 ? "" : "s"}${row.fine ? ", all ok" : ""}`));
  }
  if (v.cause) {
    const at = v.layers.find((c) => c.name === v.cause!.layer);
    lines.push(style.error(`first divergent layer: ${visible(v.cause.layer)}${at ? ` (${visible(at.type)})` : ""}`));
    lines.push(`  Caffe:   ${visible(v.cause.caffe)}`);
    lines.push(`  PyTorch: ${visible(v.cause.torch)}`);
    if (v.cause.likely_cause) lines.push(`  likely cause: ${visible(v.cause.likely_cause)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The final line: agreement with the largest error, or the first divergent layer and how many diverged. */
export function finalLine(items: readonly TitledVerification[], style: TextStyle = plainStyle): string {
  const bad = items.find((i) => !i.verification.ok);
  if (!bad) {
    const worst = items.map((i) => largestError(i.verification)).reduce<{ layer: string; scaled: number } | null>((a, b) => (b !== null && (a === null || b.scaled > a.scaled) ? b : a), null);
    const n = Math.max(...items.map((i) => i.verification.layers.filter((c) => c.status === "ok").length));
    const where = worst && worst.scaled > 0 ? ` (largest scaled error ${num(worst.scaled)}, at ${visible(worst.layer)})` : worst ? " (bit for bit)" : "";
    return `${style.good("agree")}: ${n} layer${n === 1 ? "" : "s"} within ${num(items[0]?.verification.tolerance ?? 0)} in ${items.length} comparison${items.length === 1 ? "" : "s"}${where}\n`;
  }
  const v = bad.verification;
  const diverged = v.layers.filter((c) => c.status === "diverged").length;
  const what = bad.title ?? AGAINST[v.against];
  if (v.first_divergent === null) return `${style.error("NOT VERIFIED")}: ${what}: some layers were not compared\n`;
  return `${style.error("DIVERGED")} at layer ${visible(v.first_divergent)} (${diverged} of ${v.layers.length} layers diverge; ${what})\n`;
}

/** Every comparison's table, then the final line. */
export function formatNetReport(items: readonly TitledVerification[], style: TextStyle = plainStyle): string {
  return items.map((i) => formatNetVerification(i, style)).join("\n") + finalLine(items, style);
}
