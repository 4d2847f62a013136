/**
 * Issue 12 §4.8: one wording per problem whichever command finds it, and standard input named
 * <stdin> everywhere.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const MISSING_COLON = 'name: "n"\nlayer {\n  name "x"\n}\n';

describe("one wording for a syntax error", () => {
  it("lint, convert, explain, verify and encode word a missing colon alike", () => {
    const expected = 'Expected ":" after field "name", found "x".';
    const lint = runCli(["lint", "-"], { input: MISSING_COLON });
    expect(lint.stdout).toContain(`  3:8     error    ${expected}  syntax`);
    for (const command of ["convert", "explain", "verify", "encode"]) {
      const r = runCli([command, "-"], { input: MISSING_COLON });
      expect(r.status, command).toBe(2);
      expect(r.stderr.split("\n")[0], command).toBe(`<stdin>:3:8: error: ${expected} [expected-colon]`);
    }
  });
});

describe("standard input is <stdin>", () => {
  const NET = 'name: "n"\ninput: "data"\ninput_shape { dim: 2 dim: 3 dim: 4 dim: 4 }\nlayer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" }\n';

  it("in convert's JSON and Markdown, and in verify's report", () => {
    expect(JSON.parse(runCli(["convert", "-"], { input: NET }).stdout).source).toBe("<stdin>");
    const markdown = runCli(["convert", "-", "--format", "markdown"], { input: NET }).stdout;
    expect(markdown).toContain("- Source: \\<stdin\\>\n");
    expect(markdown).not.toContain("\\-");
    expect(runCli(["verify", "-"], { input: NET }).stdout).toMatch(/^caffe2torch verify: <stdin>, net "n", TEST phase$/m);
  });

  it("in lint's report and the other commands' errors", () => {
    expect(JSON.parse(runCli(["lint", "-", "--format", "json"], { input: NET }).stdout).files[0].file).toBe("<stdin>");
    expect(runCli(["explain", "-"], { input: "layer {" }).stderr).toMatch(/^<stdin>:1:7: error: /);
  });
});
