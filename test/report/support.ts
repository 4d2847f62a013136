/** Builds report data and pages from prototxt text, as `caffe2torch report` does, for tests. */
import { buildTorchGraph } from "../../src/convert/graph.js";
import { lintText } from "../../src/lint/run.js";
import { buildReportData } from "../../src/report/build.js";
import type { ReportData } from "../../src/report/model.js";
import { renderReportPage } from "../../src/report/page.js";
import { readNet } from "../../src/schema/read.js";
import type { NetVerification } from "../../src/verify/net-types.js";

/** The report data of a net text in a phase. */
export function reportOf(text: string, options: { phase?: "TEST" | "TRAIN"; verification?: NetVerification; source?: string } = {}): ReportData {
  const phase = options.phase ?? "TEST";
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  const outcome = buildTorchGraph(read, { phase, source: options.source ?? "net.prototxt", stubs: true });
  const findings = lintText(text, { phase: phase === "TRAIN" ? "train" : "test" }).findings;
  return buildReportData({ read, outcome, findings, verification: options.verification ?? null, generator: "test" });
}

/** The page of a net text. */
export function pageOf(text: string, options: Parameters<typeof reportOf>[1] = {}): { data: ReportData; html: string } {
  const data = reportOf(text, options);
  return { data, html: renderReportPage(data) };
}

/** The JSON a page embeds, parsed back. */
export function embeddedJson(html: string): ReportData {
  const m = /<script type="application\/json" id="caffe2torch-report">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error("no embedded report JSON");
  return JSON.parse(m[1]!) as ReportData;
}
