/** Text from a file made safe for a terminal: one symbol per control character, data copied whole. */
import { describe, expect, it } from "vitest";
import { visible, visibleStrings } from "../../src/diagnostics/visible.js";

describe("visible", () => {
  it("shows C0 controls and DEL as control pictures and C1, bidi controls and lone surrogates as U+FFFD, keeping tabs", () => {
    expect(visible("a\u001b[31mb\u0007\nc\td\u007f\u0085\u009b\u202e\u2066\ud800")).toBe("a\u241b[31mb\u2407\u240ac\td\u2421\ufffd\ufffd\ufffd\ufffd\ufffd");
  });

  it("keeps printable text as it is, non-ASCII and astral characters included", () => {
    expect(visible("bn_conv1 é名 😀 ␛")).toBe("bn_conv1 é名 😀 ␛");
  });
});

describe("visibleStrings", () => {
  it("copies a JSON-like value with every string, however deep, made visible, and the rest unchanged", () => {
    const value = { net: "n\u001b", blocks: [{ name: "b\u202e", shape: [2, null], ok: true, notes: [{ message: "m\u0007" }] }], phase: "TEST" };
    expect(visibleStrings(value)).toEqual({ net: "n\u241b", blocks: [{ name: "b\ufffd", shape: [2, null], ok: true, notes: [{ message: "m\u2407" }] }], phase: "TEST" });
    expect(value.net).toBe("n\u001b");
  });

  it("keeps values that are not plain data (typed arrays, maps) as they are", () => {
    const data = new Float32Array([1, 2]);
    const map = new Map([["k\u001b", "v\u001b"]]);
    const copy = visibleStrings({ data, map });
    expect(copy.data).toBe(data);
    expect(copy.map).toBe(map);
  });
});
