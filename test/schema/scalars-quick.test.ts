import protobuf from "protobufjs";
import { ALL_TYPES_PROTO } from "./all-types-proto.js";
import { describe, expect, it } from "vitest";
import { messageCodec } from "../../src/schema/encode-codec.js";
import { buildSchema } from "../../src/schema/load.js";
import { convertScalar, quickScalar } from "../../src/schema/scalars.js";
import { parseInto } from "../../src/textproto/parser.js";
import type { ParseSink, ScalarToken } from "../../src/textproto/sink.js";


/** Calls `check` with the parser's token for every scalar of `text`. */
function eachToken(text: string, check: (t: ScalarToken) => void): void {
  const ignore = (): void => undefined;
  const sink: ParseSink = { openMessage: ignore, closeMessage: ignore, openList: ignore, listOpenMessage: ignore, closeList: ignore, missingValue: ignore,
    scalar: (_n, _s, _c, t) => check(t), listScalar: check };
  parseInto(text, sink);
}

const TOKENS = ["0", "00", "1", "-1", "-0", "9", "10", "999999999", "-999999999", "1000000000", "2147483647", "-2147483648", "4294967295", "0x1F", "0X0",
  "-0x1", "017", "0.0", "-0.0", "0.5", ".5", "5.", "5.f", "5F", "1e5", "1e+5", "1E-5", "-1e-5", "12.375e2", "3.14159265358979", "0.1", "0.30000000000000004",
  "9007199254740991", "9007199254740992", "9007199254740993", "123456789012345678901234567890", "1e22", "1e23", "1e-22", "1e-23", "4.5e-300", "1e400",
  "3.4028235e38", "3.5e38", "1.17549435e-38", "1e-46", "0e0", "0f", "inf", "-inf", "Infinity", "NaN", "nan", "true", "True", "TRUE", "t", "f", "false",
  "False", "FALSE", "tr", "NEG", "ZERO", "BIG", "MISSING", "-NEG", "\"str\"", "'a' 'b'", "\"é\"", "\"\\n\"", "\"\\xff\"", "\"\"", "ident"];

describe("quickScalar agrees with convertScalar wherever it answers", () => {
  const all = buildSchema(protobuf.parse(ALL_TYPES_PROTO, { keepCase: true }).root).message("t.All");
  const codec = messageCodec(all);
  // The singular scalar fields: one per scalar type (the schema's lists and messages are for the encoders).
  for (const f of codec.byName.values()) {
    if (f.field.kind === "message" || f.field.repeated) continue;
    it(`for a ${f.field.kind} field, on ${TOKENS.length} tokens`, () => {
      let answered = 0;
      for (const token of TOKENS) {
        const text = `${f.field.name}: ${token}`;
        eachToken(text, (t) => {
          if (t.malformed) return;
          const quick = quickScalar(f, t, text);
          if (quick === undefined) return;
          answered++;
          const full = convertScalar(f.field, t, text);
          expect(full.ok, token).toBe(true);
          if (!full.ok) return;
          expect(full.warning, token).toBeUndefined();
          expect(Object.is(quick, full.value) || quick === full.value, `${token}: ${String(quick)} vs ${String(full.value)}`).toBe(true);
        });
      }
      // Every kind but bytes has a quick path for its common tokens.
      if (f.field.kind !== "bytes") expect(answered).toBeGreaterThan(0);
    });
  }

  it("reads random plain decimals exactly as Number() does", () => {
    let seed = 12345;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const f = codec.byName.get("db")!;
    for (let i = 0; i < 20000; i++) {
      const digits = String(rand(10 ** (1 + rand(9)))) + String(rand(10 ** (1 + rand(7))));
      const point = rand(digits.length + 1);
      const exp = rand(3) === 0 ? `e${rand(50) - 25}` : "";
      const token = `${digits.slice(0, point)}.${digits.slice(point)}${exp}`.replace(/^\.$/, "0.");
      const text = `db: ${token}`;
      eachToken(text, (t) => {
        const quick = quickScalar(f, t, text);
        if (quick !== undefined) expect(quick, token).toBe(Number(token));
      });
    }
  });
});
