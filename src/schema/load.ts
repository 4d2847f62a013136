import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as Protobuf from "protobufjs";
import { schemaFromJson, type SchemaJson } from "./schema-json.js";

/** Protobuf scalar types as declared in a .proto file. */
export type ScalarType =
  | "double" | "float"
  | "int32" | "int64" | "uint32" | "uint64" | "sint32" | "sint64"
  | "fixed32" | "fixed64" | "sfixed32" | "sfixed64"
  | "bool" | "string" | "bytes";

/** What the binder, encoder and decoder need to know of one field; built once from reflection. */
export interface FieldInfo {
  name: string;
  id: number;
  repeated: boolean;
  packed: boolean;
  /** A scalar type, or "enum"/"message". */
  kind: ScalarType | "enum" | "message";
  /** For kind "message". */
  message?: MessageInfo;
  /** For kind "enum". */
  enumInfo?: EnumInfo;
  /** The declared `[default = …]`, as protobufjs reads it (enum defaults as names). */
  defaultValue: unknown;
  /** The message that declares the field (for messages such as `Message type "caffe.X"`). */
  parent: MessageInfo;
}

/** One message type. */
export interface MessageInfo {
  /** Fully qualified without a leading dot, e.g. `caffe.LayerParameter` (as protoc prints it). */
  fullName: string;
  fields: Map<string, FieldInfo>;
  byId: Map<number, FieldInfo>;
  /** Fields sorted by number: the order protoc serializes and prints them in. */
  ordered: FieldInfo[];
}

/** One enum type. */
export interface EnumInfo {
  fullName: string;
  values: Map<string, number>;
  names: Map<number, string>;
}

/** The loaded schema: every message and enum of caffe.proto, by full name. */
export interface Schema {
  messages: Map<string, MessageInfo>;
  enums: Map<string, EnumInfo>;
  /** The protobufjs root, for callers that want plain reflection (loaded on first use). */
  readonly root: Protobuf.Root;
  /** Shorthand for a message by full name; throws for a name the schema lacks (a bug, not input). */
  message(fullName: string): MessageInfo;
}

/** Where our declaration of Caffe's schema lives, relative to this module (src/ or dist/). */
export const CAFFE_PROTO_PATH = new URL("../../proto/caffe.proto", import.meta.url);

/**
 * The tables of caffe.proto as `npm run build` writes them beside this module (schema-json.ts);
 * absent when running from src/ (tests), where the .proto is parsed instead.
 */
const CAFFE_SCHEMA_JSON_PATH = new URL("./caffe-schema.json", import.meta.url);

/** protobufjs is CommonJS: required when first needed, so that a run using the built tables never loads it. */
const require = createRequire(import.meta.url);
function protobufjs(): typeof Protobuf {
  return require("protobufjs") as typeof Protobuf;
}

let cached: Schema | undefined;

/**
 * Loads our declaration of Caffe's schema once per process: from the tables the build derived
 * from proto/caffe.proto with protobufjs when they match the .proto's text, else by parsing
 * the .proto with protobufjs (reflection either way; no generated code).
 */
export function loadCaffeSchema(): Schema {
  if (cached) return cached;
  const text = readFileSync(CAFFE_PROTO_PATH, "utf8");
  const parse = (): Protobuf.Root => protobufjs().parse(text, { keepCase: true }).root;
  const json = builtTables(text);
  cached = json ? withRoot(schemaFromJson(json), parse) : buildSchema(parse());
  return cached;
}

/** The built tables, if present and made from the current .proto text. */
function builtTables(protoText: string): SchemaJson | undefined {
  let json: SchemaJson;
  try {
    json = JSON.parse(readFileSync(CAFFE_SCHEMA_JSON_PATH, "utf8")) as SchemaJson;
  } catch {
    return undefined;
  }
  return json.protoText === protoText ? json : undefined;
}

/** A Schema over ready tables whose protobufjs root is made by `parse` on first use. */
function withRoot(tables: Pick<Schema, "messages" | "enums">, parse: () => Protobuf.Root): Schema {
  let root: Protobuf.Root | undefined;
  return {
    ...tables,
    get root(): Protobuf.Root {
      if (!root) {
        root = parse();
        root.resolveAll();
      }
      return root;
    },
    message: messageLookup(tables.messages),
  };
}

function messageLookup(messages: Map<string, MessageInfo>): (fullName: string) => MessageInfo {
  return (name: string): MessageInfo => {
    const m = messages.get(name);
    if (!m) throw new Error(`schema has no message ${name}`);
    return m;
  };
}

/** Builds the compact field tables from a protobufjs root. */
export function buildSchema(root: Protobuf.Root): Schema {
  const protobuf = protobufjs();
  root.resolveAll();
  const messages = new Map<string, MessageInfo>();
  const enums = new Map<string, EnumInfo>();
  const types: Protobuf.Type[] = [];
  const visit = (ns: Protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) {
        types.push(nested);
        messages.set(fullName(nested), { fullName: fullName(nested), fields: new Map(), byId: new Map(), ordered: [] });
      } else if (nested instanceof protobuf.Enum) {
        const values = new Map(Object.entries(nested.values));
        enums.set(fullName(nested), { fullName: fullName(nested), values, names: new Map([...values].map(([k, v]) => [v, k])) });
      }
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) visit(nested);
    }
  };
  visit(root);
  for (const type of types) {
    const info = messages.get(fullName(type))!;
    for (const f of type.fieldsArray) {
      const resolved = f.resolvedType;
      const field: FieldInfo = {
        name: f.name,
        id: f.id,
        repeated: f.repeated,
        packed: f.repeated && f.options?.packed === true,
        kind: resolved instanceof protobuf.Type ? "message" : resolved instanceof protobuf.Enum ? "enum" : (f.type as ScalarType),
        defaultValue: f.options?.default,
        parent: info,
      };
      if (resolved instanceof protobuf.Type) field.message = messages.get(fullName(resolved));
      if (resolved instanceof protobuf.Enum) field.enumInfo = enums.get(fullName(resolved));
      info.fields.set(field.name, field);
      info.byId.set(field.id, field);
    }
    info.ordered = [...info.fields.values()].sort((a, b) => a.id - b.id);
  }
  return { messages, enums, root, message: messageLookup(messages) };
}

function fullName(r: Protobuf.ReflectionObject): string {
  return r.fullName.replace(/^\./, "");
}
