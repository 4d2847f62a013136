import { describe, expect, it } from "vitest";
import { replayCase, replayTrace, type GoldenTrace } from "../../src/numeric/golden.js";
import { freshBnCasesJson, loadBnCases, loadBnCasesJson } from "./golden-fixtures.js";

/** Agreement required with every recorded value, as |a − b| / max(1, |b|). */
const GOLDEN_TOLERANCE = 1e-6;

const trace = loadBnCases();
const options = { tolerance: GOLDEN_TOLERANCE };

/** Steps of a case (Caffe's count; each torch variant records the same steps). */
const stepCount = (name: string) => trace.cases.find((c) => c.name === name)?.caffe.steps.length ?? 0;

describe("replayTrace on bn_cases.json", () => {
  const report = replayTrace(loadBnCasesJson(), options);

  it("replays all 25 cases and agrees with every recording within the golden tolerance", () => {
    expect(report.cases).toHaveLength(25);
    expect(report.error).toBeUndefined();
    expect(report.max_error).toBeLessThanOrEqual(GOLDEN_TOLERANCE);
    expect(report.ok).toBe(true);
  });

  it("reproduces every recorded value bit for bit (Caffe's OpenBLAS order, PyTorch's AVX2 kernels)", () => {
    expect(report.max_abs_error).toBe(0);
    const inexact = report.cases.flatMap((c) => c.details.filter((d) => d.max_abs_error !== 0).map((d) => `${c.name} ${d.executor}.${d.metric}`));
    expect(inexact).toEqual([]);
  });

  it("reports the stable shape {cases: [{name, ok, max_abs_error}], ok, max_abs_error}", () => {
    expect(report).toMatchObject({ ok: true, max_abs_error: expect.any(Number) });
    for (const c of report.cases) expect(c).toMatchObject({ name: expect.any(String), ok: true, max_abs_error: expect.any(Number) });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  describe.each(trace.cases.map((c) => c.name))("case %s", (name) => {
    const c = report.cases.find((r) => r.name === name);

    it("agrees with every Caffe and PyTorch recording, with no findings", () => {
      expect(c?.findings).toEqual([]);
      expect(c?.details.filter((d) => !d.ok)).toEqual([]);
      expect(c?.ok).toBe(true);
    });

    it("compares every step of Caffe and of each torch variant", () => {
      const steps = stepCount(name);
      const tops = c?.details.filter((d) => d.metric === "top") ?? [];
      const variants = Object.keys(trace.cases.find((k) => k.name === name)?.torch ?? {});
      expect(tops.map((d) => d.executor).sort()).toEqual(["caffe", ...variants.map((v) => `torch:${v}`)].sort());
      for (const d of tops) expect(d.steps).toBe(steps);
    });
  });

  it("checks Caffe's blobs, effective statistics and gradients, and PyTorch's buffers", () => {
    const metrics = new Set(report.cases.flatMap((c) => c.details.map((d) => `${d.executor.split(":")[0]}.${d.metric}`)));
    for (const m of [
      "caffe.bn_mean_sum", "caffe.bn_var_sum", "caffe.bn_scale_factor", "caffe.effective_mean", "caffe.effective_var",
      "caffe.bottom_diff", "caffe.scale_diff", "caffe.bias_diff",
      "torch.running_mean", "torch.running_var", "torch.num_batches_tracked",
      "torch.bottom_diff", "torch.scale_diff", "torch.bias_diff",
    ]) {
      expect(metrics).toContain(m);
    }
  });
});

describe("replayCase on altered recordings", () => {
  const caseNamed = (t: GoldenTrace, name: string) => {
    const c = t.cases.find((k) => k.name === name);
    if (c === undefined) throw new Error(`no case ${name}`);
    return c;
  };

  it("fails when one value of a Caffe top is altered, and says where", () => {
    const t = freshBnCasesJson();
    const c = caseNamed(t, "train_maf0.9_scale_bias_r4");
    const top = c.caffe.steps[3]?.top.data as number[];
    top[17] = (top[17] as number) + 1e-3;
    const r = replayCase(c, options);
    expect(r.ok).toBe(false);
    const bad = r.details.filter((d) => !d.ok);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ executor: "caffe", metric: "top", worst_step: 3, index: 17, position: [0, 0, 3, 2] });
  });

  it("fails when a PyTorch running_var is altered by a few ulps beyond tolerance", () => {
    const t = freshBnCasesJson();
    const c = caseNamed(t, "train_then_test_maf0.999");
    const rv = c.torch["cumulative"]?.steps[2]?.running_var.data as number[];
    rv[1] = Math.fround((rv[1] as number) * (1 + 1e-5));
    const r = replayCase(c, options);
    expect(r.ok).toBe(false);
    expect(r.details.filter((d) => !d.ok).map((d) => `${d.executor}.${d.metric}`)).toEqual(["torch:cumulative.running_var"]);
  });

  it("fails when a Caffe blob's scale factor is altered", () => {
    const t = freshBnCasesJson();
    const c = caseNamed(t, "train_r3_maf0.9");
    (c.caffe.steps[1] as { bn_scale_factor: number }).bn_scale_factor = 1.8;
    expect(replayCase(c, options).details.find((d) => d.metric === "bn_scale_factor")?.ok).toBe(false);
  });

  it("reports a computed-flag mismatch instead of inventing a gradient Caffe pruned", () => {
    const t = freshBnCasesJson();
    const c = caseNamed(t, "train_bnparam0_scale_lr1_loss_weight_no_force_backward");
    (c.caffe.steps[0] as { bottom_diff_computed?: boolean }).bottom_diff_computed = true;
    const r = replayCase(c, options);
    expect(r.ok).toBe(false);
    expect(r.findings).toEqual([
      { code: "computed-flag-mismatch", executor: "caffe", metric: "bottom_diff", step: 0, expected: true, actual: false },
    ]);
  });

  it("reports a torch gradient that the config does not request", () => {
    const t = freshBnCasesJson();
    const c = caseNamed(t, "train_no_loss_no_force_backward");
    const step = c.torch["mapped"]?.steps[1] as { bottom_diff?: unknown; top: unknown };
    step.bottom_diff = step.top;
    const r = replayCase(c, options);
    expect(r.findings.map((f) => [f.code, f.executor, f.metric, f.step])).toEqual([
      ["gradient-presence-mismatch", "torch:mapped", "bottom_diff", 1],
    ]);
  });
});

describe("replayTrace on malformed input", () => {
  it("reports a trace-format problem with its path instead of throwing", () => {
    expect(replayTrace(null, options)).toMatchObject({ ok: false, cases: [], error: { code: "trace-format", path: "$" } });
    expect(replayTrace({ cases: 3 }, options).error).toEqual({ code: "trace-format", path: "$.cases", expected: "array" });
  });

  it("marks only the broken case when a tensor is malformed", () => {
    const t = freshBnCasesJson();
    const c = t.cases[4] as { inputs: { shape: number[]; data: number[] }[]; name: string };
    c.inputs[1]?.data.pop();
    const r = replayTrace(t, options);
    expect(r.ok).toBe(false);
    const broken = r.cases.filter((k) => !k.ok);
    expect(broken.map((k) => k.name)).toEqual([c.name]);
    expect(broken[0]?.error).toEqual({ code: "trace-format", path: `${c.name}.inputs[1].data`, expected: "array of 300 numbers" });
  });

  it("rejects an empty trace as not ok", () => {
    expect(replayTrace({ cases: [] }, options)).toMatchObject({ ok: false, cases: [] });
  });
});
