/**
 * `caffe2torch export` end to end, through the real binary: what it writes, its one-line
 * summary, `--json`, and the exits with status 2 that write nothing (a layer that cannot be
 * exported, weights that do not fit), each naming the layer, where it is and what is wrong.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { requireTorch, runPython, skipWithoutTorch } from "../helpers/python.js";
import { runCli } from "./run-cli.js";

const LENET = join(GOLDEN_DIR, "nets", "lenet");
const LENET_WEIGHTS = join(LENET, "weights.caffemodel");
const lenetText = (): string => readFileSync(join(LENET, "net.prototxt"), "utf8");

let dir = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "caffe2torch-export-cli-"));
  writeFileSync(join(dir, "lenet.prototxt"), lenetText());
  // An unknown type (a typo) on line 9: the layer "conv1".
  writeFileSync(join(dir, "typo.prototxt"), lenetText().replace('type: "Convolution"', 'type: "Convolutoin"'));
  // conv1 renamed: the caffemodel has no layer of that name.
  writeFileSync(join(dir, "renamed.prototxt"), lenetText().replace(/"conv1"/g, '"conv1_new"'));
  // conv1 with 16 outputs where the caffemodel has 20.
  writeFileSync(join(dir, "narrow.prototxt"), lenetText().replace("num_output: 20", "num_output: 16"));
});

/** The line and column (1-based) where `needle` starts in `text`. */
function positionOf(text: string, needle: string): string {
  const before = text.slice(0, text.indexOf(needle)).split("\n");
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

describe("caffe2torch export", () => {
  it("writes model.py and model.safetensors, prints one summary line on stderr and nothing on stdout", () => {
    const r = runCli(["export", "lenet.prototxt", "--weights", LENET_WEIGHTS, "-o", "out"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("wrote out/model.py and out/model.safetensors (8 layers, 431080 parameters)\n");
    expect(readdirSync(join(dir, "out")).sort()).toEqual(["model.py", "model.safetensors"]);
    const source = readFileSync(join(dir, "out", "model.py"), "utf8");
    expect(source).toContain("class Net(nn.Module):");
    expect(source).toContain("def init_caffe_fillers(net, seed=0):");
  });

  it("without --weights writes model.py alone; -q prints nothing", () => {
    const r = runCli(["export", "lenet.prototxt", "-o", "plain", "-q"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(readdirSync(join(dir, "plain"))).toEqual(["model.py"]);
  });

  it("--json prints {layers: [{name, type, module, helper, notes}], inputs, outputs, warnings}", () => {
    const r = runCli(["export", "lenet.prototxt", "-o", "json", "--json", "-q"], { cwd: dir });
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { layers: Record<string, unknown>[]; inputs: unknown; outputs: unknown; warnings: unknown };
    expect(Object.keys(json)).toEqual(["layers", "inputs", "outputs", "helpers", "warnings"]);
    for (const layer of json.layers) expect(Object.keys(layer)).toEqual(["name", "type", "module", "helper", "notes"]);
    expect(json.layers.map((l) => [l["name"], l["type"], l["module"]])).toEqual([
      ["mnist", "Input", "input"],
      ["conv1", "Convolution", "nn.Conv2d"],
      ["pool1", "Pooling", "nn.MaxPool2d"],
      ["conv2", "Convolution", "nn.Conv2d"],
      ["pool2", "Pooling", "nn.MaxPool2d"],
      ["ip1", "InnerProduct", "nn.Linear"],
      ["relu1", "ReLU", "nn.ReLU"],
      ["ip2", "InnerProduct", "nn.Linear"],
    ]);
    expect(json.inputs).toEqual([{ blob: "data", shape: [2, 1, 28, 28] }]);
    expect(json.outputs).toEqual(["ip2"]);
    expect(json.warnings).toEqual([]);
  });

  it("exits 2 for a layer type it cannot export, naming the layer with file:line:col and a did-you-mean, and writes nothing", () => {
    const r = runCli(["export", "typo.prototxt", "-o", "typo-out"], { cwd: dir });
    expect(r.status).toBe(2);
    const text = readFileSync(join(dir, "typo.prototxt"), "utf8");
    const at = (layer: string): string => positionOf(text, `layer {\n  name: "${layer}"`);
    expect(r.stderr.split("\n")).toEqual([
      `typo.prototxt:${at("conv1")}: error: layer "conv1" (Convolutoin) cannot be exported: neither BVLC Caffe nor a Caffe fork caffe2torch knows has a layer type "Convolutoin"; did you mean "Convolution"?`,
      // The layers after it lose their input shapes; each says so, naming the cause.
      `typo.prototxt:${at("conv2")}: error: layer "conv2" (Convolution) cannot be exported: the number of channels of its input is unknown because layer "conv1" before it cannot be exported`,
      // ip2 still exports: ip1's output is [N, 500] whatever its input (the shapes are partial).
      `typo.prototxt:${at("ip1")}: error: layer "ip1" (InnerProduct) cannot be exported: the number of channels of its input is unknown because layer "conv1" before it cannot be exported`,
      "3 layers cannot be exported (2 only because of a layer before them); nothing was written. --allow-stubs writes a stub module for each, to be replaced by your own.",
      "",
    ]);
    expect(existsSync(join(dir, "typo-out"))).toBe(false);
  });

  it("--allow-stubs writes the model with a stub for each such layer, warns with file:line:col and counts the stubs in the summary", () => {
    const r = runCli(["export", "typo.prototxt", "-o", "stubbed", "--allow-stubs"], { cwd: dir });
    expect(r.status).toBe(0);
    const at = positionOf(readFileSync(join(dir, "typo.prototxt"), "utf8"), 'layer {\n  name: "conv1"');
    const lines = r.stderr.split("\n");
    expect(lines[0]).toBe(
      `typo.prototxt:${at}: warning: layer "conv1" (Convolutoin) is a stub that raises NotImplementedError: neither BVLC Caffe nor a Caffe fork caffe2torch knows has a layer type "Convolutoin"; did you mean "Convolution"?`,
    );
    expect(lines.slice(1, 3).map((l) => /layer "(\w+)" \(\w+\) is a stub/.exec(l)?.[1])).toEqual(["conv2", "ip1"]);
    expect(lines.slice(3)).toEqual(["wrote stubbed/model.py (8 layers, 5010 parameters; 3 stubs)", ""]);
    expect(readFileSync(join(dir, "stubbed", "model.py"), "utf8")).toContain("self.conv1 = CaffeLayerStub(");
  });

  it("--allow-stubs --json gives each stub's note in words beside its code and data, and lists the stubs as warnings", () => {
    const r = runCli(["export", "typo.prototxt", "-o", "stubbed-json", "--allow-stubs", "--json", "-q"], { cwd: dir });
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { layers: { name: string; module: string; helper: string | null; notes: unknown[] }[]; warnings: string[] };
    const conv1 = json.layers.find((l) => l.name === "conv1")!;
    expect(conv1).toMatchObject({ module: "CaffeLayerStub", helper: "CaffeLayerStub" });
    expect(conv1.notes).toEqual([
      {
        code: "stub",
        data: { reason: "unknown-type", type: "Convolutoin", suggestion: "Convolution" },
        message: 'a stub that raises NotImplementedError: neither BVLC Caffe nor a Caffe fork caffe2torch knows has a layer type "Convolutoin"; did you mean "Convolution"?',
      },
    ]);
    expect(json.warnings).toHaveLength(3);
    expect(json.warnings[1]).toBe('layer "conv2" (Convolution) is a stub that raises NotImplementedError: the number of channels of its input is unknown because layer "conv1" before it cannot be exported');
  });

  it("--allow-stubs with --weights warns that a stub's trained blobs are not written, and still writes both files", () => {
    const r = runCli(["export", "typo.prototxt", "-o", "stubbed-weights", "--allow-stubs", "--weights", LENET_WEIGHTS], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      `${LENET_WEIGHTS}: warning: The caffemodel holds 2 blobs for layer "conv1", which is a stub: they are not written to the .safetensors file; your replacement module must load them itself.\n`,
    );
    expect(r.stderr).toMatch(/\nwrote stubbed-weights\/model\.py and stubbed-weights\/model\.safetensors \(8 layers, 5010 parameters; 3 stubs; 3 warnings\)\n$/);
    expect(readdirSync(join(dir, "stubbed-weights")).sort()).toEqual(["model.py", "model.safetensors"]);
  });

  it("exits 2 when the caffemodel has no layer of a layer's name, naming it and the blob shapes it needs; nothing is written", () => {
    const r = runCli(["export", "renamed.prototxt", "--weights", LENET_WEIGHTS, "-o", "renamed-out"], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `${LENET_WEIGHTS}: error: The caffemodel has no layer named "conv1_new", so this Convolution layer's blobs ([20, 1, 5, 5] and [20]) have no trained values; Caffe would keep their initial values. Check that the caffemodel belongs to this net.\n`,
    );
    expect(existsSync(join(dir, "renamed-out"))).toBe(false);
  });

  it("exits 2 when a blob's shape differs, naming the layer, the blob and both shapes; nothing is written", () => {
    const r = runCli(["export", "narrow.prototxt", "--weights", LENET_WEIGHTS, "-o", "narrow-out"], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n")).toContain(
      `${LENET_WEIGHTS}: error: Cannot copy blob 0 (weights) of layer "conv1"; shape mismatch. The caffemodel holds [20, 1, 5, 5]; the net needs [16, 1, 5, 5].`,
    );
    expect(existsSync(join(dir, "narrow-out"))).toBe(false);
  });

  it("documents --allow-stubs, init_caffe_fillers and the exit codes in --help", () => {
    const r = runCli(["export", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--allow-stubs");
    expect(r.stdout).toContain("init_caffe_fillers(net, seed)");
    expect(r.stdout).toContain("Exit codes: 0 written, 2 usage or input error");
  });

  it.skipIf(skipWithoutTorch)("the written model builds with its weights under PyTorch and runs forward", () => {
    requireTorch();
    const script = join(dir, "run.py");
    writeFileSync(
      script,
      [
        "import sys, torch",
        "sys.path.insert(0, sys.argv[1])",
        "import model",
        "net = model.build()",
        "x = torch.zeros(*model.INPUT_SHAPES['data'])",
        "print(tuple(net(x).shape), net.training)",
      ].join("\n"),
    );
    const run = runPython(script, [join(dir, "out")]);
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("(2, 10) False");
  });
});
