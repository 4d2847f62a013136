/** Issue 7: a tiny file that declares an enormous input must not make verify allocate it. */
import { describe, expect, it } from "vitest";
import { runCli, runCliAsync } from "../cli/run-cli.js";

const net = (dims: number[]): string =>
  `input: "data"\ninput_shape { ${dims.map((d) => `dim: ${d}`).join(" ")} }\n` +
  'layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" }\n';

describe("verify on a declared input of 2×10^13 values", () => {
  it("skips the block as too large instead of allocating it, quickly; with nothing verified, exit 1", () => {
    const r = runCli(["verify", "-", "--json"], { input: net([2, 100000, 10000, 10000]) });
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { blocks: { verdict: string; reason: string }[] };
    expect(out.blocks.map((b) => [b.verdict, b.reason])).toEqual([["skipped", "too-large"]]);
  });

  it("still runs a block of 2^24 values (the limit itself)", () => {
    const r = runCli(["verify", "-", "--json", "--batch", "1"], { input: net([1, 4, 2048, 2048]) });
    const out = JSON.parse(r.stdout) as { blocks: { verdict: string }[] };
    expect(out.blocks.map((b) => b.verdict)).toEqual(["agree"]);
  });

  it("convert, explain and lint read it without allocating anything of its size", async () => {
    for (const command of ["convert", "explain", "lint"]) {
      expect([0, 1]).toContain((await runCliAsync([command, "-"], { input: net([2, 100000, 10000, 10000]) })).status);
    }
  });
});
