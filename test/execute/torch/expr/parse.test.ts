import { describe, expect, it } from "vitest";
import { ExprSyntaxError, parseExpr } from "../../../../src/execute/torch/expr/parse.js";

describe("the forward-expression parser", () => {
  it("binds ** tighter than unary minus on its left, and right to left", () => {
    expect(parseExpr("-x ** 2")).toEqual({ k: "unary", op: "-", arg: { k: "binary", op: "**", left: { k: "name", id: "x" }, right: { k: "int", v: 2 } } });
    expect(parseExpr("2 ** -1")).toEqual({ k: "binary", op: "**", left: { k: "int", v: 2 }, right: { k: "unary", op: "-", arg: { k: "int", v: 1 } } });
    expect(parseExpr("a ** b ** c")).toMatchObject({ op: "**", left: { id: "a" }, right: { op: "**" } });
  });

  it("keeps Python's precedence: comparisons below + − below * / // %, left to right", () => {
    expect(parseExpr("a - b - c")).toMatchObject({ op: "-", left: { op: "-" }, right: { id: "c" } });
    expect(parseExpr("a + b * c > d")).toMatchObject({ k: "compare", op: ">", left: { op: "+", right: { op: "*" } } });
  });

  it("reads ints, floats (1e-05, .5, 2.) and escaped strings", () => {
    expect(parseExpr("1e-05")).toEqual({ k: "float", v: 1e-5 });
    expect(parseExpr(".5")).toEqual({ k: "float", v: 0.5 });
    expect(parseExpr("2.")).toEqual({ k: "float", v: 2 });
    expect(parseExpr("7")).toEqual({ k: "int", v: 7 });
    expect(parseExpr('"a\\"b\\x41"')).toEqual({ k: "str", v: 'a"bA' });
  });

  it("reads slots, attributes, calls with keyword arguments, lists and tuples", () => {
    expect(parseExpr("torch.cat([{0}, {1}], dim=1)")).toEqual({
      k: "call",
      fn: { k: "attr", obj: { k: "name", id: "torch" }, name: "cat" },
      args: [{ k: "list", items: [{ k: "slot", key: "0" }, { k: "slot", key: "1" }] }],
      kwargs: [["dim", { k: "int", v: 1 }]],
    });
    expect(parseExpr("{self}({0}, {1})")).toMatchObject({ k: "call", fn: { k: "slot", key: "self" } });
    expect(parseExpr("(1,)")).toEqual({ k: "tuple", items: [{ k: "int", v: 1 }] });
    expect(parseExpr("(1)")).toEqual({ k: "int", v: 1 });
    expect(parseExpr("a, b")).toMatchObject({ k: "tuple", items: [{ id: "a" }, { id: "b" }] });
  });

  it("reads subscripts with slices: a tuple of axes, empty bounds, steps", () => {
    const e = parseExpr("{0}[:, :, 1:1 + {1}.shape[2], :-1, ::2]");
    expect(e).toMatchObject({ k: "index", index: { k: "tuple" } });
    const items = (e as { index: { items: unknown[] } }).index.items;
    expect(items[0]).toEqual({ k: "slice", start: null, stop: null, step: null });
    expect(items[2]).toMatchObject({ k: "slice", start: { k: "int", v: 1 }, stop: { k: "binary", op: "+" } });
    expect(items[3]).toMatchObject({ k: "slice", start: null, stop: { k: "unary" } });
    expect(items[4]).toMatchObject({ k: "slice", start: null, stop: null, step: { k: "int", v: 2 } });
    expect(parseExpr("x[0]")).toMatchObject({ k: "index", index: { k: "int", v: 0 } });
  });

  it.each([
    ["lambda x: x", 'unexpected "x"', 7],
    ["a +", "unexpected end of expression", 3],
    ["f(a=1, 2)", "positional argument after keyword argument", 7],
    ["x[]", "empty subscript", 2],
    ["'open", "unterminated string", 0],
    ["a ; b", 'unexpected character ";"', 2],
    ["a b", 'unexpected "b"', 2],
  ])("refuses %j: %s at offset %i", (text, reason, offset) => {
    let error: unknown;
    try {
      parseExpr(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExprSyntaxError);
    expect(error).toMatchObject({ reason, offset });
  });
});
