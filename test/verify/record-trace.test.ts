/**
 * tools/record_caffe_trace.py: we cannot run pycaffe here, so we check that it is valid Python, that
 * --help works without Caffe, and that its pure helpers write the golden format's conventions.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/paths.js";
import { PYTHON } from "../helpers/python.js";

const SCRIPT = join(ROOT, "tools", "record_caffe_trace.py");
const pythonAvailable = spawnSync(PYTHON, ["--version"]).status === 0;
const numpyAvailable = pythonAvailable && spawnSync(PYTHON, ["-c", "import numpy"]).status === 0;

function python(args: string[], cwd?: string) {
  return spawnSync(PYTHON, args, { encoding: "utf8", cwd, env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
}

describe("tools/record_caffe_trace.py", () => {
  it.skipIf(!pythonAvailable && process.env.CI !== "true")("compiles (py_compile)", () => {
    const cfile = join(mkdtempSync(join(tmpdir(), "caffe2torch-pyc-")), "record.pyc");
    const r = python(["-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)", SCRIPT, cfile]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it.skipIf(!numpyAvailable && process.env.CI !== "true")("prints its usage without pycaffe", () => {
    const r = python([SCRIPT, "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("usage: record_caffe_trace.py");
    expect(r.stdout).toContain("--phases PHASES");
  });

  it.skipIf(!numpyAvailable && process.env.CI !== "true")("writes tensors, settings and effective statistics as the golden format states them", () => {
    const code = [
      "import json, numpy as np, record_caffe_trace as r",
      "print(json.dumps({",
      "  'record': r.record(np.arange(6, dtype=np.float32).reshape(2, 3) / 3),",
      "  'written': [r.as_written(np.float32(0.999)), r.as_written(np.float32(1e-5))],",
      "  'effective': [v.tolist() for v in r.effective(np.array([3, 6], np.float32), np.array([1, 2], np.float32), 3.0)],",
      "  'fresh': [v.tolist() for v in r.effective(np.array([1], np.float32), np.array([1], np.float32), 0.0)],",
      "  'phases': r.parse_phases('train:5,TEST:2'),",
      "}))",
    ].join("\n");
    const run = python(["-c", code], join(ROOT, "tools"));
    expect(run.stderr).toBe("");
    const out = JSON.parse(run.stdout);
    expect(out.record).toEqual({ shape: [2, 3], data: [0, 1 / 3, 2 / 3, 1, 4 / 3, 5 / 3].map(Math.fround) });
    expect(out.written).toEqual([0.999, 1e-5]);
    // blob · fround(1/s), rounded to float32 (Caffe multiplies by the reciprocal).
    const third = Math.fround(1 / 3);
    expect(out.effective).toEqual([[Math.fround(3 * third), Math.fround(6 * third)], [Math.fround(third), Math.fround(2 * third)]]);
    expect(out.fresh).toEqual([[0], [0]]);
    expect(out.phases).toEqual([{ phase: "TRAIN", forwards: 5 }, { phase: "TEST", forwards: 2 }]);
  });
});
