/**
 * Issue 12 §4.7: a command that writes a file says so in one line on standard error (stdout stays
 * the results'), and -q/--quiet silences that line.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR, ROOT } from "../helpers/paths.js";
import { runCli } from "./run-cli.js";

const DEPLOY = join(GOLDEN_DIR, "trained_small", "deploy.prototxt");
const CAFFEMODEL = join(GOLDEN_DIR, "trained_small", "trained_small.caffemodel");
const TRAIN_SMALL = join(ROOT, "test", "verify", "fixtures", "train-small.prototxt");

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-written-"));
  copyFileSync(DEPLOY, join(dir, "deploy.prototxt"));
  copyFileSync(CAFFEMODEL, join(dir, "m.caffemodel"));
  copyFileSync(TRAIN_SMALL, join(dir, "train.prototxt"));
  return dir;
}

describe("a written file is named on stderr", () => {
  it("convert -o: the file and the block count", () => {
    const dir = workdir();
    const run = runCli(["convert", "deploy.prototxt", "-o", "bn.json"], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("caffe2torch: wrote bn.json (3 blocks)\n");
  });

  it("convert --weights --format python -o: the module and its weights", () => {
    const dir = workdir();
    const run = runCli(["convert", "deploy.prototxt", "--weights", "m.caffemodel", "--format", "python", "-o", "model.py"], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("caffe2torch: wrote model.py and model.safetensors (3 blocks)\n");
    expect(existsSync(join(dir, "model.safetensors"))).toBe(true);
  });

  it("encode -o and decode -o", () => {
    const dir = workdir();
    const encode = runCli(["encode", "deploy.prototxt", "-o", "deploy.pb"], { cwd: dir });
    expect(encode.stderr).toBe(`caffe2torch: wrote deploy.pb (${readFileSync(join(dir, "deploy.pb")).length} bytes of caffe.NetParameter)\n`);
    const decode = runCli(["decode", "m.caffemodel", "-o", "m.txt"], { cwd: dir });
    expect(decode.stderr).toBe("caffe2torch: wrote m.txt (caffe.NetParameter as text, blob data as shapes)\n");
    const full = runCli(["decode", "--full", "m.caffemodel", "-o", "full.txt"], { cwd: dir });
    expect(full.stderr).toBe("caffe2torch: wrote full.txt (caffe.NetParameter as text, every value)\n");
  });

  it("verify --plot: the file, block and channel", () => {
    const dir = workdir();
    const run = runCli(["verify", "train.prototxt", "--phase", "train", "--steps", "20", "--plot", "lag.svg"], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("caffe2torch: wrote lag.svg (block bn1, channel 5)\n");
  });

  it("-q/--quiet silences the line, and the file is still written", () => {
    const dir = workdir();
    const runs = [
      runCli(["convert", "-q", "deploy.prototxt", "-o", "bn.json"], { cwd: dir }),
      runCli(["convert", "--quiet", "deploy.prototxt", "--weights", "m.caffemodel", "--format", "python", "-o", "model.py"], { cwd: dir }),
      runCli(["encode", "-q", "deploy.prototxt", "-o", "deploy.pb"], { cwd: dir }),
      runCli(["decode", "-q", "m.caffemodel", "-o", "m.txt"], { cwd: dir }),
      runCli(["verify", "-q", "train.prototxt", "--phase", "train", "--steps", "20", "--plot", "lag.svg"], { cwd: dir }),
    ];
    for (const run of runs) {
      expect(run.status).toBe(0);
      expect(run.stderr).toBe("");
    }
    for (const file of ["bn.json", "model.py", "model.safetensors", "deploy.pb", "m.txt", "lag.svg"]) expect(existsSync(join(dir, file)), file).toBe(true);
  });

  it("nothing is said when the result goes to standard output", () => {
    const run = runCli(["convert", DEPLOY]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
  });
});
