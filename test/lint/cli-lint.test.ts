import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerLintCommand, runLint } from "../../src/cli/commands/lint.js";
import { CliError, type CliIo } from "../../src/cli/io-types.js";
import { writeFileAtomic } from "../../src/cli/io.js";

/** A CliIo over the real file system rooted at `cwd`, capturing stdout and stderr. */
function testIo(cwd: string): CliIo & { out: string; err: string; writes: string[] } {
  const io = {
    out: "",
    err: "",
    writes: [] as string[],
    readFile(path: string): string {
      try {
        return readFileSync(path, "utf8");
      } catch {
        throw new CliError(`${path}: cannot read: no such file`);
      }
    },
    readBytes: (path: string) => new Uint8Array(readFileSync(path)),
    checkOutput: () => undefined,
    writeFileAtomic(path: string, content: string | Uint8Array | Iterable<string | Uint8Array>) {
      io.writes.push(path);
      writeFileAtomic(path, content);
    },
    exists: (path: string) => existsSync(path),
    stdout(s: string | Uint8Array) {
      io.out += String(s);
    },
    stderr(s: string) {
      io.err += s;
    },
    cwd,
    color: { stdout: false, stderr: false },
    isTTY: { stdout: false, stderr: false },
    env: {},
  };
  return io;
}

const BAD_BN = `input: "data"\ninput_shape { dim: 1 dim: 3 }\nlayer {\n  name: "bn"\n  type: "BatchNorm"\n  bottom: "data"\n  top: "data"\n  param { lr_mult: 1 } # learnable?\n}\n`;
const CLEAN = `input: "data"\ninput_shape { dim: 1 dim: 3 }\nlayer { name: "relu" type: "ReLU" bottom: "data" top: "data" }\n`;
const BROKEN = `layer {\n  name: "x"\n  param { lr_mult: 1 \n`;
const WARN_ONLY = `input: "data"\ninput_shape { dim: 1 dim: 3 }\nlayer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" }\n`;

let root: string;
const write = (file: string, text: string): void => {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
};
const read = (file: string): string => readFileSync(join(root, file), "utf8");

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "c2t-lint-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("caffe2torch lint", () => {
  it("exits 0 on a clean file and prints nothing", async () => {
    write("clean.prototxt", CLEAN);
    const io = testIo(root);
    expect(await runLint(["clean.prototxt"], io)).toBe(0);
    expect(io.out).toBe("");
  });

  it("exits 1 on an error finding and reports it with line:col", async () => {
    write("bn.prototxt", BAD_BN);
    const io = testIo(root);
    expect(await runLint(["bn.prototxt"], io)).toBe(1);
    expect(io.out).toContain("8:11    error    BatchNorm 'bn': param 1 has lr_mult 1");
  });

  it("exits 0 on warnings unless --max-warnings is exceeded", async () => {
    write("w.prototxt", WARN_ONLY);
    expect(await runLint(["w.prototxt"], testIo(root))).toBe(0);
    expect(await runLint(["w.prototxt", "--max-warnings", "1"], testIo(root))).toBe(0);
    const io = testIo(root);
    expect(await runLint(["w.prototxt", "--max-warnings", "0"], io)).toBe(1);
    expect(io.err).toContain("1 warning, more than --max-warnings 0");
  });

  it("reports a file that does not parse as syntax (exit 1) and lints the others", async () => {
    write("broken.prototxt", BROKEN);
    write("bn.prototxt", BAD_BN);
    const io = testIo(root);
    expect(await runLint(["broken.prototxt", "bn.prototxt", "--format", "json"], io)).toBe(1);
    const json = JSON.parse(io.out);
    expect(json.files.map((f: { file: string; diagnostics: { rule: string }[] }) => [f.file, f.diagnostics.map((d) => d.rule)])).toEqual([
      ["broken.prototxt", ["syntax", "syntax"]],
      ["bn.prototxt", ["bn-without-scale", "bn-stats-lr-mult"]],
    ]);
  });

  it("exits 2 for an unreadable file but still reports the readable ones", async () => {
    write("bn.prototxt", BAD_BN);
    const io = testIo(root);
    expect(await runLint(["missing.prototxt", "bn.prototxt"], io)).toBe(2);
    expect(io.err).toContain("missing.prototxt: cannot read");
    expect(io.out).toContain("bn-stats-lr-mult");
  });

  it.each([
    [["--phase", "deploy", "x.prototxt"], "--phase must be train, test or both"],
    [["--format", "xml", "x.prototxt"], "--format must be text, json, sarif or github"],
    [["--rule", "bn-nope=off", "x.prototxt"], 'unknown rule "bn-nope"'],
    [["--rule", "bn-without-scale", "x.prototxt"], "--rule takes ID=LEVEL"],
    [["--max-warnings", "-1", "x.prototxt"], "--max-warnings must be a non-negative integer"],
    [["--fix", "--fix-dry-run", "x.prototxt"], "cannot be used together"],
    [["nothing/*.prototxt"], 'no files match "nothing/*.prototxt"'],
  ])("exits 2 on the usage error %j", async (args, message) => {
    write("x.prototxt", CLEAN);
    const io = testIo(root);
    expect(await runLint(args, io)).toBe(2);
    expect(io.err).toContain(message);
  });

  it("exits 2 without arguments (commander's usage error)", async () => {
    const io = testIo(root);
    expect(await runLint([], io)).toBe(2);
    expect(io.err).toContain("missing required argument");
  });

  it("expands directories and quoted patterns", async () => {
    write("models/a.prototxt", WARN_ONLY);
    write("models/deep/b.prototxt", WARN_ONLY);
    write("models/notes.txt", "x");
    const io = testIo(root);
    expect(await runLint(["models", "--format", "json"], io)).toBe(0);
    expect(JSON.parse(io.out).files.map((f: { file: string }) => f.file)).toEqual(["models/a.prototxt", "models/deep/b.prototxt"]);
    const io2 = testIo(root);
    await runLint(["models/*.prototxt", "models/**/*.prototxt", "--format", "json"], io2);
    expect(JSON.parse(io2.out).files.map((f: { file: string }) => f.file)).toEqual(["models/a.prototxt", "models/deep/b.prototxt"]);
  });

  it("--rule sets a level, and --quiet keeps errors only", async () => {
    write("w.prototxt", WARN_ONLY);
    expect(await runLint(["w.prototxt", "--rule", "bn-without-scale=error"], testIo(root))).toBe(1);
    const io = testIo(root);
    expect(await runLint(["w.prototxt", "--quiet", "--format", "json"], io)).toBe(0);
    expect(JSON.parse(io.out).files[0].diagnostics).toEqual([]);
  });

  it("uses the nearest .caffe2torchrc.json, and --rule wins over it", async () => {
    write(".caffe2torchrc.json", `{"rules": {"bn-without-scale": "error"}}`);
    write("sub/.caffe2torchrc.json", `{"rules": {"bn-without-scale": "off"}}`);
    write("top.prototxt", WARN_ONLY);
    write("sub/deep/inner.prototxt", WARN_ONLY);
    const io = testIo(root);
    expect(await runLint(["top.prototxt", "sub/deep/inner.prototxt", "--format", "json"], io)).toBe(1);
    expect(JSON.parse(io.out).files.map((f: { diagnostics: { severity: string }[] }) => f.diagnostics.map((d) => d.severity))).toEqual([["error"], []]);
    expect(await runLint(["top.prototxt", "--rule", "bn-without-scale=warning"], testIo(root))).toBe(0);
  });

  it("takes the phase from the config unless --phase is given", async () => {
    write(".caffe2torchrc.json", `{"phase": "train"}`);
    write("tv.prototxt", `input: "data"\ninput_shape { dim: 1 dim: 3 }\nlayer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" batch_norm_param { use_global_stats: false } }\nlayer { name: "s" type: "Scale" bottom: "data" top: "data" scale_param { bias_term: true } }\n`);
    expect(await runLint(["tv.prototxt"], testIo(root))).toBe(0);
    expect(await runLint(["tv.prototxt", "--phase", "both"], testIo(root))).toBe(1);
  });

  it("--config applies one config to every file; a bad config exits 2", async () => {
    write("cfg.json", `{"rules": {"bn-stats-lr-mult": "warning"}}`);
    write("bad.json", `{"rules": {"bn-stats-lr-mult": "loud"}}`);
    write("bn.prototxt", BAD_BN);
    expect(await runLint(["bn.prototxt", "--config", "cfg.json"], testIo(root))).toBe(0);
    const io = testIo(root);
    expect(await runLint(["bn.prototxt", "--config", "bad.json"], io)).toBe(2);
    expect(io.err).toContain('bad.json: level of "bn-stats-lr-mult" must be off, info, warning or error (got "loud")');
  });

  it("--fix rewrites the file atomically, keeping the comment, and a second run changes nothing", async () => {
    write("bn.prototxt", BAD_BN);
    const io = testIo(root);
    expect(await runLint(["bn.prototxt", "--fix"], io)).toBe(0);
    expect(read("bn.prototxt")).toBe(BAD_BN.replace("lr_mult: 1", "lr_mult: 0"));
    expect(io.writes).toEqual([join(root, "bn.prototxt")]);
    expect(readdirSync(root)).toEqual(["bn.prototxt"]);
    const again = testIo(root);
    expect(await runLint(["bn.prototxt", "--fix"], again)).toBe(0);
    expect(again.writes).toEqual([]);
  });

  it("--fix never writes a file that does not parse", async () => {
    write("broken.prototxt", BROKEN);
    const io = testIo(root);
    expect(await runLint(["broken.prototxt", "--fix"], io)).toBe(1);
    expect(io.writes).toEqual([]);
    expect(read("broken.prototxt")).toBe(BROKEN);
  });

  it("--fix-dry-run prints a unified diff on stdout, the report on stderr, and writes nothing", async () => {
    write("bn.prototxt", BAD_BN);
    const io = testIo(root);
    expect(await runLint(["bn.prototxt", "--fix-dry-run"], io)).toBe(0);
    expect(io.out).toBe(
      "--- a/bn.prototxt\n+++ b/bn.prototxt\n@@ -5,5 +5,5 @@\n   type: \"BatchNorm\"\n   bottom: \"data\"\n   top: \"data\"\n-  param { lr_mult: 1 } # learnable?\n+  param { lr_mult: 0 } # learnable?\n }\n",
    );
    expect(io.err).toContain("bn-without-scale");
    expect(io.writes).toEqual([]);
    expect(read("bn.prototxt")).toBe(BAD_BN);
  });

  it("takes SARIF's informationUri and every helpUri from package.json \"homepage\"", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { homepage: string };
    expect(pkg.homepage).toMatch(/^https:\/\//);
    write("bn.prototxt", BAD_BN);
    const io = testIo(root);
    await runLint(["bn.prototxt", "--format", "sarif"], io);
    const driver = JSON.parse(io.out).runs[0].tool.driver;
    expect(driver.informationUri).toBe(pkg.homepage);
    for (const rule of driver.rules) expect(rule.helpUri).toBe(`${pkg.homepage}/blob/main/docs/rules/${rule.id}.md`);
  });

  it("writes SARIF and GitHub annotations with paths relative to the working directory", async () => {
    write("nets/bn.prototxt", BAD_BN);
    const sarif = testIo(root);
    await runLint(["nets/bn.prototxt", "--format", "sarif"], sarif);
    expect(JSON.parse(sarif.out).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("nets/bn.prototxt");
    const github = testIo(root);
    await runLint(["nets/bn.prototxt", "--format", "github"], github);
    expect(github.out.split("\n")).toContainEqual(expect.stringMatching(/^::error file=nets\/bn\.prototxt,line=8,col=11,title=bn-stats-lr-mult::/));
    expect(github.out.split("\n")[0]).toMatch(/^::warning file=nets\/bn\.prototxt,line=3,col=1,title=bn-without-scale::/);
  });

  it("shows an absolute path relative when it leads into the working directory through a symlink", async () => {
    write("nets/bn.prototxt", BAD_BN);
    const link = join(mkdtempSync(join(tmpdir(), "c2t-link-")), "checkout");
    symlinkSync(root, link);
    const github = testIo(root);
    await runLint([join(link, "nets", "bn.prototxt"), "--format", "github"], github);
    expect(github.out.split("\n")[0]).toMatch(/^::warning file=nets\/bn\.prototxt,line=3,col=1,title=bn-without-scale::/);
  });

  it("gives SARIF's %SRCROOT% as the working directory (originalUriBaseIds); a file outside it keeps its file:// URI", async () => {
    write("nets/bn.prototxt", BAD_BN);
    const outside = join(mkdtempSync(join(tmpdir(), "c2t-outside-")), "far.prototxt");
    writeFileSync(outside, BAD_BN);
    const io = testIo(root);
    await runLint([join(root, "nets", "bn.prototxt"), outside, "--format", "sarif"], io);
    const run = JSON.parse(io.out).runs[0];
    expect(run.originalUriBaseIds).toEqual({ "%SRCROOT%": { uri: `file://${root}/` } });
    const uris = [...new Set(run.results.map((r: any) => JSON.stringify(r.locations[0].physicalLocation.artifactLocation)))];
    expect(uris).toEqual([JSON.stringify({ uri: "nets/bn.prototxt", uriBaseId: "%SRCROOT%" }), JSON.stringify({ uri: `file://${outside}` })]);
  });

  it("--fix says on stderr what it fixed, or that there was nothing to fix; --quiet keeps it silent", async () => {
    write("a.prototxt", BAD_BN);
    write("b.prototxt", CLEAN);
    const io = testIo(root);
    expect(await runLint(["a.prototxt", "b.prototxt", "--fix"], io)).toBe(0);
    expect(io.err).toBe("caffe2torch lint: fixed 1 problem in 1 file\n");
    const again = testIo(root);
    await runLint(["a.prototxt", "b.prototxt", "--fix"], again);
    expect(again.err).toBe("caffe2torch lint: nothing to fix in 2 files\n");
    write("a.prototxt", BAD_BN);
    const quiet = testIo(root);
    await runLint(["a.prototxt", "--fix", "-q"], quiet);
    expect(quiet.err).toBe("");
    expect(read("a.prototxt")).toBe(BAD_BN.replace("lr_mult: 1", "lr_mult: 0"));
  });

  it('reads standard input for "-", shown as <stdin>; --fix refuses to write it', async () => {
    const io = testIo(root);
    const readFile = io.readFile;
    io.readFile = (path) => (path === "-" ? BAD_BN : readFile(path));
    expect(await runLint(["-", "--format", "json"], io)).toBe(1);
    expect(JSON.parse(io.out).files[0].file).toBe("<stdin>");
    const fix = testIo(root);
    expect(await runLint(["-", "--fix"], fix)).toBe(2);
    expect(fix.err).toContain("--fix cannot write standard input");
  });

  it("registers a lint subcommand whose --help has examples", async () => {
    const program = new Command().exitOverride();
    let help = "";
    program.configureOutput({ writeOut: (s) => (help += s) });
    registerLintCommand(program, () => testIo(root), () => undefined);
    await expect(program.parseAsync(["lint", "--help"], { from: "user" })).rejects.toThrow();
    expect(help).toContain("Examples:");
    expect(help).toContain("--fix-dry-run");
    expect(help).toContain("bn-stats-lr-mult");
  });
});
