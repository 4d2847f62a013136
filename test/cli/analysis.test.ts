import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CORPUS_DIR, GOLDEN_DIR, ROOT } from "../helpers/paths.js";
import { runCli } from "./run-cli.js";

const EXAMPLE = join(ROOT, "examples", "resnet18-deploy.prototxt");
const RESNET50 = join(CORPUS_DIR, "KaimingHe-drn__ResNet-50-deploy.prototxt");
const ANTINGSHEN = join(CORPUS_DIR, "antingshen-resnet-protofiles__ResNet_50_train_val.prototxt");
const TRAINED = join(GOLDEN_DIR, "trained_small");

describe("caffe2torch convert (the real binary)", () => {
  it("prints the JSON contract for the bundled example", () => {
    const r = runCli(["convert", EXAMPLE]);
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(Object.keys(result).slice(0, 6)).toEqual(["source", "net", "phase", "blocks", "unpaired", "diagnostics"]);
    expect(result.phase).toBe("TEST");
    expect(result.blocks).toHaveLength(20);
    expect(result.blocks[0].torch).toEqual({
      module: "BatchNorm2d", num_features: 64, eps: 0.00001, momentum: 0.001, affine: true,
      track_running_stats: true, weight_requires_grad: true, bias_requires_grad: true, mode: "eval",
    });
  });

  it("maps use_global_stats: false at TEST to batch statistics, and the same file at TRAIN to train mode", () => {
    const test = JSON.parse(runCli(["convert", ANTINGSHEN, "-q"]).stdout);
    const train = JSON.parse(runCli(["convert", ANTINGSHEN, "--phase", "train", "-q"]).stdout);
    expect(test.blocks[0].torch).toMatchObject({ mode: "batch-stats", track_running_stats: false });
    expect(train.blocks[0].torch).toMatchObject({ mode: "train", track_running_stats: true });
  });

  it("summarises fork-field warnings in one line on stderr and still exits 0", () => {
    const r = runCli(["convert", join(CORPUS_DIR, "hszhao-PSPNet__pspnet50_ADE20K_473.prototxt")]);
    expect(r.status).toBe(0);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/\d+ warnings while reading/);
  });

  it("writes a Python module with -o, atomically, and nothing when the net does not parse", () => {
    const dir = mkdtempSync(join(tmpdir(), "c2t-"));
    expect(runCli(["convert", EXAMPLE, "--format", "python", "-o", join(dir, "bn.py")]).status).toBe(0);
    expect(readFileSync(join(dir, "bn.py"), "utf8")).toContain("def build(");
    const bad = runCli(["convert", "-", "--format", "python", "-o", join(dir, "bad.py")], { input: "layer {\n  name: \"x\"\n" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("<stdin>:1:7: error:");
    expect(existsSync(join(dir, "bad.py"))).toBe(false);
    expect(readdirSync(dir)).toEqual(["bn.py"]);
  });

  it("refuses an unknown --format with exit 2", () => {
    const r = runCli(["convert", EXAMPLE, "--format", "yaml"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--format must be json, python or markdown");
  });

  it("adds each block's statistics with --weights", () => {
    const r = runCli(["convert", join(TRAINED, "deploy.prototxt"), "--weights", join(TRAINED, "trained_small.caffemodel")]);
    expect(r.status).toBe(0);
    const bn1 = JSON.parse(r.stdout).blocks[0];
    expect(bn1.weights.num_batches_tracked).toBe(40);
    expect(bn1.weights.scale_factor).toBeCloseTo(39.2298, 3);
  });
});

describe("caffe2torch explain (the real binary)", () => {
  it("explains the corpus ResNet-50 in one group, with the common confusions", () => {
    const r = runCli(["explain", RESNET50]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("This net has 53 BatchNorm layers.");
    expect(r.stdout).toContain("53 blocks like this:");
    expect(r.stdout).toContain("momentum = 1 − 0.999 = 0.001");
  });
});

describe("caffe2torch lint (the real binary)", () => {
  it("exits 1 on errors and prints the stable JSON shape", () => {
    const r = runCli(["lint", ANTINGSHEN, "--format", "json"]);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(["files", "errorCount", "warningCount", "infoCount"]);
    expect(report.errorCount).toBe(53);
    const first = report.files[0].diagnostics.find((d: { rule: string }) => d.rule === "bn-batch-stats-at-test");
    expect(first).toMatchObject({ severity: "error", line: 68, column: 9, phase: "test" });
  });

  it("exits 0 on a clean net, and 2 for an unreadable file", () => {
    expect(runCli(["lint", EXAMPLE]).status).toBe(0);
    expect(runCli(["lint", "no-such.prototxt"]).status).toBe(2);
  });

  it("fixes BatchNorm lr_mult in place, keeping comments, and a second --fix changes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "c2t-"));
    const file = join(dir, "net.prototxt");
    const text = 'input: "data"\ninput_shape { dim: 1 dim: 3 dim: 4 dim: 4 }\nlayer {\n  name: "bn"  # keep me\n  type: "BatchNorm"\n  bottom: "data"\n  top: "data"\n  param { lr_mult: 1 }\n  param { lr_mult: 0 }\n  param { lr_mult: 0 }\n}\n';
    writeFileSync(file, text);
    runCli(["lint", "--fix", file]);
    const fixed = readFileSync(file, "utf8");
    expect(fixed).toBe(text.replace("param { lr_mult: 1 }", "param { lr_mult: 0 }"));
    runCli(["lint", "--fix", file]);
    expect(readFileSync(file, "utf8")).toBe(fixed);
  });
});

describe("caffe2torch verify and inspect (the real binary)", () => {
  it("verifies the bundled deploy net in TEST with exit 0", () => {
    const r = runCli(["verify", EXAMPLE]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("agree");
  });

  it("replays the golden traces with --trace --json", () => {
    const r = runCli(["verify", "--trace", join(GOLDEN_DIR, "bn_cases.json"), "--json"]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.cases).toHaveLength(25);
  });

  it("inspects the trained caffemodel", () => {
    const r = runCli(["inspect", join(TRAINED, "trained_small.caffemodel"), "--json"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("bn1");
  });
});
