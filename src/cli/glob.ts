import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";

/** Whether an argument is a pattern (`*`, `**`, `?`) rather than a plain path. */
export function isGlob(arg: string): boolean {
  return /[*?]/.test(arg);
}

/**
 * A pattern as a regular expression over `/`-separated relative paths: `*` is any run of
 * characters but `/`, `?` one such character, `**` any number of whole directories.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      const slashAfter = pattern[i + 2] === "/";
      const atSegmentStart = i === 0 || pattern[i - 1] === "/";
      if (atSegmentStart && slashAfter) {
        re += "(?:[^/]+/)*";
        i += 2;
      } else if (atSegmentStart && i + 2 === pattern.length) {
        re += ".*";
        i += 1;
      } else {
        re += "[^/]*";
        i += 1;
      }
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Directories never searched by a pattern (dot-directories too), as most globbers skip them. */
const SKIPPED_DIRS: ReadonlySet<string> = new Set(["node_modules"]);

/**
 * Expands a pattern relative to `cwd` into the matching files, sorted. The literal directory
 * prefix of the pattern is where the search starts; only as deep as the pattern can reach
 * unless it has `**`. Paths are returned as the user would write them (relative when the pattern is).
 */
export function expandGlob(pattern: string, cwd: string): string[] {
  const normalized = pattern.replace(/\\/g, "/");
  const segments = normalized.split("/");
  const firstGlob = segments.findIndex(isGlob);
  const base = segments.slice(0, firstGlob).join("/");
  const rest = segments.slice(firstGlob).join("/");
  const root = resolve(cwd, base === "" && normalized.startsWith("/") ? "/" : base || ".");
  const matcher = globToRegExp(rest);
  const maxDepth = rest.includes("**") ? Infinity : segments.length - firstGlob;
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join("/");
      // Symbolic links to directories are not followed (they could loop under `**`).
      if (entry.isDirectory()) {
        if (depth < maxDepth && !entry.name.startsWith(".") && !SKIPPED_DIRS.has(entry.name)) walk(full, depth + 1);
      } else if (matcher.test(rel)) {
        found.push(base === "" ? rel : `${base}/${rel}`);
      }
    }
  };
  walk(root, 1);
  return found.sort();
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `path` (relative to `cwd`) is a directory. */
export function isDirectoryPath(path: string, cwd: string): boolean {
  return isDirectory(resolve(cwd, path));
}
