import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CliError, type CliIo } from "./io-types.js";
import { colorLevel } from "./color.js";
import { decodeSourceBytes, decodeSourceText } from "../textproto/source-text.js";

/** Why a file could not be read, in words (no stack traces for bad input). */
function describeFsError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT" ? "no such file" :
    code === "EISDIR" ? "is a directory" :
    code === "EACCES" ? "permission denied" :
    (e as Error).message;
  return `${path}: cannot read: ${why}`;
}

/**
 * All of standard input. Not readFileSync(0): when stdin is a non-blocking pipe (as some
 * parents, e.g. Node's spawnSync, leave it), that throws EAGAIN as soon as the writer is slower
 * than the reader, which happens with large inputs.
 */
function readStdin(padding: number): Buffer {
  const chunks: Buffer[] = [];
  let chunk = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EOF") break;
      if (code !== "EAGAIN") throw e;
      // Nothing to read yet: wait a moment without spinning.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
      continue;
    }
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    if (n === chunk.length) chunk = Buffer.allocUnsafe(chunk.length);
    else chunk = chunk.subarray(n);
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  // concat zero-fills past the chunks.
  return Buffer.concat(chunks, total + padding);
}

/** A file's bytes followed by `padding` zero bytes, read into one buffer. */
function readFilePadded(path: string, padding: number): Buffer {
  if (padding === 0) return readFileSync(path);
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(size + padding);
    let off = 0;
    for (let n = -1; off < size && n !== 0; off += n) n = readSync(fd, buf, off, size - off, null);
    // A file that is not what fstat said (it shrank, or is a pipe or /proc file): read it plainly.
    if (off !== size || size === 0) {
      const whole = readFileSync(path);
      return Buffer.concat([whole], whole.length + padding);
    }
    buf.fill(0, size);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** A file's bytes ("-": standard input), followed by `padding` zero bytes that are not part of it. */
function readRaw(path: string, padding = 0): Buffer {
  try {
    return path === "-" ? readStdin(padding) : readFilePadded(path, padding);
  } catch (e) {
    throw new CliError(describeFsError(path === "-" ? "<stdin>" : path, e));
  }
}

/**
 * Writes `content` to `path` via a temporary file in the same directory and a rename, so that
 * readers see the old file or the whole new one, never a partial one; on failure the
 * temporary file is removed and the target is untouched.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array | Iterable<string | Uint8Array>): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "w");
    const chunks = typeof content === "string" || content instanceof Uint8Array ? [content] : content;
    for (const chunk of chunks) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    if (e instanceof CliError) throw e;
    throw new CliError(`${path}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Writes synchronously to a file descriptor; a closed pipe (EPIPE) ends output quietly. */
function writeAll(fd: number, s: string | Uint8Array): void {
  const buf = typeof s === "string" ? Buffer.from(s, "utf8") : s;
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") continue; // a non-blocking pipe that is full: try again
      if (code === "EPIPE") return;
      throw e;
    }
  }
}

/** The real process-backed CliIo. `colorFlag` is --color (true) / --no-color (false) / unset. */
export function processIo(colorFlag?: boolean): CliIo {
  const env = process.env;
  return {
    // Not Buffer#toString: that replaces bad bytes with U+FFFD, and errors could not point at them.
    readFile: (path) => decodeSourceText(readRaw(path)),
    readSource: (path) => {
      const b = readRaw(path, 2);
      return decodeSourceBytes(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), b.length - 2);
    },
    readBytes: (path) => {
      const b = readRaw(path);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
    writeFileAtomic,
    exists: (path) => existsSync(path),
    stdout: (s) => writeAll(1, s),
    stderr: (s) => writeAll(2, s),
    cwd: process.cwd(),
    color: {
      stdout: colorLevel(colorFlag, env, process.stdout.isTTY === true),
      stderr: colorLevel(colorFlag, env, process.stderr.isTTY === true),
    },
    isTTY: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
    env,
  };
}
