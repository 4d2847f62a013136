import { loadCaffeSchema, type MessageInfo } from "../../schema/load.js";
import type { NetLayer } from "../net.js";

/**
 * A layer's parameter message read with Caffe's defaults, which come from the schema's
 * `[default = …]` (one source for every stage): a field not written reads as its declared
 * default, or protobuf's zero value (0, false, the first enum value) when it declares none.
 */
export interface Params {
  /** Whether the field was written. */
  has(name: string): boolean;
  /** A singular number: as written, else the default. */
  num(name: string): number;
  /** A singular number as written, or undefined. */
  numOr(name: string): number | undefined;
  /** Every value of a repeated number field. */
  list(name: string): number[];
  bool(name: string): boolean;
  /** An enum value name (a written number is mapped to its name). */
  enumName(name: string): string;
  str(name: string): string;
  /** A sub-message (empty when absent: all its fields read as defaults). */
  msg(name: string): Params;
  /** Each occurrence of a repeated message field. */
  msgs(name: string): Params[];
}

const UTF8 = new TextDecoder("utf-8");

/** The `field` (e.g. `convolution_param`) of `layer`, read with defaults. */
export function layerParams(layer: NetLayer, field: string): Params {
  const info = loadCaffeSchema().message("caffe.LayerParameter").fields.get(field);
  if (!info?.message) throw new Error(`caffe.LayerParameter has no message field ${field}`);
  const plain = (layer.param as Record<string, unknown>)[field];
  return paramsOf(plain, info.message);
}

/** A bound message `plain` of type `info`, read with defaults. */
export function paramsOf(plain: unknown, info: MessageInfo): Params {
  const obj = (plain && typeof plain === "object" ? plain : {}) as Record<string, unknown>;
  const field = (name: string) => {
    const f = info.fields.get(name);
    if (!f) throw new Error(`${info.fullName} has no field ${name}`);
    return f;
  };
  const value = (name: string): unknown => {
    const v = obj[name];
    return Array.isArray(v) ? v[v.length - 1] : v;
  };
  const enumOf = (name: string, v: unknown): string => {
    const f = field(name);
    if (typeof v === "string") return v;
    if (typeof v === "number") return f.enumInfo?.names.get(v) ?? String(v);
    if (typeof f.defaultValue === "string") return f.defaultValue;
    return f.enumInfo?.names.get(0) ?? [...(f.enumInfo?.values.keys() ?? [])][0] ?? "";
  };
  return {
    has: (name) => {
      field(name);
      const v = obj[name];
      return v !== undefined && !(Array.isArray(v) && v.length === 0);
    },
    num(name) {
      const v = value(name);
      if (typeof v === "number") return v;
      if (typeof v === "bigint") return Number(v);
      const d = field(name).defaultValue;
      return typeof d === "number" ? d : 0;
    },
    numOr(name) {
      field(name);
      const v = value(name);
      return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined;
    },
    list(name) {
      field(name);
      const v = obj[name];
      if (v === undefined) return [];
      const all = Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v as ArrayLike<unknown>) : [v];
      return all.map((x) => (typeof x === "bigint" ? Number(x) : (x as number)));
    },
    bool(name) {
      const v = value(name);
      if (typeof v === "boolean") return v;
      return field(name).defaultValue === true;
    },
    enumName: (name) => enumOf(name, value(name)),
    str(name) {
      const v = value(name);
      if (typeof v === "string") return v;
      if (v instanceof Uint8Array) return UTF8.decode(v);
      const d = field(name).defaultValue;
      return typeof d === "string" ? d : "";
    },
    msg(name) {
      const f = field(name);
      return paramsOf(value(name), f.message!);
    },
    msgs(name) {
      const f = field(name);
      const v = obj[name];
      const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
      return all.map((m) => paramsOf(m, f.message!));
    },
  };
}
