/**
 * A reader of NumPy's .npy format (numpy/lib/format.py, "Format Version 1.0" to 3.0): the magic
 * `\x93NUMPY`, a version, a little-endian header length (2 bytes in 1.0, 4 in 2.0 and 3.0), a Python
 * dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, then the raw values.
 * Values of any numeric dtype are read as float32 (what both sides of `verify --net` compute in).
 */

/** Why bytes are not a .npy file this reader takes; the message says what was found. */
export class NpyFormatError extends Error {}

/** A decoded array: C-order float32 values. */
export interface NpyArray {
  shape: number[];
  data: Float32Array;
  /** The dtype as the file gives it (e.g. "<f4"). */
  descr: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Element size and reader of each dtype kind/size (numpy's array-protocol type strings). */
const READERS: Record<string, { size: number; read: (v: DataView, at: number, little: boolean) => number }> = {
  f4: { size: 4, read: (v, at, le) => v.getFloat32(at, le) },
  f8: { size: 8, read: (v, at, le) => v.getFloat64(at, le) },
  f2: { size: 2, read: (v, at, le) => halfToNumber(v.getUint16(at, le)) },
  i1: { size: 1, read: (v, at) => v.getInt8(at) },
  u1: { size: 1, read: (v, at) => v.getUint8(at) },
  b1: { size: 1, read: (v, at) => (v.getUint8(at) === 0 ? 0 : 1) },
  i2: { size: 2, read: (v, at, le) => v.getInt16(at, le) },
  u2: { size: 2, read: (v, at, le) => v.getUint16(at, le) },
  i4: { size: 4, read: (v, at, le) => v.getInt32(at, le) },
  u4: { size: 4, read: (v, at, le) => v.getUint32(at, le) },
  i8: { size: 8, read: (v, at, le) => Number(v.getBigInt64(at, le)) },
  u8: { size: 8, read: (v, at, le) => Number(v.getBigUint64(at, le)) },
};

/** IEEE half precision to a number. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The value of `key` in the header dict (a quoted string, True/False, or a tuple), as source text. */
function headerField(header: string, key: string): string | null {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\))`).exec(header);
  return m ? m[1]! : null;
}

/** Parses a .npy file's bytes. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new NpyFormatError("not a .npy file (it does not start with \\x93NUMPY)");
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new NpyFormatError(`.npy format version ${major}.${bytes[7]!} is not known (1.0 to 3.0 are)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthBytes + headerLength;
  if (start > bytes.length) throw new NpyFormatError(`the header (${headerLength} bytes) runs past the end of the file`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(8 + lengthBytes, start));
  const descrText = headerField(header, "descr");
  const fortranText = headerField(header, "fortran_order");
  const shapeText = headerField(header, "shape");
  if (descrText === null || fortranText === null || shapeText === null) throw new NpyFormatError(`the header does not give descr, fortran_order and shape: ${header.trim()}`);
  const descr = descrText.slice(1, -1);
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  const reader = m ? READERS[`${m[2]!}${m[3]!}`] : undefined;
  if (!m || !reader) throw new NpyFormatError(`dtype ${descr} is not a number type this reader takes (float16/32/64, int8-64, uint8-64, bool)`);
  const little = m[1] !== ">";
  const dims = shapeText.slice(1, -1).split(",").map((s) => s.trim()).filter((s) => s !== "");
  const shape = dims.map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new NpyFormatError(`shape ${shapeText} is not a tuple of sizes`);
  const count = shape.reduce((a, d) => a * d, 1);
  const needed = count * reader.size;
  if (bytes.length - start !== needed) throw new NpyFormatError(`shape ${shapeText} of ${descr} needs ${needed} bytes of data, the file holds ${bytes.length - start}`);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = reader.read(view, start + i * reader.size, little);
  const data = fortranText === "True" ? fortranToC(values, shape) : values;
  return { shape, data, descr };
}

/** Column-major (Fortran order) values rearranged to row-major. */
function fortranToC(values: Float32Array, shape: readonly number[]): Float32Array {
  const out = new Float32Array(values.length);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let c = 0; c < values.length; c++) {
    let f = 0;
    let stride = 1;
    for (let a = 0; a < rank; a++) {
      f += index[a]! * stride;
      stride *= shape[a]!;
    }
    out[c] = values[f]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++index[a]! < shape[a]!) break;
      index[a] = 0;
    }
  }
  return out;
}
