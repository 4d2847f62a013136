import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { LineIndex } from "../diagnostics/range.js";
import type { Comment } from "../textproto/tree.js";
import { bindText, type BoundMessage } from "./bind.js";
import { loadCaffeSchema } from "./load.js";
import type { SourceMap } from "./locations.js";
import { upgradeSolver } from "./upgrade-solver.js";

/** Options for reading a Caffe solver definition. */
export interface SolverReadOptions {
  /** Unknown fields/enum values become warnings and are kept aside (lenient mode). Default false. */
  allowUnknown?: boolean;
  /** Upgrade `solver_type` to `type` (and inline legacy nets), as Caffe's UpgradeSolverAsNeeded does. Default false. */
  upgrade?: boolean;
  /** Keep source locations (default true). */
  locations?: boolean;
}

/** A Caffe solver read from text. */
export interface SolverReadResult {
  /** caffe.SolverParameter as a plain object (see bind.ts for the representation). */
  solver: BoundMessage;
  /** Syntax, schema and upgrade findings, in reading order. */
  diagnostics: Diagnostic[];
  sourceMap: SourceMap;
  lines: LineIndex;
  comments: Comment[];
  text: string;
}

/** Reads prototxt text as caffe.SolverParameter (what ReadSolverParamsFromTextFileOrDie reads). Never throws on user input. */
export function readSolver(text: string, options: SolverReadOptions = {}): SolverReadResult {
  const schema = loadCaffeSchema();
  const bound = bindText(text, schema.message("caffe.SolverParameter"), {
    allowUnknown: options.allowUnknown ?? false,
    locations: options.locations ?? true,
  });
  const diagnostics = bound.diagnostics;
  if (options.upgrade) {
    diagnostics.push(...upgradeSolver(bound.message, bound.sourceMap));
    diagnostics.sort((a, b) => (a.range?.offset ?? 0) - (b.range?.offset ?? 0));
  }
  return { solver: bound.message, diagnostics, sourceMap: bound.sourceMap, lines: new LineIndex(text), comments: bound.comments, text };
}

/** Top-level fields only NetParameter has / only SolverParameter has (see {@link textKind}). */
let fieldSets: { net: ReadonlySet<string>; solver: ReadonlySet<string> } | undefined;

function kindFields(): { net: ReadonlySet<string>; solver: ReadonlySet<string> } {
  if (fieldSets) return fieldSets;
  const schema = loadCaffeSchema();
  const net = new Set(schema.message("caffe.NetParameter").fields.keys());
  const solver = new Set(schema.message("caffe.SolverParameter").fields.keys());
  fieldSets = { net: new Set([...net].filter((f) => !solver.has(f))), solver: new Set([...solver].filter((f) => !net.has(f))) };
  return fieldSets;
}

/** How many top-level field names are looked at before deciding. */
const KIND_SAMPLE = 64;

/**
 * Whether a prototxt is a solver or a net, by its top-level field names (the files carry no
 * type): the first name only one of caffe.NetParameter and caffe.SolverParameter declares decides
 * (`layer`, `name`, `input` → net; `base_lr`, `lr_policy`, `net`, `max_iter` … → solver). A text
 * with no such name is a net. Only the top level is scanned, and only its first fields.
 */
export function textKind(text: string): "net" | "solver" {
  const { net, solver } = kindFields();
  let depth = 0;
  let seen = 0;
  // A small scanner of its own: comments and strings skipped, braces counted, names at depth 0.
  const n = text.length;
  for (let i = 0; i < n && seen < KIND_SAMPLE; ) {
    const c = text.charCodeAt(i);
    if (c === 35 /* # */) {
      const e = text.indexOf("\n", i);
      i = e === -1 ? n : e + 1;
    } else if (c === 34 || c === 39) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== c && text.charCodeAt(j) !== 10) j += text.charCodeAt(j) === 92 ? 2 : 1;
      i = j + 1;
    } else if (c === 123 || c === 60) {
      depth++;
      i++;
    } else if (c === 125 || c === 62) {
      depth = Math.max(0, depth - 1);
      i++;
    } else if (isNameStart(c)) {
      let j = i + 1;
      while (j < n && isNamePart(text.charCodeAt(j))) j++;
      if (depth === 0 && !isNamePart(text.charCodeAt(i - 1) || 32) && text.charCodeAt(i - 1) !== 46) {
        const name = text.slice(i, j);
        const next = nextSignificant(text, j);
        if (next === 58 || next === 123 || next === 60) {
          seen++;
          if (net.has(name)) return "net";
          if (solver.has(name)) return "solver";
        }
      }
      i = j;
    } else {
      i++;
    }
  }
  return "net";
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function nextSignificant(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return c;
  }
  return -1;
}
