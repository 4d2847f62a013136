/**
 * The worker thread of `verify --net`'s PyTorch side (torch-thread.ts starts it). It loads little
 * before answering, so that it can first read the second half of the caffemodel while the main
 * thread reads the first (on this project's VMs the page faults of fresh memory, not the disk, cost
 * the time, and two threads take them side by side); then it runs the executor (torch-worker-run.ts).
 */
import { closeSync, openSync, readSync } from "node:fs";
import { workerData, type MessagePort } from "node:worker_threads";
import { SIGNAL_POSTED, SIGNAL_READ, SIGNAL_STARTED, SIGNAL_STOPPED, type ReadMessage, type SetupMessage, type TorchWorkerData } from "./torch-thread-protocol.js";

/** Reads bytes [from, to) of the file into the shared buffer and touches each page; whether all came. */
function readRange(m: ReadMessage): boolean {
  try {
    const bytes = new Uint8Array(m.buffer);
    const fd = openSync(m.path, "r");
    let off = m.from;
    try {
      for (let n = -1; off < m.to && n !== 0; off += n) n = readSync(fd, bytes, off, m.to - off, off);
    } finally {
      closeSync(fd);
    }
    // Measured on our VMs: the first read of each page after read() filled it costs ~1.5 ms per MB more; take it here too.
    let sum = 0;
    for (let i = m.from; i < m.to; i += 4096) sum += bytes[i]!;
    return off === m.to && sum >= 0;
  } catch {
    return false; // the main thread reads the range itself
  }
}

const data = workerData as TorchWorkerData | undefined;
if (data?.port) {
  const { signal } = data;
  const port: MessagePort = data.port;
  process.on("exit", () => {
    Atomics.store(signal, SIGNAL_STOPPED, 1);
    Atomics.notify(signal, SIGNAL_POSTED);
    Atomics.notify(signal, SIGNAL_READ);
  });
  // The executor's modules load while the read runs and the main thread decodes the weights.
  const running = import("./torch-worker-run.js");
  Atomics.store(signal, SIGNAL_STARTED, 1);
  const onMessage = (m: ReadMessage | SetupMessage): void => {
    if (m.kind === "read") {
      Atomics.store(signal, SIGNAL_READ, readRange(m) ? 1 : 2);
      Atomics.notify(signal, SIGNAL_READ);
      return;
    }
    port.off("message", onMessage);
    void running.then(({ runTorchOnWorker }) => {
      runTorchOnWorker(data, m);
      port.close();
    });
  };
  port.on("message", onMessage);
}
