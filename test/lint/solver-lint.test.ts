/** `caffe2torch lint` on solver files, through the real CLI: recognised by their fields, checked against the file system, reported in every format. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.js";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { validate } from "./sarif-schema.js";

function solverFile(text: string, extra: Record<string, string> = {}): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-lint-solver-"));
  for (const [name, content] of Object.entries(extra)) writeFileSync(join(dir, name), content);
  const path = join(dir, "solver.prototxt");
  writeFileSync(path, text);
  return { dir, path };
}

const BAD = 'net: "train.prototxt"\nsolver_type: SGD\nbase_lr: 0.1\nlr_policy: "poly"\npower: 1\nmomentum: 1.0\n';

describe("lint on solver files", () => {
  it("passes the golden solvers (their nets beside them), with no net rule misreading them", () => {
    const dir = join(GOLDEN_DIR, "training");
    const r = runCli(["lint", join(dir, "solver_sgd_step", "solver.prototxt"), join(dir, "solver_adam_sigmoid", "solver.prototxt"), "--format", "json"]);
    expect(r.status, r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ errorCount: 0, warningCount: 0 });
  });

  it("finds a missing net file, beside the solver or from the working directory", () => {
    const { dir, path } = solverFile(BAD);
    const r = runCli(["lint", path, "--format", "json"], { cwd: dir });
    const ids = (JSON.parse(r.stdout) as { files: { diagnostics: { rule: string; line: number }[] }[] }).files[0]!.diagnostics.map((f) => `${f.line} ${f.rule}`);
    expect(ids).toEqual(["1 solver-net-path", "2 solver-type-deprecated", "4 solver-policy-params", "6 solver-momentum"]);
    expect(r.status).toBe(1);
    const withNet = solverFile(BAD, { "train.prototxt": 'name: "n"\n' });
    const again = runCli(["lint", withNet.path, "--format", "json", "--rule", "solver-momentum=off", "--rule", "solver-policy-params=off"], { cwd: tmpdir() });
    expect((JSON.parse(again.stdout) as { errorCount: number; warningCount: number })).toMatchObject({ errorCount: 0, warningCount: 1 });
  });

  it("writes GitHub annotations and a valid SARIF log for solver findings", () => {
    const { path } = solverFile(BAD);
    const github = runCli(["lint", path, "--format", "github"]);
    expect(github.stdout).toContain("::error file=");
    expect(github.stdout).toMatch(/line=6,col=1.*title=solver-momentum/);
    const sarif = runCli(["lint", path, "--format", "sarif"]);
    const log = JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; fixes?: unknown[] }[] }[] };
    expect(validate(log)).toEqual([]);
    expect(log.runs[0]!.results.map((x) => x.ruleId)).toContain("solver-type-deprecated");
    expect(log.runs[0]!.results.find((x) => x.ruleId === "solver-type-deprecated")!.fixes).toHaveLength(1);
  });

  it("fixes solver_type in place with --fix, keeping the rest of the file", () => {
    const { path } = solverFile(BAD);
    runCli(["lint", path, "--fix"]);
    expect(readFileSync(path, "utf8")).toBe(BAD.replace("solver_type: SGD", 'type: "SGD"'));
  });
});
