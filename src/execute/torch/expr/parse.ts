/**
 * A parser for the Python expressions the converters write into `forward` (TorchNode call
 * templates): names, attribute access, calls with positional and keyword arguments, subscripts
 * with ints and slices, tuples and lists, numbers, strings, unary minus, the arithmetic operators
 * (+ − * / // % **) and comparisons, with Python's precedence; `{0}`, `{1}`… (the bottoms) and
 * `{self}` (the node's module) are slots. Anything else is a syntax error with its offset, never
 * a crash.
 */

/** A parsed expression. */
export type Expr =
  | { k: "int"; v: number }
  | { k: "float"; v: number }
  | { k: "str"; v: string }
  | { k: "name"; id: string }
  | { k: "slot"; key: string }
  | { k: "attr"; obj: Expr; name: string }
  | { k: "call"; fn: Expr; args: Expr[]; kwargs: [string, Expr][] }
  | { k: "index"; obj: Expr; index: Expr }
  | { k: "slice"; start: Expr | null; stop: Expr | null; step: Expr | null }
  | { k: "tuple"; items: Expr[] }
  | { k: "list"; items: Expr[] }
  | { k: "unary"; op: "-" | "+"; arg: Expr }
  | { k: "binary"; op: string; left: Expr; right: Expr }
  | { k: "compare"; op: string; left: Expr; right: Expr };

/** Why an expression does not parse, and where (0-based offset into the text). */
export class ExprSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} at ${offset}`);
    this.name = "ExprSyntaxError";
  }
}

interface Token {
  kind: "num" | "str" | "name" | "slot" | "op" | "end";
  text: string;
  offset: number;
  value?: number | string;
  isFloat?: boolean;
}

const OPERATORS = ["**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "<", ">", "(", ")", "[", "]", ",", ":", ".", "="];

/** Python string escapes the emitted literals use (pyString writes \\ \" \n \r \t \xNN \uNNNN \UNNNNNNNN). */
function unescape(body: string, offset: number): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case "x":
      case "u":
      case "U":
        return String.fromCodePoint(parseInt(e.slice(1), 16));
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "t":
        return "\t";
      case "\\":
      case '"':
      case "'":
        return e;
      default:
        throw new ExprSyntaxError(`unknown escape \\${e}`, offset);
    }
  });
}

/** The tokens of `text`. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\n") {
      i++;
      continue;
    }
    const rest = text.slice(i);
    const slot = /^\{(\d+|self)\}/.exec(rest);
    if (slot) {
      tokens.push({ kind: "slot", text: slot[0], offset: i, value: slot[1]! });
      i += slot[0].length;
      continue;
    }
    const num = /^(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?/.exec(rest);
    if (num) {
      const isFloat = num[0].includes(".") || num[2] !== undefined;
      tokens.push({ kind: "num", text: num[0], offset: i, value: Number(num[0]), isFloat });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (name) {
      tokens.push({ kind: "name", text: name[0], offset: i });
      i += name[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) throw new ExprSyntaxError("unterminated string", i);
      tokens.push({ kind: "str", text: text.slice(i, j + 1), offset: i, value: unescape(text.slice(i + 1, j), i) });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (!op) throw new ExprSyntaxError(`unexpected character ${JSON.stringify(c)}`, i);
    tokens.push({ kind: "op", text: op, offset: i });
    i += op.length;
  }
  tokens.push({ kind: "end", text: "", offset: text.length });
  return tokens;
}

const COMPARE = new Set(["<", ">", "<=", ">=", "==", "!="]);

/** Parses one expression (a top-level comma makes a tuple, as in `a, b`). */
export function parseExpr(text: string): Expr {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const isOp = (o: string): boolean => peek().kind === "op" && peek().text === o;
  const expect = (o: string): void => {
    if (!isOp(o)) throw new ExprSyntaxError(`expected ${JSON.stringify(o)}`, peek().offset);
    pos++;
  };
  const startsExpr = (): boolean => {
    const t = peek();
    return t.kind !== "end" && !(t.kind === "op" && [")", "]", ",", ":", "="].includes(t.text));
  };

  /** `a, b, …` up to `close` (trailing comma allowed); whether a comma was seen. */
  function sequence(close: string, item: () => Expr): { items: Expr[]; comma: boolean } {
    const items: Expr[] = [];
    let comma = false;
    while (!isOp(close)) {
      items.push(item());
      if (!isOp(",")) break;
      pos++;
      comma = true;
    }
    expect(close);
    return { items, comma };
  }

  function tupleOrSingle(): Expr {
    const first = comparison();
    if (!isOp(",")) return first;
    const items = [first];
    while (isOp(",")) {
      pos++;
      if (!startsExpr()) break;
      items.push(comparison());
    }
    return { k: "tuple", items };
  }

  function comparison(): Expr {
    let left = additive();
    while (peek().kind === "op" && COMPARE.has(peek().text)) {
      const op = tokens[pos++]!.text;
      left = { k: "compare", op, left, right: additive() };
    }
    return left;
  }

  function additive(): Expr {
    let left = multiplicative();
    while (isOp("+") || isOp("-")) {
      const op = tokens[pos++]!.text;
      left = { k: "binary", op, left, right: multiplicative() };
    }
    return left;
  }

  function multiplicative(): Expr {
    let left = unaryExpr();
    while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
      const op = tokens[pos++]!.text;
      left = { k: "binary", op, left, right: unaryExpr() };
    }
    return left;
  }

  // Python: unary minus binds looser than ** on its left (-x ** 2 is -(x ** 2)).
  function unaryExpr(): Expr {
    if (isOp("-") || isOp("+")) {
      const op = tokens[pos++]!.text as "-" | "+";
      return { k: "unary", op, arg: unaryExpr() };
    }
    return power();
  }

  function power(): Expr {
    const base = postfix();
    if (isOp("**")) {
      pos++;
      return { k: "binary", op: "**", left: base, right: unaryExpr() };
    }
    return base;
  }

  function subscriptItem(): Expr {
    const part = (): Expr | null => (startsExpr() ? comparison() : null);
    const start = part();
    if (!isOp(":")) {
      if (start === null) throw new ExprSyntaxError("empty subscript", peek().offset);
      return start;
    }
    pos++;
    const stop = part();
    let step: Expr | null = null;
    if (isOp(":")) {
      pos++;
      step = part();
    }
    return { k: "slice", start, stop, step };
  }

  function postfix(): Expr {
    let e = atom();
    for (;;) {
      if (isOp(".")) {
        pos++;
        const t = peek();
        if (t.kind !== "name") throw new ExprSyntaxError("expected an attribute name", t.offset);
        pos++;
        e = { k: "attr", obj: e, name: t.text };
      } else if (isOp("(")) {
        pos++;
        const args: Expr[] = [];
        const kwargs: [string, Expr][] = [];
        while (!isOp(")")) {
          const t = peek();
          if (t.kind === "name" && tokens[pos + 1]?.kind === "op" && tokens[pos + 1]!.text === "=") {
            pos += 2;
            kwargs.push([t.text, comparison()]);
          } else {
            if (kwargs.length > 0) throw new ExprSyntaxError("positional argument after keyword argument", t.offset);
            args.push(comparison());
          }
          if (!isOp(",")) break;
          pos++;
        }
        expect(")");
        e = { k: "call", fn: e, args, kwargs };
      } else if (isOp("[")) {
        pos++;
        if (isOp("]")) throw new ExprSyntaxError("empty subscript", peek().offset);
        const { items, comma } = sequence("]", subscriptItem);
        e = { k: "index", obj: e, index: items.length === 1 && !comma ? items[0]! : { k: "tuple", items } };
      } else return e;
    }
  }

  function atom(): Expr {
    const t = peek();
    switch (t.kind) {
      case "num":
        pos++;
        return t.isFloat ? { k: "float", v: t.value as number } : { k: "int", v: t.value as number };
      case "str":
        pos++;
        return { k: "str", v: t.value as string };
      case "name":
        pos++;
        return { k: "name", id: t.text };
      case "slot":
        pos++;
        return { k: "slot", key: t.value as string };
      case "op":
        if (t.text === "(") {
          pos++;
          // `(a)` is a, `()`, `(a,)` and `(a, b)` are tuples: the rule of subscripts too.
          const { items, comma } = sequence(")", comparison);
          return items.length === 1 && !comma ? items[0]! : { k: "tuple", items };
        }
        if (t.text === "[") {
          pos++;
          return { k: "list", items: sequence("]", comparison).items };
        }
        throw new ExprSyntaxError(`unexpected ${JSON.stringify(t.text)}`, t.offset);
      default:
        throw new ExprSyntaxError("unexpected end of expression", t.offset);
    }
  }

  const e = tupleOrSingle();
  if (peek().kind !== "end") throw new ExprSyntaxError(`unexpected ${JSON.stringify(peek().text)}`, peek().offset);
  return e;
}
