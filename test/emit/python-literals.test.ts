import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  pyDict,
  pyFloat,
  pyOptionalFloat,
  pyString,
} from "../../src/emit/python-literals.js";
import { HOSTILE_NAMES } from "./fixtures.js";
import {
  requireTorch,
  skipWithoutTorch,
  writeTempFile,
} from "../helpers/python.js";
import { useTorchSession } from "../helpers/torch-session.js";

const CHECKER = fileURLToPath(new URL("./check_module.py", import.meta.url));
const python = useTorchSession();

const STRINGS = [
  ...HOSTILE_NAMES,
  "\u0000\u0001\u001f\u007f\u0080\u009f\u00ff",
  "\r\n\t\v\f\b",
  "\\N{BULLET} \\x41 \\u0041",
  "'single' \"double\"",
  "\ud83d\ude42 astral",
  "trailing backslash \\",
];

const FLOATS = [
  1e-5, 0.001, 0.1 + 0.2, 1, 0, 2e-5, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 0.999,
  123456789, 0.0001, 1e16, 1e15, 1234567890123456, -3.25e-9, 0.1, 1 / 3, 2 ** 60, 1.5e300,
];

describe("pyString", () => {
  it("writes printable ASCII as is inside double quotes", () => {
    expect(pyString("conv1/bn 'x'")).toBe(`"conv1/bn 'x'"`);
  });

  it("escapes backslashes, quotes, newlines and control characters", () => {
    expect(pyString('a\\b"c\nd\re\tf\u0000g\u007f')).toBe('"a\\\\b\\"c\\nd\\re\\tf\\x00g\\x7f"');
  });

  it("writes non-ASCII code points as \\x, \\u and \\U escapes, so the output is pure ASCII", () => {
    expect(pyString("é名🙂")).toBe('"\\xe9\\u540d\\U0001f642"');
    for (const s of STRINGS) expect(pyString(s)).toMatch(/^[\x20-\x7e]*$/);
  });

  it("keeps a lone surrogate as a \\u escape", () => {
    expect(pyString("\ud800")).toBe('"\\ud800"');
  });
});

describe("pyFloat", () => {
  it("spells values as Python's repr(float) does", () => {
    expect(pyFloat(1e-5)).toBe("1e-05");
    expect(pyFloat(0.0001)).toBe("0.0001");
    expect(pyFloat(0.001)).toBe("0.001");
    expect(pyFloat(1)).toBe("1.0");
    expect(pyFloat(0)).toBe("0.0");
    expect(pyFloat(0.999)).toBe("0.999");
    expect(pyFloat(-2.5e-7)).toBe("-2.5e-07");
    expect(pyFloat(1234567890123456)).toBe("1234567890123456.0");
    expect(pyFloat(1e16)).toBe("1e+16");
    expect(pyFloat(1.7976931348623157e308)).toBe("1.7976931348623157e+308");
    expect(pyFloat(5e-324)).toBe("5e-324");
    expect(pyFloat(123.456)).toBe("123.456");
  });

  it("keeps the sign of -0 and writes non-finite values through float()", () => {
    expect(pyFloat(-0)).toBe("-0.0");
    expect(pyFloat(Infinity)).toBe('float("inf")');
    expect(pyFloat(-Infinity)).toBe('-float("inf")');
    expect(pyFloat(NaN)).toBe('float("nan")');
  });

  it("writes None for a null optional float", () => {
    expect(pyOptionalFloat(null)).toBe("None");
    expect(pyOptionalFloat(0.5)).toBe("0.5");
  });
});

describe("pyDict", () => {
  it("writes {} when empty and one entry per line otherwise", () => {
    expect(pyDict([])).toBe("{}");
    expect(pyDict([['"a"', "1"]])).toBe('{\n    "a": 1,\n}');
  });
});

describe("literals under real Python", () => {
  it.skipIf(skipWithoutTorch)("evaluate to exactly the strings and doubles written", async () => {
    requireTorch();
    const values = [...STRINGS.map(pyString), ...FLOATS.map(pyFloat), pyFloat(-0)];
    const path = writeTempFile("literals.py", `VALUES = [\n${values.map((v) => `    ${v},`).join("\n")}\n]\n`);
    const got = await python.call<unknown[]>(CHECKER, "literals", [path]);
    expect(got.slice(0, STRINGS.length)).toEqual(STRINGS);
    const floats = got.slice(STRINGS.length) as number[];
    FLOATS.forEach((f, i) => expect(Object.is(floats[i], f)).toBe(true));
    expect(Object.is(floats[FLOATS.length], -0)).toBe(true);
  });

  it.skipIf(skipWithoutTorch)("spell floats exactly as Python's repr does", async () => {
    requireTorch();
    const path = writeTempFile("reprs.py", `VALUES = [repr(v) for v in [${FLOATS.map(pyFloat).join(", ")}]]\n`);
    expect(await python.call<string[]>(CHECKER, "literals", [path])).toEqual(FLOATS.map(pyFloat));
  });
});
