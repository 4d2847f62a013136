/**
 * Writes a caffemodel of layers with float blobs straight into one buffer, each blob's values drawn
 * in place: the bytes encodeMessage writes for `{ name, layer: [{ name, type, blobs: [{ data, shape:
 * { dim } }] }] }` (fields in number order, packed floats and dims), without first holding every
 * blob in an array of its own. For ResNet-50's seeded weights that is 100 MB of fresh memory and a
 * copy saved, on VMs where fresh memory is what costs (BENCHMARKS.md, "Whole-net verification").
 */

import { numel as count } from "../../numeric/tensor.js";
import { varint32Size } from "../../schema/wire.js";

/** One layer to write: its name, type and blob shapes; `fill` draws its blobs into the arrays given. */
export interface LayerToWrite {
  name: string;
  type: string;
  shapes: readonly (readonly number[])[];
  /**
   * Writes each blob's values: `alloc(i, n)` returns the array to fill for blob i (n values); the
   * returned arrays are what gets written (another array than the one given is copied in).
   */
  fill(alloc: (blob: number, n: number) => Float32Array): Float32Array[];
}

const utf8 = new TextEncoder();

/** A length-delimited field's size: tag (one byte for fields below 16), length, body. */
const delimited = (tagBytes: number, body: number): number => tagBytes + varint32Size(body) + body;

/** Sizes of one blob: its BlobShape body, and the whole BlobProto body. */
function blobSizes(shape: readonly number[]): { shapeBody: number; dims: number; body: number } {
  // Dims are int64 varints: none of ours is negative.
  const dims = shape.reduce((a, d) => a + varint32Size(d), 0);
  const shapeBody = dims > 0 ? delimited(1, dims) : 0;
  const n = count(shape);
  return { shapeBody, dims, body: (n > 0 ? delimited(1, 4 * n) : 0) + delimited(1, shapeBody) };
}

/**
 * The caffemodel bytes of `layers` under `netName`, on a SharedArrayBuffer with `shared` (a worker
 * thread then reads them uncopied).
 */
export function writeCaffemodel(netName: string, layers: readonly LayerToWrite[], shared = false): Uint8Array {
  const name = utf8.encode(netName);
  const plans = layers.map((layer) => {
    const nameBytes = utf8.encode(layer.name);
    const typeBytes = utf8.encode(layer.type);
    const blobs = layer.shapes.map(blobSizes);
    const body = delimited(1, nameBytes.length) + delimited(1, typeBytes.length) + blobs.reduce((a, b) => a + delimited(1, b.body), 0);
    return { layer, nameBytes, typeBytes, blobs, body };
  });
  // `layer` is field 100: its tag takes two bytes.
  const total = delimited(1, name.length) + plans.reduce((a, p) => a + delimited(2, p.body), 0);
  const out = shared ? new Uint8Array(new SharedArrayBuffer(total)) : new Uint8Array(total);
  let at = 0;
  const writeVarint = (v: number): void => {
    for (; v >= 128; v = Math.floor(v / 128)) out[at++] = (v % 128) | 0x80;
    out[at++] = v;
  };
  const field = (tag: number[], length: number): void => {
    for (const b of tag) out[at++] = b;
    writeVarint(length);
  };
  const bytes = (tag: number, b: Uint8Array): void => {
    field([tag], b.length);
    out.set(b, at);
    at += b.length;
  };
  bytes(0x0a, name); // NetParameter.name = 1
  // A blob whose payload does not start on a 4-byte boundary is drawn into this array, then copied.
  let scratch = new Float32Array(0);
  for (const p of plans) {
    field([0xa2, 0x06], p.body); // NetParameter.layer = 100
    bytes(0x0a, p.nameBytes); // LayerParameter.name = 1
    bytes(0x12, p.typeBytes); // LayerParameter.type = 2
    const payloads: number[] = [];
    for (const [i, b] of p.blobs.entries()) {
      field([0x3a], b.body); // LayerParameter.blobs = 7
      const n = count(p.layer.shapes[i]!);
      if (n > 0) field([0x2a], 4 * n); // BlobProto.data = 5, packed
      payloads.push(at);
      at += 4 * n;
      field([0x3a], b.shapeBody); // BlobProto.shape = 7
      if (b.dims > 0) {
        field([0x0a], b.dims); // BlobShape.dim = 1, packed
        for (const d of p.layer.shapes[i]!) writeVarint(d);
      }
    }
    // The scratch holds one blob at a time: it is copied into place before it is handed out again.
    const given: Float32Array[] = [];
    let pending = -1;
    const place = (blob: number, v: Float32Array): void => out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), payloads[blob]!);
    const flush = (): void => {
      if (pending >= 0) place(pending, given[pending]!);
      pending = -1;
    };
    const values = p.layer.fill((blob, n) => {
      flush();
      const offset = out.byteOffset + payloads[blob]!;
      if (offset % 4 === 0) return (given[blob] = new Float32Array(out.buffer, offset, n));
      if (scratch.length < n) scratch = new Float32Array(n);
      pending = blob;
      return (given[blob] = scratch.subarray(0, n));
    });
    flush();
    // Arrays the layer made itself (a BatchNorm's scaled sums) are copied in; the ones given are in place.
    values.forEach((v, blob) => {
      if (v !== given[blob]) place(blob, v);
    });
  }
  if (at !== total) throw new Error(`writeCaffemodel: wrote ${at} bytes, measured ${total}`);
  return out;
}
