/**
 * The part of the SARIF 2.1.0 JSON schema (OASIS, sarif-schema-2.1.0.json, draft-07) that covers
 * every object our SARIF formatter writes, transcribed by hand: the full schema cannot be
 * downloaded in this build, so this subset keeps its `required`, `enum`, `minimum`, `type`,
 * `anyOf` and `additionalProperties: false` constraints for those objects. Objects we never emit
 * are omitted: an output using one of them fails `additionalProperties`, which is the point.
 * A small validator for exactly these keywords follows.
 */
type Schema = {
  $ref?: string;
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  items?: Schema;
  anyOf?: Schema[];
  format?: "uri" | "uri-reference";
  uniqueItems?: boolean;
};

const propertyBag: Schema = { type: "object", additionalProperties: true, properties: { tags: { type: "array", items: { type: "string" }, uniqueItems: true } } };

const definitions: Record<string, Schema> = {
  propertyBag,
  multiformatMessageString: {
    type: "object",
    additionalProperties: false,
    properties: { text: { type: "string" }, markdown: { type: "string" }, properties: { $ref: "propertyBag" } },
    required: ["text"],
  },
  message: {
    type: "object",
    additionalProperties: false,
    properties: {
      text: { type: "string" },
      markdown: { type: "string" },
      id: { type: "string" },
      arguments: { type: "array", items: { type: "string" } },
      properties: { $ref: "propertyBag" },
    },
    anyOf: [{ required: ["text"] }, { required: ["id"] }],
  },
  reportingConfiguration: {
    type: "object",
    additionalProperties: false,
    properties: {
      enabled: { type: "boolean" },
      level: { enum: ["none", "note", "warning", "error"] },
      rank: { type: "number", minimum: -1, maximum: 100 },
      parameters: { $ref: "propertyBag" },
      properties: { $ref: "propertyBag" },
    },
  },
  reportingDescriptor: {
    type: "object",
    additionalProperties: false,
    properties: {
      id: { type: "string" },
      name: { type: "string" },
      shortDescription: { $ref: "multiformatMessageString" },
      fullDescription: { $ref: "multiformatMessageString" },
      defaultConfiguration: { $ref: "reportingConfiguration" },
      helpUri: { type: "string", format: "uri" },
      help: { $ref: "multiformatMessageString" },
      properties: { $ref: "propertyBag" },
    },
    required: ["id"],
  },
  toolComponent: {
    type: "object",
    additionalProperties: false,
    properties: {
      name: { type: "string" },
      version: { type: "string" },
      semanticVersion: { type: "string" },
      informationUri: { type: "string", format: "uri" },
      rules: { type: "array", items: { $ref: "reportingDescriptor" }, uniqueItems: true },
      properties: { $ref: "propertyBag" },
    },
    required: ["name"],
  },
  tool: {
    type: "object",
    additionalProperties: false,
    properties: { driver: { $ref: "toolComponent" }, properties: { $ref: "propertyBag" } },
    required: ["driver"],
  },
  artifactLocation: {
    type: "object",
    additionalProperties: false,
    properties: {
      uri: { type: "string", format: "uri-reference" },
      uriBaseId: { type: "string" },
      index: { type: "integer", minimum: -1 },
      description: { $ref: "message" },
      properties: { $ref: "propertyBag" },
    },
  },
  region: {
    type: "object",
    additionalProperties: false,
    properties: {
      startLine: { type: "integer", minimum: 1 },
      startColumn: { type: "integer", minimum: 1 },
      endLine: { type: "integer", minimum: 1 },
      endColumn: { type: "integer", minimum: 1 },
      charOffset: { type: "integer", minimum: -1 },
      charLength: { type: "integer", minimum: 0 },
      message: { $ref: "message" },
      properties: { $ref: "propertyBag" },
    },
  },
  physicalLocation: {
    type: "object",
    additionalProperties: false,
    properties: {
      artifactLocation: { $ref: "artifactLocation" },
      region: { $ref: "region" },
      contextRegion: { $ref: "region" },
      properties: { $ref: "propertyBag" },
    },
    anyOf: [{ required: ["address"] }, { required: ["artifactLocation"] }],
  },
  location: {
    type: "object",
    additionalProperties: false,
    properties: {
      id: { type: "integer", minimum: -1 },
      physicalLocation: { $ref: "physicalLocation" },
      message: { $ref: "message" },
      properties: { $ref: "propertyBag" },
    },
  },
  result: {
    type: "object",
    additionalProperties: false,
    properties: {
      ruleId: { type: "string" },
      ruleIndex: { type: "integer", minimum: -1 },
      kind: { enum: ["notApplicable", "pass", "fail", "review", "open", "informational"] },
      level: { enum: ["none", "note", "warning", "error"] },
      message: { $ref: "message" },
      locations: { type: "array", items: { $ref: "location" } },
      partialFingerprints: { type: "object", additionalProperties: { type: "string" } },
      properties: { $ref: "propertyBag" },
    },
    required: ["message"],
  },
  run: {
    type: "object",
    additionalProperties: false,
    properties: {
      tool: { $ref: "tool" },
      results: { type: "array", items: { $ref: "result" } },
      columnKind: { enum: ["utf16CodeUnits", "unicodeCodePoints"] },
      originalUriBaseIds: { type: "object", additionalProperties: { $ref: "artifactLocation" } },
      properties: { $ref: "propertyBag" },
    },
    required: ["tool"],
  },
};

/** The root: `sarifLog`. */
export const sarifSchema: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    $schema: { type: "string", format: "uri" },
    version: { enum: ["2.1.0"] },
    runs: { type: "array", items: { $ref: "run" } },
    properties: { $ref: "propertyBag" },
  },
  required: ["version", "runs"],
};

/** Validates `value` against `schema`; returns the JSON-pointer-ish paths of every violation. */
export function validate(value: unknown, schema: Schema = sarifSchema, path = "$"): string[] {
  if (schema.$ref) return validate(value, definitions[schema.$ref]!, path);
  const errors: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (schema.type && !hasType(value, schema.type)) return [...errors, `${path}: not ${schema.type}`];
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  if (typeof value === "string" && schema.format === "uri" && !/^[a-z][a-z0-9+.-]*:/i.test(value)) errors.push(`${path}: not an absolute URI`);
  if (typeof value === "string" && schema.format === "uri-reference" && /[\s\\]/.test(value)) errors.push(`${path}: not a URI reference`);
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => errors.push(...validate(item, schema.items!, `${path}[${i}]`)));
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) errors.push(`${path}: items not unique`);
  }
  if (isObject(value)) {
    for (const key of schema.required ?? []) if (!(key in value)) errors.push(`${path}: missing ${key}`);
    for (const [key, v] of Object.entries(value)) {
      const own = schema.properties?.[key];
      if (own) errors.push(...validate(v, own, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${key}`);
      else if (isObject(schema.additionalProperties)) errors.push(...validate(v, schema.additionalProperties, `${path}.${key}`));
    }
  }
  if (schema.anyOf && schema.anyOf.every((alt) => validate(value, alt, path).length > 0)) errors.push(`${path}: matches no anyOf alternative`);
  return errors;
}

function hasType(value: unknown, type: NonNullable<Schema["type"]>): boolean {
  switch (type) {
    case "object":
      return isObject(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    default:
      return typeof value === type;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
