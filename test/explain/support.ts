/** Shared helpers for the explain tests: read and convert as the CLI does, then explain. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { convertNet } from "../../src/convert/convert.js";
import type { ConvertResult } from "../../src/convert/types.js";
import { renderMessage } from "../../src/diagnostics/messages.js";
import { explainNet, type ExplainOptions } from "../../src/explain/explain.js";
import { readNet } from "../../src/schema/read.js";
import { CORPUS_DIR, ROOT } from "../helpers/paths.js";

export const FIXTURES = join(ROOT, "fixtures/convert");
/** The corpus ResNet-50 deploy file, read in place (never copied into the project). */
export const RESNET50 = join(CORPUS_DIR, "KaimingHe-drn__ResNet-50-deploy.prototxt");
export const hasCorpus = existsSync(RESNET50);

/** Reads and converts prototxt text as `caffe2torch explain` does (lenient, upgraded). */
export function convertText(text: string, phase: "TEST" | "TRAIN" = "TEST", source = "net.prototxt"): ConvertResult {
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  return convertNet(read, { phase, source, messageOf: renderMessage });
}

/** Converts a file (fixture name or absolute path). */
export function convertFile(file: string, phase: "TEST" | "TRAIN" = "TEST"): ConvertResult {
  const path = file.startsWith("/") ? file : join(FIXTURES, file);
  return convertText(readFileSync(path, "utf8"), phase, file.split("/").pop()!);
}

/** The plain explanation text; fails the test when explain reports an unknown layer. */
export function explainText(result: ConvertResult, options: ExplainOptions = {}): string {
  const outcome = explainNet(result, options);
  if (!outcome.ok) throw new Error(`unexpected unknown layer: ${outcome.message}`);
  return outcome.text;
}

/** How often `needle` occurs in `text`. */
export function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

export const ANSI = /\u001b\[[0-9;]*m/g;
