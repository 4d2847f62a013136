import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { LineIndex } from "../../src/diagnostics/range.js";

/** `line:col` (1-based) of an offset in `text`. */
export function at(text: string, offset: number): string {
  const p = new LineIndex(text).position(offset);
  return `${p.line}:${p.column}`;
}

/** Each diagnostic as `line:col code`, in order: how tests pin errors. */
export function pinned(text: string, diagnostics: readonly Diagnostic[]): string[] {
  const lines = new LineIndex(text);
  return diagnostics.map((d) => {
    const p = lines.position(d.range?.offset ?? 0);
    return `${p.line}:${p.column} ${d.code}`;
  });
}

/** Like {@link pinned} with the severity: `line:col severity code`. */
export function pinnedWithSeverity(text: string, diagnostics: readonly Diagnostic[]): string[] {
  const lines = new LineIndex(text);
  return diagnostics.map((d) => {
    const p = lines.position(d.range?.offset ?? 0);
    return `${p.line}:${p.column} ${d.severity} ${d.code}`;
  });
}

/** The line protoc would name for a diagnostic: `data.protoc_offset` when present, else the range start. */
export function protocLineOf(text: string, d: Diagnostic): number {
  const offset = typeof d.data["protoc_offset"] === "number" ? d.data["protoc_offset"] : (d.range?.offset ?? 0);
  return new LineIndex(text).position(offset).line;
}

/**
 * The error protoc would report: protoc stops at the first error it meets in reading order, so
 * the one with the smallest protoc position (an unclosed block, found at the end of input, sorts
 * last although we report it at its opening brace).
 */
export function protocFirst(diagnostics: readonly Diagnostic[]): Diagnostic | undefined {
  const protocOffset = (d: Diagnostic): number =>
    typeof d.data["protoc_offset"] === "number" ? d.data["protoc_offset"] : (d.range?.offset ?? 0);
  let first: Diagnostic | undefined;
  for (const d of diagnostics) {
    if (d.severity === "error" && (!first || protocOffset(d) < protocOffset(first))) first = d;
  }
  return first;
}

export const protoDir = fileURLToPath(new URL("../../proto/", import.meta.url));
export const protocAvailable = !spawnSync("protoc", ["--version"], { encoding: "utf8" }).error;
export const inCI = process.env.CI === "true";

/** What protoc --encode=caffe.NetParameter says of `text`: accepted, or the line of its first error. */
export interface ProtocVerdict {
  accepted: boolean;
  /** The line of protoc's first `input:LINE:COL:` error, when it refused. */
  line?: number;
  stderr: string;
  stdout: Buffer;
}

/** Runs the real protoc on `text` (throws when protoc cannot be run: a CI failure, not a skip). */
export function protocEncode(text: string): ProtocVerdict {
  const r = spawnSync("protoc", [`--proto_path=${protoDir}`, "--encode=caffe.NetParameter", `${protoDir}caffe.proto`], {
    input: text,
  });
  if (r.error) throw r.error;
  const stderr = r.stderr.toString("utf8");
  const first = /^input:(\d+):(\d+):/m.exec(stderr);
  return first
    ? { accepted: false, line: Number(first[1]), stderr, stdout: r.stdout }
    : { accepted: r.status === 0, stderr, stdout: r.stdout };
}
