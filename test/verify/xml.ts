/**
 * A small XML well-formedness checker for the plot tests: one root element, properly nested and
 * matching tags, quoted and unique attributes, only the five predefined entities and character
 * references, no stray `<` or `&` in text. Not a validating parser; enough to know an SVG renders.
 */

/** An element as parsed: name, attributes and children (text is kept joined). */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/;

function decode(raw: string, at: number): string {
  for (let i = raw.indexOf("&"); i >= 0; i = raw.indexOf("&", i + 1)) {
    if (!ENTITY.test(raw.slice(i))) throw new Error(`bad entity at ${at + i}: ${raw.slice(i, i + 10)}`);
  }
  return raw
    .replace(/&#x([0-9A-Fa-f]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" })[e] as string);
}

/** Parses `source`; throws an Error naming the offset of the first problem. */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${i}: ${JSON.stringify(source.slice(i, i + 40))}`);
  };
  if (source.startsWith("<?xml")) {
    const end = source.indexOf("?>");
    if (end < 0) fail("unterminated XML declaration");
    i = end + 2;
  }
  while (i < source.length) {
    const lt = source.indexOf("<", i);
    const textEnd = lt < 0 ? source.length : lt;
    const raw = source.slice(i, textEnd);
    if (raw.trim() !== "") {
      if (stack.length === 0) fail("text outside the root element");
      (stack[stack.length - 1] as XmlElement).text += decode(raw, i);
    }
    if (lt < 0) break;
    i = lt;
    if (source.startsWith("<!--", i)) {
      const end = source.indexOf("-->", i);
      if (end < 0) fail("unterminated comment");
      i = end + 3;
      continue;
    }
    if (source.startsWith("</", i)) {
      const m = NAME.exec(source.slice(i + 2));
      if (m === null) fail("bad closing tag");
      const name = (m as RegExpExecArray)[0];
      const top = stack.pop();
      if (top === undefined || top.name !== name) fail(`</${name}> does not close <${top?.name ?? "nothing"}>`);
      i += 2 + name.length;
      while (/\s/.test(source[i] ?? "")) i++;
      if (source[i] !== ">") fail("bad closing tag");
      i++;
      continue;
    }
    const m = NAME.exec(source.slice(i + 1));
    if (m === null) fail("stray <");
    const element: XmlElement = { name: (m as RegExpExecArray)[0], attributes: {}, children: [], text: "" };
    i += 1 + element.name.length;
    for (;;) {
      const ws = /^\s*/.exec(source.slice(i))![0].length;
      i += ws;
      if (source.startsWith("/>", i) || source[i] === ">") break;
      if (ws === 0) fail("attributes must be separated by white space");
      const a = /^([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(source.slice(i));
      if (a === null) fail("bad attribute");
      const [all, key, , dq, sq] = a as RegExpExecArray;
      if ((key as string) in element.attributes) fail(`duplicate attribute ${key}`);
      element.attributes[key as string] = decode(dq ?? sq ?? "", i);
      i += (all as string).length;
    }
    const selfClosing = source.startsWith("/>", i);
    i += selfClosing ? 2 : 1;
    if (stack.length === 0) {
      if (root !== null) fail("a second root element");
      root = element;
    } else {
      (stack[stack.length - 1] as XmlElement).children.push(element);
    }
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed <${(stack[stack.length - 1] as XmlElement).name}>`);
  if (root === null) throw new Error("no root element");
  return root;
}

/** Every element of a tree, depth first. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(allElements)];
}
