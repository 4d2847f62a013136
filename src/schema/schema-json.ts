/**
 * The compact field tables of a schema (load.ts's MessageInfo/EnumInfo) as JSON, so that a
 * process can start from them instead of parsing proto/caffe.proto with protobufjs: `npm run
 * build` writes them next to load.js (tools/build-schema.mjs), derived by protobufjs from the
 * .proto, together with the .proto text they come from, so that a stale file is never used
 * (comparing the texts costs microseconds; hashing 28 KB of text in JS cost a few ms).
 * Reading the tables takes about a millisecond; loading protobufjs and parsing caffe.proto
 * takes tens, which is a fifth of a cold `lint` or of `encode` of a small net.
 */
import type { EnumInfo, FieldInfo, MessageInfo } from "./load.js";

/** One field: [name, number, repeated, packed, kind, type (message or enum full name) or "", default]. */
type FieldJson = [string, number, boolean, boolean, FieldInfo["kind"], string, unknown];

/** The serialized tables. */
export interface SchemaJson {
  /** The .proto text the tables were derived from. */
  protoText: string;
  messages: [string, FieldJson[]][];
  enums: [string, [string, number][]][];
}

/** The tables of `messages` and `enums`, as JSON-safe data. */
export function schemaToJson(messages: Map<string, MessageInfo>, enums: Map<string, EnumInfo>, protoText: string): SchemaJson {
  return {
    protoText,
    messages: [...messages.values()].map((m) => [
      m.fullName,
      [...m.fields.values()].map((f): FieldJson => {
        if (typeof f.defaultValue === "number" && !Number.isFinite(f.defaultValue)) {
          // JSON has no inf/nan; no caffe.proto default is one. Refuse rather than write null.
          throw new Error(`schema-json: ${m.fullName}.${f.name} has default ${f.defaultValue}, which JSON cannot hold`);
        }
        return [f.name, f.id, f.repeated, f.packed, f.kind, f.message?.fullName ?? f.enumInfo?.fullName ?? "", f.defaultValue];
      }),
    ]),
    enums: [...enums.values()].map((e) => [e.fullName, [...e.values]]),
  };
}

/** The tables back from JSON (the inverse of schemaToJson). */
export function schemaFromJson(json: SchemaJson): { messages: Map<string, MessageInfo>; enums: Map<string, EnumInfo> } {
  const enums = new Map<string, EnumInfo>();
  for (const [fullName, values] of json.enums) {
    const byName = new Map(values);
    enums.set(fullName, { fullName, values: byName, names: new Map(values.map(([k, v]) => [v, k])) });
  }
  const messages = new Map<string, MessageInfo>();
  for (const [fullName] of json.messages) messages.set(fullName, { fullName, fields: new Map(), byId: new Map(), ordered: [] });
  for (const [fullName, fields] of json.messages) {
    const info = messages.get(fullName)!;
    for (const [name, id, repeated, packed, kind, type, defaultValue] of fields) {
      const field: FieldInfo = { name, id, repeated, packed, kind, defaultValue: defaultValue ?? undefined, parent: info };
      if (kind === "message") field.message = messages.get(type);
      else if (kind === "enum") field.enumInfo = enums.get(type);
      info.fields.set(name, field);
      info.byId.set(id, field);
    }
    info.ordered = [...info.fields.values()].sort((a, b) => a.id - b.id);
  }
  return { messages, enums };
}
