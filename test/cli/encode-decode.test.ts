import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR, ROOT } from "../helpers/paths.js";
import { runProtoc, skipWithoutProtoc } from "../helpers/protoc.js";
import { runCli } from "./run-cli.js";

const EXAMPLE = join(ROOT, "examples", "resnet18-deploy.prototxt");
const CAFFEMODEL = join(GOLDEN_DIR, "trained_small", "trained_small.caffemodel");

describe("caffe2torch encode", () => {
  it.skipIf(skipWithoutProtoc)("writes the bytes protoc writes, to a file with -o", () => {
    const dir = mkdtempSync(join(tmpdir(), "c2t-"));
    const out = join(dir, "net.pb");
    const r = runCli(["encode", EXAMPLE, "-o", out]);
    expect(r.status).toBe(0);
    expect(readFileSync(out).equals(runProtoc(readFileSync(EXAMPLE, "utf8")).stdout)).toBe(true);
  });

  it.skipIf(skipWithoutProtoc)("reads standard input with - and writes binary to a pipe", () => {
    const text = readFileSync(EXAMPLE, "utf8");
    const r = runCli(["encode", "-"], { input: text });
    expect(r.status).toBe(0);
    expect(r.stdoutBytes.equals(runProtoc(text).stdout)).toBe(true);
  });

  it("refuses an unknown field with FILE:LINE:COL, a code frame and a did-you-mean, exit 2", () => {
    const r = runCli(["encode", "-"], { input: 'layer {\n  name: "bn"\n  tpye: "BatchNorm"\n}\n' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('<stdin>:3:3: error: Message type "caffe.LayerParameter" has no field named "tpye". Did you mean "type"?');
    expect(r.stderr).toContain('3 |   tpye: "BatchNorm"');
    expect(r.stderr).toContain("  |   ^^^^");
    expect(r.stdout).toBe("");
  });

  it("reports every error of a file, not only the first", () => {
    const r = runCli(["encode", "-"], { input: 'name: "x"\nlayer { nmae: "a" }\nlayer { type: 5 }\nlayer { top: "t" bottom: }\n' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("<stdin>:2:9:");
    expect(r.stderr).toContain("<stdin>:3:15:");
    expect(r.stderr).toContain("<stdin>:4:26:");
  });

  it("names the fork of a fork field, and --allow-unknown encodes without it", () => {
    const text = 'layer {\n  name: "bn"\n  type: "BN"\n  bn_param { frozen: true }\n}\n';
    const strict = runCli(["encode", "-"], { input: text });
    expect(strict.status).toBe(2);
    expect(strict.stderr).toContain("<stdin>:4:3: error:");
    expect(strict.stderr).toContain("PSPNet");
    const lenient = runCli(["encode", "--allow-unknown", "-"], { input: text });
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toContain("<stdin>:4:3: warning:");
    expect(lenient.stdoutBytes.length).toBeGreaterThan(0);
  });

  it("leaves no output file behind when the input is refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "c2t-"));
    const out = join(dir, "net.pb");
    const r = runCli(["encode", "-", "-o", out], { input: "layer { bogus: 1 }\n" });
    expect(r.status).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("keeps an existing output file intact when the input is refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "c2t-"));
    const out = join(dir, "net.pb");
    writeFileSync(out, "previous");
    expect(runCli(["encode", "-", "-o", out], { input: "layer {\n" }).status).toBe(2);
    expect(readFileSync(out, "utf8")).toBe("previous");
  });
});

describe("caffe2torch decode", () => {
  it("summarises blob data as shapes by default", () => {
    const r = runCli(["decode", CAFFEMODEL]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('name: "bn1"');
    expect(r.stdout).toMatch(/# data: 216 floats \(shape 8x3x3x3\)/);
  });

  it.skipIf(skipWithoutProtoc)("prints every value with --full, as protoc --decode does", () => {
    const r = runCli(["decode", "--full", CAFFEMODEL]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(runProtoc(readFileSync(CAFFEMODEL), "decode").stdout.toString("utf8"));
  });

  it("round-trips: encode of decode --full gives the same bytes", () => {
    const dir = mkdtempSync(join(tmpdir(), "c2t-"));
    const text = join(dir, "model.prototxt");
    const bytes = join(dir, "model.caffemodel");
    expect(runCli(["decode", "--full", CAFFEMODEL, "-o", text]).status).toBe(0);
    expect(runCli(["encode", text, "-o", bytes]).status).toBe(0);
    expect(readFileSync(bytes).equals(readFileSync(CAFFEMODEL))).toBe(true);
  });

  it("exits 2 with the byte offset for a truncated file, and prints nothing", () => {
    const r = runCli(["decode", "-"], { input: readFileSync(CAFFEMODEL).subarray(0, 1000) });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/<stdin>: offset \d+: error:/);
    expect(r.stdout).toBe("");
  });
});
