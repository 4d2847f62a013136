import { describe, expect, it } from "vitest";
import { parseSafetensors, safetensorsBytes, SafetensorsFormatError, type SafetensorsTensor } from "../../src/weights/safetensors.js";

const state = new Map<string, SafetensorsTensor>([
  ["b.running_mean", { dtype: "F32", shape: [3], data: Float32Array.of(1.5, -2, 0.25) }],
  ["a.num_batches_tracked", { dtype: "I64", shape: [], data: BigInt64Array.of(40n) }],
  ["a.caffe_scale_factor", { dtype: "F32", shape: [1], data: Float32Array.of(39.229793548583984) }],
]);

function headerOf(bytes: Uint8Array): { size: number; text: string } {
  const size = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { size, text: new TextDecoder().decode(bytes.subarray(8, 8 + size)) };
}

describe("safetensorsBytes", () => {
  const bytes = safetensorsBytes(state, { format: "pt", source: "deploy.prototxt" });

  it("starts with the header size as a little-endian u64 and pads the JSON header with spaces to 8 bytes", () => {
    const { size, text } = headerOf(bytes);
    expect(size % 8).toBe(0);
    expect(text.startsWith("{")).toBe(true);
    expect(text.trimEnd().endsWith("}")).toBe(true);
    expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
  });

  it("writes dtype, shape and data_offsets per tensor and the metadata as strings", () => {
    const header = JSON.parse(headerOf(bytes).text) as Record<string, unknown>;
    expect(header["__metadata__"]).toEqual({ format: "pt", source: "deploy.prototxt" });
    expect(header["a.num_batches_tracked"]).toEqual({ dtype: "I64", shape: [], data_offsets: [0, 8] });
    expect(header["a.caffe_scale_factor"]).toEqual({ dtype: "F32", shape: [1], data_offsets: [8, 12] });
    expect(header["b.running_mean"]).toEqual({ dtype: "F32", shape: [3], data_offsets: [12, 24] });
  });

  it("lays out 8-byte tensors first, then by name, so every tensor is aligned to its element size", () => {
    const { size } = headerOf(bytes);
    expect(bytes.length).toBe(8 + size + 24);
    const view = new DataView(bytes.buffer, bytes.byteOffset + 8 + size);
    expect(view.getBigInt64(0, true)).toBe(40n);
    expect(view.getFloat32(8, true)).toBe(Math.fround(39.229793548583984));
    expect(view.getFloat32(20, true)).toBe(0.25);
  });

  it("round-trips through the reader, values bit for bit", () => {
    const parsed = parseSafetensors(bytes);
    expect([...parsed.tensors.keys()].sort()).toEqual([...state.keys()].sort());
    for (const [name, tensor] of state) {
      expect(parsed.tensors.get(name)).toEqual({ dtype: tensor.dtype, shape: [...tensor.shape], data: tensor.data });
    }
    expect(parsed.metadata).toEqual({ format: "pt", source: "deploy.prototxt" });
  });

  it("is the same bytes whatever order the map lists the tensors in", () => {
    const reversed = new Map([...state].reverse());
    expect(safetensorsBytes(reversed, { format: "pt", source: "deploy.prototxt" })).toEqual(bytes);
  });

  it("writes an empty state as a header of {} and no data", () => {
    const empty = safetensorsBytes(new Map());
    expect(headerOf(empty).text.trimEnd()).toBe("{}");
    expect(parseSafetensors(empty).tensors.size).toBe(0);
  });

  it("refuses a tensor whose values do not fill its shape", () => {
    const bad = new Map<string, SafetensorsTensor>([["x", { dtype: "F32", shape: [2, 2], data: new Float32Array(3) }]]);
    expect(() => safetensorsBytes(bad)).toThrow(RangeError);
  });
});

describe("parseSafetensors", () => {
  it("reads a view into a larger buffer (a Node Buffer from readFileSync lives in a shared pool)", () => {
    const bytes = safetensorsBytes(state);
    const pooled = Buffer.concat([Buffer.alloc(13, 0xff), Buffer.from(bytes)]).subarray(13);
    const parsed = parseSafetensors(pooled);
    for (const [name, t] of state) expect(parsed.tensors.get(name)!.data).toEqual(t.data);
  });

  it("refuses a truncated file and a header larger than the file", () => {
    expect(() => parseSafetensors(new Uint8Array(4))).toThrow(SafetensorsFormatError);
    const bytes = safetensorsBytes(state);
    expect(() => parseSafetensors(bytes.subarray(0, 20))).toThrow(SafetensorsFormatError);
  });

  it("refuses data that the tensors do not cover exactly", () => {
    const bytes = safetensorsBytes(state);
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expect(() => parseSafetensors(longer)).toThrow(/cover/);
  });
});
