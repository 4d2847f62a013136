/**
 * A net whose names are attacks on the documents generated from it: code injection into the
 * emitted Python, breaking out of Markdown tables, SVG and workflow commands, terminal escapes.
 * The names are written with the text format's own escapes (\n, \", \\, \xNN, octal, \u), so
 * the fixture also proves those decode into the names the emitters must then escape again.
 * Built from ../shared/golden/trained_small (prototxt and caffemodel) by renaming, so that
 * `convert --weights` has a matching caffemodel.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GOLDEN_DIR } from "./paths.js";

/** One hostile name: as written in the prototxt (inside the quotes) and what it decodes to. */
export interface HostileName {
  literal: string;
  decoded: string;
}

/** The names, by the trained_small name they replace. */
export const HOSTILE: Readonly<Record<string, HostileName>> = {
  trained_small: {
    literal: "net | pipe | `tick` <b>html</b> %0A%25 ::error::x,a:b {{name}} \\002 & &amp;",
    decoded: "net | pipe | `tick` <b>html</b> %0A%25 ::error::x,a:b {{name}} \u0002 & &amp;",
  },
  bn1: {
    literal: "x\\\"); __import__('os').system('touch PWNED'); #",
    decoded: "x\"); __import__('os').system('touch PWNED'); #",
  },
  scale1: {
    literal: "''' + str(__import__('os').getcwd()) + '''",
    decoded: "''' + str(__import__('os').getcwd()) + '''",
  },
  conv1: {
    literal: "line1\\nimport os; os.system(\\\"touch PWNED\\\")\\r\\n\\\"\\\"\\\"\\n# |cell|",
    decoded: "line1\nimport os; os.system(\"touch PWNED\")\r\n\"\"\"\n# |cell|",
  },
  conv2_bn: {
    literal: "back\\\\slash\\\\x41 \\\\n \\\\",
    decoded: "back\\slash\\x41 \\n \\",
  },
  bn2: {
    // é as octal UTF-8 bytes, 名 as hex bytes, é again as \u, an ESC sequence, a right-to-left override.
    literal: "\\303\\251\\xe5\\x90\\x8d\\u00e9 \\033[31mred \\u202eevil",
    decoded: "\u00e9\u540d\u00e9 \u001b[31mred \u202eevil",
  },
  scale2: {
    literal: "</svg><script>alert(1)</script><!--",
    decoded: "</svg><script>alert(1)</script><!--",
  },
  bn3: {
    literal: "bn3\\x01\\x7f\\t\\\"quoted\\\"",
    decoded: "bn3\u0001\u007f\t\"quoted\"",
  },
};

const TRAINED_DIR = join(GOLDEN_DIR, "trained_small");

/** Replaces every quoted occurrence of each original name with its hostile literal. */
export function renameHostile(text: string): string {
  return text.replace(/"([A-Za-z0-9_]+)"/g, (whole, name: string) => {
    const hostile = HOSTILE[name];
    return hostile === undefined ? whole : `"${hostile.literal}"`;
  });
}

/** trained_small's deploy.prototxt with the hostile names. */
export function hostileDeploy(): string {
  return renameHostile(readFileSync(join(TRAINED_DIR, "deploy.prototxt"), "utf8"));
}

/** trained_small's train_val.prototxt with the hostile names (for verify --plot and lint). */
export function hostileTrainVal(): string {
  return renameHostile(readFileSync(join(TRAINED_DIR, "train_val.prototxt"), "utf8"));
}

/** The original caffemodel's path (decode --full it, rename, encode it back). */
export const TRAINED_CAFFEMODEL = join(TRAINED_DIR, "trained_small.caffemodel");

/** The decoded hostile names of the BatchNorm layers, in file order. */
export const HOSTILE_BATCHNORMS = ["bn1", "bn2", "bn3"].map((n) => HOSTILE[n]!.decoded);
