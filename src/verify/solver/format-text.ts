/**
 * The text report of `verify --solver`: a header, the per-iteration table (lr, each side's distance
 * from Caffe, the float32 bound), the groups, and what holds. Pure: report in, text out.
 */
import { plainStyle, type TextStyle } from "../../diagnostics/style.js";
import { visible } from "../../diagnostics/visible.js";
import { num } from "../format-text.js";
import type { SideSummary, SolverIterationRow, SolverVerification } from "./types.js";

/** Up to this many iterations the table shows every row; beyond, the eventful ones. */
const ALL_ROWS = 40;

function lrText(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/** The iterations worth a row in a long run: the start, each lr change and the next two, each first crossing, the end. */
function shownRows(r: SolverVerification): Set<number> {
  const n = r.rows.length;
  if (n <= ALL_ROWS) return new Set(r.rows.map((x) => x.k));
  const shown = new Set<number>([0, 1, 2, n - 2, n - 1]);
  const around = (k: number | null): void => {
    if (k === null) return;
    for (let j = k - 1; j <= k + 2; j++) if (j >= 0 && j < n) shown.add(j);
  };
  for (const k of r.lr_changes.slice(0, 8)) around(k);
  around(r.plain.first_beyond);
  around(r.exact.first_beyond);
  return shown;
}

function row(x: SolverIterationRow, previous: SolverIterationRow | undefined, r: SolverVerification, style: TextStyle): string {
  const mark = (within: boolean, text: string): string => (within ? text.padEnd(15) : style.error(`${text} >`.padEnd(15)));
  const notes: string[] = [];
  if (x.lr_changed && previous) notes.push(`lr ${lrText(previous.lr)} → ${lrText(x.lr)}`);
  if (x.clipped) notes.push("clipped");
  if (x.k === r.plain.first_beyond) notes.push(`plain beyond the bound from here (${visible(r.plain.blob ?? "")})`);
  if (x.k === r.exact.first_beyond) notes.push(style.error(`exact beyond the bound from here (${visible(r.exact.blob ?? "")})`));
  return `${String(x.k).padStart(6)}  ${lrText(x.lr).padEnd(12)}${mark(x.plain.within, num(x.plain.error))} ${mark(x.exact.within, num(x.exact.error))} ${num(x.bound).padEnd(14)}${notes.join("; ")}`.trimEnd();
}

function sideLine(name: string, s: SideSummary, r: SolverVerification, style: TextStyle): string {
  const differs = r.differences.filter((d) => d.status === "differs").map((d) => d.code);
  if (s.first_beyond === null) {
    const how = s.max_error === 0 ? "bit for bit" : `within float32's bound (max ${num(s.max_error)})`;
    return `${name} (${s.optimizer}): ${style.good("agrees")} with Caffe in every iteration, ${how}` + (s.claim === "differs" ? `; the differences solver reports (${differs.join(", ")}) stay below the bound in this run` : "");
  }
  const where = `from iteration ${s.first_beyond} (${visible(s.blob ?? "")}), max ${num(s.max_error)}`;
  if (s.claim === "differs") return `${name} (${s.optimizer}): ${style.warning("drifts")} from Caffe ${where}: as solver reports (${differs.join(", ")}); --exact removes it`;
  return `${name} (${s.optimizer}): ${style.error("DISAGREES")} with Caffe ${where}, beyond float32's bound although it is claimed to reproduce Caffe`;
}

/** The text report. */
export function formatSolverVerification(r: SolverVerification, style: TextStyle = plainStyle): string {
  const out: string[] = [];
  const trained = r.blobs.filter((b) => !b.frozen).length;
  const frozen = r.blobs.length - trained;
  out.push(style.bold(`verify --solver ${visible(r.solver)} (net ${visible(r.net)}): ${r.type}, lr_policy ${r.lr_policy}`));
  out.push(
    `${r.iterations} iterations on seeded gradients (seed ${r.seed}), ${trained} trained blob${trained === 1 ? "" : "s"}${frozen ? ` + ${frozen} frozen` : ""} in ${r.groups.filter((g) => g.lr_mult !== 0).length} group(s), ≤ ${r.values_per_blob} values per blob`,
  );
  if (r.lr_changes.length > 0) out.push(`the lr changes at iteration${r.lr_changes.length === 1 ? "" : "s"} ${r.lr_changes.slice(0, 10).join(", ")}${r.lr_changes.length > 10 ? `, … (${r.lr_changes.length} in all)` : ""}`);
  if (r.first_lr_change !== null && r.first_lr_change >= r.iterations) {
    out.push(style.warning(`the lr first changes at iteration ${r.first_lr_change}, beyond the ${r.iterations} run: give --iterations ${r.first_lr_change + 10} to see the momentum there`));
  }
  out.push("errors: max |θ − θ_caffe| / max(1, max |θ_caffe|) over the blobs; '>' a blob beyond its float32 bound (the column: the smallest blob's)", "");
  out.push(`${"k".padStart(6)}  ${"lr".padEnd(12)}${"plain − Caffe".padEnd(15)} ${"exact − Caffe".padEnd(15)} ${"f32 bound".padEnd(14)}note`);
  const shown = shownRows(r);
  let skipped = false;
  r.rows.forEach((x, i) => {
    if (!shown.has(x.k)) {
      if (!skipped) out.push(style.dim(`${"…".padStart(6)}`));
      skipped = true;
      return;
    }
    skipped = false;
    out.push(row(x, r.rows[i - 1], r, style));
  });
  out.push("", "groups (lr_mult, decay_mult): max plain − Caffe, max exact − Caffe");
  for (const g of r.groups) {
    const name = g.lr_mult === 0 ? "frozen (lr_mult 0)" : `(${g.lr_mult}, ${g.decay_mult})`;
    const from = g.plain_first_beyond === null ? "" : ` from ${g.plain_first_beyond}`;
    const keys = g.blobs.length > 4 ? `${g.blobs.slice(0, 4).map(visible).join(", ")}, … (${g.blobs.length})` : g.blobs.map(visible).join(", ");
    out.push(`  ${name.padEnd(20)} ${`${num(g.plain)}${from}`.padEnd(16)} ${num(g.exact).padEnd(10)} ${keys}`);
  }
  out.push("", sideLine("plain", r.plain, r, style), sideLine("--exact", r.exact, r, style));
  if (!r.frozen_unchanged) out.push(style.error("a frozen blob (lr_mult 0) changed on some side"));
  for (const n of r.notes) out.push(`note: ${visible(n.message)}`);
  out.push(r.ok ? style.good("OK: every mapping claimed exact agrees with Caffe") : style.error("MISMATCH: a mapping claimed exact disagrees with Caffe"));
  return `${out.join("\n")}\n`;
}
