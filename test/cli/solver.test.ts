/** `caffe2torch solver` end to end: the real CLI on the golden solvers and small solvers of our own. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { PYTHON } from "../helpers/python.js";
import { runCli } from "./run-cli.js";

const CASE = join(GOLDEN_DIR, "training", "solver_sgd_step");
const SOLVER = join(CASE, "solver.prototxt");
const NET = readFileSync(join(CASE, "train.prototxt"), "utf8");

/** A temporary folder holding `files` (relative path → text). */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-solver-cli-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const BASIC = 'type: "SGD"\nbase_lr: 0.01\nlr_policy: "fixed"\nmomentum: 0.9\nmax_iter: 10\n';

describe("caffe2torch solver", () => {
  it("prints solver.py (plain mapping) on standard output, valid Python with the documented names", () => {
    const r = runCli(["solver", SOLVER]);
    expect(r.status).toBe(0);
    for (const name of ["def make_optimizer(net):", "def make_scheduler(optimizer):", "ITER_SIZE = 1", "CLIP_GRADIENTS = None", "MAX_ITER = 15", "class Solver:", "torch.optim.SGD(groups, lr=0.05, momentum=0.9)"]) {
      expect(r.stdout).toContain(name);
    }
    expect(/^[\x00-\x7f]*$/.test(r.stdout)).toBe(true);
    const parsed = spawnSync(PYTHON, ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], { input: r.stdout });
    if (parsed.error === undefined) expect(parsed.status, parsed.stderr?.toString()).toBe(0);
  });

  it("with --exact defines Caffe's update rule and uses it", () => {
    const r = runCli(["solver", SOLVER, "--exact"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("class CaffeSGD(_CaffeUpdate):");
    expect(r.stdout).toContain("return CaffeSGD(groups, lr=BASE_LR, momentum=0.9)");
  });

  it("--format json gives the groups, the optimizer, the policy and the differences with their Caffe source lines", () => {
    const r = runCli(["solver", SOLVER, "--format", "json"]);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(expect.arrayContaining(["groups", "optimizer", "policy", "differences", "frozen", "buffers", "shared"]));
    expect((json["optimizer"] as { torch: unknown }).torch).toEqual({ class: "torch.optim.SGD", kwargs: { lr: 0.05, momentum: 0.9 } });
    expect(json["policy"]).toMatchObject({ name: "step", gamma: 0.1, stepsize: 5, stepped: "per iteration" });
    const momentum = (json["differences"] as { code: string; status: string; caffe: string; message: string }[]).find((d) => d.code === "momentum-lr-scaled")!;
    expect(momentum.status).toBe("differs");
    expect(momentum.caffe).toMatch(/sgd_solver\.cpp:232/);
    expect(momentum.message).toContain("iteration 5");
  });

  it("--format markdown gives a table of every blob", () => {
    const r = runCli(["solver", SOLVER, "--format", "markdown"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("| parameter | Caffe layer, blob | lr_mult | decay_mult | lr | weight_decay | trained |");
    expect(r.stdout).toContain("| ip1.weight | ip1, 0 | 0.5 | 2 | 0.025 | 0.001 | yes |");
    expect(r.stdout).toContain("| bn1.running\\_mean | bn1, 0 |");
  });

  it("writes -o FILE and says what it wrote on standard error", () => {
    const dir = folder({});
    const out = join(dir, "solver.py");
    const r = runCli(["solver", SOLVER, "-o", out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(readFileSync(out, "utf8")).toContain("class Solver:");
    expect(r.stderr).toMatch(/^wrote .*solver\.py \(SGD, lr_policy step, 3 groups, 6 trained, 0 frozen; 1 differences from Caffe\)/);
  });

  it("finds the net beside the solver, and from the working directory as Caffe does", () => {
    const dir = folder({ "solvers/beside.prototxt": `net: "train.prototxt"\n${BASIC}`, "solvers/train.prototxt": NET, "fromroot.prototxt": "", "solvers/root.prototxt": `net: "solvers/train.prototxt"\n${BASIC}` });
    expect(runCli(["solver", join(dir, "solvers/beside.prototxt"), "--format", "json"], { cwd: tmpdir() }).status).toBe(0);
    const fromRoot = runCli(["solver", "solvers/root.prototxt", "--format", "json"], { cwd: dir });
    expect(fromRoot.status).toBe(0);
    expect((JSON.parse(fromRoot.stdout) as { net: string }).net).toBe(join(dir, "solvers/train.prototxt"));
  });

  it("takes --net instead of the solver's net, and reads an inline net_param", () => {
    const dir = folder({ "s.prototxt": BASIC, "n.prototxt": NET, "inline.prototxt": `${BASIC}net_param {\n${NET}}\n` });
    expect(runCli(["solver", join(dir, "s.prototxt"), "--net", join(dir, "n.prototxt"), "--format", "json"]).status).toBe(0);
    const inline = runCli(["solver", join(dir, "inline.prototxt"), "--format", "json"]);
    expect(inline.status).toBe(0);
    expect((JSON.parse(inline.stdout) as { groups: unknown[] }).groups).toHaveLength(3);
  });

  it("upgrades solver_type with a warning and goes on", () => {
    const dir = folder({ "s.prototxt": `net: "n.prototxt"\nsolver_type: NESTEROV\nbase_lr: 0.01\nlr_policy: "fixed"\nmomentum: 0.9\n`, "n.prototxt": NET });
    const r = runCli(["solver", join(dir, "s.prototxt"), "--format", "json"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/s\.prototxt:2:1: warning: solver_type: NESTEROV is deprecated; Caffe reads it as type: "Nesterov"\. \[upgraded-solver-type\]/);
    expect((JSON.parse(r.stdout) as { type: string }).type).toBe("Nesterov");
  });

  it("exits 2 with file:line:col for a solver Caffe would refuse", () => {
    const dir = folder({ "s.prototxt": 'net: "n.prototxt"\nbase_lr: 0.01\nlr_policy: "steps"\n', "n.prototxt": NET });
    const r = runCli(["solver", join(dir, "s.prototxt")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/s\.prototxt:3:1: error: Unknown lr_policy "steps"/);
    expect(r.stdout).toBe("");
  });

  it("exits 2 naming both places it looked when the net is missing", () => {
    const dir = folder({ "sub/s.prototxt": `net: "gone.prototxt"\n${BASIC}` });
    const r = runCli(["solver", "sub/s.prototxt"], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`net "gone.prototxt" not found (looked at ${join(dir, "sub/gone.prototxt")} and ${join(dir, "gone.prototxt")})`);
  });

  it("exits 2 when a layer with parameters cannot be exported", () => {
    const net = 'layer { name: "d" type: "Input" top: "x" input_param { shape { dim: 2 dim: 5 } } }\nlayer { name: "e" type: "SPP" bottom: "x" top: "y" param { lr_mult: 1 } }\n';
    const dir = folder({ "s.prototxt": `net: "n.prototxt"\n${BASIC}`, "n.prototxt": net });
    const r = runCli(["solver", join(dir, "s.prototxt")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/n\.prototxt:2:1: error:? ?layer "e" \(SPP\) cannot be exported/);
  });

  it("exits 2 for an unknown --format", () => {
    const r = runCli(["solver", SOLVER, "--format", "yaml"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--format must be python, json or markdown");
  });

  it("documents itself with examples and exit codes", () => {
    const r = runCli(["solver", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("$ caffe2torch solver solver.prototxt --exact -o mynet/solver.py");
    expect(r.stdout).toContain("Exit codes: 0 written, 2 usage or input error");
  });
});
