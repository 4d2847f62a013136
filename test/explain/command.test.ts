import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerExplainCommand, runExplain } from "../../src/cli/commands/explain.js";
import { CliError, type CliIo } from "../../src/cli/io-types.js";
import { ANSI, FIXTURES } from "./support.js";

/** An in-memory CliIo whose only files are `files`; colour as given. */
function memoryIo(files: Record<string, string>, color = false): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    readFile: (path: string) => {
      if (!(path in files)) throw new CliError(`cannot read ${path}`);
      return files[path]!;
    },
    stdout: (s: string | Uint8Array) => out.push(String(s)),
    stderr: (s: string) => err.push(s),
    color: { stdout: color, stderr: color },
    isTTY: { stdout: false, stderr: false },
    env: {},
    cwd: "/",
  } as unknown as CliIo;
  return { io, out, err };
}

const fixture = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");

describe("caffe2torch explain (command)", () => {
  it("prints the explanation on stdout and exits 0", () => {
    const { io, out, err } = memoryIo({ "net.prototxt": fixture("frozen-scale.prototxt") });
    expect(runExplain("net.prototxt", {}, io)).toBe(0);
    expect(err).toEqual([]);
    expect(out.join("")).toContain("bn_frozen + scale_frozen → nn.BatchNorm2d(4");
    expect(out.join("")).not.toMatch(ANSI);
  });

  it("colours stdout only when colour is on for it", () => {
    const { io, out } = memoryIo({ "net.prototxt": fixture("frozen-scale.prototxt") }, true);
    expect(runExplain("net.prototxt", {}, io)).toBe(0);
    expect(out.join("")).toMatch(ANSI);
  });

  it("--phase train and --layer select the phase and the block", () => {
    const { io, out } = memoryIo({ "net.prototxt": fixture("use-global-stats.prototxt") });
    expect(runExplain("net.prototxt", { phase: "train", layer: "bn_true" }, io)).toBe(0);
    const text = out.join("");
    expect(text).toContain("TRAIN phase");
    expect(text).toContain("bn_true → nn.BatchNorm2d(3, eps=1e-05, momentum=0.001, affine=False) [frozen]");
    expect(text).not.toContain("bn_unset");
  });

  it("an unknown --layer exits 2 with the BatchNorm names on stderr", () => {
    const { io, out, err } = memoryIo({ "net.prototxt": fixture("use-global-stats.prototxt") });
    expect(runExplain("net.prototxt", { layer: "bn_tru" }, io)).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toBe(
      'caffe2torch: No BatchNorm, Scale or Bias layer is named "bn_tru". Did you mean "bn_true"?\nBatchNorm layers in the TEST phase: bn_true, bn_false, bn_unset.\n',
    );
  });

  it("a syntax error prints the diagnostics on stderr at line:col and exits 2", () => {
    const { io, out, err } = memoryIo({ "bad.prototxt": 'layer { name: "bn" type: "BatchNorm"\n' });
    expect(runExplain("bad.prototxt", {}, io)).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toMatch(/^bad\.prototxt:1:7: error: Unexpected end of input: this block is never closed/);
  });

  it("fork fields are read leniently: summarised at the end, exit 0", () => {
    const { io, out, err } = memoryIo({ "fork.prototxt": fixture("fork-bn.prototxt") });
    expect(runExplain("fork.prototxt", {}, io)).toBe(0);
    expect(err).toEqual([]);
    expect(out.join("")).toContain("Diagnostics: 5 warnings (unknown-field ×5)");
  });

  it("a phase other than test or train is a usage error", () => {
    const { io } = memoryIo({ "net.prototxt": fixture("no-scale.prototxt") });
    expect(() => runExplain("net.prototxt", { phase: "deploy" }, io)).toThrow(CliError);
  });

  it("registers `explain` with --layer, --phase and --verbose", () => {
    const program = new Command();
    registerExplainCommand(program, () => memoryIo({}).io, () => undefined);
    const command = program.commands.find((c) => c.name() === "explain")!;
    expect(command.options.map((o) => o.long)).toEqual(["--layer", "--phase", "--verbose"]);
  });
});
