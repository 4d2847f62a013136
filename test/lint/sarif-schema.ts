/**
 * The official SARIF 2.1.0 JSON schema (OASIS, draft-07) and a validator for it (ajv with
 * ajv-formats, so `uri`, `uri-reference` and `date-time` are checked too).
 *
 * The schema is not copied into this repository: it comes from the pinned devDependency
 * @datadog/datadog-ci-plugin-sarif (Apache-2.0), which ships the OASIS file
 * `sarif-schema-2.1.0.json` to validate SARIF before uploading it, inlined as an object literal
 * into its bundle (the `//#region src/json-schema/sarif-schema-2.1.0.json` block). No npm or
 * Debian package we could find ships the OASIS file on its own: @microsoft/jest-sarif has the
 * older 2.1.0-rtm.5 draft (SchemaStore id; `suppression.status` where the standard says
 * `state`), @microsoft/sarif-multitool-linux a 2020-12 rewrite inside 43 MB of .NET binaries.
 *
 * Loading throws, and so fails every test that validates, when the package, its schema block or
 * the validator is missing, or when the block is not the OASIS 2.1.0 schema.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { runInNewContext } from "node:vm";
import Ajv, { type ErrorObject } from "ajv";
import addFormats from "ajv-formats";

/** The `$id` of the OASIS SARIF 2.1.0 schema (as published with the 2.1.0 OASIS Standard). */
export const SARIF_SCHEMA_ID = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";

const PACKAGE = "@datadog/datadog-ci-plugin-sarif";
const REGION = "//#region src/json-schema/sarif-schema-2.1.0.json";

/** The schema object, read from the package's bundle without running the package's code. */
export function loadSarifSchema(): Record<string, unknown> & { $id: string; $schema: string; definitions: Record<string, unknown> } {
  const require = createRequire(import.meta.url);
  const bundlePath = require.resolve(PACKAGE);
  const bundle = readFileSync(bundlePath, "utf8");
  const start = bundle.indexOf(REGION);
  const end = bundle.indexOf("//#endregion", start);
  if (start < 0 || end < 0) throw new Error(`${bundlePath}: no "${REGION}" block: has the pinned ${PACKAGE} changed?`);
  const block = bundle.slice(start, end);
  // The block declares the schema as `var <name> = { … };` (after two unrelated imports).
  const m = /\nvar (\w+) = (\{[\s\S]*\});\s*$/.exec(block);
  if (!m) throw new Error(`${bundlePath}: the schema block has no object literal`);
  // An object literal of strings, numbers, arrays and objects: evaluated in an empty context.
  const schema = runInNewContext(`(${m[2]})`, Object.create(null), { timeout: 1000 }) as ReturnType<typeof loadSarifSchema>;
  if (schema.$id !== SARIF_SCHEMA_ID || schema.$schema !== "http://json-schema.org/draft-07/schema#") {
    throw new Error(`${bundlePath}: the schema is ${String(schema.$id)} (${String(schema.$schema)}), not the OASIS SARIF 2.1.0 schema`);
  }
  return JSON.parse(JSON.stringify(schema)) as ReturnType<typeof loadSarifSchema>;
}

export const sarifSchema = loadSarifSchema();

// Strict mode, except strictRequired: the OASIS schema writes `anyOf: [{ required: ["index"] }, …]`
// for properties declared beside the anyOf, which ajv flags as style only. The schema itself is
// checked against the draft-07 meta-schema (validateSchema, on by default).
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
const check = ajv.compile(sarifSchema);

/** Validates a SARIF log; returns one line per violation (`/json/pointer: message`), none when valid. */
export function validate(log: unknown): string[] {
  if (check(log)) return [];
  return (check.errors ?? []).map((e: ErrorObject) => `${e.instancePath || "/"}: ${e.message}${e.params && "allowedValues" in e.params ? ` (${(e.params["allowedValues"] as unknown[]).join(", ")})` : ""}`);
}
