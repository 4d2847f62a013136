import type { SourceText } from "../textproto/source-text.js";

/**
 * What a command may do to the outside world. Commands receive this object instead of touching
 * process, fs or console themselves, so tests can run them in memory.
 */
/**
 * Another thread reading the tail of a file into the shared buffer while this one reads the head:
 * given the buffer and the file's size, it takes [from, size) (or declines with null); `wait`
 * returns once it no longer writes, saying whether it read its part whole.
 */
export type SplitRead = (buffer: SharedArrayBuffer, path: string, size: number) => { from: number; wait: () => boolean } | null;

export interface CliIo {
  /** Reads a text file ("-" reads standard input). Throws a CliError when unreadable. */
  readFile(path: string): string;
  /**
   * Reads a text file as readFile does, with the code units of an ASCII file made from the
   * read buffer itself (memory for very large inputs). Optional: callers fall back to readFile.
   */
  readSource?(path: string): SourceText;
  /**
   * Reads a binary file ("-" reads standard input). Throws a CliError when unreadable. With
   * `shared`, the bytes may lie on a SharedArrayBuffer (a worker thread then reads them uncopied),
   * and `split` may have another thread read part of them at the same time.
   */
  readBytes(path: string, options?: { shared?: boolean; split?: SplitRead }): Uint8Array;
  /**
   * Writes a whole file atomically (temp file + rename); never leaves a partial file. Throws a
   * CliError (exit 2) when `path` is a file this run read (same real path, or same device and
   * inode), unless `inPlace` (lint --fix).
   */
  writeFileAtomic(path: string, content: string | Uint8Array | Iterable<string | Uint8Array>, options?: WriteOptions): void;
  /**
   * Throws the CliError writeFileAtomic would throw for `path` being an input, a folder, or in a
   * folder that does not exist; commands call it after reading their inputs, so a long run does
   * not end in a refused write. `label` as in {@link WriteOptions}.
   */
  checkOutput(path: string, options?: Pick<WriteOptions, "label">): void;
  /** Creates a folder and its parents (an existing folder is fine). Throws a CliError when it cannot. */
  makeDirectory?(path: string): void;
  /** Whether a path exists (for config lookup and globbing). */
  exists(path: string): boolean;
  /** Results (text, or bytes for binary output). */
  stdout(s: string | Uint8Array): void;
  /** Diagnostics and progress. */
  stderr(s: string): void;
  cwd: string;
  /** Whether colour is on for stdout / stderr (NO_COLOR, --color/--no-color, TTY). */
  color: { stdout: boolean; stderr: boolean };
  /** Whether stdout / stderr are terminals (progress bars only on a terminal). */
  isTTY: { stdout: boolean; stderr: boolean };
  /** Environment variables (read-only view). */
  env: Readonly<Record<string, string | undefined>>;
}

/** Options of {@link CliIo.writeFileAtomic}. */
export interface WriteOptions {
  /** Replacing a file this run read is intended (lint --fix). */
  inPlace?: boolean;
  /**
   * How an error names the file, when not by `path`: the output the user typed, for a file written
   * beside it (`model.py (its weights model.safetensors)`).
   */
  label?: string;
}

/** An error meant for the user: printed as one line, exit code 2 unless stated. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
