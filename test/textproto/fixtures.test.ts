import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { BoundMessage } from "../../src/schema/bind.js";
import { readNet, type ReadResult } from "../../src/schema/read.js";
import { inCI, pinnedWithSeverity, protocAvailable, protocEncode, protocFirst, protocLineOf } from "./support.js";

/**
 * fixtures/textproto/NAME.prototxt with NAME.expected.json beside it:
 * `mode` (strict | lenient), `diagnostics` (`line:col severity code`), `net` (the bound net as
 * JSON), `kept` (lenient: where unknown fields and values were kept aside), and `protoc` (what
 * protoc --encode says: `accepts`, the `line` of its first error, and any known `divergence`).
 */
interface Expected {
  description: string;
  mode: "strict" | "lenient";
  diagnostics: string[];
  net: unknown;
  kept?: string[];
  protoc: { accepts: boolean; line?: number; divergence?: string };
}

const dir = fileURLToPath(new URL("../../fixtures/textproto/", import.meta.url));
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith(".prototxt"))
  .sort()
  .map((file) => {
    const name = file.replace(/\.prototxt$/, "");
    return {
      name,
      text: readFileSync(dir + file, "utf8"),
      expected: JSON.parse(readFileSync(`${dir}${name}.expected.json`, "utf8")) as Expected,
    };
  });

function read(text: string, expected: Expected): ReadResult {
  return readNet(text, { allowUnknown: expected.mode === "lenient" });
}

/** `path: field` for every field or value kept aside by lenient reading, depth first. */
function keptAside(r: ReadResult, obj: BoundMessage, path: string, out: string[]): string[] {
  for (const f of r.sourceMap.unknownFields(obj)) out.push(`${path || "(root)"}: ${f.name}`);
  for (const [key, value] of Object.entries(obj)) {
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      if (item && typeof item === "object" && !(item instanceof Uint8Array)) {
        keptAside(r, item as BoundMessage, `${path ? `${path}.` : ""}${key}${Array.isArray(value) ? `[${i}]` : ""}`, out);
      }
    });
  }
  return out;
}

describe("fixtures/textproto", () => {
  it("has fixtures, each with its expectation", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  it("keeps the layout the layout fixtures are about (CRLF, BOM, no trailing newline)", () => {
    const byName = new Map(fixtures.map((f) => [f.name, f.text]));
    expect(byName.get("crlf")).toMatch(/\r\n/);
    expect(byName.get("crlf")!.replace(/\r\n/g, "")).not.toMatch(/\n/);
    expect(byName.get("bom")!.charCodeAt(0)).toBe(0xfeff);
    expect(byName.get("no-trailing-newline")!.endsWith("\n")).toBe(false);
  });

  describe.each(fixtures)("$name", ({ text, expected }) => {
    it("reports the expected diagnostics at their line:col", () => {
      expect(pinnedWithSeverity(text, read(text, expected).diagnostics)).toEqual(expected.diagnostics);
    });

    it("binds the expected net", () => {
      expect(JSON.parse(JSON.stringify(read(text, expected).net))).toEqual(expected.net);
    });

    if (expected.kept) {
      it("keeps unknown fields and values aside where expected", () => {
        const r = read(text, expected);
        expect(keptAside(r, r.net, "", [])).toEqual(expected.kept);
      });
    }

    if (!expected.protoc.accepts && !expected.protoc.divergence) {
      it("puts the finding protoc meets first on the line protoc names", () => {
        const r = read(text, expected);
        // In lenient mode the findings protoc refuses are warnings; read strictly to compare.
        const first = protocFirst(expected.mode === "lenient" ? readNet(text).diagnostics : r.diagnostics)!;
        expect(protocLineOf(text, first)).toBe(expected.protoc.line);
      });
    }

    it.skipIf(!protocAvailable && !inCI)("matches what protoc says of it", () => {
      const verdict = protocEncode(text);
      expect(verdict.accepted).toBe(expected.protoc.accepts);
      if (!expected.protoc.accepts) expect(verdict.line).toBe(expected.protoc.line);
    });
  });
});
