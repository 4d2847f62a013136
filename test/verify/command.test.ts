/**
 * `caffe2torch verify` as a command (runVerify with an in-memory io): exit codes, text and JSON, the
 * plot file, shapes it cannot infer, and trace replay.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerVerifyCommand, runVerify } from "../../src/cli/commands/verify.js";
import { CliError } from "../../src/cli/io-types.js";
import { CORPUS_DIR, GOLDEN_DIR } from "../helpers/paths.js";
import { FIXTURES, memoryIo } from "./support.js";
import { parseXml } from "./xml.js";

const DEPLOY = join(CORPUS_DIR, "KaimingHe-drn__ResNet-50-deploy.prototxt");
const TRAIN_SMALL = join(FIXTURES, "train-small.prototxt");
const UNKNOWN = join(FIXTURES, "unknown-shape.prototxt");
const GOLDEN = join(GOLDEN_DIR, "bn_cases.json");

function cliError(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error("expected a CliError");
}

describe("caffe2torch verify NET.prototxt", () => {
  it("a deploy net in TEST agrees block for block: exit 0, one grouped line", () => {
    const { io, out, err } = memoryIo();
    expect(runVerify(DEPLOY, { batch: "1" }, io)).toBe(0);
    const text = out.join("");
    expect(text).toContain("53 blocks (bn_conv1 … bn5c_branch2c)  eval        agree");
    expect(text).toContain("running stats identical");
    expect(text).toContain("53 blocks: 53 agree");
    expect(err).toEqual([]);
  });

  it("--json prints the documented object", () => {
    const { io, out } = memoryIo();
    expect(runVerify(TRAIN_SMALL, { phase: "train", steps: "3", json: true }, io)).toBe(0);
    const report = JSON.parse(out.join(""));
    expect(Object.keys(report)).toEqual(["source", "net", "phase", "configuration", "steps", "batch", "seed", "tolerance", "strict", "weights", "ok", "summary", "blocks"]);
    expect(report).toMatchObject({ phase: "TRAIN", configuration: "plain", steps: 3, batch: 2, seed: 0, tolerance: 1e-5, weights: null, ok: true });
    expect(Object.keys(report.blocks[0])).toEqual([
      "batchnorm", "scale", "bias", "line", "column", "mode", "module", "moving_average_fraction", "momentum", "configuration",
      "shape", "shape_source", "statistics", "weights", "claimed_exact", "statistics_tolerance", "verdict", "reason", "ok", "steps",
      "train_output", "eval_output", "running_mean", "running_var", "lag", "alternative", "failures",
    ]);
    expect(report.blocks[0]).toMatchObject({ batchnorm: "bn1", line: 5, column: 1, verdict: "lag", shape: [2, 6, 5, 5], statistics: "fresh", weights: null });
  });

  it("TRAIN: the plain mapping's lag is reported with its numbers and exits 0; --strict exits 1", () => {
    const plain = memoryIo();
    expect(runVerify(TRAIN_SMALL, { phase: "train" }, plain.io)).toBe(0);
    const text = plain.out.join("");
    expect(text).toMatch(/bn1 \(\+scale1\) +\[2,6,5,5\] +train +lag/);
    expect(text).toContain("torch_k = (1 − 0.999^k)·Caffe_k + 0.999^k·init holds to");
    expect(text).toContain("--exact agrees");
    expect(text).toContain("bn1: the plain mapping's gap to Caffe's running statistics, per step");
    expect(runVerify(TRAIN_SMALL, { phase: "train", strict: true }, memoryIo().io)).toBe(1);
  });

  it("TRAIN --exact: every block agrees, exit 0", () => {
    const { io, out } = memoryIo();
    expect(runVerify(TRAIN_SMALL, { phase: "train", exact: true, steps: "50" }, io)).toBe(0);
    expect(out.join("")).toContain("4 blocks: 4 agree");
  });

  it("blocks whose shape is unknown stop the run with exit 2, named with what is known", () => {
    const error = cliError(() => runVerify(UNKNOWN, {}, memoryIo().io));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      "cannot verify 2 blocks whose input shape is unknown; give the net's input shape with --input-shape N,C,H,W (or BLOB=N,C,H,W):\n" +
        "  bn_conv [16, 4, ?, ?]\n  bn_py rank unknown",
    );
  });

  it("--input-shape sets the data blob, whose shape reaches the blocks downstream; one behind a Python layer still needs its own", () => {
    const error = cliError(() => runVerify(UNKNOWN, { inputShape: "2,3,8,8" }, memoryIo().io));
    expect(error.message).toBe(
      "cannot verify 1 block whose input shape is unknown; a layer without a shape rule sits upstream; give the shape of the blob it writes with --input-shape BLOB=N,C,H,W:\n  bn_py rank unknown",
    );
    const { io, out } = memoryIo();
    expect(runVerify(UNKNOWN, { inputShape: ["2,3,8,8", "py=2,4,5,5"], json: true }, io)).toBe(0);
    const report = JSON.parse(out.join(""));
    expect(report.batch).toBe(2);
    expect(report.blocks.map((b: { shape: number[] | null; shape_source: string | null; verdict: string }) => [b.shape, b.shape_source, b.verdict])).toEqual([
      [[2, 4, 6, 6], "input-shape", "agree"],
      [[2, 4, 5, 5], "input-shape", "agree"],
      [null, null, "skipped"],
    ]);
    expect(runVerify(UNKNOWN, { inputShape: ["2x3x8x8", "py=2x4x5x5"], strict: true }, memoryIo().io)).toBe(1);
  });

  it("--batch sets every block's batch, also over the one --input-shape gives", () => {
    const { io, out } = memoryIo();
    expect(runVerify(UNKNOWN, { inputShape: ["4,3,8,8", "py=4,4,5,5"], batch: "3", json: true }, io)).toBe(0);
    const report = JSON.parse(out.join(""));
    expect(report.batch).toBe(3);
    expect(report.blocks.slice(0, 2).map((b: { shape: number[] }) => b.shape)).toEqual([[3, 4, 6, 6], [3, 4, 5, 5]]);
  });

  it("an --input-shape a layer cannot read is a one-line usage error (exit 2)", () => {
    const error = cliError(() => runVerify(UNKNOWN, { inputShape: "2,3" }, memoryIo().io));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe("Convolution conv1 needs a 4-D (or N-D ≥3) input; --input-shape gives rank 2.");
    expect(cliError(() => runVerify(UNKNOWN, { inputShape: "conv1=2,3,8,8" }, memoryIo().io)).message).toBe(
      "--input-shape names blob conv1, which is not an input of the net; its input blobs: data, label; layers without a shape rule write py, which may be given too.",
    );
  });

  it("bad option values are usage errors (exit 2)", () => {
    expect(cliError(() => runVerify(TRAIN_SMALL, { steps: "0" }, memoryIo().io)).message).toBe('--steps must be a positive integer (got "0")');
    expect(cliError(() => runVerify(TRAIN_SMALL, { inputShape: "2,three" }, memoryIo().io)).message).toBe(
      '--input-shape must be [BLOB=]DIMS, DIMS being 1 to 32 positive integers such as 2,3,32,32 (got "2,three")',
    );
    expect(cliError(() => runVerify(TRAIN_SMALL, { inputShape: "data=2,0" }, memoryIo().io)).exitCode).toBe(2);
    expect(cliError(() => runVerify(TRAIN_SMALL, { tolerance: "-1" }, memoryIo().io)).exitCode).toBe(2);
    expect(cliError(() => runVerify(undefined, {}, memoryIo().io)).message).toContain("missing NET.prototxt");
  });

  it("--plot writes the SVG atomically and names the block plotted", () => {
    const { io, err, written } = memoryIo();
    expect(runVerify(TRAIN_SMALL, { phase: "train", steps: "100", plot: "lag.svg" }, io)).toBe(0);
    expect(parseXml(written.get("lag.svg") ?? "").name).toBe("svg");
    expect(err.join("")).toBe("caffe2torch: wrote lag.svg (block bn1, channel 5)\n");
  });

  it("--plot without a training block is a usage error", () => {
    const error = cliError(() => runVerify(DEPLOY, { plot: "x.svg" }, memoryIo().io));
    expect(error.message).toContain("--plot needs a block that trains");
  });

  it("registers its options", () => {
    const program = new Command();
    registerVerifyCommand(program, () => memoryIo().io, () => undefined);
    const command = program.commands.find((c) => c.name() === "verify");
    expect(command?.options.map((o) => o.long)).toEqual([
      "--trace", "--phase", "--steps", "--batch", "--seed", "--tolerance", "--exact", "--strict", "--json", "--plot", "--input-shape", "--weights", "--quiet", "--solver", "--iterations",
      "--net", "--input", "--torch", "--record", "--html",
    ]);
  });
});

describe("caffe2torch verify --trace", () => {
  it("the golden trace replays: exit 0, and --json prints {cases: [{name, ok, max_abs_error, …}], ok, max_abs_error}", () => {
    const { io, out } = memoryIo();
    expect(runVerify(undefined, { trace: GOLDEN, json: true }, io)).toBe(0);
    const report = JSON.parse(out.join(""));
    expect(report.ok).toBe(true);
    expect(report.cases).toHaveLength(25);
    expect(report.cases[0]).toMatchObject({ name: "train_default_bn_only_r4", ok: true });
    expect(typeof report.cases[0].max_abs_error).toBe("number");
    expect(typeof report.max_abs_error).toBe("number");
  });

  it("a copy with one recorded value altered fails with exit 1, naming the case, metric and step", () => {
    const golden = JSON.parse(readFileSync(GOLDEN, "utf8"));
    golden.cases[2].caffe.steps[3].top.data[7] += 0.01;
    const dir = mkdtempSync(join(tmpdir(), "caffe2torch-trace-"));
    const path = join(dir, "altered.json");
    writeFileSync(path, JSON.stringify(golden));
    const { io, out } = memoryIo();
    expect(runVerify(undefined, { trace: path }, io)).toBe(1);
    const text = out.join("");
    expect(text).toContain(`FAIL ${golden.cases[2].name}`);
    expect(text).toMatch(/caffe top: [0-9.e-]+ > 1e-5 at step 3/);
    expect(text).toContain("FAILED: 1 of 25 cases disagree.");
  });

  it("a malformed trace exits 2 with the JSON path; a file that is not JSON is a usage error", () => {
    const { io, err } = memoryIo({ "bad.json": JSON.stringify({ cases: [{ name: "x", params: {} }] }), "text.json": "not json" });
    expect(runVerify(undefined, { trace: "bad.json", json: true }, io)).toBe(2);
    expect(err.join("")).toBe("caffe2torch: bad.json: malformed trace at x.params.input_shape (expected array)\n");
    expect(cliError(() => runVerify(undefined, { trace: "text.json" }, io)).message).toMatch(/^text\.json: not JSON/);
  });

  it("a trace and a net together are a usage error", () => {
    expect(cliError(() => runVerify(TRAIN_SMALL, { trace: GOLDEN }, memoryIo().io)).message).toBe("give either NET.prototxt or --trace TRACE.json, not both");
  });
});
