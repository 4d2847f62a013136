/**
 * `caffe2torch verify --net`: in-process with a stand-in PyTorch side (the Caffe executor, right or
 * deliberately wrong) for the report and exit codes, and through the real binary for --torch,
 * --record and the errors of a missing Python or torch.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildNet, type NetLayer } from "../../src/caffe/net.js";
import { buildTorchGraph } from "../../src/convert/graph.js";
import type { NetParameter } from "../../src/schema/caffe-types.js";
import { readNet } from "../../src/schema/read.js";
import { seededCaffemodel } from "../../src/verify/net/seeded-weights.js";
import { netWeights } from "../../src/verify/net/weights.js";
import { runVerifyNet, type VerifyNetCliOptions } from "../../src/cli/commands/verify-net.js";
import { CliError } from "../../src/cli/io-types.js";
import { executeNet } from "../../src/execute/net.js";
import { executorOf } from "../../src/execute/registry.js";
import type { LayerExecutor } from "../../src/execute/types.js";
import type { NetVerification } from "../../src/verify/net-types.js";
import type { TorchSide } from "../../src/verify/net/run.js";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { PYTHON, requireTorch, skipWithoutTorch } from "../helpers/python.js";
import { embeddedJson } from "../report/support.js";
import { RESNET_BLOCKS } from "../verify/net/resnet-blocks.js";
import { memoryIo } from "../verify/support.js";
import { runCliAsync } from "./run-cli.js";

const NETS = join(GOLDEN_DIR, "nets");
const ZOO_POOL = join(NETS, "zoo_pool");

/** The Caffe executor as the PyTorch side, with Pooling's round_mode forced to FLOOR when `floor`. */
function standIn(floor = false): TorchSide {
  return (graph, _state, inputs) => {
    void graph;
    const executors = new Map<string, LayerExecutor>();
    if (floor) {
      const real = executorOf("Pooling")!;
      executors.set("Pooling", {
        types: ["Pooling"],
        forward(ctx) {
          const p = { ...((ctx.layer.param as Record<string, unknown>)["pooling_param"] as Record<string, unknown>), round_mode: "FLOOR" };
          return real.forward({ ...ctx, layer: { ...ctx.layer, param: { ...ctx.layer.param, pooling_param: p } } as NetLayer });
        },
      });
    }
    return executeNet(model!, inputs, weights!, { executors });
  };
}
// The stand-in runs the Caffe executor, which needs the net model and the caffemodel's blobs; a
// TorchSide gets only the graph, state and inputs, so useCase sets them for the case under test.
let model: Parameters<typeof executeNet>[0] | undefined;
let weights: Parameters<typeof executeNet>[2] | undefined;


function useCase(dir: string): void {
  const read = readNet(readFileSync(join(dir, "net.prototxt"), "utf8"), { allowUnknown: true, upgrade: true });
  model = buildNet(read.net as NetParameter, { phase: "TEST" });
  weights = netWeights(buildTorchGraph(read, { phase: "TEST", source: "x" }).graph, readFileSync(join(dir, "weights.caffemodel"))).caffe;
}

function run(file: string | undefined, options: VerifyNetCliOptions, floor = false, files: Record<string, string | Uint8Array> = {}) {
  const m = memoryIo(files);
  const status = runVerifyNet(file, { quiet: true, ...options }, m.io, { torchSide: standIn(floor) });
  return { status, stdout: m.out.join(""), stderr: m.err.join("") };
}

describe("verify --net in-process (stand-in PyTorch side)", () => {
  it("exits 0 with a table of every layer and one final line when every layer agrees", () => {
    useCase(ZOO_POOL);
    const r = run(join(ZOO_POOL, "net.prototxt"), { weights: join(ZOO_POOL, "weights.caffemodel") });
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`${join(ZOO_POOL, "net.prototxt")} (TEST): the Caffe executor against our PyTorch executor of the emitted graph, tolerance 1e-5`);
    expect(lines[1]).toMatch(/^ {2}layer +type +shape +max \|Δ\| +scaled +verdict$/);
    expect(lines[4]).toMatch(/^ {2}max_k3s2 +Pooling +2×3×6×5 +0 +0 +ok$/);
    expect(lines.at(-1)).toBe("agree: 13 layers within 1e-5 in 1 comparison (bit for bit)");
  });

  it("exits 1 naming the first divergent layer, its Caffe parameters, its module and the likely cause", () => {
    useCase(ZOO_POOL);
    const r = run(join(ZOO_POOL, "net.prototxt"), { weights: join(ZOO_POOL, "weights.caffemodel") }, true);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/ {2}max_k3s2_even +Pooling +2×3×6×5 +— +— +DIVERGED \(PyTorch: 2×3×5×4\)\n/);
    expect(r.stdout).toContain(
      [
        "first divergent layer: max_k3s2_even (Pooling)",
        "  Caffe:   pooling_param { pool: MAX kernel_size: 3 stride: 2 }",
        "  PyTorch: nn.MaxPool2d(3, stride=2, ceil_mode=True)",
        "  likely cause: shape [2, 3, 6, 5] in Caffe, [2, 3, 5, 4] in PyTorch: pooled size: Caffe rounds up (round_mode CEIL) and drops a last window that would start in the padding",
      ].join("\n"),
    );
    expect(r.stdout.trimEnd().split("\n").at(-1)).toMatch(/^DIVERGED at layer max_k3s2_even \(\d+ of 13 layers diverge; /);
  });

  it("prints NetVerification with --json", () => {
    useCase(ZOO_POOL);
    const r = run(join(ZOO_POOL, "net.prototxt"), { weights: join(ZOO_POOL, "weights.caffemodel"), json: true }, true);
    const v = JSON.parse(r.stdout) as NetVerification;
    expect(Object.keys(v)).toEqual(["net", "phase", "tolerance", "against", "layers", "first_divergent", "cause", "ok"]);
    expect(v).toMatchObject({ phase: "TEST", tolerance: 1e-5, against: "torch-executor", first_divergent: "max_k3s2_even", ok: false });
    expect(v.layers[0]).toEqual({ name: "data", type: "Input", shape: [2, 3, 13, 11], max_abs_error: 0, scaled_error: 0, ok: true, status: "ok", torch: "an argument of forward" });
    expect(v.cause).toMatchObject({ layer: "max_k3s2_even", torch: "nn.MaxPool2d(3, stride=2, ceil_mode=True)" });
  });

  it("summarises a long net: the first rows, every divergent row, the last rows", () => {
    const relus = Array.from({ length: 40 }, (_, i) => `layer { name: "r${i}" type: "Power" bottom: "${i === 0 ? "x" : `y${i - 1}`}" top: "y${i}" power_param { shift: 0.01 } }`).join("\n");
    const text = `layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 2 dim: 3 } } }\n${relus}\n`;
    model = buildNet(readNet(text).net as NetParameter, { phase: "TEST" });
    weights = new Map();
    const r = run("long.prototxt", {}, false, { "long.prototxt": text });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("  … 32 more layers, all ok\n");
    expect(r.stdout.split("\n").filter((l) => /^ {2}r\d+ /.test(l)).map((l) => l.trim().split(" ")[0])).toEqual(["r0", "r1", "r2", "r3", "r4", "r37", "r38", "r39"]);
  });


  it.each([
    [{ trace: "t.json" }, /--trace is an option of the BatchNorm-block verify, not of --net/],
    [{ input: "x.npy", record: ZOO_POOL }, /give either --input or --record/],
    [{ tolerance: "-1" }, /--tolerance must be a non-negative number/],
    [{ input: "x.bin" }, /x\.bin: give a \.safetensors file/],
  ] as [VerifyNetCliOptions & Record<string, unknown>, RegExp][])("refuses %o as a usage error (exit 2)", (options, message) => {
    useCase(ZOO_POOL);
    expect(() => run(join(ZOO_POOL, "net.prototxt"), options, false, { "x.bin": new Uint8Array(4), "x.npy": new Uint8Array(4) })).toThrow(message);
  });

  it("names an input file whose array does not fit the net", () => {
    useCase(ZOO_POOL);
    const npy = (() => {
      const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".padEnd(117) + "\n";
      const out = new Uint8Array(10 + header.length + 24);
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
      out.set(new TextEncoder().encode(header), 10);
      return out;
    })();
    expect(() => run(join(ZOO_POOL, "net.prototxt"), { input: "in.npy" }, false, { "in.npy": npy })).toThrow(/in\.npy: a \.npy file holds one array, and this net has 2 inputs \(data, data_even\)/);
  });

  it("says which input needs a shape, and where a layer the Caffe executor cannot run is (file:line:col)", () => {
    const data = 'layer { name: "d" type: "Data" top: "x" top: "label" }\nlayer { name: "r" type: "ReLU" bottom: "x" top: "y" }\n';
    expect(() => run("d.prototxt", {}, false, { "d.prototxt": data })).toThrow(/the shape of input x, label is not known: give --input-shape/);
    const drop = 'layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 2 dim: 3 } } }\n\nlayer { name: "drop" type: "Dropout" bottom: "x" top: "y" }\n';
    model = buildNet(readNet(drop).net as NetParameter, { phase: "TRAIN" });
    expect(() => run("drop.prototxt", { phase: "train" }, false, { "drop.prototxt": drop })).toThrow(/^drop\.prototxt:3:1: layer "drop" \(Dropout\) cannot be run by the Caffe executor: Dropout in TRAIN draws Caffe's random numbers/);
  });

  it("prints syntax errors with file:line:col and exits 2", () => {
    const r = run("bad.prototxt", {}, false, { "bad.prototxt": "layer { name: \"a\" type: \n" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^bad\.prototxt:\d+:\d+: error/);
  });

  it("throws CliError (exit 2) for usage errors", () => {
    expect(() => run(undefined, {})).toThrow(CliError);
  });
});

describe("verify --net in-process with our PyTorch executor", () => {
  it("agrees on ResNet's in-place BatchNorm → Scale → ReLU chains with our PyTorch executor (buffers recycled in step)", () => {
    const m = memoryIo({ "res.prototxt": RESNET_BLOCKS });
    const status = runVerifyNet("res.prototxt", { quiet: true }, m.io);
    expect(m.err.join("")).toBe("");
    expect(m.out.join("").trimEnd().split("\n").at(-1)).toMatch(/^agree: 15 layers within 1e-5/);
    expect(status).toBe(0);
  });
  it("draws the same seeded inputs and weights for the same --seed, and others for another", () => {
    // Our PyTorch executor's rounding differences depend on the values drawn (a stand-in that is the
    // Caffe executor itself would differ by 0 whatever was drawn).
    const net = join(NETS, "cifar10_bn", "net.prototxt");
    const json = (seed: string) => {
      const m = memoryIo({ [net]: readFileSync(net, "utf8") });
      expect(runVerifyNet(net, { json: true, seed }, m.io)).toBe(0);
      return m.out.join("");
    };
    expect(json("1")).toBe(json("1"));
    expect(json("2")).not.toBe(json("1"));
  });
});

describe("caffe2torch verify --net (the binary)", () => {
  it("documents --net in verify --help", async () => {
    const r = await runCliAsync(["verify", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Whole-net verification (--net):");
    expect(r.stdout).toContain("--record <dir>");
  });

  it.each([
    // 3.5 M parameters: the PyTorch side runs on the worker thread (from 2 M).
    ["mobilenet_v2", join(NETS, "mobilenet_v2", "net.prototxt"), join(NETS, "mobilenet_v2", "weights.caffemodel")],
    ["ResNet's in-place blocks", "res.prototxt", "res.caffemodel"],
  ])("%s with --weights: the binary gives the in-process comparison", async (_name, net, weights) => {
    const dir = mkdtempSync(join(tmpdir(), "c2t-verify-net-"));
    try {
      writeFileSync(join(dir, "res.prototxt"), RESNET_BLOCKS);
      const read = readNet(RESNET_BLOCKS);
      writeFileSync(join(dir, "res.caffemodel"), seededCaffemodel(buildTorchGraph(read, { phase: "TEST", source: "res.prototxt" }).graph, 0));
      const at = (f: string): string => (f.startsWith("/") ? f : join(dir, f));
      const r = await runCliAsync(["verify", at(net), "--net", "--weights", at(weights), "--json"]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const m = memoryIo({ [at(net)]: readFileSync(at(net), "utf8"), [at(weights)]: readFileSync(at(weights)) });
      expect(runVerifyNet(at(net), { weights: at(weights), json: true }, m.io)).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(m.out.join("")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("reads a net given on standard input once for both the verification and its --html page (and report --verify)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "c2t-verify-net-"));
    try {
      const input = readFileSync(join(ZOO_POOL, "net.prototxt"));
      const verified = await runCliAsync(["verify", "-", "--net", "--html", join(dir, "v.html"), "-q"], { input });
      expect(verified.status).toBe(0);
      const reported = await runCliAsync(["report", "-", "--verify", "-o", join(dir, "r.html")], { input });
      expect(reported.status).toBe(0);
      // Both pages draw zoo_pool's 13 layers and carry a verification of all 13 (a second, empty read of
      // standard input gave a graph or a verification of none).
      for (const page of ["v.html", "r.html"]) {
        const data = embeddedJson(readFileSync(join(dir, page), "utf8"));
        expect([data.graph.layers.length, data.layers?.length]).toEqual([13, 13]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("exits 2 with a clear message when $PYTHON does not exist", async () => {
    const r = await runCliAsync(["verify", join(ZOO_POOL, "net.prototxt"), "--net", "--torch"], { env: { PYTHON: "/nonexistent/python3" } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--torch needs Python with PyTorch: /nonexistent/python3 does not exist (set $PYTHON to one that has torch)");
  });

  it("exits 2 with a clear message when $PYTHON cannot import torch", async () => {
    // A Python without site-packages (-S) cannot import torch, wherever torch is installed.
    const dir = mkdtempSync(join(tmpdir(), "c2t-no-torch-"));
    const python = join(dir, "python3");
    try {
      writeFileSync(python, `#!/bin/sh\nexec python3 -S "$@"\n`, { mode: 0o755 });
      const r = await runCliAsync(["verify", join(ZOO_POOL, "net.prototxt"), "--net", "--torch"], { env: { PYTHON: python } });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--torch needs PyTorch, and \S*python3 cannot import it \(ModuleNotFoundError: No module named '(torch|numpy)'\); install torch for it or set \$PYTHON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(skipWithoutTorch)("replays a recording with the Caffe executor and the real model.py (--record --torch --json)", async () => {
    requireTorch();
    const r = await runCliAsync(["verify", "--net", "--record", join(NETS, "zoo_tensor"), "--torch", "--json"], { env: { PYTHON } });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as NetVerification[];
    expect(list.map((v) => [v.against, v.ok, v.first_divergent])).toEqual([
      ["record", true, null],
      ["torch", true, null],
    ]);
    expect(list[1]!.layers.find((l) => l.name === "argmax_top2")).toMatchObject({ status: "ok", max_abs_error: 0 });
  }, 120_000);
});
