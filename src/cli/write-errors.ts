/**
 * Why an output could not be written, in words and with the path the user typed (no errno codes to
 * look up), and the same check before a long run, so it does not end in a refused write.
 */
import { statSync } from "node:fs";
import { dirname } from "node:path";
import { CliError } from "./io-types.js";

/** What is at `path`: a folder, another file, or nothing (or nothing we may look at). */
function kindAt(path: string): "folder" | "file" | "none" {
  try {
    return statSync(path).isDirectory() ? "folder" : "file";
  } catch {
    return "none";
  }
}

/**
 * What stops `path`'s folder from existing: its outermost part that is missing (ENOENT: "the folder
 * nodir does not exist" for nodir/sub/x.json) or is a file (ENOTDIR); null when the folder exists.
 * Paths keep the user's spelling.
 */
function blockingAncestor(path: string): { dir: string; kind: "file" | "none" } | null {
  let dir = dirname(path);
  let found: { dir: string; kind: "file" | "none" } | null = null;
  for (;;) {
    const kind = kindAt(dir);
    if (kind === "folder") return found;
    found = { dir, kind };
    const up = dirname(dir);
    if (up === dir) return found;
    dir = up;
  }
}

/**
 * Why `path` could not be written, in words (no errno codes for the user to look up).
 * `viaTemporary`: the write made a temporary file beside `path` first, so a failure to create a
 * file in an existing folder is that folder's refusal, not a missing one.
 */
export function describeWriteError(path: string, e: unknown, viaTemporary: boolean): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
    case "ENOTDIR": {
      const blocked = blockingAncestor(path);
      if (blocked?.kind === "file") return `${blocked.dir} is a file, not a folder`;
      if (blocked?.kind === "none") return `the folder ${blocked.dir} does not exist`;
      // The folder exists (e.g. /proc): it takes no new files, and a write goes through one.
      return viaTemporary
        ? `the folder ${dirname(path)} does not accept new files (the output is written to a temporary file there first, then renamed)`
        : "no such file";
    }
    case "EISDIR":
      return "is a directory";
    case "EACCES":
    case "EPERM":
      return viaTemporary ? `permission denied (no new files may be made in the folder ${dirname(path)})` : "permission denied";
    case "EROFS":
      return "read-only file system";
    case "ENOSPC":
      return "no space left on the device";
    case "EDQUOT":
      return "disk quota exceeded";
    case "EFBIG":
      return "the file is too large for its file system";
    case "ENAMETOOLONG":
      return "the file name is too long";
    case "ELOOP":
      return "too many levels of symbolic links";
    case "EIO":
      return "input/output error (the device or file system failed)";
    case "EBUSY":
    case "ETXTBSY":
      return "the file is busy";
    default:
      return (e as Error).message ?? String(e);
  }
}

/**
 * Throws the CliError a write to `path` would end with when its folder is missing or is a file,
 * or `path` is a folder: commands ask before a long run, so it does not end in a refused write.
 */
export function checkWritable(path: string, label = path): void {
  if (kindAt(path) === "folder") throw new CliError(`${label}: cannot write: is a directory`);
  const blocked = blockingAncestor(path);
  if (blocked === null) return;
  const why = blocked.kind === "file" ? `${blocked.dir} is a file, not a folder` : `the folder ${blocked.dir} does not exist`;
  throw new CliError(`${label}: cannot write: ${why}`);
}
