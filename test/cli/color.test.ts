import { describe, expect, it } from "vitest";
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
