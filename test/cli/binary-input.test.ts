/**
 * Issue 12 §3.1: a .caffemodel passed where a prototxt is expected is named in one line that says
 * where it belongs (--weights, inspect, decode), not answered with hundreds of parse errors.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { runCli } from "./run-cli.js";

const CAFFEMODEL = join(GOLDEN_DIR, "trained_small", "trained_small.caffemodel");
const DEPLOY = join(GOLDEN_DIR, "trained_small", "deploy.prototxt");
const ONE_LINE = /^\S*trained_small\.caffemodel: error: This is a binary caffe\.NetParameter \(a \.caffemodel, 14 layers\), not a text prototxt: pass it with --weights, or read it with caffe2torch inspect or decode\. \[binary-input\]\n$/;

describe("a caffemodel given as the prototxt", () => {
  for (const command of ["convert", "explain", "verify", "encode"]) {
    it(`${command}: one line naming it and where it belongs, exit 2, nothing on stdout`, () => {
      const r = runCli([command, CAFFEMODEL]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(ONE_LINE);
      expect(r.stdout).toBe("");
    });
  }

  it("convert reads it from standard input as <stdin>", () => {
    const r = runCli(["convert", "-"], { input: readFileSync(CAFFEMODEL) });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^<stdin>: error: This is a binary caffe\.NetParameter/);
    expect(r.stderr.split("\n")).toHaveLength(2);
  });

  it("lint: that file's one error finding, without a code frame of its bytes; the other files are still linted (exit 1)", () => {
    const r = runCli(["lint", CAFFEMODEL, DEPLOY]);
    expect(r.status).toBe(1);
    const section = r.stdout.split("\n\n")[0]!;
    expect(section.split("\n")).toEqual([
      expect.stringMatching(/trained_small\.caffemodel$/),
      "  1:1     error    This is a binary caffe.NetParameter (a .caffemodel, 14 layers), not a text prototxt: pass it with --weights, or read it with caffe2torch inspect or decode.  syntax",
    ]);
    expect(r.stdout).toContain("bn-without-scale");
    expect(r.stdout).toContain("✖ 4 problems (1 error, 1 warning, 2 info)");
  });

  it("other binary data is named binary data", () => {
    const bytes = Buffer.alloc(600);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37) & 0xff;
    const r = runCli(["convert", "-"], { input: bytes });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("<stdin>: error: This is binary data, not a text prototxt (a .caffemodel goes to --weights, caffe2torch inspect or decode). [binary-input]\n");
  });
});
