/**
 * Names from an untrusted prototxt are data in every document the CLI generates: the Python
 * module (plain, --exact, --weights) imports and builds under real PyTorch without running
 * anything else, and the Markdown, SVG, SARIF, JSON and GitHub-annotation outputs keep their
 * structure whatever the names contain; the text reports of lint, explain and verify send no
 * control character to the terminal. See test/helpers/hostile.ts for the names.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { HOSTILE, HOSTILE_BATCHNORMS, hostileDeploy, hostileTrainVal, renameHostile, TRAINED_CAFFEMODEL } from "../helpers/hostile.js";
import { disallowedEvents, type InertEvent } from "../helpers/inert.js";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { requireTorch, skipWithoutTorch } from "../helpers/python.js";
import { type SessionOutput, TorchSession } from "../helpers/torch-session.js";
import { parseXml, type XmlElement } from "../verify/xml.js";
import { runCli, runCliAsync } from "./run-cli.js";

const CHECKER = fileURLToPath(new URL("../emit/check_inert.py", import.meta.url));
const NET_NAME = HOSTILE["trained_small"]!.decoded;

let dir = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "caffe2torch-hostile-"));
  writeFileSync(join(dir, "deploy.prototxt"), hostileDeploy());
  writeFileSync(join(dir, "train_val.prototxt"), hostileTrainVal());
  // The caffemodel gets the same names: decode it, rename, encode it back.
  const decoded = await runCliAsync(["decode", "--full", TRAINED_CAFFEMODEL]);
  expect(decoded.status).toBe(0);
  writeFileSync(join(dir, "model.txt"), renameHostile(decoded.stdout));
  const encoded = await runCliAsync(["encode", "-q", "model.txt", "-o", "model.caffemodel"], { cwd: dir });
  expect(encoded.stderr).toBe("");
  expect(encoded.status).toBe(0);
});

/** What check_inert.py reports. */
interface InertReport {
  events: InertEvent[];
  source: string;
  net: string | null;
  layer_names: Record<string, string>;
  skipped: Record<string, string>;
  keys: string[];
  python_dirs: string[];
}

/** The events of `report` a module may not cause (see test/helpers/inert.ts). */
function disallowed(report: InertReport, modulePath: string, weightsPath: string | null): InertReport["events"] {
  return disallowedEvents(report.events, report.python_dirs, modulePath, weightsPath);
}

/**
 * check_inert.py's report on `modulePath`, from a fresh Python started in `work` for this one
 * module (not a session shared by the cases): the audit hook cannot be removed, and a module an
 * earlier case imported would not be imported, nor audited, again. Nothing may reach stderr, from
 * Python or from C, and the process must exit cleanly.
 */
async function inertReport(modulePath: string, weightsPath: string | null, work: string): Promise<InertReport> {
  const fresh = new TorchSession({ cwd: work });
  let exit: SessionOutput | null = null;
  let call: { result: unknown; stdout: string; stderr: string };
  try {
    call = await fresh.callWithOutput(CHECKER, "check", weightsPath === null ? [modulePath] : [modulePath, weightsPath]);
  } finally {
    exit = await fresh.close();
  }
  expect(call.stdout + call.stderr).toBe("");
  expect(exit?.stderr).toBe("");
  expect(exit?.status).toBe(0);
  return call.result as InertReport;
}

async function runChecker(variant: string, args: string[], weights: boolean): Promise<{ report: InertReport; modulePath: string; work: string }> {
  const work = mkdtempSync(join(dir, `${variant}-`));
  const modulePath = join(work, "hostile_module.py");
  const run = await runCliAsync(["convert", "-q", join(dir, "deploy.prototxt"), "--format", "python", "-o", modulePath, ...args], { cwd: work });
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(run.status).toBe(0);
  const report = await inertReport(modulePath, weights ? join(work, "hostile_module.safetensors") : null, work);
  return { report, modulePath, work };
}

describe("the emitted Python module keeps hostile names as data", () => {
  for (const [variant, args, weights] of [
    ["plain", [], false],
    ["exact", ["--exact", "--phase", "train"], false],
    ["weights", ["--weights", "../model.caffemodel"], true],
  ] as const) {
    it.skipIf(skipWithoutTorch)(`${variant}: imports and builds under PyTorch, runs nothing else, and LAYER_NAMES holds the exact names`, async () => {
      requireTorch();
      const { report, modulePath, work } = await runChecker(variant, [...args], weights);
      const weightsPath = weights ? join(work, "hostile_module.safetensors") : null;
      expect(disallowed(report, modulePath, weightsPath)).toEqual([]);
      expect(report.events.filter((e) => /system|spawn|Popen|exec$/.test(e.event) && e.event !== "exec")).toEqual([]);
      expect(existsSync(join(work, "PWNED"))).toBe(false);
      expect(existsSync(join(dir, "PWNED"))).toBe(false);
      expect(readdirSync(work).sort()).toEqual(weights ? ["hostile_module.py", "hostile_module.safetensors"] : ["hostile_module.py"]);
      expect(report.net).toBe(NET_NAME);
      expect(report.source).toBe(join(dir, "deploy.prototxt"));
      expect(Object.values(report.layer_names)).toEqual(HOSTILE_BATCHNORMS);
      expect(report.keys).toEqual(Object.keys(report.layer_names));
      for (const key of report.keys) expect(key).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
      const source = readFileSync(modulePath, "utf8");
      expect(source).toMatch(/^[\x09\x0a\x20-\x7e]*$/);
    });
  }

  it.skipIf(skipWithoutTorch)("the checker itself catches a module that runs a command (so the checks above can fail)", async () => {
    requireTorch();
    const work = mkdtempSync(join(dir, "evil-"));
    const modulePath = join(work, "evil.py");
    writeFileSync(modulePath, [
      "import os",
      "SOURCE = NET = ''",
      "LAYER_NAMES = SKIPPED = {}",
      "def build(weights=None):",
      "    os.system('true')",
      "    open('/proc/self/status').close()",
      "    from torch import nn",
      "    return nn.ModuleDict()",
      "def set_training(modules, training):",
      "    return modules",
      "",
    ].join("\n"));
    const report = await inertReport(modulePath, null, work);
    const found = disallowed(report, modulePath, null);
    expect(found.map((e) => e.event)).toContain("os.system");
    expect(found).toContainEqual(expect.objectContaining({ event: "open", path: "/proc/self/status" }));
  });
});

/** Undoes mdText: backslash escapes and `U+XXXX` for invisible characters. */
function unMarkdown(text: string): string {
  return text.replace(/U\+([0-9A-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\\([!-/:-@[-`{-~])/g, "$1");
}

/** Splits a table row on the pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
}

describe("Markdown keeps its structure", () => {
  it("convert --format markdown: one heading per block, tables with three cells per row, no raw HTML or line breaks from names", () => {
    const run = runCli(["convert", "deploy.prototxt", "--format", "markdown"], { cwd: dir });
    expect(run.status).toBe(0);
    const md = run.stdout;
    const headings = md.split("\n").filter((l) => l.startsWith("## Block "));
    expect(headings.map((h) => unMarkdown(h.replace(/^## Block \d+: /, "")))).toEqual(HOSTILE_BATCHNORMS);
    expect(unMarkdown(md.split("\n")[0]!)).toContain(NET_NAME);
    for (const row of md.split("\n").filter((l) => l.startsWith("|"))) expect(cells(row), row).toHaveLength(3);
    // Every `<` is escaped, so no HTML element can open; no raw control character survives.
    expect(md).not.toMatch(/(?<!\\)</);
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(md).toContain(`Net: ${md.match(/Net: (.*)/)![1]}`);
    expect(unMarkdown(md.match(/- Net: (.*)/)![1]!)).toBe(NET_NAME);
    // Backticks from names are escaped: every unescaped backtick belongs to a code span we wrote.
    for (const line of md.split("\n")) expect((line.match(/(?<!\\)`/g) ?? []).length % 2, line).toBe(0);
  });
});

describe("JSON outputs are proper JSON holding the exact names", () => {
  it("convert (json): the block names parse back exactly", () => {
    const run = runCli(["convert", "deploy.prototxt"], { cwd: dir });
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as { net: string; blocks: { batchnorm: string }[] };
    expect(json.net).toBe(NET_NAME);
    expect(json.blocks.map((b) => b.batchnorm)).toEqual(HOSTILE_BATCHNORMS);
  });
});

/** The hostile train_val plus a layer that reuses a hostile name and reads an undefined blob. */
function lintFixture(): string {
  const extra = `layer {\n  name: "${HOSTILE["bn1"]!.literal}"\n  type: "ReLU"\n  bottom: "${HOSTILE["conv1"]!.literal} missing"\n  top: "${HOSTILE["scale2"]!.literal}"\n}\n`;
  return hostileTrainVal() + extra;
}

describe("lint reports keep their format", () => {
  let messages: string[] = [];
  beforeAll(() => {
    writeFileSync(join(dir, "lint.prototxt"), lintFixture());
    const run = runCli(["lint", "lint.prototxt", "--format", "json"], { cwd: dir });
    const json = JSON.parse(run.stdout) as { files: { diagnostics: { message: string }[] }[] };
    messages = json.files.flatMap((f) => f.diagnostics.map((d) => d.message));
  });

  it("the fixture's findings quote hostile names (so the checks below test something)", () => {
    expect(messages.some((m) => m.includes(HOSTILE["bn1"]!.decoded))).toBe(true);
    expect(messages.some((m) => m.includes("\n"))).toBe(true);
  });

  it("sarif: parses as JSON and every message is the finding's exact text", () => {
    const run = runCli(["lint", "lint.prototxt", "--format", "sarif"], { cwd: dir });
    const sarif = JSON.parse(run.stdout) as { runs: { results: { message: { text: string } }[] }[] };
    expect(sarif.runs[0]!.results.map((r) => r.message.text.replace(/ \[(TRAIN|TEST)\]$/, ""))).toEqual(messages.map((m) => m.replace(/ \[(TRAIN|TEST)\]$/, "")));
  });

  it("github: one workflow command per finding; the data decodes back to the message, properties hold no raw : or ,", () => {
    const run = runCli(["lint", "lint.prototxt", "--format", "github"], { cwd: dir });
    const lines = run.stdout.split("\n").filter((l) => l !== "");
    expect(run.stdout).not.toMatch(/\r/);
    expect(lines).toHaveLength(messages.length);
    lines.forEach((line, i) => {
      const m = /^::(error|warning|notice) ([^:]*)::(.*)$/.exec(line);
      expect(m, line).not.toBeNull();
      const props = m![2]!.split(",").map((p) => p.split("="));
      expect(props.map((p) => p[0])).toEqual(["file", "line", "col", "title"]);
      for (const p of props) expect(p).toHaveLength(2);
      const data = m![3]!.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
      expect(data.replace(/ \[(TRAIN|TEST)\]$/, "")).toBe(messages[i]!.replace(/ \[(TRAIN|TEST)\]$/, ""));
    });
  });

  it("text: names cannot send terminal control sequences (ESC and other control characters are shown, not sent)", () => {
    const run = runCli(["lint", "lint.prototxt"], { cwd: dir });
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe("the verify plot is well-formed SVG", () => {
  it("--plot with hostile net and block names: parses as XML, only drawing elements, title text exact", () => {
    const run = runCli(["verify", "train_val.prototxt", "--phase", "train", "--steps", "3", "--plot", "plot.svg", "--input-shape", "2,3,8,8"], { cwd: dir });
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.status).toBe(0);
    const svg = readFileSync(join(dir, "plot.svg"), "utf8");
    // XML 1.0 forbids these characters even as references.
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]|&#x?0*(?:[0-8]|1[1-9]|2[0-9]|3[01]|[bcef]|1[0-9a-f]);/i);
    const root = parseXml(svg);
    const names = new Set<string>();
    const texts: string[] = [];
    const walk = (e: XmlElement): void => {
      names.add(e.name);
      if (e.name === "text" || e.name === "title") texts.push(e.text);
      e.children.forEach(walk);
    };
    walk(root);
    expect([...names].filter((n) => !["svg", "title", "desc", "defs", "clipPath", "g", "rect", "line", "polyline", "text"].includes(n))).toEqual([]);
    expect(texts.some((t) => t.includes("</svg><script>") || t.includes("x\"); __import__"))).toBe(true);
  });
});

/**
 * A name with one of each kind of character a terminal acts on: ESC (a sequence that clears the
 * screen), BEL, the right-to-left override U+202E and the C1 control U+009B (CSI on its own).
 */
const TERMINAL = {
  literal: "bn\\033[2J\\007bell\\u202eevil\\u009bcsi",
  decoded: "bn\u001b[2J\u0007bell\u202eevil\u009bcsi",
  shown: "bn\u241b[2J\u2407bell\ufffdevil\ufffdcsi",
};
/** What a terminal must never receive from a name: C0 (but tab and line feed), DEL, C1, bidi controls. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** trained_small's train_val with the terminal name on bn1, on its Scale, on the conv1 blob and on the net. */
function terminalTrainVal(): string {
  const renamed: Record<string, string> = { trained_small: "net ", bn1: "", scale1: "scale ", conv1: "blob " };
  return readFileSync(join(GOLDEN_DIR, "trained_small", "train_val.prototxt"), "utf8").replace(/"([A-Za-z0-9_]+)"/g, (whole, name: string) =>
    renamed[name] === undefined ? whole : `"${renamed[name]}${TERMINAL.literal}"`,
  );
}

describe("explain and verify text reports show control characters from names, never send them", () => {
  beforeAll(() => {
    writeFileSync(join(dir, "terminal.prototxt"), terminalTrainVal());
    const trace = JSON.parse(readFileSync(join(GOLDEN_DIR, "bn_cases.json"), "utf8")) as { cases: { name: string }[] };
    trace.cases[0]!.name = TERMINAL.decoded;
    writeFileSync(join(dir, "terminal-trace.json"), JSON.stringify(trace));
  });

  /** Runs the CLI in the fixture folder; its stdout and stderr hold no raw control character. */
  const clean = async (args: string[]): Promise<{ status: number; stdout: string; stderr: string }> => {
    const run = await runCliAsync(args, { cwd: dir });
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.stdout).not.toMatch(RAW_CONTROL);
    expect(run.stderr).not.toMatch(RAW_CONTROL);
    return run;
  };

  it("explain: the ESC, BEL, U+202E and C1 of a layer, Scale, blob and net name never reach stdout raw, and their symbols do", async () => {
    for (const args of [[], ["--verbose"], ["--phase", "train"]]) {
      const run = await clean(["explain", "terminal.prototxt", ...args]);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`net ${TERMINAL.shown}`);
      expect(run.stdout).toContain(TERMINAL.shown);
      expect(run.stdout).toContain(`scale ${TERMINAL.shown}`);
    }
    expect((await clean(["explain", "terminal.prototxt", "--verbose"])).stdout).toContain(`blob ${TERMINAL.shown}`);
  });

  it("explain --layer: selects by the exact name, and a name that matches nothing is shown, not sent, on stderr", async () => {
    const chosen = await clean(["explain", "terminal.prototxt", "--layer", TERMINAL.decoded]);
    expect(chosen.status).toBe(0);
    expect(chosen.stdout).toContain("Explaining 1 block of the 3");
    expect(chosen.stdout).toContain(TERMINAL.shown);
    const missing = await clean(["explain", "terminal.prototxt", "--layer", `${TERMINAL.decoded}x`]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`"${TERMINAL.shown}x"`);
    expect(missing.stderr).toContain(`BatchNorm layers in the TEST phase: ${TERMINAL.shown}, `);
  });

  it("verify: the text report in TEST and TRAIN (block lines, lag table) shows the names as symbols", async () => {
    for (const phase of ["test", "train"]) {
      const run = await clean(["verify", "terminal.prototxt", "--phase", phase, "--steps", "3", "--input-shape", "2,3,8,8"]);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`net "net ${TERMINAL.shown}"`);
      expect(run.stdout).toContain(`${TERMINAL.shown} (+scale ${TERMINAL.shown})`);
    }
    expect((await clean(["verify", "terminal.prototxt", "--phase", "train", "--steps", "3"])).stdout).toContain(`${TERMINAL.shown}: the plain mapping's gap`);
  });

  it("convert and lint --format json|sarif write no raw control or bidi character, and the exact names parse back", async () => {
    const convert = await runCliAsync(["convert", "terminal.prototxt"], { cwd: dir });
    expect(convert.status).toBe(0);
    expect(convert.stdout).not.toMatch(RAW_CONTROL);
    expect((JSON.parse(convert.stdout) as { net: string }).net).toBe(`net ${TERMINAL.decoded}`);
    // A layer reading a blob nothing makes: its finding quotes the name.
    writeFileSync(join(dir, "terminal-lint.prototxt"), `${terminalTrainVal()}layer {\n  name: "relu"\n  type: "ReLU"\n  bottom: "${TERMINAL.literal}"\n  top: "out"\n}\n`);
    for (const format of ["json", "sarif"]) {
      const lint = await runCliAsync(["lint", "terminal-lint.prototxt", "--format", format], { cwd: dir });
      expect(lint.stdout, format).toContain("\\u202eevil\\u009bcsi");
      expect(lint.stdout, format).not.toMatch(RAW_CONTROL);
      const parsed = JSON.parse(lint.stdout) as { files?: { diagnostics: { message: string }[] }[]; runs?: { results: { message: { text: string } }[] }[] };
      const messages = parsed.files?.flatMap((f) => f.diagnostics.map((d) => d.message)) ?? parsed.runs![0]!.results.map((r) => r.message.text);
      expect(messages.some((m) => m.includes(`'${TERMINAL.decoded}'`)), format).toBe(true);
    }
  });

  it("verify --trace: a case name from the trace is shown as symbols", async () => {
    const run = await clean(["verify", "--trace", "terminal-trace.json"]);
    expect(run.stdout).toContain(` ${TERMINAL.shown}  max error`);
  });

  it("verify --json keeps the exact names, every control and bidi character escaped (\\uXXXX)", () => {
    const run = runCli(["verify", "terminal.prototxt", "--json"], { cwd: dir });
    expect(run.stdout).not.toMatch(RAW_CONTROL);
    expect(run.stdout).toContain("bn\\u001b[2J\\u0007bell\\u202eevil\\u009bcsi");
    const report = JSON.parse(run.stdout) as { net: string; blocks: { batchnorm: string; scale: string }[] };
    expect(report.net).toBe(`net ${TERMINAL.decoded}`);
    expect(report.blocks[0]).toMatchObject({ batchnorm: TERMINAL.decoded, scale: `scale ${TERMINAL.decoded}` });
  });
});
