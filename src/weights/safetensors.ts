/**
 * Our writer (and a reader, for checks) of the safetensors format, after its public
 * specification (huggingface/safetensors README, "Format"):
 *
 *   8 bytes   N, the header size, unsigned little-endian 64-bit
 *   N bytes   a UTF-8 JSON object: per tensor `{"dtype", "shape", "data_offsets": [begin, end]}`
 *             (offsets relative to the byte buffer), plus an optional `"__metadata__"` map of
 *             strings to strings; it may be padded at the end with spaces (0x20)
 *   rest      the byte buffer: every tensor's values, little-endian, row-major, with no gaps
 *
 * As the reference implementation does, we pad the header so the buffer starts at a multiple of
 * 8 bytes and lay the tensors out by alignment (8-byte dtypes first), then by name, so every
 * tensor is aligned to its element size and the same state always gives the same bytes.
 */

/** The dtypes we write: float32 statistics and the int64 batch counter. */
export type SafetensorsDtype = "F32" | "I64";

/** One tensor: dtype, shape (`[]` for a scalar) and row-major values. */
export type SafetensorsTensor =
  | { dtype: "F32"; shape: readonly number[]; data: Float32Array }
  | { dtype: "I64"; shape: readonly number[]; data: BigInt64Array };

/** Tensors by name, in any order. */
export type TensorMap = ReadonlyMap<string, SafetensorsTensor>;

const ELEMENT_SIZE: Record<SafetensorsDtype, number> = { F32: 4, I64: 8 };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`invalid dimension ${d}`);
    n *= d;
  }
  return n;
}

/** Names in file order: larger elements first (keeps every tensor aligned), then by name. */
function layoutOrder(tensors: TensorMap): string[] {
  return [...tensors.keys()].sort((a, b) => {
    const size = ELEMENT_SIZE[tensors.get(b)!.dtype] - ELEMENT_SIZE[tensors.get(a)!.dtype];
    return size !== 0 ? size : a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * The bytes of a .safetensors file holding `tensors` and `metadata`, as chunks to write in order:
 * the header, then each tensor's bytes (views of its data on little-endian machines, so a 100 MB
 * state is written without a second copy in memory).
 *
 * @throws RangeError when a tensor's value count does not match its shape, or a name is
 *   `__metadata__` (both are bugs in the caller, not user input).
 */
export function safetensorsChunks(tensors: TensorMap, metadata: Readonly<Record<string, string>> = {}): Uint8Array[] {
  const order = layoutOrder(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header["__metadata__"] = { ...metadata };
  let offset = 0;
  for (const name of order) {
    if (name === "__metadata__") throw new RangeError('a tensor cannot be named "__metadata__"');
    const t = tensors.get(name)!;
    const count = elementCount(t.shape);
    if (count !== t.data.length) throw new RangeError(`tensor ${name}: shape [${t.shape.join(", ")}] holds ${count} values, got ${t.data.length}`);
    const size = count * ELEMENT_SIZE[t.dtype];
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerSize = Math.ceil(json.length / 8) * 8;
  const head = new Uint8Array(8 + headerSize);
  new DataView(head.buffer).setBigUint64(0, BigInt(headerSize), true);
  head.set(json, 8);
  head.fill(0x20, 8 + json.length, 8 + headerSize);
  const chunks: Uint8Array[] = [head];
  for (const name of order) {
    const t = tensors.get(name)!;
    if (LITTLE_ENDIAN) {
      chunks.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      continue;
    }
    const bytes = new Uint8Array(t.data.byteLength);
    const view = new DataView(bytes.buffer);
    if (t.dtype === "F32") t.data.forEach((v, i) => view.setFloat32(4 * i, v, true));
    else t.data.forEach((v, i) => view.setBigInt64(8 * i, v, true));
    chunks.push(bytes);
  }
  return chunks;
}

/** {@link safetensorsChunks} joined into one buffer. */
export function safetensorsBytes(tensors: TensorMap, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const chunks = safetensorsChunks(tensors, metadata);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A parsed .safetensors file (the dtypes we write). */
export interface ParsedSafetensors {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
  /** The header size N from the first 8 bytes. */
  headerSize: number;
}

/** Why a buffer is not a .safetensors file we can read. */
export class SafetensorsFormatError extends Error {}

/**
 * Reads a .safetensors file with F32/I64 tensors, checking what the reference loader checks:
 * the header fits, the offsets match each shape and dtype, and the tensors cover the buffer
 * without gaps or overlaps.
 */
export function parseSafetensors(bytes: Uint8Array): ParsedSafetensors {
  if (bytes.length < 8) throw new SafetensorsFormatError("shorter than 8 bytes");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) throw new SafetensorsFormatError(`header size ${n} exceeds the file`);
  const headerSize = Number(n);
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerSize));
  if (!text.startsWith("{")) throw new SafetensorsFormatError("the header does not start with {");
  const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const start = 8 + headerSize;
  const tensors = new Map<string, SafetensorsTensor>();
  const spans: [number, number][] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const size = ELEMENT_SIZE[info.dtype as SafetensorsDtype];
    if (size === undefined) throw new SafetensorsFormatError(`tensor ${name}: dtype ${info.dtype} is not read here`);
    const [begin, end] = info.data_offsets;
    const count = elementCount(info.shape);
    if (end - begin !== count * size || start + end > bytes.length) throw new SafetensorsFormatError(`tensor ${name}: invalid data_offsets`);
    spans.push([begin, end]);
    const raw = bytes.slice(start + begin, start + end);
    // Node Buffer.slice is a view into a shared pool: read through the view, not its whole buffer.
    const data = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (info.dtype === "F32") {
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = data.getFloat32(4 * i, true);
      tensors.set(name, { dtype: "F32", shape: info.shape, data: values });
    } else {
      const values = new BigInt64Array(count);
      for (let i = 0; i < count; i++) values[i] = data.getBigInt64(8 * i, true);
      tensors.set(name, { dtype: "I64", shape: info.shape, data: values });
    }
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  for (const [begin, end] of spans) {
    if (begin !== covered) throw new SafetensorsFormatError("the tensors leave a gap or overlap in the byte buffer");
    covered = end;
  }
  if (start + covered !== bytes.length) throw new SafetensorsFormatError("the tensors do not cover the byte buffer");
  const metadata = (header["__metadata__"] as unknown as Record<string, string> | undefined) ?? {};
  return { tensors, metadata, headerSize };
}
