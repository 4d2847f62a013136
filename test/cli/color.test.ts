import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { makeStyle } from "../../src/cli/color.js";
import { runCli } from "./run-cli.js";

const BAD = "layer { bogus: 1 }\n";
const ESC = "\u001b[";

describe("colour", () => {
  it("is off when NO_COLOR is set, even with FORCE_COLOR", () => {
    const r = runCli(["encode", "-"], { input: BAD, env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(r.stderr).not.toContain(ESC);
  });

  it("is on with --color", () => {
    const r = runCli(["--color", "encode", "-"], { input: BAD });
    expect(r.stderr).toContain(ESC);
  });

  it("is off with --no-color even when forced by the environment", () => {
    const r = runCli(["--no-color", "encode", "-"], { input: BAD, env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(r.stderr).not.toContain(ESC);
  });

  it("is off when the output is not a terminal", () => {
    const r = runCli(["encode", "-"], { input: BAD, env: { NO_COLOR: undefined } });
    expect(r.stderr).not.toContain(ESC);
  });
});

describe("makeStyle", () => {
  const samples = ["", "x", "a\nb", "\u001b[31mred\u001b[39m", "ünï"];

  it("with colour off returns every text unchanged, exactly as chalk at level 0 does", () => {
    const off = makeStyle(false);
    const chalk0 = new Chalk({ level: 0 });
    for (const s of samples) {
      for (const name of ["error", "warning", "info", "dim", "bold", "good", "code"] as const) expect(off[name](s)).toBe(s);
      expect(chalk0.red(s)).toBe(s);
    }
  });

  it("with colour on wraps text in ANSI codes", () => {
    expect(makeStyle(true).error("x")).toBe("\u001b[31mx\u001b[39m");
  });
});
