import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RULES } from "../../src/lint/rules/index.js";

const root = new URL("../../", import.meta.url);
const files = (dir: string, ext: string): string[] =>
  readdirSync(new URL(dir, root))
    .filter((f) => f.endsWith(ext))
    .map((f) => f.slice(0, -ext.length));

describe("lint rule consistency", () => {
  const ids = [...RULES.keys()];

  it("registers every rule module, and every registered rule has its module", () => {
    expect(files("src/lint/rules/", ".ts").filter((f) => f !== "index").sort()).toEqual([...ids].sort());
  });

  it.each(ids)("%s has a docs page that names it, explains why and shows the fix", (id) => {
    const rule = RULES.get(id)!;
    expect(rule.meta.docsPath).toBe(`docs/rules/${id}.md`);
    const page = readFileSync(new URL(rule.meta.docsPath, root), "utf8");
    expect(page.startsWith(`# ${id}\n`)).toBe(true);
    for (const section of ["## Why", "## Examples", "## Fix"]) expect(page).toContain(section);
    expect(page).toContain(`Default severity: \`${rule.meta.defaultSeverity}\``);
    expect(page).toContain(rule.meta.fixable ? "Fixable: yes" : "Fixable: no");
  });

  it.each(ids)("%s has a rule test file", (id) => {
    expect(existsSync(new URL(`test/lint/rules/${id}.test.ts`, root))).toBe(true);
  });

  it("has no docs page or test for a rule that does not exist", () => {
    expect(files("docs/rules/", ".md").filter((f) => f !== "README").sort()).toEqual([...ids].sort());
    expect(files("test/lint/rules/", ".test.ts").sort()).toEqual([...ids].sort());
  });

  it("lists every rule in the docs index", () => {
    const index = readFileSync(new URL("docs/rules/README.md", root), "utf8");
    for (const id of ids) expect(index).toContain(`[\`${id}\`](${id}.md)`);
  });

  it.each(ids)("%s describes its fixes (SARIF fix.description) if and only if it is fixable, for message ids it has", (id) => {
    const meta = RULES.get(id)!.meta;
    const fixMessageIds = Object.keys(meta.fixMessages ?? {});
    expect(fixMessageIds.length > 0).toBe(meta.fixable);
    for (const messageId of fixMessageIds) expect(Object.keys(meta.messages)).toContain(messageId);
    for (const template of Object.values(meta.fixMessages ?? {})) expect(template).toMatch(/^[A-Z].*\.$/);
  });

  it("gives every rule a one-sentence description and messages", () => {
    for (const rule of RULES.values()) {
      expect(rule.meta.description).toMatch(/^[A-Z`].*[.)]$/);
      expect(Object.keys(rule.meta.messages).length).toBeGreaterThan(0);
    }
  });
});
