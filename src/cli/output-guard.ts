/**
 * Remembers which files a run read, so that no output lands on one of them. Comparing path
 * strings is not enough: `-o ./net.prototxt`, a symlink to the input, or a hard link to it all
 * name the same data, so a file counts as an input when its resolved real path or its
 * (device, inode) pair equals an input's.
 */
import { realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { CliError } from "./io-types.js";

/** One file read by the run, as identified on disk. */
interface InputIdentity {
  /** The path as the user gave it (for the message). */
  given: string;
  /** The resolved real path, or null when it could not be resolved. */
  real: string | null;
  /** `dev:ino`, or null when the file could not be stat'ed. */
  inode: string | null;
}

function realPathOf(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    // A file that does not exist yet: its directory's real path plus its name, so that
    // `dir-link/out.py` and `dir/out.py` still compare equal.
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return null;
    }
  }
}

function inodeOf(path: string): string | null {
  try {
    // statSync follows symlinks: a link to an input has the input's inode.
    const s = statSync(path, { bigint: true });
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}

/** The inputs of one run; `check` refuses an output that would replace one of them. */
export class InputRegistry {
  private readonly inputs: InputIdentity[] = [];

  /** Records a file that was read ("-", standard input, is not a file and is ignored). */
  record(path: string): void {
    if (path === "-") return;
    this.inputs.push({ given: path, real: realPathOf(path), inode: inodeOf(path) });
  }

  /** The input that `path` would overwrite, or null. */
  inputAt(path: string): string | null {
    const real = realPathOf(path);
    const inode = inodeOf(path);
    for (const input of this.inputs) {
      if ((real !== null && input.real === real) || (inode !== null && input.inode === inode)) return input.given;
    }
    return null;
  }

  /**
   * Throws a CliError (exit 2) when writing `path` would replace a file this run read.
   * `inPlace` allows it (lint --fix rewrites the files it reads, on purpose).
   */
  check(path: string, inPlace = false): void {
    if (inPlace) return;
    const input = this.inputAt(path);
    if (input === null) return;
    const same = input === path ? "" : ` (the same file as the input ${input})`;
    throw new CliError(`${path}: refusing to overwrite an input file${same}; choose another output path`);
  }
}
