/**
 * The messages between `verify --net` and the worker thread that runs its PyTorch side (our executor
 * of the emitted graph) on the second core. Tops of pooled size travel on SharedArrayBuffers (no
 * copy); the main thread hands each back by id once compared, and the worker's pool gives it out
 * again. A shared Int32Array carries the counters either side waits on.
 */
import type { TorchGraph } from "../../convert/torch-graph.js";
import type { ExecuteFailure } from "../../execute/net.js";
import type { Blob } from "../../execute/types.js";

/** What the worker starts with (workerData). */
export interface TorchWorkerData {
  port: import("node:worker_threads").MessagePort;
  /** SIGNAL_* counters. */
  signal: Int32Array;
}

/** Index in the signal array: records (and the final message) the worker has posted. */
export const SIGNAL_POSTED = 0;
/** Index: release messages the main thread has posted. */
export const SIGNAL_RELEASED = 1;
/**
 * Index: 1 while the main thread waits for a record. The worker holds back (when far ahead) only
 * while it is 0: a main thread that waits will release nothing until it gets a record.
 */
export const SIGNAL_MAIN_WAITING = 2;
/** Index: 1 once the worker's modules have loaded (a worker that cannot load them never sets it). */
export const SIGNAL_STARTED = 3;
/** Index: 1 once the worker is exiting (set by its exit handler: a stop without a last message). */
export const SIGNAL_STOPPED = 4;
/** Index: 1 once the worker has read its part of the caffemodel, 2 when it could not. */
export const SIGNAL_READ = 5;
/** Length of the signal array. */
export const SIGNAL_LENGTH = 6;

/** Main → worker, once: what to run. */
export interface SetupMessage {
  kind: "setup";
  graph: TorchGraph;
  state: Map<string, Blob>;
  inputs: Map<string, Blob>;
}

/** Main → worker, first: read bytes [from, to) of the file at `path` into `buffer`. */
export interface ReadMessage {
  kind: "read";
  path: string;
  buffer: SharedArrayBuffer;
  from: number;
  to: number;
}

/** Main → worker: tops compared, their buffers free again. */
export interface ReleaseMessage {
  kind: "release";
  ids: number[];
}

/** One top as sent: `id` > 0 when the worker holds its buffer until released. */
export interface SentTop {
  blob: string;
  shape: number[];
  data: Float32Array;
  id: number;
}

/** Worker → main. */
export type WorkerMessage =
  | { kind: "record"; name: string; type: string; position: number; tops: SentTop[] }
  | { kind: "done"; error: ExecuteFailure | null }
  | { kind: "crash"; message: string };
