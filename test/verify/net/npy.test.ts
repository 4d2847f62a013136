import { describe, expect, it } from "vitest";
import { NpyFormatError, parseNpy } from "../../../src/verify/net/npy.js";

/** A .npy file as numpy.save writes it (version 1.0, header padded to 64 bytes with a newline). */
function npy(descr: string, shape: number[], body: Uint8Array, fortran = false, version = 1): Uint8Array {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': ${dims}, }`;
  const fixed = version === 1 ? 10 : 12;
  header = header.padEnd(Math.ceil((fixed + header.length + 1) / 64) * 64 - fixed - 1) + "\n";
  const out = new Uint8Array(fixed + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), fixed);
  out.set(body, fixed + header.length);
  return out;
}

const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe("parseNpy", () => {
  it("reads a little-endian float32 array in C order", () => {
    const a = parseNpy(npy("<f4", [2, 3], bytes(Float32Array.of(1, 2, 3, 4, 5, 6.5))));
    expect(a.shape).toEqual([2, 3]);
    expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6.5]);
    expect(a.descr).toBe("<f4");
  });

  it("reads float64 and int64 as float32, and a 1-D shape written (n,)", () => {
    expect([...parseNpy(npy("<f8", [2], bytes(Float64Array.of(0.1, -2)))).data]).toEqual([Math.fround(0.1), -2]);
    expect([...parseNpy(npy("<i8", [3], bytes(BigInt64Array.of(1n, -2n, 7n)))).data]).toEqual([1, -2, 7]);
  });

  it("reads a big-endian array and the 2.0 header", () => {
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.5, false);
    new DataView(be.buffer).setFloat32(4, -3, false);
    expect([...parseNpy(npy(">f4", [2], be, false, 2)).data]).toEqual([1.5, -3]);
  });

  it("rearranges a Fortran-order array to C order", () => {
    // [[1, 2, 3], [4, 5, 6]] stored column by column.
    const a = parseNpy(npy("<f4", [2, 3], bytes(Float32Array.of(1, 4, 2, 5, 3, 6)), true));
    expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("reads a 0-D array (shape ()) as one value", () => {
    const a = parseNpy(npy("<f4", [], bytes(Float32Array.of(7))));
    expect(a.shape).toEqual([]);
    expect([...a.data]).toEqual([7]);
  });

  it.each([
    ["not .npy", new TextEncoder().encode("hello world, not numpy"), /does not start with \\x93NUMPY/],
    ["a string dtype", npy("<U3", [1], new Uint8Array(12)), /dtype <U3 is not a number type/],
    ["too few bytes", npy("<f4", [4], new Uint8Array(8)), /needs 16 bytes of data, the file holds 8/],
    ["an unknown version", (() => { const b = npy("<f4", [1], new Uint8Array(4)); b[6] = 9; return b; })(), /version 9\.0 is not known/],
  ])("refuses %s with a message saying what it found", (_what, data, message) => {
    expect(() => parseNpy(data)).toThrow(NpyFormatError);
    expect(() => parseNpy(data)).toThrow(message);
  });
});
