/**
 * `verify --net`'s PyTorch side on a worker thread (torch-worker.ts), so that it runs on the second
 * core while the main thread runs the Caffe executor and compares. The steps it hands out are the
 * same records as in-thread; their buffers are the worker's, handed back when the main thread's pool
 * says the comparison no longer holds them. Everything stays synchronous on the main thread:
 * messages are taken with receiveMessageOnPort, and the thread sleeps on a shared counter between.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { ExecuteResult, LayerRecord } from "../../execute/net.js";
import { runningPool } from "../../numeric/float-pool.js";
import type { ForwardSteps, TorchSteps } from "./run.js";
import { SIGNAL_LENGTH, SIGNAL_MAIN_WAITING, SIGNAL_POSTED, SIGNAL_READ, SIGNAL_RELEASED, SIGNAL_STARTED, SIGNAL_STOPPED, type ReadMessage, type ReleaseMessage, type SetupMessage, type TorchWorkerData, type WorkerMessage } from "./torch-thread-protocol.js";

/** The worker script beside this module (built JavaScript); null when running from the TypeScript sources. */
export function torchWorkerScript(): URL | null {
  const url = new URL("./torch-worker.js", import.meta.url);
  return url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : null;
}

/** How long a worker may take to load its modules (a broken install would otherwise hang verify). */
const START_LIMIT_MS = 30_000;

/** Files smaller than this are read by one thread (a second is not worth a message). */
const SPLIT_MIN_BYTES = 8 << 20;

/** A started worker: its steps (to run once), a helper reading files with it, and how to stop it. */
export interface TorchThread {
  steps: TorchSteps;
  /**
   * Has the worker read the second half of a file into a shared buffer while the caller reads the
   * first (CliIo's SplitRead, without the import: verify must not depend on cli).
   */
  splitRead(buffer: SharedArrayBuffer, path: string, size: number): { from: number; wait: () => boolean } | null;
  stop(): void;
}

/**
 * Starts the worker now (it loads its modules while the caller reads the weights); `steps` then
 * sends it the graph, state and inputs. Buffers on shared memory are not copied: the state's views
 * into a caffemodel read onto a SharedArrayBuffer, and the worker's tops.
 */
export function startTorchThread(script: URL): TorchThread {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_LENGTH * 4));
  const data: TorchWorkerData = { port: port2, signal };
  const worker = new Worker(script, { workerData: data, transferList: [port2] });
  worker.unref();
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    port1.close();
    void worker.terminate();
  };
  const started = Date.now();
  const receive = (): WorkerMessage => {
    for (;;) {
      const seen = Atomics.load(signal, SIGNAL_POSTED);
      const m = receiveMessageOnPort(port1);
      if (m !== undefined) return m.message as WorkerMessage;
      // This thread blocks, so the worker's 'error' and 'exit' events cannot reach it: the worker
      // says through the counters that it loaded and that it is exiting.
      if (Atomics.load(signal, SIGNAL_STOPPED) === 1) {
        // Its last message may have come between the two looks.
        const last = receiveMessageOnPort(port1);
        if (last !== undefined) return last.message as WorkerMessage;
        throw new Error("the worker thread of the PyTorch side stopped without finishing");
      }
      if (Atomics.load(signal, SIGNAL_STARTED) === 0 && Date.now() - started > START_LIMIT_MS) {
        throw new Error(`the worker thread of the PyTorch side did not start within ${START_LIMIT_MS / 1000} s (${fileURLToPath(script)})`);
      }
      // Tell a worker held back that nothing will be released before a record comes.
      Atomics.store(signal, SIGNAL_MAIN_WAITING, 1);
      Atomics.notify(signal, SIGNAL_RELEASED);
      Atomics.wait(signal, SIGNAL_POSTED, seen, 1000);
      Atomics.store(signal, SIGNAL_MAIN_WAITING, 0);
    }
  };
  const release = (id: number): void => {
    if (stopped) return;
    port1.postMessage({ kind: "release", ids: [id] } satisfies ReleaseMessage);
    Atomics.add(signal, SIGNAL_RELEASED, 1);
    Atomics.notify(signal, SIGNAL_RELEASED);
  };
  let readAsked = false;
  const splitRead: TorchThread["splitRead"] = (buffer, path, size) => {
    if (stopped || readAsked || size < SPLIT_MIN_BYTES) return null;
    readAsked = true;
    // Page-aligned, so neither thread touches the other's pages.
    const from = Math.floor(size / 2 / 4096) * 4096;
    port1.postMessage({ kind: "read", path, buffer, from, to: size } satisfies ReadMessage);
    const wait = (): boolean => {
      for (;;) {
        const state = Atomics.load(signal, SIGNAL_READ);
        if (state !== 0) return state === 1;
        // A worker that stopped, or never started: the caller reads the rest itself.
        if (Atomics.load(signal, SIGNAL_STOPPED) === 1) return false;
        if (Atomics.load(signal, SIGNAL_STARTED) === 0 && Date.now() - started > START_LIMIT_MS) {
          stop();
          return false;
        }
        Atomics.wait(signal, SIGNAL_READ, 0, 1000);
      }
    };
    return { from, wait };
  };
  function* steps(...[graph, state, inputs]: Parameters<TorchSteps>): ForwardSteps {
    port1.postMessage({ kind: "setup", graph, state: new Map(state), inputs: new Map(inputs) } satisfies SetupMessage);
    for (;;) {
      const m = receive();
      if (m.kind === "crash") throw new Error(`the worker thread of the PyTorch side failed: ${m.message}`);
      if (m.kind === "done") {
        stop();
        const result: ExecuteResult = { layers: [], error: m.error, blobs: new Map() };
        return result;
      }
      const pool = runningPool();
      const record: LayerRecord = {
        name: m.name,
        type: m.type,
        position: m.position,
        tops: m.tops.map((t) => {
          // Handed back once the comparison lets go of it; without a pool nothing would say when.
          if (t.id > 0) {
            if (!pool) throw new Error("the PyTorch side's worker thread needs a running FloatPool");
            pool.adopt(t.data, () => release(t.id));
          }
          return { blob: t.blob, shape: t.shape, data: t.data };
        }),
      };
      yield record;
    }
  }
  return { steps, splitRead, stop };
}
