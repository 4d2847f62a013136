/**
 * Replays every input the fuzzer recorded (fixtures/fuzz-regressions/, see fuzz/README.md)
 * through the real CLI: each must end with exit 0, 1 or 2, one-line errors and no stack trace
 * or "internal error". Entries are `<id>.json` files naming the command and its input files;
 * `samples/` holds inputs kept for their variety rather than for a past crash; `pending/` holds
 * crashes whose fix is on another branch (each entry says which) and is not replayed until they
 * are moved up.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/paths.js";
import { runCli } from "./run-cli.js";

const DIR = join(ROOT, "fixtures", "fuzz-regressions");

/** One recorded reproduction, as fuzz/fuzz.mjs writes it. */
interface Entry {
  id: string;
  kind: "crash" | "sample";
  command: string;
  args: string[];
  origin: string;
}

function entries(dir: string): { path: string; entry: Entry }[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === "pending" ? [] : entries(path);
      return name.endsWith(".json") ? [{ path, entry: JSON.parse(readFileSync(path, "utf8")) as Entry }] : [];
    });
}

const ALL = entries(DIR);

describe("fuzz regressions", () => {
  it("the directory holds entries, each naming only files that exist beside it", () => {
    expect(ALL.length).toBeGreaterThan(0);
    for (const { path, entry } of ALL) {
      const here = join(path, "..");
      for (const arg of entry.args) if (arg.startsWith(`${entry.id}.`)) expect(existsSync(join(here, arg)), `${relative(DIR, path)}: ${arg}`).toBe(true);
      expect(entry.command).toBe(["caffe2torch", ...entry.args].join(" "));
    }
  });

  for (const { path, entry } of ALL) {
    it(`${relative(DIR, path)}: ${entry.command.slice(0, 100)} exits 0, 1 or 2 without a stack trace`, () => {
      // A scratch directory: commands with -o write there, never into fixtures/.
      const work = mkdtempSync(join(tmpdir(), "caffe2torch-fuzz-"));
      for (const arg of entry.args) if (arg.startsWith(`${entry.id}.`)) copyFileSync(join(path, "..", arg), join(work, arg));
      const run = runCli(entry.args, { cwd: work });
      expect([0, 1, 2], `exit ${run.status}: ${run.stderr.slice(0, 300)}`).toContain(run.status);
      expect(run.stderr).not.toMatch(/internal error/);
      expect(run.stderr).not.toMatch(/\n\s+at .*\(?(file:|node:|\/)/);
    });
  }
});
