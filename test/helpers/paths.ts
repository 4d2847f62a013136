/** Where tests find the project and the shared ground truth (../shared beside the clone, as in CI). */
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** ../shared: the corpus and golden traces (never copied into the project). */
export const SHARED = resolve(ROOT, "../shared");
export const CORPUS_DIR = join(SHARED, "corpus");
export const GOLDEN_DIR = join(SHARED, "golden");
/** The built CLI launcher (tests run after `npm run build`). */
export const BIN = join(ROOT, "bin", "caffe2torch.js");
export const PROTO_DIR = join(ROOT, "proto");

/** Every corpus prototxt, by file name, sorted. */
export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith(".prototxt"))
    .sort();
}
