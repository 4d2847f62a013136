/** `caffe2torch verify --solver`, spawned as a user runs it. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli/run-cli.js";
import { TRAINING } from "../../solver/support.js";
import { allElements, parseXml } from "../xml.js";

const STEP = join(TRAINING, "solver_sgd_step", "solver.prototxt");

describe("caffe2torch verify --solver", () => {
  it("prints the per-iteration table with the lr change and the plain mapping's drift, and exits 0", () => {
    const r = runCli(["verify", "--solver", STEP]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("SGD, lr_policy step");
    expect(r.stdout).toContain("the lr changes at iterations 5, 10");
    expect(r.stdout).toMatch(/^\s+5\s+0\.005\s+\S+ >\s+\S+\s+\S+\s+lr 0\.05 → 0\.005; plain beyond the bound from here/m);
    expect(r.stdout).toContain("plain (torch.optim.SGD): drifts from Caffe from iteration 5");
    expect(r.stdout).toContain("--exact (CaffeSGD): agrees with Caffe in every iteration");
    expect(r.stdout).toContain("OK: every mapping claimed exact agrees with Caffe");
  });

  it("prints the report as JSON with --json, runs max_iter iterations by default and --iterations when given", () => {
    const r = runCli(["verify", "--solver", STEP, "--json", "--seed", "5"]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { iterations: number; seed: number; plain: { first_beyond: number }; exact: { first_beyond: null }; rows: unknown[]; ok: boolean };
    expect([report.iterations, report.seed, report.rows.length, report.plain.first_beyond, report.exact.first_beyond, report.ok]).toEqual([15, 5, 15, 5, null, true]);
    const short = JSON.parse(runCli(["verify", "--solver", STEP, "--json", "--iterations", "4"]).stdout) as { rows: unknown[]; plain: { first_beyond: number | null } };
    expect([short.rows.length, short.plain.first_beyond]).toEqual([4, null]);
    expect(runCli(["verify", "--solver", STEP, "--iterations", "4"]).stdout).toContain("the lr first changes at iteration 5, beyond the 4 run: give --iterations 15");
  });

  it("judges only the --exact mapping with --exact, still showing the plain one", () => {
    const r = runCli(["verify", "--solver", STEP, "--exact", "--json"]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { plain: { first_beyond: number; failed: boolean }; exact: { failed: boolean }; ok: boolean };
    expect([report.plain.first_beyond, report.plain.failed, report.exact.failed, report.ok]).toEqual([5, false, false, true]);
  });

  it("draws the plot: the lr, both sides' distance from Caffe and the bound", () => {
    const dir = mkdtempSync(join(tmpdir(), "caffe2torch-verify-solver-"));
    const plot = join(dir, "drift.svg");
    const r = runCli(["verify", "--solver", STEP, "--plot", plot]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`wrote ${plot} (15 iterations)`);
    const svg = parseXml(readFileSync(plot, "utf8"));
    const lines = allElements(svg).filter((e) => e.name === "polyline");
    expect(lines.length).toBe(4);
    expect(allElements(svg).some((e) => e.text.includes("torch.optim.SGD"))).toBe(true);
  });

  it("takes the net from NET.prototxt when given, in place of the solver's", () => {
    const dir = mkdtempSync(join(tmpdir(), "caffe2torch-verify-solver-"));
    const solver = join(dir, "solver.prototxt");
    writeFileSync(solver, readFileSync(STEP, "utf8").replace(/net: "[^"]*"/, 'net: "nowhere.prototxt"'));
    expect(runCli(["verify", "--solver", solver]).status).toBe(2);
    const r = runCli(["verify", "--solver", solver, join(TRAINING, "solver_sgd_step", "train.prototxt"), "--iterations", "6"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("drifts from Caffe from iteration 5");
  });

  it("takes --input-shape for a TRAIN net fed by a Data layer that declares no shape", () => {
    const dir = mkdtempSync(join(tmpdir(), "caffe2torch-verify-solver-"));
    writeFileSync(
      join(dir, "train.prototxt"),
      `layer { name: "d" type: "Data" top: "data" top: "label" data_param { source: "db" batch_size: 4 } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 2 kernel_size: 3 } }
layer { name: "ip" type: "InnerProduct" bottom: "conv" top: "ip" inner_product_param { num_output: 3 } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
`,
    );
    writeFileSync(join(dir, "solver.prototxt"), 'net: "train.prototxt"\nbase_lr: 0.01\nlr_policy: "step"\nstepsize: 3\ngamma: 0.1\nmomentum: 0.9\nmax_iter: 8\n');
    expect(runCli(["verify", "--solver", join(dir, "solver.prototxt")]).status).toBe(2);
    const r = runCli(["verify", "--solver", join(dir, "solver.prototxt"), "--input-shape", "4,1,8,8", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { blobs: { key: string; count: number }[]; plain: { first_beyond: number } };
    expect(report.blobs.map((b) => [b.key, b.count])).toEqual([["conv.weight", 18], ["conv.bias", 2], ["ip.weight", 216], ["ip.bias", 3]]);
    expect(report.plain.first_beyond).toBe(3);
  });

  it("refuses options that do not go with --solver, and --iterations without it (exit 2)", () => {
    for (const args of [
      ["verify", "--solver", STEP, "--trace", "t.json"],
      ["verify", join(TRAINING, "solver_sgd_step", "train.prototxt"), "--iterations", "3"],
      ["verify", "--solver", STEP, "--iterations", "0"],
      ["verify", "--solver", join(TRAINING, "missing.prototxt")],
    ]) {
      const r = runCli(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).not.toMatch(/\n\s+at /);
    }
  });
});
