/**
 * Names from an untrusted prototxt are data in the model.py `export` writes: with hostile layer,
 * blob and net names (test/helpers/hostile.ts), and with stubs whose name, type and Python
 * module, class and param_str are hostile too, the module imports, builds (with the renamed
 * caffemodel, or with Caffe's fillers), runs forward and forward_layers and runs nothing else;
 * every name comes back exactly; the CLI's own report sends no control character to the terminal.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { HOSTILE, hostileDeploy, renameHostile, TRAINED_CAFFEMODEL } from "../helpers/hostile.js";
import { disallowedEvents, type InertEvent } from "../helpers/inert.js";
import { requireTorch, runPython, skipWithoutTorch } from "../helpers/python.js";
import { graphOf } from "../export/support.js";
import { runCli } from "./run-cli.js";

const CHECKER = fileURLToPath(new URL("../export/check_inert_export.py", import.meta.url));
/** Control characters a report must never send to a terminal (C0 but tab and newline, DEL, C1, bidi overrides). */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Layers no converter handles, every string in them hostile. */
function stubLayers(): string {
  const h = (name: string) => HOSTILE[name]!.literal;
  return [
    `layer { name: "${h("conv1")} stub" type: "${h("bn1")}" bottom: "data" top: "stub_out" }`,
    `layer {`,
    `  name: "${h("scale1")} py"`,
    `  type: "Python"`,
    `  bottom: "data"`,
    `  top: "py_out"`,
    `  python_param { module: "${h("conv2_bn")}" layer: "${h("bn2")}" param_str: "${h("conv1")}" }`,
    `}`,
    "",
  ].join("\n");
}

interface Report {
  events: InertEvent[];
  source: string;
  net: string | null;
  layer_names: Record<string, string>;
  caffe_blobs: Record<string, (string | null)[]>;
  attributes: string[];
  state_keys: string[];
  forward_layers: string[] | null;
  raised: string | null;
  stubs: Record<string, string>;
  python_dirs: string[];
}

let dir = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "caffe2torch-export-hostile-"));
  writeFileSync(join(dir, "deploy.prototxt"), hostileDeploy());
  writeFileSync(join(dir, "stubs.prototxt"), hostileDeploy() + stubLayers());
  // The caffemodel gets the same names: decode it, rename, encode it back.
  const decoded = runCli(["decode", "--full", TRAINED_CAFFEMODEL]);
  expect(decoded.status).toBe(0);
  writeFileSync(join(dir, "model.txt"), renameHostile(decoded.stdout));
  const encoded = runCli(["encode", "model.txt", "-o", "model.caffemodel"], { cwd: dir });
  expect(encoded.status).toBe(0);
});

/** Exports `file` with `args` into a fresh folder and runs the checker on the result. */
function exportAndCheck(file: string, out: string, args: string[], weights: boolean): { report: Report; modulePath: string; stderr: string } {
  const run = runCli(["export", file, "-o", out, ...args], { cwd: dir });
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(run.status).toBe(0);
  expect(run.stderr).not.toMatch(TERMINAL_CONTROL);
  const modulePath = join(dir, out, "model.py");
  const python = runPython(CHECKER, weights ? [modulePath, join(dir, out, "model.safetensors")] : [modulePath], join(dir, out));
  expect(python.stderr).toBe("");
  expect(python.status).toBe(0);
  return { report: JSON.parse(python.stdout) as Report, modulePath, stderr: run.stderr };
}

describe("export keeps hostile names as data", () => {
  it.skipIf(skipWithoutTorch)("--weights: model.py imports, loads the renamed caffemodel, runs forward and forward_layers, and runs nothing else", () => {
    requireTorch();
    const { report, modulePath } = exportAndCheck("deploy.prototxt", "weights", ["--weights", "model.caffemodel"], true);
    expect(disallowedEvents(report.events, report.python_dirs, modulePath, join(dir, "weights", "model.safetensors"))).toEqual([]);
    expect(existsSync(join(dir, "PWNED"))).toBe(false);
    expect(existsSync(join(dir, "weights", "PWNED"))).toBe(false);
    const graph = graphOf(hostileDeploy());
    expect(report.net).toBe(HOSTILE["trained_small"]!.decoded);
    expect(report.source).toBe("deploy.prototxt");
    expect(report.raised).toBeNull();
    expect(report.forward_layers).toEqual(graph.nodes.map((n) => n.layer));
    expect(Object.values(report.layer_names)).toEqual(graph.nodes.filter((n) => n.attr !== null).map((n) => n.layer));
    expect(Object.keys(report.caffe_blobs)).toEqual(graph.nodes.filter((n) => n.params.length > 0).map((n) => n.layer));
    for (const attribute of report.attributes) expect(attribute).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    expect(readFileSync(modulePath, "utf8")).toMatch(/^[\x09\x0a\x20-\x7e]*$/);
  });

  it.skipIf(skipWithoutTorch)("--allow-stubs: hostile stub names, types and python_param stay data; the stub raises NotImplementedError and nothing else runs", () => {
    requireTorch();
    const { report, modulePath, stderr } = exportAndCheck("stubs.prototxt", "stubs", ["--allow-stubs"], false);
    expect(disallowedEvents(report.events, report.python_dirs, modulePath, null)).toEqual([]);
    expect(existsSync(join(dir, "PWNED"))).toBe(false);
    expect(existsSync(join(dir, "stubs", "PWNED"))).toBe(false);
    expect(Object.values(report.stubs)).toEqual([`${HOSTILE["conv1"]!.decoded} stub`, `${HOSTILE["scale1"]!.decoded} py`]);
    expect(report.raised).toMatch(/^Caffe layer .* was not converted: /s);
    expect(readFileSync(modulePath, "utf8")).toMatch(/^[\x09\x0a\x20-\x7e]*$/);
    // Both stubs are reported on stderr, each with its line and column.
    expect(stderr.split("\n").filter((l) => / warning: layer .* is a stub that raises NotImplementedError: /.test(l))).toHaveLength(2);
  });
});
