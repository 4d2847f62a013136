/**
 * The PyTorch side on a worker thread (what the built CLI runs when the weights come from a file):
 * the same comparison as in this thread, buffers handed back and forth without corruption, and a
 * worker that dies is an error rather than a hang. The worker runs the built modules (dist/), which
 * the test command builds first.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { processIo } from "../../../src/cli/io.js";
import { defaultTorchSteps, verifyNetStreaming } from "../../../src/verify/net/run.js";
import { SIGNAL_POSTED, SIGNAL_STARTED, SIGNAL_STOPPED } from "../../../src/verify/net/torch-thread-protocol.js";
import { startTorchThread } from "../../../src/verify/net/torch-thread.js";
import { ROOT } from "../../helpers/paths.js";
import { goldenNet, seededNet, type GoldenNet } from "./golden.js";
import { RESNET_BLOCKS } from "./resnet-blocks.js";
import { MUTATIONS } from "./mutations.js";

const SCRIPT = pathToFileURL(join(ROOT, "dist", "verify", "net", "torch-worker.js"));

function threaded(net: GoldenNet) {
  const thread = startTorchThread(SCRIPT);
  try {
    return verifyNetStreaming(net.setup, thread.steps, { against: "torch-executor", state: net.weights.state }).verification;
  } finally {
    thread.stop();
  }
}

const inThread = (net: GoldenNet) => verifyNetStreaming(net.setup, defaultTorchSteps, { against: "torch-executor", state: net.weights.state }).verification;

describe("the PyTorch side on a worker thread", () => {
  it.each(["squeezenet_v1_1", "mobilenet_v2", "zoo_tensor", "zoo_norm"])("%s: compares exactly as in this thread", (name) => {
    const net = goldenNet(name);
    const v = threaded(net);
    expect(v.ok).toBe(true);
    expect(v).toEqual(inThread(net));
  }, 60_000);

  it("ResNet's in-place BatchNorm → Scale → ReLU blocks: compares exactly as in this thread", () => {
    // A fused block writes its output over the buffer it normalises again for the record: a worker
    // that handed that buffer out too early would change the values here.
    const net = seededNet(RESNET_BLOCKS) as GoldenNet;
    const v = threaded(net);
    expect(v.ok).toBe(true);
    expect(v).toEqual(inThread(net));
  });

  it.each(MUTATIONS.slice(0, 3).map((m) => [m.title, m] as const))("names the layer of %s first, as in this thread", (_title, m) => {
    const net = goldenNet(m.case, m.mutation);
    const v = threaded(net);
    expect(v.first_divergent).toBe(m.layer);
    expect(v).toEqual(inThread(net));
  }, 60_000);

  const dir = mkdtempSync(join(tmpdir(), "c2t-thread-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the second half of a large file into the shared buffer while this thread reads the first", () => {
    const file = join(dir, "large.bin");
    const size = (9 << 20) + 123;
    writeFileSync(file, Uint8Array.from({ length: size }, (_, i) => (i * 31 + (i >> 12)) % 256));
    const thread = startTorchThread(SCRIPT);
    try {
      let from = -1;
      const bytes = processIo().readBytes(file, {
        shared: true,
        split: (buffer, path, n) => {
          const part = thread.splitRead(buffer, path, n);
          from = part?.from ?? -1;
          return part;
        },
      });
      expect(from).toBe(Math.floor(size / 2 / 4096) * 4096);
      expect(Buffer.from(bytes).equals(readFileSync(file))).toBe(true);
    } finally {
      thread.stop();
    }
  });

  /** zoo_pool's verification against a stand-in worker whose setup handler is `onSetup` (JavaScript) throws `message`. */
  function expectWorkerFailure(message: RegExp, name: string, onSetup: string, extra = ""): void {
    const script = join(dir, `${name}.mjs`);
    writeFileSync(script, `import { workerData } from "node:worker_threads";
const { port, signal } = workerData;
Atomics.store(signal, ${SIGNAL_STARTED}, 1);
${extra}
port.once("message", () => { ${onSetup} });
`);
    const thread = startTorchThread(pathToFileURL(script));
    const net = goldenNet("zoo_pool");
    try {
      expect(() => verifyNetStreaming(net.setup, thread.steps, { against: "torch-executor", state: net.weights.state })).toThrow(message);
    } finally {
      thread.stop();
    }
  }

  it("is an error, not a hang, when the worker stops without a last message", () => {
    // Exits after the setup (as an out-of-memory or a process.exit in a module would), saying so as torch-worker.js does.
    const exitHandler = `process.on("exit", () => { Atomics.store(signal, ${SIGNAL_STOPPED}, 1); Atomics.notify(signal, ${SIGNAL_POSTED}); });`;
    expectWorkerFailure(/worker thread of the PyTorch side stopped without finishing/, "quits", "process.exit(0);", exitHandler);
  });

  it("passes on what failed inside the worker", () => {
    // The protocol's last word, as torch-worker-run.js posts it when its run throws.
    const crash = `port.postMessage({ kind: "crash", message: "Error: boom" }); Atomics.add(signal, ${SIGNAL_POSTED}, 1); Atomics.notify(signal, ${SIGNAL_POSTED}); port.close();`;
    expectWorkerFailure(/failed: Error: boom/, "throws", crash);
  });
});
