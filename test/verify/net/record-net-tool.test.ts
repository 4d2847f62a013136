/**
 * tools/record_caffe_net.py: we have no pycaffe, so its --help and its message without Caffe are
 * checked, and its recorder runs on a stand-in caffe.Net (fake_caffe_net.py) that replays a golden
 * case with the Split layers Caffe inserts: the result must be the golden format, statistics and
 * samples included, and `verify --net --record` must replay it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../helpers/paths.js";
import { PYTHON } from "../../helpers/python.js";
import { runCliAsync } from "../../cli/run-cli.js";
import { NETS_DIR } from "./golden.js";

const SCRIPT = join(ROOT, "tools", "record_caffe_net.py");
const FAKE = join(ROOT, "test", "verify", "net", "fake_caffe_net.py");
const numpyAvailable = spawnSync(PYTHON, ["-c", "import numpy"]).status === 0;
const needNumpy = !numpyAvailable && process.env.CI !== "true";

const python = (args: string[]) => spawnSync(PYTHON, args, { encoding: "utf8", env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });

/** zoo_tensor's tops past the fake's 20000 bytes that are not net outputs (outputs stay in full). */
const SAMPLED_ONLY = ["pool_ref", "crop"];

interface Top { blob: string; shape: number[]; tensor: string | null; stats: Record<string, number>; samples: { index: number[]; value: number[] } }
interface Layer { name: string; type: string; bottoms: string[]; tops: Top[]; param_shapes: number[][] }

describe.skipIf(needNumpy)("tools/record_caffe_net.py", () => {
  it("prints its usage without pycaffe", () => {
    const r = python([SCRIPT, "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("usage: record_caffe_net.py");
    expect(r.stdout).toContain("--full-limit FULL_LIMIT");
  });

  it("says pycaffe is missing, and exits 2, when asked to record without it", () => {
    const r = spawnSync(PYTHON, [SCRIPT, "net.prototxt", "w.caffemodel", "-o", "out"], { encoding: "utf8", env: { ...process.env, PYTHONPATH: "" } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^record_caffe_net\.py: pycaffe is not importable \(No module named 'caffe'\); run it where Caffe's python\/ folder is on PYTHONPATH/);
  });

  it("records a net in the golden format: Split layers left out, prototxt blob names, the golden stats and samples", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "caffe2torch-record-")), "zoo_tensor");
    const r = python([FAKE, join(NETS_DIR, "zoo_tensor"), out]);
    expect(r.stderr).toBe("");
    const summary = JSON.parse(r.stdout) as { splits: string[]; full: number };
    expect(summary.splits).toContain("data_data_0_split");
    const golden = JSON.parse(readFileSync(join(NETS_DIR, "zoo_tensor", "record.json"), "utf8")) as { layers: Layer[] };
    const ours = JSON.parse(readFileSync(join(out, "record.json"), "utf8")) as { layers: Layer[] };
    expect(ours.layers.map((l) => [l.name, l.type, l.bottoms, l.param_shapes])).toEqual(golden.layers.map((l) => [l.name, l.type, l.bottoms, l.param_shapes]));
    ours.layers.forEach((l, i) =>
      l.tops.forEach((t, k) => {
        const g = golden.layers[i]!.tops[k]!;
        expect([t.blob, t.shape, t.samples]).toEqual([g.blob, g.shape, g.samples]);
        expect(t.stats).toEqual(g.stats);
      }),
    );
    // --full-limit 20000 (the fake's): some tops kept as statistics and samples only, outputs in full.
    expect(ours.layers.flatMap((l) => l.tops).filter((t) => t.tensor === null).map((t) => t.blob)).toEqual(SAMPLED_ONLY);
    const replay = await runCliAsync(["verify", "--net", "--record", out]);
    expect(replay.stderr).toBe("");
    expect(replay.status).toBe(0);
    expect(replay.stdout).toMatch(/agree: 31 layers within 1e-5/);

    // One recorded sample changed: the replay names that layer.
    const broken = JSON.parse(readFileSync(join(out, "record.json"), "utf8")) as { layers: Layer[] };
    const sampled = broken.layers.find((l) => l.tops.some((t) => t.tensor === null) && l.type !== "ArgMax")!;
    sampled.tops.find((t) => t.tensor === null)!.samples.value[3]! += 0.5;
    writeFileSync(join(out, "record.json"), JSON.stringify(broken));
    const mismatch = await runCliAsync(["verify", "--net", "--record", out, "--json"]);
    expect(mismatch.status).toBe(1);
    expect((JSON.parse(mismatch.stdout) as { first_divergent: string }).first_divergent).toBe(sampled.name);
  }, 60_000);
});
