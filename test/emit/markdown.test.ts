import { describe, expect, it } from "vitest";
import { emitMarkdown } from "../../src/emit/markdown.js";
import { mdText } from "../../src/emit/markdown-text.js";
import { deployResult, emptyResult, trainResult } from "./fixtures.js";

/** Pipes that delimit cells: those not escaped by a backslash. */
function cellPipes(line: string): number {
  return line.replace(/\\\\/g, "").replace(/\\\|/g, "").split("|").length - 1;
}

describe("mdText", () => {
  it("escapes pipes, backticks and other inline syntax with backslashes", () => {
    expect(mdText("a|b`c*d_e[f]<g>&h~i#j\\k")).toBe("a\\|b\\`c\\*d\\_e\\[f\\]\\<g\\>\\&h\\~i\\#j\\\\k");
  });

  it("shows line breaks and other invisible characters as U+XXXX", () => {
    expect(mdText("a\nb\u2028c\u202ed")).toBe("aU+000AbU+2028cU+202Ed");
  });

  it("escapes a leading list or heading marker", () => {
    expect(mdText("- x")).toBe("\\- x");
    expect(mdText("1. x")).toBe("1\\. x");
    expect(mdText("+x")).toBe("\\+x");
  });

  it("keeps non-ASCII letters as they are", () => {
    expect(mdText("名前 é")).toBe("名前 é");
  });
});

describe("emitMarkdown", () => {
  const text = emitMarkdown(deployResult());
  const lines = text.split("\n");

  it("starts with a title naming the net and lists source and phase", () => {
    expect(lines[0]).toBe('# caffe2torch: Res\u00e9Net "50"');
    expect(text).toContain("- Phase: TEST");
    expect(text).toContain("- BatchNorm blocks: 18");
  });

  it("writes one heading and one Setting | Caffe | PyTorch table per block", () => {
    expect(lines.filter((l) => l.startsWith("## Block "))).toHaveLength(18);
    expect(lines.filter((l) => l === "| Setting | Caffe | PyTorch |")).toHaveLength(18);
  });

  it("has rows for every setting the brief lists", () => {
    const block = text.split("## Block 2:")[1]?.split("## Block 3:")[0] ?? "";
    for (const row of ["module", "num_features", "eps", "momentum", "affine", "requires_grad",
      "track_running_stats", "mode", "inference", "training"]) {
      expect(block).toMatch(new RegExp(`^\\| ${row} \\|`, "m"));
    }
    expect(block).toContain("| momentum | moving_average_fraction: 1 | `None` (cumulative average");
    expect(block).toContain("| affine | no Scale paired | `False` |");
    expect(block).toContain("| inference | stored statistics (sums / scale factor) | exact |");
    expect(block).toContain("| training | running statistics = sums / scale factor (s ← f·s + 1) | exact from the first step |");
  });

  it("keeps every table row at three cells, whatever the names contain", () => {
    for (const line of lines.filter((l) => l.startsWith("|"))) expect(cellPipes(line)).toBe(4);
  });

  it("escapes hostile names in headings so each stays on one line", () => {
    expect(text).toContain('## Block 4: x"y\\\\zU+000A\n');
    expect(text).toContain("## Block 6: \\`\n");
    expect(text).toContain("## Block 5: 名前\n");
    expect(text).toContain("## Block 7: *empty name*\n");
    expect(text).toContain("## Block 16: \"\"\"\n");
    expect(text).toContain("## Block 17: tabU+0009here \\# not a comment\n");
    expect(text).toContain("## Block 18: lone U+D800 surrogate\n");
  });

  it("shows the momentum with its fraction and unknown modules as unknown", () => {
    expect(text).toContain("| momentum | moving_average_fraction: 0.999 | 0.001 (= 1 − 0.999) |");
    expect(text).toContain("| module | type BatchNorm, Scale 名前\\_scale | unknown (input rank unknown) |");
  });

  it("lists notes, unpaired layers and diagnostics as bullets with names escaped", () => {
    expect(text).toContain("- **scale-without-bias**: bias fixed at 0 \\| no \\`Bias\\` layer");
    expect(text).toContain("## Unpaired BatchNorm layers\n\n- se\\|bn: Scale has two bottoms (\\`SE\\`) (scale-two-bottoms)");
    expect(text).toContain("## Diagnostics\n\n- 3:5 warning unknown-layer-type: type Python \\<unknown\\>");
  });

  it("says frozen gamma and the TRAIN default of use_global_stats", () => {
    const train = emitMarkdown(trainResult());
    expect(train).toContain("| requires_grad | Scale/Bias lr_mult: [0, 1]; BatchNorm lr_mult: [0, 0, 0] | weight: `False`, bias: `True` |");
    expect(train).toContain("| track_running_stats | use_global_stats: false (TRAIN default) | `True` |");
    expect(train).toContain("# caffe2torch: train\\_val.prototxt");
  });

  it("says so when there are no blocks, and ends with one newline", () => {
    const empty = emitMarkdown(emptyResult());
    expect(empty).toContain("No BatchNorm layers are active in this phase.");
    expect(empty.endsWith("phase.\n")).toBe(true);
  });
});
