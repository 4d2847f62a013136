import { jsonText } from "../../diagnostics/json-text.js";
import type { Severity } from "../../diagnostics/diagnostic.js";
import { LineIndex } from "../../diagnostics/range.js";
import { messageText } from "../messages.js";
import type { RuleMeta } from "../rule.js";
import { sarifFixes } from "./sarif-fixes.js";
import type { Formatter } from "./types.js";

const LEVEL: Record<Severity, "error" | "warning" | "note"> = { error: "error", warning: "warning", info: "note" };

/**
 * SARIF 2.1.0 as GitHub code scanning reads it: one run whose driver lists every rule (id,
 * shortDescription, helpUri, defaultConfiguration.level), and one result per finding with ruleId,
 * ruleIndex, level, message.text and a physicalLocation (artifact URI relative to %SRCROOT%,
 * region startLine/startColumn/endLine/endColumn in UTF-16 code units, as our columns are), and
 * the run's `originalUriBaseIds` saying where %SRCROOT% is when the CLI passes its directory.
 * A finding with a fix also gets `fixes` (sarif-fixes.ts): its edits as replacements on the text
 * the report describes (the file as read; after --fix, as written).
 */
export const formatSarif: Formatter = (results, context) => {
  const rules = [...context.rules.values()];
  const locations = new Map(results.files.map((file) => [file.file, artifactLocation(file.file)]));
  const relative = [...locations.values()].some((l) => l.uriBaseId !== undefined);
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "caffe2torch",
            version: context.version,
            informationUri: context.projectUrl,
            rules: rules.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.description },
              helpUri: docsUrl(context.projectUrl, rule),
              help: { text: `${rule.description} See ${docsUrl(context.projectUrl, rule)}` },
              defaultConfiguration: { level: LEVEL[rule.defaultSeverity] },
              properties: { tags: ["caffe", "prototxt"] },
            })),
          },
        },
        // Where %SRCROOT% is, so a consumer other than GitHub can resolve the relative URIs too.
        ...(relative && context.root !== undefined && { originalUriBaseIds: { "%SRCROOT%": { uri: directoryUri(context.root) } } }),
        columnKind: "utf16CodeUnits",
        newlineSequences: ["\r\n", "\n"],
        results: results.files.flatMap((file) => {
          const location = locations.get(file.file)!;
          // Only files with a fixable finding need their line starts.
          let lines: LineIndex | undefined;
          return file.findings.map((f) => {
            const result: Record<string, unknown> = {
              ruleId: f.ruleId,
              level: LEVEL[f.severity],
              message: { text: messageText(f, context.rules) + (f.phase ? ` [${f.phase}]` : "") },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: location,
                    region: {
                      startLine: f.line,
                      startColumn: f.column,
                      endLine: f.endLine,
                      endColumn: f.endLine === f.line ? Math.max(f.endColumn, f.column) : f.endColumn,
                    },
                  },
                },
              ],
            };
            const ruleIndex = index.get(f.ruleId);
            if (ruleIndex !== undefined) result["ruleIndex"] = ruleIndex;
            if (f.fix) result["fixes"] = sarifFixes({ ...f, fix: f.fix }, (lines ??= new LineIndex(file.source)), location, context.rules);
            if (f.phase) result["properties"] = { phase: f.phase };
            return result;
          });
        }),
      },
    ],
  };
  return `${jsonText(log)}\n`;
};

/** A rule's docs page on the web: its docs path in the main branch of the project's repository. */
export function docsUrl(projectUrl: string, rule: RuleMeta): string {
  return `${projectUrl.replace(/\/+$/, "")}/blob/main/${rule.docsPath}`;
}

/** Percent-encodes each segment of a `/`-separated path (a Windows drive letter stays as it is). */
function encodeSegments(slashed: string): string {
  return slashed
    .split("/")
    .map((segment, i) => (i === 0 && /^[A-Za-z]:$/.test(segment) ? segment : encodeURIComponent(segment)))
    .join("/");
}

/** The `file://` URI of an absolute path (POSIX, or Windows with a drive letter). */
function fileUri(slashed: string): string {
  return `file://${slashed.startsWith("/") ? "" : "/"}${encodeSegments(slashed)}`;
}

/** The `file://` URI of an absolute directory, ending in `/` as SARIF's base URIs must. */
export function directoryUri(path: string): string {
  const uri = fileUri(path.replace(/\\/g, "/"));
  return uri.endsWith("/") ? uri : `${uri}/`;
}

/**
 * A relative path becomes a URI reference relative to %SRCROOT% (the checkout, for GitHub); an
 * absolute one a `file://` URI. Segments are percent-encoded; Windows separators become `/`.
 */
export function artifactLocation(path: string): { uri: string; uriBaseId?: string } {
  const slashed = path.replace(/\\/g, "/");
  const absolute = slashed.startsWith("/") || /^[A-Za-z]:\//.test(slashed);
  if (absolute) return { uri: fileUri(slashed) };
  return { uri: encodeSegments(slashed).replace(/^(\.\/)+/, ""), uriBaseId: "%SRCROOT%" };
}
