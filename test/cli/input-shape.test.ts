/**
 * `--input-shape` end to end (the real bin): it sets the net's input blob and every block's shape is
 * inferred from it; named forms for nets with several inputs; what cannot be right is a one-line
 * usage error (exit 2).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CORPUS_DIR } from "../helpers/paths.js";
import { runCli } from "./run-cli.js";

const CIFAR = join(CORPUS_DIR, "BVLC-caffe__cifar10_full_sigmoid_train_test_bn.prototxt");
const TWO_INPUTS = join(import.meta.dirname, "../verify/fixtures/two-inputs.prototxt");

interface Report {
  batch: number;
  blocks: { batchnorm: string; shape: number[] | null; shape_source: string | null; verdict: string }[];
}

const shapes = (r: Report) => Object.fromEntries(r.blocks.map((b) => [b.batchnorm, b.shape]));

describe("verify --input-shape", () => {
  it("CIFAR-10 full at 2,3,32,32: each BatchNorm reads its blob's own shape (bn1 after a 3/2 pooling: 16×16, bn3: 8×8)", () => {
    const run = runCli(["verify", CIFAR, "--input-shape", "2,3,32,32", "--json"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.batch).toBe(2);
    expect(shapes(report)).toEqual({ bn1: [2, 32, 16, 16], bn2: [2, 32, 16, 16], bn3: [2, 64, 8, 8] });
    expect(report.blocks.every((b) => b.shape_source === "input-shape" && b.verdict === "agree")).toBe(true);
  });

  it("named forms set each input of a net with several; the shapes they replace are warned about with their line", () => {
    const run = runCli(["verify", TWO_INPUTS, "--input-shape", "data=2,3,16,16", "--input-shape", "im_info=2,3", "--json"]);
    expect(run.status).toBe(0);
    expect(shapes(JSON.parse(run.stdout) as Report)).toEqual({ bn1: [2, 8, 7, 7], bn2: [2, 6] });
    expect(run.stderr).toContain(`${TWO_INPUTS}:4:1: warning: --input-shape gives blob data [2, 3, 16, 16]; the net's input fields declare [1, 3, 224, 224]. The given shape is used. [input-shape-declared]`);
    expect(run.stderr).toContain("--input-shape gives blob im_info [2, 3]; the net's input fields declare [1, 3].");
  });

  it("without a name on a net with several inputs: exit 2, naming them", () => {
    const run = runCli(["verify", TWO_INPUTS, "--input-shape", "2,3,16,16"]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("caffe2torch: --input-shape without a blob name needs a net with one input; this one has data, im_info: give BLOB=DIMS.\n");
  });

  it("a rank the first Convolution cannot read: exit 2, one line that says why, no stack", () => {
    const run = runCli(["verify", CIFAR, "--input-shape", "1,2"]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("caffe2torch: Convolution conv1 needs a 4-D (or N-D ≥3) input; --input-shape gives rank 2.\n");
  });

  it("a blob that is not an input: exit 2, listing the input blobs", () => {
    const run = runCli(["verify", CIFAR, "--input-shape", "pool1=2,32,16,16"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("caffe2torch: --input-shape names blob pool1, which is not an input of the net; its input blobs: data, label.\n");
  });
});

describe("convert --input-shape", () => {
  it("gives every block the shape inferred from the input blob", () => {
    const run = runCli(["convert", CIFAR, "--input-shape", "8,3,32,32", "-q"]);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { blocks: { batchnorm: string; input_shape: number[] | null; torch: { module: string; num_features: number } }[] };
    expect(result.blocks.map((b) => [b.batchnorm, b.input_shape, b.torch.module, b.torch.num_features])).toEqual([
      ["bn1", [8, 32, 16, 16], "BatchNorm2d", 32],
      ["bn2", [8, 32, 16, 16], "BatchNorm2d", 32],
      ["bn3", [8, 64, 8, 8], "BatchNorm2d", 64],
    ]);
  });

  it("is repeatable, and refuses what verify refuses (exit 2, nothing on stdout)", () => {
    const named = runCli(["convert", TWO_INPUTS, "--input-shape", "data=2,3,16,16", "--input-shape", "im_info=2,3", "-q"]);
    expect(named.status).toBe(0);
    expect((JSON.parse(named.stdout) as { blocks: { input_shape: number[] }[] }).blocks.map((b) => b.input_shape)).toEqual([[2, 8, 7, 7], [2, 6]]);
    const bad = runCli(["convert", CIFAR, "--input-shape", "1,2"]);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toBe("caffe2torch: Convolution conv1 needs a 4-D (or N-D ≥3) input; --input-shape gives rank 2.\n");
  });
});
