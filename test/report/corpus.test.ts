/**
 * Every corpus file makes a report page in each phase: every layer active in the phase is in the
 * graph exactly once, and the embedded data parses back. (The browser opens the golden nets and
 * DenseNet-121, test/report/page-browser.test.ts; opening every corpus page takes too long for the suite.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildTorchGraph } from "../../src/convert/graph.js";
import { readNet } from "../../src/schema/read.js";
import { CORPUS_DIR, corpusFiles } from "../helpers/paths.js";
import { embeddedJson, pageOf } from "./support.js";

describe("report pages of the corpus", () => {
  it("hold every layer of each file in each phase once, in nodes, with data that parses back", () => {
    for (const name of corpusFiles()) {
      const text = readFileSync(join(CORPUS_DIR, name), "utf8");
      for (const phase of ["TEST", "TRAIN"] as const) {
        const { data, html } = pageOf(text, { phase, source: name });
        const read = readNet(text, { allowUnknown: true, upgrade: true });
        const expected = buildTorchGraph(read, { phase, source: name, stubs: true }).convert.analysis.model.layers.map((l) => l.name);
        const drawn = data.graph.nodes.flatMap((n) => n.layers).map((i) => data.graph.layers[i]!.name);
        expect([...drawn].sort(), `${name} ${phase}`).toEqual([...expected].sort());
        expect(embeddedJson(html).graph.layers.length, `${name} ${phase}`).toBe(expected.length);
      }
    }
  }, 120_000);
});
