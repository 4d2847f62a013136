/**
 * One long-lived Python per test file for the real-PyTorch checks (torch_session.py is the other
 * end). Starting /usr/bin/python3 and importing torch costs ~1.5 s of CPU, which per case made
 * these files the slowest of the suite; and spawnSync blocked the vitest worker meanwhile (see
 * yield-to-io.ts). A session is started lazily on the first call, with `spawn`, so the worker's
 * event loop keeps running while Python works; useTorchSession closes it in afterAll.
 *
 * A call names a script file and one of its functions; the server imports the script once (by
 * path) and returns the function's JSON result, or its exception with the traceback. Requests go
 * over fd 3 and replies come back over fd 4, so nothing the script prints can be taken for a reply.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Readable, Writable } from "node:stream";
import { afterAll } from "vitest";
import { PYTHON } from "./torch-probe.js";

const SERVER = fileURLToPath(new URL("./torch_session.py", import.meta.url));

/** As the per-case runs had: long enough for a loaded machine, short enough to report a hang. */
const DEFAULT_TIMEOUT_MS = 120_000;
/** How long close() waits for the server to exit on its own before killing it. */
const CLOSE_GRACE_MS = 10_000;

export interface SessionOptions {
  /** The server's working directory (a generated module runs relative to it). */
  cwd?: string;
  /** Added to (or, with undefined values, removed from) the environment. */
  env?: Record<string, string | undefined>;
}

/** What the whole Python process wrote and how it ended, from close(). */
export interface SessionOutput {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
  stdout: string;
  stderr: string;
}

interface Pending {
  label: string;
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** The last lines of captured stderr, for an error message; nothing when it is empty. */
function stderrTail(text: string, lines = 40): string {
  return text === "" ? "" : `\nstderr:\n${text.split("\n").slice(-lines).join("\n")}`;
}

/** One Python process and the requests it has not answered yet. */
class Server {
  readonly child: ChildProcess;
  readonly exited: Promise<SessionOutput>;
  readonly pending = new Map<number, Pending>();
  /** False once the process has ended (a crash is reported to the calls it was answering). */
  alive = true;
  stdout = "";
  stderr = "";

  constructor(options: SessionOptions) {
    const env: Record<string, string | undefined> = { ...process.env, PYTHONIOENCODING: "utf-8", PYTHONDONTWRITEBYTECODE: "1", ...options.env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(PYTHON, [SERVER, "3", "4"], {
      cwd: options.cwd,
      env: env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"],
    });
    this.child = child;
    child.stdout?.setEncoding("utf8").on("data", (s: string) => (this.stdout += s));
    child.stderr?.setEncoding("utf8").on("data", (s: string) => (this.stderr += s));
    this.#readReplies(child.stdio[4] as Readable);
    // Without a reader the request pipe's EPIPE would be an unhandled error; the close event reports it.
    (child.stdio[3] as Writable).on("error", () => undefined);
    this.exited = new Promise((resolve) => {
      let spawnError: Error | undefined;
      let done = false;
      const finish = (status: number | null, signal: NodeJS.Signals | null) => {
        if (done) return;
        done = true;
        this.alive = false;
        const why = spawnError !== undefined ? `could not run ${PYTHON}: ${spawnError.message}` : `Python exited (${signal ?? `status ${String(status)}`})`;
        this.fail(`${why} before replying.${stderrTail(this.stderr)}`);
        resolve({ status, signal, stdout: this.stdout, stderr: this.stderr });
      };
      child.on("error", (e) => {
        spawnError = e;
        if (child.pid === undefined) finish(null, null); // never started: no close event to wait for
      });
      child.on("close", finish);
    });
  }

  send(request: { id: number; script: string; function: string; args: readonly unknown[] }, pending: Pending): void {
    this.pending.set(request.id, pending);
    (this.child.stdio[3] as Writable).write(`${JSON.stringify(request)}\n`);
  }

  /** Rejects request `only`, or every pending request. */
  fail(message: string, only?: number): void {
    for (const [id, pending] of this.pending) {
      if (only !== undefined && id !== only) continue;
      this.pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(new Error(`${pending.label}: ${message}`));
    }
  }

  /** Splits fd 4 into JSON lines and settles the request each one answers. */
  #readReplies(stream: Readable): void {
    let buffered: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        buffered.push(chunk.subarray(start, nl));
        this.#settle(Buffer.concat(buffered).toString("utf8"));
        buffered = [];
        start = nl + 1;
      }
      if (start < chunk.length) buffered.push(chunk.subarray(start));
    });
  }

  #settle(line: string): void {
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch (e) {
      // Only the server writes here; a line that does not parse (NaN in a result) fails every caller.
      this.fail(`unreadable reply from Python (${(e as Error).message}): ${line.slice(0, 200)}`);
      return;
    }
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    pending.resolve(reply);
  }
}

/**
 * A Python that runs test scripts' functions, started on the first call and kept until close().
 * Calls are answered in turn; a failed call leaves the session usable, a killed or crashed process
 * is replaced on the next call.
 */
export class TorchSession {
  readonly #options: SessionOptions;
  #server: Server | undefined;
  #nextId = 1;

  constructor(options: SessionOptions = {}) {
    this.#options = options;
  }

  /**
   * `fn(...args)` of the Python `script`, as its JSON result. Rejects with the traceback when it
   * raises, and when it runs longer than `timeoutMs` (the process is then killed; the next call
   * starts a fresh one).
   */
  async call<T>(script: string, fn: string, args: readonly unknown[] = [], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    return (await this.callWithOutput(script, fn, args, timeoutMs)).result as T;
  }

  /** As {@link call}, also giving what the call printed through sys.stdout and sys.stderr. */
  async callWithOutput(script: string, fn: string, args: readonly unknown[] = [], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ result: unknown; stdout: string; stderr: string }> {
    if (this.#server?.alive !== true) this.#server = new Server(this.#options);
    const server = this.#server;
    const id = this.#nextId++;
    const label = `${script}: ${fn}()`;
    const reply = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#server === server) this.#server = undefined;
        server.fail(`timed out after ${timeoutMs} ms; Python killed.${stderrTail(server.stderr)}`, id);
        server.child.kill("SIGKILL");
      }, timeoutMs);
      server.send({ id, script, function: fn, args }, { label, resolve, reject, timer });
    });
    if (!reply.ok) throw new Error(`${label} raised:\n${reply.error ?? ""}${stderrTail(reply.stderr)}`);
    return { result: reply.result, stdout: reply.stdout, stderr: reply.stderr };
  }

  /** Ends the server (closing its request pipe) and gives the whole process's output; null if none runs. */
  async close(): Promise<SessionOutput | null> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return null;
    (server.child.stdio[3] as Writable).end();
    const timer = setTimeout(() => server.child.kill("SIGKILL"), CLOSE_GRACE_MS);
    try {
      return await server.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A session for the calling test file, closed (its process ended) after the file's tests. */
export function useTorchSession(options: SessionOptions = {}): TorchSession {
  const session = new TorchSession(options);
  afterAll(async () => {
    await session.close();
  });
  return session;
}
