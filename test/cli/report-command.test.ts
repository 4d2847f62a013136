/** `caffe2torch report`: one page written whole, a line saying so, and exit codes 0/1/2. */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GOLDEN_DIR } from "../helpers/paths.js";
import { embeddedJson, reportOf } from "../report/support.js";
import { verificationWithWrongWeight } from "../report/verification.js";
import { runCliAsync } from "./run-cli.js";

const LENET = join(GOLDEN_DIR, "nets", "lenet");
const dir = mkdtempSync(join(tmpdir(), "caffe2torch-report-cli-"));

describe("caffe2torch report", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes NET.report.html beside the prototxt and says so in one line", async () => {
    const net = join(dir, "lenet.prototxt");
    copyFileSync(join(LENET, "net.prototxt"), net);
    const run = await runCliAsync(["report", net, "--weights", join(LENET, "weights.caffemodel")]);
    expect(run.stderr).toBe(`wrote ${join(dir, "lenet.report.html")} (8 layers in 7 nodes, ${Math.ceil(readFileSync(join(dir, "lenet.report.html"), "utf8").length / 1024)} KiB)\n`);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("");
    const data = embeddedJson(readFileSync(join(dir, "lenet.report.html"), "utf8"));
    expect(data.graph.layers.map((l) => l.name)).toEqual(["mnist", "conv1", "pool1", "conv2", "pool2", "ip1", "relu1", "ip2"]);
    expect(data.verified).toBe(false);
    expect(data.weights).toBe(join(LENET, "weights.caffemodel"));
  });

  it("colours the layers with a verification and exits 1 when it diverges", async () => {
    const net = join(LENET, "net.prototxt");
    const verification = verificationWithWrongWeight("lenet", "ip1");
    const file = join(dir, "verify.json");
    writeFileSync(file, JSON.stringify(verification));
    const out = join(dir, "diverged.html");
    const run = await runCliAsync(["report", net, "--verification", file, "-o", out, "-q"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(1);
    const data = embeddedJson(readFileSync(out, "utf8"));
    expect(data.first_divergent).toBe("ip1");
    expect(data.layers).toEqual(verification.layers);
    expect(data.graph.layers.find((l) => l.name === "ip2")!.status).toBe("diverged");
  });

  it("runs the whole-net verification itself with --verify, as verify --net --html does", async () => {
    const net = join(LENET, "net.prototxt");
    const weights = join(LENET, "weights.caffemodel");
    const out = join(dir, "verified.html");
    const run = await runCliAsync(["report", net, "--weights", weights, "--verify", "-o", out, "-q"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const data = embeddedJson(readFileSync(out, "utf8"));
    expect(data.verified).toBe(true);
    expect(data.first_divergent).toBeNull();
    expect(data.graph.layers.every((l) => l.status === "ok")).toBe(true);
    const page = join(dir, "from-verify.html");
    const verify = await runCliAsync(["verify", net, "--net", "--weights", weights, "--html", page, "-q"]);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/^agree: 8 layers within 1e-5/m);
    expect(embeddedJson(readFileSync(page, "utf8")).layers).toEqual(data.layers);
    const alone = await runCliAsync(["verify", net, "--html", join(dir, "alone.html")]);
    expect(alone.stderr).toBe("caffe2torch: --html needs --net (the page shows a whole-net verification)\n");
    expect(alone.status).toBe(2);
    expect(existsSync(join(dir, "alone.html"))).toBe(false);
  });

  it("refuses a prototxt that does not parse with file:line:col, and writes nothing (exit 2)", async () => {
    const net = join(dir, "broken.prototxt");
    writeFileSync(net, 'name: "x"\nlayer { name: "a" type: "ReLU" bottom: "x" top: "x"\n');
    const run = await runCliAsync(["report", net]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^${net.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: error:`));
    expect(existsSync(join(dir, "broken.report.html"))).toBe(false);
  });

  it("refuses weights that do not fit the net, a verification of another phase, and a bad phase (exit 2)", async () => {
    const net = join(LENET, "net.prototxt");
    const other = join(GOLDEN_DIR, "nets", "squeezenet_v1_1", "weights.caffemodel");
    const weights = await runCliAsync(["report", net, "--weights", other, "-o", join(dir, "w.html")]);
    expect(weights.status).toBe(2);
    expect(weights.stderr).toMatch(/squeezenet_v1_1\/weights\.caffemodel: error: /);
    const verification = { ...verificationWithWrongWeight("lenet", "ip1"), phase: "TRAIN" };
    const file = join(dir, "train.json");
    writeFileSync(file, JSON.stringify(verification));
    const phase = await runCliAsync(["report", net, "--verification", file, "-o", join(dir, "p.html")]);
    expect(phase.stderr).toBe("caffe2torch: --verification is of the TRAIN phase, the report of TEST (give --phase train)\n");
    expect(phase.status).toBe(2);
    const bad = await runCliAsync(["report", net, "--phase", "deploy"]);
    expect(bad.stderr).toBe('caffe2torch: --phase must be test or train (got "deploy")\n');
    expect(bad.status).toBe(2);
    expect(existsSync(join(dir, "w.html")) || existsSync(join(dir, "p.html"))).toBe(false);
  });

  it("teaches the page and its contract in --help", async () => {
    const run = await runCliAsync(["report", "--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('data-layer="<Caffe layer name>"');
    expect(run.stdout).toContain('id="caffe2torch-report"');
    expect(run.stdout).toContain("--solver <solver.prototxt>");
  });
});
