import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expandGlob, globToRegExp, isGlob } from "../../src/cli/glob.js";

describe("globToRegExp", () => {
  it.each([
    ["*.prototxt", "a.prototxt", true],
    ["*.prototxt", "d/a.prototxt", false],
    ["**/*.prototxt", "a.prototxt", true],
    ["**/*.prototxt", "d/e/a.prototxt", true],
    ["d/**", "d/e/a.txt", true],
    ["net?.prototxt", "net1.prototxt", true],
    ["net?.prototxt", "net10.prototxt", false],
    ["a.b", "axb", false],
    ["x**y", "x/y", false],
  ])("%s matches %s: %s", (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected);
  });

  it("knows a pattern from a path", () => {
    expect(isGlob("models/*.prototxt")).toBe(true);
    expect(isGlob("models/net.prototxt")).toBe(false);
  });
});

describe("expandGlob", () => {
  const root = mkdtempSync(join(tmpdir(), "c2t-glob-"));
  for (const f of ["a.prototxt", "b.txt", "m/x.prototxt", "m/n/y.prototxt", ".hidden/z.prototxt", "node_modules/w.prototxt"]) {
    mkdirSync(join(root, f, ".."), { recursive: true });
    writeFileSync(join(root, f), "");
  }
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("expands * in one directory", () => {
    expect(expandGlob("*.prototxt", root)).toEqual(["a.prototxt"]);
  });

  it("expands ** through subdirectories, skipping dot-directories and node_modules", () => {
    expect(expandGlob("**/*.prototxt", root)).toEqual(["a.prototxt", "m/n/y.prototxt", "m/x.prototxt"]);
  });

  it("starts from the literal prefix and keeps it in the results", () => {
    expect(expandGlob("m/*.prototxt", root)).toEqual(["m/x.prototxt"]);
    expect(expandGlob("m/**/*.prototxt", root)).toEqual(["m/n/y.prototxt", "m/x.prototxt"]);
  });

  it("returns nothing for a missing directory", () => {
    expect(expandGlob("nope/*.prototxt", root)).toEqual([]);
  });
});
