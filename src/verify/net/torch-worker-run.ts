/**
 * The run of `verify --net`'s PyTorch side in its worker thread (torch-worker.ts loads it): our
 * executor of the emitted graph one layer at a time, each record posted with its tops on the pool's
 * SharedArrayBuffers, every buffer sent kept until the main thread has compared it.
 */
import { receiveMessageOnPort } from "node:worker_threads";
import { torchGraphSteps } from "../../execute/torch/index.js";
import { FloatPool, releaseFloats, retainFloats } from "../../numeric/float-pool.js";
import { SIGNAL_MAIN_WAITING, SIGNAL_POSTED, SIGNAL_RELEASED, type ReleaseMessage, type SentTop, type SetupMessage, type TorchWorkerData, type WorkerMessage } from "./torch-thread-protocol.js";

/** Records sent and not yet compared before the worker waits (while the main thread is busy): it runs ahead within bounds. */
const MAX_AHEAD = 24;

/** Runs the PyTorch side of `setup`, posting on `port`, to the end or to a failure (posted as a crash). */
export function runTorchOnWorker({ port, signal }: TorchWorkerData, setup: SetupMessage): void {
  const post = (message: WorkerMessage): void => {
    port.postMessage(message);
    Atomics.add(signal, SIGNAL_POSTED, 1);
    Atomics.notify(signal, SIGNAL_POSTED);
  };
  const sent = new Map<number, Float32Array>();
  let nextId = 1;
  const drainReleases = (): void => {
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
      for (const id of (m.message as ReleaseMessage).ids) {
        const data = sent.get(id);
        if (data) releaseFloats(data);
        sent.delete(id);
      }
    }
  };
  try {
    new FloatPool({ shared: true }).run(() => {
      const steps = torchGraphSteps(setup.graph, setup.state, setup.inputs, { keep: false });
      for (;;) {
        drainReleases();
        while (sent.size > MAX_AHEAD && Atomics.load(signal, SIGNAL_MAIN_WAITING) === 0) {
          const seen = Atomics.load(signal, SIGNAL_RELEASED);
          drainReleases();
          if (sent.size > MAX_AHEAD) Atomics.wait(signal, SIGNAL_RELEASED, seen, 100);
        }
        const step = steps.next();
        if (step.done) {
          post({ kind: "done", error: step.value.error });
          return;
        }
        const r = step.value;
        const tops = r.tops.map((t): SentTop => {
          // Only buffers on shared memory travel uncopied; the rest (small ones) are copies the worker need not hold.
          if (!(t.data.buffer instanceof SharedArrayBuffer)) return { blob: t.blob, shape: t.shape, data: t.data, id: 0 };
          const id = nextId++;
          retainFloats(t.data);
          sent.set(id, t.data);
          return { blob: t.blob, shape: t.shape, data: t.data, id };
        });
        post({ kind: "record", name: r.name, type: r.type, position: r.position, tops });
      }
    });
  } catch (e) {
    post({ kind: "crash", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
}
