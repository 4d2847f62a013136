import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertText, summarise, type PhaseExpectation } from "./summary.js";

const DIR = join(import.meta.dirname, "../../fixtures/convert");
const UPDATE = process.env["UPDATE_EXPECTATIONS"] === "1";

interface FixtureExpectation {
  TEST: PhaseExpectation;
  TRAIN: PhaseExpectation;
}

const fixtures = readdirSync(DIR).filter((f) => f.endsWith(".prototxt")).sort();

describe("convert fixtures (each prototxt against the expected JSON beside it)", () => {
  it("has fixtures", () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });
  for (const file of fixtures) {
    const expectedPath = join(DIR, file.replace(/\.prototxt$/, ".expected.json"));
    it(`${file} converts as ${file.replace(/\.prototxt$/, ".expected.json")} says in both phases`, () => {
      const text = readFileSync(join(DIR, file), "utf8");
      const actual: FixtureExpectation = { TEST: summarise(convertText(text, "TEST", file)), TRAIN: summarise(convertText(text, "TRAIN", file)) };
      if (UPDATE || !existsSync(expectedPath)) {
        writeFileSync(expectedPath, JSON.stringify(actual, null, 2) + "\n");
        if (!UPDATE) throw new Error(`wrote missing expectation ${expectedPath}; review it`);
      }
      const expected = JSON.parse(readFileSync(expectedPath, "utf8")) as FixtureExpectation;
      expect(actual).toEqual(expected);
    });
  }
});
