/**
 * The report page in a real browser (Debian's chromium through playwright-core): pages made from
 * real nets — every golden net, DenseNet-121 from the corpus, a TRAIN net with its lag plot and a
 * solver — are opened from disk with every request blocked and recorded. Screenshots land in
 * test-output/report/ (gitignored) to be looked at.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTorchGraph } from "../../src/convert/graph.js";
import { readNet } from "../../src/schema/read.js";
import { launchChromium, openReport, SCREENSHOT_DIR, skipWithoutChromium } from "../helpers/browser.js";
import { CORPUS_DIR, GOLDEN_DIR } from "../helpers/paths.js";
import { runCliAsync } from "../cli/run-cli.js";
import { pageOf } from "./support.js";
import { verificationWithWrongWeight } from "./verification.js";

const NETS = join(GOLDEN_DIR, "nets");
const GOLDEN = readdirSync(NETS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const DENSENET = join(CORPUS_DIR, "shicai-DenseNet-Caffe__DenseNet_121.prototxt");
const OUT = mkdtempSync(join(tmpdir(), "c2t-report-"));

/** Writes the page of a prototxt file (optionally with a verification) and returns its path. */
function writePage(file: string, name: string, options: Parameters<typeof pageOf>[1] = {}): string {
  const { html } = pageOf(readFileSync(file, "utf8"), { source: file, ...options });
  const path = join(OUT, `${name}.html`);
  writeFileSync(path, html);
  return path;
}

/** The layers the net has in the phase, by name, in Caffe's order (from the net model itself). */
function layerNames(file: string, phase: "TEST" | "TRAIN" = "TEST"): string[] {
  const read = readNet(readFileSync(file, "utf8"), { allowUnknown: true, upgrade: true });
  return buildTorchGraph(read, { phase, source: file, stubs: true }).convert.analysis.model.layers.map((l) => l.name);
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
const panelTitle = (page: Page) => page.locator("#panel h2").first().textContent();
const selectedLayer = (page: Page) => page.locator(".step.selected").getAttribute("data-layer");

describe.skipIf(skipWithoutChromium)("the report page in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(OUT, { recursive: true, force: true });
  });

  it("draws one element per layer, with a status, for every golden net and DenseNet-121, and requests nothing", async () => {
    const cases = [...GOLDEN.map((c) => ({ name: c, file: join(NETS, c, "net.prototxt") })), { name: "densenet121", file: DENSENET }];
    for (const c of cases) {
      const { page, watch } = await openReport(browser, writePage(c.file, c.name));
      const names = await page.locator("[data-layer]").evaluateAll((els) => els.map((e) => e.getAttribute("data-layer")));
      const statuses = new Set(await page.locator("[data-layer]").evaluateAll((els) => els.map((e) => e.getAttribute("data-status"))));
      expect([...names].sort(), c.name).toEqual(layerNames(c.file).sort());
      expect(statuses, c.name).toEqual(new Set(["unchecked"]));
      expect(watch, c.name).toEqual({ requests: [], errors: [] });
      if (c.name === "densenet121" || c.name === "zoo_tensor") await shot(page, `${c.name}-overview`);
      await page.close();
    }
  }, 240_000);

  it("opens a layer's details when it is clicked: PyTorch module, Caffe text, shapes, parameters", async () => {
    const { page } = await openReport(browser, writePage(join(NETS, "squeezenet_v1_1", "net.prototxt"), "squeezenet"));
    await page.locator('[data-layer="fire2/expand3x3"]').click();
    expect(await panelTitle(page)).toBe("fire2/expand3x3");
    const panel = (await page.locator("#panel").textContent()) ?? "";
    expect(panel).toContain("nn.Conv2d(16, 64, kernel_size=3, padding=1)");
    expect(panel).toContain('name: "fire2/expand3x3"');
    expect(panel).toContain("in fire2/squeeze1x1" + "1×16×56×56");
    expect(panel).toContain("Parameters: 9,280");
    expect(await selectedLayer(page)).toBe("fire2/expand3x3");
    await shot(page, "squeezenet-clicked");
    await page.close();
  });

  it("finds layers by name as one types, and Enter goes to each match", async () => {
    const { page } = await openReport(browser, writePage(join(NETS, "squeezenet_v1_1", "net.prototxt"), "squeezenet-search"));
    await page.keyboard.press("/");
    await page.keyboard.type("expand3x3");
    expect(await page.locator("#search-count").textContent()).toBe("16 matches");
    expect(await page.locator(".step.match").count()).toBe(16);
    await page.keyboard.press("Enter");
    expect(await selectedLayer(page)).toBe("fire2/expand3x3");
    await page.keyboard.press("Enter");
    expect(await selectedLayer(page)).toBe("fire2/relu_expand3x3");
    expect(await page.locator("#search-count").textContent()).toBe("2 of 16");
    await shot(page, "squeezenet-search");
    await page.close();
  });

  it("walks the layers with the keyboard: j/k in Caffe's order, ↓ along the blobs", async () => {
    const { page } = await openReport(browser, writePage(join(NETS, "lenet", "net.prototxt"), "lenet-keys"));
    // Tab from the search box and the buttons reaches the first layer; Enter opens it.
    await page.locator("#theme").focus();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-layer"))).toBe("mnist");
    await page.keyboard.press("Enter");
    expect(await panelTitle(page)).toBe("mnist");
    await page.locator('[data-layer="conv1"]').click();
    await page.keyboard.press("j");
    expect(await selectedLayer(page)).toBe("pool1");
    await page.keyboard.press("k");
    expect(await selectedLayer(page)).toBe("conv1");
    await page.keyboard.press("ArrowDown");
    expect(await selectedLayer(page)).toBe("pool1");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-layer"))).toBe("pool1");
    await page.close();
  });

  it("opens on the first divergent layer of a mutated model (one weight misread): selected, focused, in view, outlined, with the error chart", async () => {
    const file = join(NETS, "squeezenet_v1_1", "net.prototxt");
    const layers = pageOf(readFileSync(file, "utf8")).data.graph.layers;
    const verification = verificationWithWrongWeight("squeezenet_v1_1", "fire6/expand1x1");
    expect(verification.first_divergent).toBe("fire6/expand1x1");
    const path = writePage(file, "squeezenet-diverged", { verification });
    for (const scheme of ["light", "dark"] as const) {
      const { page, watch } = await openReport(browser, path, { colorScheme: scheme });
      expect(await page.evaluate(() => document.activeElement?.getAttribute("data-layer"))).toBe("fire6/expand1x1");
      expect(await panelTitle(page)).toBe("fire6/expand1x1");
      expect(await page.locator('[data-layer="fire6/expand1x1"]').getAttribute("data-status")).toBe("diverged");
      expect(await page.locator('[data-layer="conv1"]').getAttribute("data-status")).toBe("ok");
      expect(await page.locator(".node.first-divergent [data-layer]").first().getAttribute("data-layer")).toBe("fire6/expand1x1");
      const box = (await page.locator('[data-layer="fire6/expand1x1"]').boundingBox())!;
      const graph = (await page.locator("#graph").boundingBox())!;
      expect(box.x).toBeGreaterThan(graph.x);
      expect(box.y).toBeGreaterThan(graph.y);
      expect(box.x + box.width).toBeLessThan(graph.x + graph.width);
      expect(box.y + box.height).toBeLessThan(graph.y + graph.height);
      expect(await page.locator("[data-chart-layer]").count()).toBe(layers.length);
      expect(watch).toEqual({ requests: [], errors: [] });
      await shot(page, `squeezenet-diverged-${scheme}`);
      // n goes to the next diverged layer.
      await page.keyboard.press("n");
      expect(await selectedLayer(page)).toBe("fire6/relu_expand1x1");
      await page.close();
    }
  });

  it("shows a TRAIN net's BatchNorm mapping with its lag plot, and the solver's groups and rate curve", async () => {
    const net = join(CORPUS_DIR, "BVLC-caffe__cifar10_full_sigmoid_train_test_bn.prototxt");
    const solver = join(OUT, "solver.prototxt");
    writeFileSync(solver, 'base_lr: 0.001\nlr_policy: "multistep"\ngamma: 0.1\nstepvalue: 3000\nstepvalue: 6000\nmax_iter: 8000\nmomentum: 0.9\nweight_decay: 0.004\n');
    const path = join(OUT, "cifar-train.html");
    const run = await runCliAsync(["report", net, "--phase", "train", "--solver", solver, "--input-shape", "100,3,32,32", "-o", path]);
    expect(run.stderr).toMatch(/^wrote .*cifar-train\.html \(\d+ layers in \d+ nodes, \d+ KiB\)\n$/);
    expect(run.status).toBe(0);
    const { page, watch } = await openReport(browser, path);
    expect([...(await page.locator("[data-layer]").evaluateAll((els) => els.map((e) => e.getAttribute("data-layer"))))].sort()).toEqual(layerNames(net, "TRAIN").sort());
    expect(await page.locator("#solver .curve").count()).toBe(1);
    expect(await page.locator("#solver").textContent()).toContain("multistep");
    await page.locator('[data-layer="bn1"]').click();
    const panel = (await page.locator("#panel").textContent()) ?? "";
    expect(panel).toContain("BatchNorm mapping");
    expect(panel).toMatch(/momentum\s*0\.001/);
    expect(await page.locator("#panel .plot svg").count()).toBe(1);
    await page.locator("#panel .plot").scrollIntoViewIfNeeded();
    expect(watch).toEqual({ requests: [], errors: [] });
    await shot(page, "cifar-train-bn1");
    await page.locator("#panel .plot").click();
    const plot = (await page.locator("#panel .plot").boundingBox())!;
    expect(plot.width).toBeGreaterThan(1000);
    await shot(page, "cifar-train-lag-plot");
    await page.close();
  });

  it("keeps names that look like markup as text: each element's data-layer is the name, nothing runs", async () => {
    const names = ['a"b', "<b>bold</b>", "</script><script>window.hacked=1</script>", "x & y", "ü/ß"];
    const text = `input: "data"\ninput_shape { dim: 1 dim: 2 }\n${names
      .map((n, i) => `layer { name: ${JSON.stringify(n)} type: "ReLU" bottom: "${i === 0 ? "data" : `b${i - 1}`}" top: "b${i}" }`)
      .join("\n")}\n`;
    const path = join(OUT, "hostile.html");
    writeFileSync(path, pageOf(text).html);
    const { page, watch } = await openReport(browser, path);
    const shown = await page.locator("[data-layer]").evaluateAll((els) => els.map((e) => e.getAttribute("data-layer")));
    expect(shown).toEqual(["input", ...names]);
    expect(await page.evaluate(() => (window as unknown as { hacked?: number }).hacked)).toBeUndefined();
    expect(await page.locator("b", { hasText: "bold" }).count()).toBe(0);
    await page.locator('[data-layer="<b>bold</b>"]').click();
    expect(await panelTitle(page)).toBe("<b>bold</b>");
    expect(watch).toEqual({ requests: [], errors: [] });
    await page.close();
  });
});
