/**
 * Issue 12 §4.3–4.6, end to end: verify's verdict says what holds (nothing verified is not OK; a
 * TRAIN lag is explained, not contradicted by "OK"), convert's Markdown keeps inference and training
 * apart, and verify --trace reads a trained net's trace.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.js";
import { CORPUS_DIR, GOLDEN_DIR } from "../helpers/paths.js";

const PSPNET = join(CORPUS_DIR, "hszhao-PSPNet__pspnet50_ADE20K_473.prototxt");
const LENET = join(CORPUS_DIR, "BVLC-caffe__lenet_train_test.prototxt");
const SMALL = join(GOLDEN_DIR, "trained_small");

describe("nothing verified is not OK", () => {
  it("a net whose 60 blocks are all skipped (PSPNet's fork BN) exits 1 and says NOT VERIFIED, with or without --strict", () => {
    for (const strict of [[], ["--strict"]]) {
      const r = runCli(["verify", PSPNET, ...strict]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain("60 blocks: 60 skipped\n");
      expect(r.stdout).toContain(
        "NOT VERIFIED: none of the 60 blocks could be run (a Caffe fork's BatchNorm: its semantics are not executed), so nothing is shown to agree with Caffe.\n",
      );
      expect(r.stdout).not.toContain("OK:");
    }
  });

  it("a net without an active BatchNorm has nothing to verify: exit 1, and --json says ok false with 0 verified", () => {
    const r = runCli(["verify", LENET]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("No BatchNorm layer is active in the TEST phase: nothing to verify.\nNOT VERIFIED: no block was run, so nothing is shown to agree with Caffe.\n");
    const json = JSON.parse(runCli(["verify", LENET, "--json"]).stdout);
    expect(json).toMatchObject({ ok: false, summary: { blocks: 0, verified: 0 } });
  });
});

describe("a TRAIN run whose plain mapping lags", () => {
  it("says first what holds, then the lag as predicted, then that --exact removes it (exit 0)", () => {
    const r = runCli(["verify", join(SMALL, "train_val.prototxt"), "--phase", "train"]);
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n").slice(-5)).toEqual([
      "3 blocks: 3 lag",
      "OK: every training step's output agrees with Caffe in all 3 blocks, all the plain mapping claims while training.",
      "Lag, as predicted: the running statistics of momentum = 1 − f trail Caffe's bias-corrected ones in those 3, and so does the eval output computed from them (3 of 3); expected, and not a failure without --strict.",
      "--exact removes the lag: its running statistics and eval output agree with Caffe in 3 of 3 (convert --exact writes those modules).",
      "",
    ]);
    expect(r.stdout).not.toContain("every configuration claimed equivalent agrees");
  });

  it("with --strict the lag fails the run (exit 1)", () => {
    const r = runCli(["verify", join(SMALL, "train_val.prototxt"), "--phase", "train", "--strict"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("--strict: the plain momentum mapping's lag counts as a failure.\nFAILED: see the blocks above.\n");
  });
});

describe("convert --format markdown on a TEST net with loaded weights", () => {
  it("says inference is exact and training lags (exact with --exact), where verify agrees on every block", () => {
    const args = [join(SMALL, "deploy.prototxt"), "--weights", join(SMALL, "trained_small.caffemodel")];
    const markdown = runCli(["convert", ...args, "--format", "markdown"]).stdout;
    expect(markdown).not.toContain("no (see notes)");
    expect(markdown.match(/^\| inference \| stored statistics \(sums \/ scale factor\) \| exact \|$/gm)).toHaveLength(3);
    expect(markdown).toContain("| training | running statistics = sums / scale factor (s ← f·s + 1) | lags for 6865 steps (PyTorch's start weighs over 0.1 % until then); exact with --exact |");
    expect(markdown).toContain("| training | running statistics = sums / scale factor (s ← f·s + 1) | lags for 26 steps (PyTorch's start weighs over 0.1 % until then); exact with --exact |");
    const json = JSON.parse(runCli(["convert", ...args]).stdout);
    expect(json.blocks.map((b: { exact: boolean }) => b.exact)).toEqual([false, false, false]);
    expect(json.blocks[0].equivalence).toEqual({ inference: "exact", training: "lags", lag_steps: 6865 });
    const verify = runCli(["verify", ...args]);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toContain("3 blocks: 3 agree");
    const exact = JSON.parse(runCli(["convert", ...args, "--exact"]).stdout);
    expect(exact.blocks[0].equivalence).toEqual({ inference: "exact", training: "exact", lag_steps: null });
  });
});

describe("verify --trace with a trained net's trace.json", () => {
  it("replays its BatchNorm blocks: exit 0", () => {
    const r = runCli(["verify", "--trace", join(SMALL, "trace.json")]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^ok   bn1 \+ scale1  max error /m);
    expect(r.stdout).toMatch(/^ok   bn3  max error /m);
    expect(r.stdout).toContain("OK: 3 blocks reproduced, max error");
  });

  it("a JSON file of neither format is refused naming both (exit 2)", () => {
    const r = runCli(["verify", "--trace", "-"], { input: '{"a": 1}' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('caffe2torch: -: malformed trace at $ (expected a golden trace: "cases" (bn_cases.json) or "bn_layers" and "eval" (trained_small/trace.json))\n');
  });
});
