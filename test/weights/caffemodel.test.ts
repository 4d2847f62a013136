import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeBlobs, readCaffemodel } from "../../src/weights/caffemodel.js";
import { GOLDEN_DIR } from "../helpers/paths.js";

const SQUEEZENET = join(GOLDEN_DIR, "nets", "squeezenet_v1_1", "weights.caffemodel");

/** The bytes of a float array (vitest's deep equality is slow on arrays of millions of values). */
const raw = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Every blob of every layer, decoded. */
function allBlobs(model: ReturnType<typeof readCaffemodel>) {
  return model.layers.flatMap((layer) => decodeBlobs(model, layer).blobs);
}

describe("readCaffemodel with ownBytes (verify --net hands the file over)", () => {
  it("gives the values a copy would, as views into the file's bytes", () => {
    const copied = allBlobs(readCaffemodel(readFileSync(SQUEEZENET)));
    const bytes = readFileSync(SQUEEZENET);
    const owned = allBlobs(readCaffemodel(bytes, { ownBytes: true }));
    expect(owned.map((b) => b.shape)).toEqual(copied.map((b) => b.shape));
    expect(owned.every((b, i) => raw(b.data).equals(raw(copied[i]!.data)))).toBe(true);
    // Each payload of more than 31 floats has a length of 2+ bytes: room to move back to alignment.
    const large = owned.filter((b) => b.data.length >= 32);
    expect(large.length).toBeGreaterThan(10);
    expect(large.every((b) => b.data.buffer === bytes.buffer)).toBe(true);
    // The plain read copies those that are not aligned where they lie.
    expect(copied.some((b) => b.data.buffer !== readFileSync(SQUEEZENET).buffer && b.data.length >= 32)).toBe(true);
  });

  it("decodes each blob once: a second request gets the same arrays (the bytes were moved under the first)", () => {
    const model = readCaffemodel(readFileSync(SQUEEZENET), { ownBytes: true });
    const layer = model.layers.find((l) => l.blobs.length > 0)!;
    const first = decodeBlobs(model, layer).blobs;
    const again = decodeBlobs(model, layer).blobs;
    again.forEach((b, i) => expect(b.data).toBe(first[i]!.data));
  });

  it("leaves the bytes alone without ownBytes", () => {
    const bytes = readFileSync(SQUEEZENET);
    const before = Buffer.from(bytes);
    allBlobs(readCaffemodel(bytes));
    expect(Buffer.compare(bytes, before)).toBe(0);
  });
});
