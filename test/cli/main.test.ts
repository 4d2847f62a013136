import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/paths.js";
import { runCli, runCliAsync } from "./run-cli.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

describe("caffe2torch (the program)", () => {
  it("prints its version with --version and exits 0", () => {
    const r = runCli(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("teaches with --help: every command, examples and exit codes", () => {
    const r = runCli(["--help"]);
    expect(r.status).toBe(0);
    for (const command of ["convert", "explain", "verify", "lint", "inspect", "encode", "decode"]) expect(r.stdout).toContain(command);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain("Exit codes: 0 clean, 1 findings or mismatch, 2 usage or input error.");
  });

  it("shows examples in every command's --help", async () => {
    for (const command of ["convert", "explain", "verify", "lint", "inspect", "encode", "decode"]) {
      const r = await runCliAsync([command, "--help"]);
      expect(r.status, command).toBe(0);
      expect(r.stdout, command).toContain("Examples:");
    }
  });

  it("exits 2 for an unknown command, with a hint and no stack trace", () => {
    const r = runCli(["bogus"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'bogus'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 for an unknown option", () => {
    const r = runCli(["convert", "--no-such-option", "x.prototxt"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option");
  });

  it("exits 2 with one line naming the file when the input does not exist", () => {
    const r = runCli(["convert", "does-not-exist.prototxt"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("caffe2torch: does-not-exist.prototxt: cannot read: no such file");
  });

  it("exits 2 when given a directory as input", () => {
    const r = runCli(["encode", "fixtures"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("fixtures: cannot read: is a directory");
  });
});
