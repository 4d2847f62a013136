/**
 * verify --plot: the SVG is well-formed XML with what a reader needs (title, panels, axes, ticks,
 * legend), escapes names from the prototxt, and renders to a PNG where rsvg-convert or ImageMagick is
 * installed (.ci/run installs librsvg2-bin: in CI a missing renderer fails the test; locally it skips).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ChannelSeries } from "../../src/verify/block.js";
import { renderLagPlot } from "../../src/verify/plot.js";
import { escapeXml, thinIndices } from "../../src/verify/svg.js";
import { decadeLabel, linearAxis, logAxis, tickLabel } from "../../src/verify/ticks.js";
import { planVerification, verifyNet } from "../../src/verify/verify.js";
import { convertFile, netOf, verifyOptions } from "./support.js";
import { decodePng, isBlank } from "./png.js";
import { allElements, parseXml } from "./xml.js";

function series(steps: number): ChannelSeries {
  const result = convertFile("train-small.prototxt", "TRAIN");
  const options = verifyOptions({ phase: "TRAIN", steps });
  const { series: s } = verifyNet(result, planVerification(result, netOf(result), options), options, { plotBlock: 0 });
  if (s === null) throw new Error("no series");
  return s;
}

const context = { source: "train_val.prototxt", net: "small", batch: 2, seed: 0, tolerance: 1e-5 };

/** A renderer: rsvg-convert (librsvg2-bin), else ImageMagick's convert; null when neither runs. */
function renderer(): ((svg: string, png: string) => void) | null {
  if (spawnSync("rsvg-convert", ["--version"], { encoding: "utf8" }).status === 0) {
    return (svg, png) => {
      const r = spawnSync("rsvg-convert", [svg, "-o", png], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
    };
  }
  const magick = spawnSync("convert", ["-version"], { encoding: "utf8" });
  if (magick.status === 0 && /Version: ImageMagick/.test(magick.stdout)) {
    return (svg, png) => {
      const r = spawnSync("convert", [svg, png], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
    };
  }
  return null;
}

const render = renderer();

describe("the lag plot", () => {
  const svg = renderLagPlot(series(300), context);

  it("is well-formed SVG with a white background and a viewBox", () => {
    const root = parseXml(svg);
    expect(root.name).toBe("svg");
    expect(root.attributes["xmlns"]).toBe("http://www.w3.org/2000/svg");
    expect(root.attributes["viewBox"]).toBe("0 0 900 700");
  });

  it("has a title, three panels with axis labels, log ticks on the gap panel, and a legend", () => {
    const texts = allElements(parseXml(svg))
      .filter((e) => e.name === "text")
      .map((e) => e.text);
    expect(texts[0]).toBe("Running statistics of bn1, channel 5: Caffe vs PyTorch");
    expect(texts).toEqual(expect.arrayContaining(["Running mean", "Running variance", "training step k", "running_mean", "running_var", "scaled gap"]));
    expect(texts.some((t) => t.startsWith("Gap to Caffe"))).toBe(true);
    expect(texts).toEqual(expect.arrayContaining(["Caffe: sum / s", "PyTorch plain: momentum = 1 − f", "PyTorch --exact: momentum = 1/s", "verify's tolerance"]));
    expect(texts).toContain("10⁻⁶");
    expect(texts).toContain("300");
  });

  it("draws every curve with finite coordinates inside the picture", () => {
    const lines = allElements(parseXml(svg)).filter((e) => e.name === "polyline");
    expect(lines.length).toBe(13); // 3 + 3 statistics, 7 gap curves
    for (const l of lines) {
      for (const point of (l.attributes["points"] ?? "").split(" ")) {
        const [x, y] = point.split(",").map(Number) as [number, number];
        expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(900);
      }
    }
  });

  it("escapes names from the prototxt", () => {
    const s = { ...series(5), block: 'bn<&>"1' };
    const root = parseXml(renderLagPlot(s, { ...context, net: "a&b" }));
    const texts = allElements(root).filter((e) => e.name === "text").map((e) => e.text);
    expect(texts[0]).toBe('Running statistics of bn<&>"1, channel 5: Caffe vs PyTorch');
  });

  it("thins long runs to the pixels they cover, keeping each bucket's extremes", () => {
    const values = Float64Array.from({ length: 10_000 }, (_, i) => (i === 5003 ? 100 : Math.sin(i)));
    const kept = thinIndices(values, values.length, 500);
    expect(kept.length).toBeLessThanOrEqual(2000);
    expect(kept).toContain(5003);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(9999);
  });

  it("has a renderer in CI", () => {
    if (process.env["CI"] === "true") expect(render).not.toBeNull();
  });

  it.skipIf(render === null && process.env["CI"] !== "true")("renders to a 900×700 PNG (rsvg-convert or ImageMagick)", () => {
    const dir = mkdtempSync(join(tmpdir(), "caffe2torch-plot-"));
    const svgPath = join(dir, "lag.svg");
    const pngPath = join(dir, "lag.png");
    writeFileSync(svgPath, renderLagPlot(series(1000), context));
    render?.(svgPath, pngPath);
    const png = readFileSync(pngPath);
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(900); // IHDR width
    expect(png.readUInt32BE(20)).toBe(700); // IHDR height
  });
});

describe("the lag plot's title lines", () => {
  const longSource = `/home/someone/projects/${"very-long-directory-name/".repeat(8)}models/resnet/train_val_with_batchnorm.prototxt`;
  const long = { ...context, source: longSource, net: "ResNet-50-with-a-rather-long-net-name" };
  const texts = (svg: string) => allElements(parseXml(svg)).filter((e) => e.name === "text");

  it("a long prototxt path goes on its own line, shortened in the middle: its start and file name stay", () => {
    const [title, name, settings] = texts(renderLagPlot(series(5), long));
    expect(title!.text).toBe("Running statistics of bn1, channel 5: Caffe vs PyTorch");
    expect(name!.text).toMatch(/^ResNet-50-with-a-rather-long-net-name \(\/home\/someone\/.*….*\/models\/resnet\/train_val_with_batchnorm\.prototxt\)$/);
    expect(settings!.text).toBe("moving_average_fraction f = 0.999, momentum 0.001 · 5 steps, batch 2, seed 0");
    expect(Number(settings!.attributes["y"])).toBeGreaterThan(Number(name!.attributes["y"]));
  });

  it("a short one keeps the one-line subtitle", () => {
    const subtitle = texts(renderLagPlot(series(5), context))[1]!;
    expect(subtitle.text).toBe("small (train_val.prototxt) · moving_average_fraction f = 0.999, momentum 0.001 · 5 steps, batch 2, seed 0");
  });

  it("a long block name is shortened in the title", () => {
    const title = texts(renderLagPlot({ ...series(5), block: `bn_${"x".repeat(200)}_end` }, context))[0]!.text;
    expect(Array.from(title).length).toBeLessThanOrEqual(80);
    expect(title).toMatch(/^Running statistics of bn_x+…x+_end, channel 5: Caffe vs PyTorch$/);
  });

  it.skipIf(render === null)("rendered, no title line reaches the picture's left or right edge", () => {
    const dir = mkdtempSync(join(tmpdir(), "caffe2torch-plot-"));
    const svgPath = join(dir, "long.svg");
    const pngPath = join(dir, "long.png");
    writeFileSync(svgPath, renderLagPlot({ ...series(5), block: `bn_${"w".repeat(120)}` }, long));
    render?.(svgPath, pngPath);
    const pixels = decodePng(readFileSync(pngPath));
    for (let y = 10; y < 75; y++) {
      for (const x of [0, 1, 2, 3, 4, 5, pixels.width - 6, pixels.width - 5, pixels.width - 4, pixels.width - 3, pixels.width - 2, pixels.width - 1]) {
        expect(isBlank(pixels, x, y), `ink at ${x},${y}`).toBe(true);
      }
    }
  });
});

describe("axis ticks", () => {
  it("linear axes step by 1, 2, 2.5 or 5 × 10ⁿ and cover the data", () => {
    expect(linearAxis(0.13, 0.97)).toMatchObject({ min: 0, max: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    expect(linearAxis(1, 3000, 6).ticks).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000]);
    expect(linearAxis(2, 2).ticks.length).toBeGreaterThan(1);
  });

  it("log axes tick decades, labelled with superscripts", () => {
    expect(logAxis(3e-8, 0.5)).toMatchObject({ minExponent: -8, maxExponent: 0 });
    expect(decadeLabel(-6)).toBe("10⁻⁶");
    expect(decadeLabel(0)).toBe("1");
    expect(tickLabel(-0.5, 1)).toBe("−0.5");
    expect(tickLabel(-1e-15, 1)).toBe("0.0");
  });
});

describe("escapeXml", () => {
  it("escapes markup and shows the characters XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/FFFF) as U+XXXX", () => {
    expect(escapeXml(`</svg><script>"a" & 'b'`)).toBe("&lt;/svg&gt;&lt;script&gt;&quot;a&quot; &amp; &apos;b&apos;");
    expect(escapeXml("a\u0000b\u0001\u001f\t\n\r\ud800\uffff\u{1f600}")).toBe("aU+0000bU+0001U+001F\t\n\rU+D800U+FFFF\u{1f600}");
    expect(() => parseXml(`<t>${escapeXml("\u0002</t><x>")}</t>`)).not.toThrow();
  });
});
