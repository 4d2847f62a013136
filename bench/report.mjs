// Issue 17: `caffe2torch report` of ResNet-152 (bench/make-resnet152.mjs) and the corpus
// DenseNet-121: the page's size, the CLI's time to write it, and in headless Chromium (Debian's
// chromium driven by playwright-core) the time from navigation until the page says it is ready
// (parsed, laid out by dagre, drawn), with dagre's share measured by the page itself.
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { makeResNet152 } from "./make-resnet152.mjs";
import { BIN, SHARED, fmt, summarise, timeProcess } from "./lib.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const MAX_BYTES = 3 * 2 ** 20;
const MAX_OPEN_S = 2;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(rounds = 5) {
  const dir = mkdtempSync(join(tmpdir(), "c2t-bench-report-"));
  const resnet = join(dir, "resnet152.prototxt");
  writeFileSync(resnet, makeResNet152());
  const nets = [
    { name: "ResNet-152", file: resnet },
    { name: "DenseNet-121", file: join(SHARED, "corpus", "shicai-DenseNet-Caffe__DenseNet_121.prototxt") },
  ];
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  const results = [];
  console.log(`report bench: load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  try {
    for (const net of nets) {
      const page = join(dir, `${net.name}.html`);
      const cli = summarise(Array.from({ length: 3 }, () => timeProcess("node", [BIN, "report", net.file, "-o", page, "-q"])));
      const bytes = statSync(page).size;
      const opens = [];
      const layouts = [];
      const boots = [];
      const requests = [];
      const busy = [];
      const cpu = [];
      for (let i = 0; i < rounds; i++) {
        const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        // The renderer's main-thread time (Chrome's Performance domain): what the page costs on a
        // machine no one else loads; the wall time also holds the waits for the cores we share.
        const cdp = await tab.context().newCDPSession(tab);
        await cdp.send("Performance.enable");
        tab.on("request", (r) => r.url() !== `file://${page}` && requests.push(r.url()));
        const t0 = Date.now();
        await tab.goto(`file://${page}`);
        await tab.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
        opens.push((Date.now() - t0) / 1000);
        const m = await tab.evaluate(() => window.caffe2torchReport);
        layouts.push(m.layoutMs / 1000);
        boots.push(m.totalMs / 1000);
        const { metrics } = await cdp.send("Performance.getMetrics");
        const metric = (name) => metrics.find((x) => x.name === name)?.value ?? NaN;
        busy.push(metric("ThreadTime"));
        cpu.push(metric("ProcessTime"));
        await tab.close();
      }
      const open = median(opens);
      results.push({
        name: `report page, ${net.name}`,
        input: `${fmt(bytes / 2 ** 20, 2)} MiB page; CLI ${fmt(cli.medianS, 2)} s; in Chromium: open ${fmt(open, 2)} s (script ${fmt(median(boots), 2)} s, of which dagre ${fmt(median(layouts), 2)} s); CPU: main thread ${fmt(median(busy), 2)} s, renderer ${fmt(median(cpu), 2)} s`,
        ours: { medianS: open, minS: Math.min(...opens), maxS: Math.max(...opens), runs: rounds },
        cli,
        bytes,
        layoutS: median(layouts),
        mainThreadCpuS: median(busy),
        rendererCpuS: median(cpu),
        scriptS: median(boots),
        requests: requests.length,
        targets: "opens and lays out ≤ 2 s in headless Chromium, file ≤ 3 MB, no request",
        met: open <= MAX_OPEN_S && bytes <= MAX_BYTES && requests.length === 0,
      });
    }
  } finally {
    await browser.close();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(`${r.name}: ${r.input}; ${r.met ? "MET" : "NOT MET"}`);
}
