import {
  type Stats,
  closeSync, existsSync, mkdirSync, fchmodSync, fstatSync, fsyncSync, lstatSync, openSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { createRequire } from "node:module";
import { CliError, type CliIo, type SplitRead } from "./io-types.js";
import { colorLevel } from "./color.js";
import { InputRegistry } from "./output-guard.js";
import { checkWritable, describeWriteError } from "./write-errors.js";
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

/**
 * A file's bytes followed by `padding` zero bytes, read into one buffer (on shared memory with
 * `shared`, the tail read by `split`'s thread when it takes it).
 */
function readFilePadded(path: string, padding: number, shared = false, split?: SplitRead): Buffer {
  if (padding === 0 && !shared) return readFileSync(path);
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const buf = shared ? Buffer.from(new SharedArrayBuffer(size + padding)) : Buffer.allocUnsafe(size + padding);
    const helper = shared && split && size > 0 ? split(buf.buffer as SharedArrayBuffer, path, size) : null;
    const end = helper?.from ?? size;
    let off = 0;
    for (let n = -1; off < end && n !== 0; off += n) n = readSync(fd, buf, off, end - off, off);
    // The helper writes into buf until wait() returns: wait whatever happened here.
    if (helper?.wait() === true && off === end) off = size;
    for (let n = -1; off < size && n !== 0; off += n) n = readSync(fd, buf, off, size - off, off);
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
function readRaw(path: string, padding = 0, shared = false, split?: SplitRead): Buffer {
  try {
    return path === "-" ? readStdin(padding) : readFilePadded(path, padding, shared, split);
  } catch (e) {
    throw new CliError(describeFsError(path === "-" ? "<stdin>" : path, e));
  }
}

/**
 * Temporary files being written right now. Writes are synchronous, so a signal handler normally
 * runs after the write has renamed or removed its file; the set is a safety net for a handler
 * that runs while one is still open (an asynchronous caller in the future).
 */
const pendingTemps = new Set<string>();
const CLEANUP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let signalGuards = 0;

/**
 * On a signal: remove any temporary file, then die of the same signal (exit status 128+n, as
 * the shell expects) by removing the listeners, which restores the default action, and raising
 * it again.
 */
function onSignal(signal: NodeJS.Signals): void {
  for (const tmp of pendingTemps) removeQuietly(tmp);
  pendingTemps.clear();
  for (const s of CLEANUP_SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

/**
 * Listens for SIGINT/SIGTERM/SIGHUP around a write. Without a listener the default action kills
 * the process mid-write and leaves the temporary file behind. With one, Node holds the signal
 * until the synchronous write has returned, but drops it if no listener is left by then, so the
 * listeners stay for the next turns of the event loop; a Ctrl-C during the write thus ends the
 * process right after it, with the temporary file already renamed or removed.
 */
function guardSignals(): void {
  if (signalGuards++ === 0) for (const s of CLEANUP_SIGNALS) process.on(s, onSignal);
  // Two turns: the write may itself run in a poll-phase callback, whose check phase comes before
  // the next poll phase, the one that reads a signal caught during the write.
  setImmediate(() =>
    setImmediate(() => {
      if (--signalGuards > 0) return;
      for (const s of CLEANUP_SIGNALS) process.removeListener(s, onSignal);
      if (exitCode !== undefined) process.exit(exitCode);
    }),
  );
}

/** The code exitProcess was asked to exit with while a write still guarded signals. */
let exitCode: number | undefined;

/**
 * Ends the process with `code` (bin/caffe2torch.js calls it when the CLI is done; everything is
 * written by then, with writeSync). Exiting rather than letting the event loop run dry skips
 * Node's wait for V8's background tasks, such as optimising compiles of the functions a lint ran
 * hot: 3 to 30 ms of a cold lint. While a write's signal guard is up it waits for it, so that a
 * signal caught during the write is still handled (temporary file removed, death by the signal).
 */
export function exitProcess(code: number): void {
  if (signalGuards === 0) process.exit(code);
  exitCode = code;
}

/** Removes a file if it exists; a path that cannot hold one (ENOTDIR…) has nothing to remove. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // nothing was created there
  }
}

/** The file a write to `path` should replace: the target of a symlink, so the link survives. */
function writeTarget(path: string, label: string): { target: string; mode: number | null; special: boolean } {
  try {
    const s = statSync(path);
    if (s.isDirectory()) throw new CliError(`${label}: cannot write: is a directory`);
    const target = lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
    return { target, mode: s.mode & 0o7777, special: !s.isFile() };
  } catch (e) {
    if (e instanceof CliError) throw e;
    return { target: path, mode: null, special: false };
  }
}

/** Writes every chunk of `content` to an open file descriptor. */
function writeChunks(fd: number, content: string | Uint8Array | Iterable<string | Uint8Array>): void {
  const chunks = typeof content === "string" || content instanceof Uint8Array ? [content] : content;
  for (const chunk of chunks) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  }
}

/**
 * A device or FIFO (`-o /dev/null`, `-o >(gzip > x)`) is written directly: renaming a regular
 * file over /dev/null would replace the device, and a stream has no partial-file problem.
 */
function writeSpecial(path: string, content: string | Uint8Array | Iterable<string | Uint8Array>, label: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "w");
    writeChunks(fd, content);
  } catch (e) {
    throw new CliError(`${label}: cannot write: ${describeWriteError(path, e, false)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * `bytes` random bytes as hex. Web Crypto's global rather than an import of node:crypto: that
 * module costs every cold start ~18 M instructions (callgrind), and only writes need it.
 */
function randomHex(bytes: number): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");
}

/**
 * Writes `content` to `path` via a temporary file in the same directory and a rename, so that
 * readers see the old file or the whole new one, never a partial one; on failure, or when
 * SIGINT/SIGTERM/SIGHUP arrive, the temporary file is removed and the target is untouched.
 * A symlink is followed (the file it points to is replaced, the link kept) and an existing
 * file's permission bits are kept; a device or FIFO is written directly (see writeSpecial). The
 * temporary name is random and created exclusively, so a
 * planted file or symlink of that name is never written through.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array | Iterable<string | Uint8Array>, label = path): void {
  const { target, mode, special } = writeTarget(path, label);
  if (special) return writeSpecial(target, content, label);
  const tmp = join(dirname(target), `.${basename(target)}.${randomHex(6)}.tmp`);
  let fd: number | undefined;
  guardSignals();
  try {
    fd = openSync(tmp, "wx", mode ?? 0o666);
    pendingTemps.add(tmp);
    if (mode !== null) fchmodSync(fd, mode);
    writeChunks(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    removeQuietly(tmp);
    if (e instanceof CliError) throw e;
    throw new CliError(`${label}: cannot write: ${describeWriteError(target, e, true)}`);
  } finally {
    pendingTemps.delete(tmp);
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

const requireBuiltin = createRequire(import.meta.url);
const terminals = new Map<number, boolean>();

/**
 * Whether file descriptor `fd` is a terminal, as `process.stdout.isTTY` says for 1. The answer
 * is node:tty's, but that module (with net and streams) costs a cold start ~11 M instructions
 * (callgrind; Node's bare start is ~85 M), and `process.stdout`, which we never write through,
 * more. So what cannot be a terminal is answered first: a pipe or a file (CI logs, redirects)
 * is no character device, and /dev/null is the one character device output often goes to.
 */
function isTerminal(fd: number): boolean {
  let known = terminals.get(fd);
  if (known === undefined) {
    known = couldBeTerminal(fd) && (requireBuiltin("node:tty") as typeof import("node:tty")).isatty(fd);
    terminals.set(fd, known);
  }
  return known;
}

function couldBeTerminal(fd: number): boolean {
  let device: Stats;
  try {
    device = fstatSync(fd);
  } catch {
    return true; // let node:tty decide (a closed descriptor is no terminal there either)
  }
  if (!device.isCharacterDevice()) return false;
  try {
    // rdev names the device itself (major and minor), whichever node in /dev opened it.
    return device.rdev !== statSync("/dev/null").rdev;
  } catch {
    return true; // no /dev/null (Windows): node:tty decides
  }
}

/** The real process-backed CliIo. `colorFlag` is --color (true) / --no-color (false) / unset. */
export function processIo(colorFlag?: boolean): CliIo {
  const env = process.env;
  const inputs = new InputRegistry();
  const read = (path: string, padding = 0, shared = false, split?: SplitRead): Buffer => {
    const b = readRaw(path, padding, shared, split);
    inputs.record(path);
    return b;
  };
  return {
    // Not Buffer#toString: that replaces bad bytes with U+FFFD, and errors could not point at them.
    readFile: (path) => decodeSourceText(read(path)),
    readSource: (path) => {
      const b = read(path, 2);
      return decodeSourceBytes(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), b.length - 2);
    },
    readBytes: (path, options) => {
      const b = read(path, 0, options?.shared ?? false, options?.split);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
    checkOutput: (path, options) => {
      inputs.check(path);
      checkWritable(path, options?.label);
    },
    writeFileAtomic: (path, content, options) => {
      inputs.check(path, options?.inPlace ?? false);
      writeFileAtomic(path, content, options?.label);
    },
    makeDirectory: (path) => {
      try {
        mkdirSync(path, { recursive: true });
      } catch (e) {
        throw new CliError(`cannot create the folder ${path}: ${(e as NodeJS.ErrnoException).code === "EEXIST" ? "a file of that name exists" : (e as Error).message}`);
      }
    },
    exists: (path) => existsSync(path),
    stdout: (s) => writeAll(1, s),
    stderr: (s) => writeAll(2, s),
    cwd: process.cwd(),
    // Getters: most runs never ask, and asking costs a cold start node:tty (see isTerminal).
    color: {
      get stdout() {
        return colorLevel(colorFlag, env, () => isTerminal(1));
      },
      get stderr() {
        return colorLevel(colorFlag, env, () => isTerminal(2));
      },
    },
    isTTY: {
      get stdout() {
        return isTerminal(1);
      },
      get stderr() {
        return isTerminal(2);
      },
    },
    env,
  };
}
