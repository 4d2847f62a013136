import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { processIo } from "../../src/cli/io.js";
import type { SplitRead } from "../../src/cli/io-types.js";

const dir = mkdtempSync(join(tmpdir(), "c2t-split-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "blob.bin");
writeFileSync(file, Uint8Array.from({ length: 300_001 }, (_, i) => (i * 7919) % 251));
const whole = readFileSync(file);

/** A helper that takes the tail from `from` and copies `share` of it (the rest left as zeros). */
function helper(from: number, share: number, says: boolean): { split: SplitRead; asked: { path: string; size: number }[] } {
  const asked: { path: string; size: number }[] = [];
  const split: SplitRead = (buffer, path, size) => {
    asked.push({ path, size });
    const bytes = new Uint8Array(buffer);
    bytes.set(whole.subarray(from, from + Math.floor((size - from) * share)), from);
    return { from, wait: () => says };
  };
  return { split, asked };
}

describe("readBytes on shared memory, split with another thread", () => {
  it("puts the bytes on a SharedArrayBuffer when asked", () => {
    const bytes = processIo().readBytes(file, { shared: true });
    expect(bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(bytes).equals(whole)).toBe(true);
  });

  it("reads the head itself and takes the tail from the helper", () => {
    const h = helper(200_000, 1, true);
    const bytes = processIo().readBytes(file, { shared: true, split: h.split });
    expect(h.asked).toEqual([{ path: file, size: whole.length }]);
    expect(Buffer.from(bytes).equals(whole)).toBe(true);
  });

  it("reads the tail itself when the helper says it could not", () => {
    const h = helper(100_000, 0.5, false);
    expect(Buffer.from(processIo().readBytes(file, { shared: true, split: h.split })).equals(whole)).toBe(true);
  });

  it("reads everything itself when the helper declines", () => {
    const bytes = processIo().readBytes(file, { shared: true, split: () => null });
    expect(Buffer.from(bytes).equals(whole)).toBe(true);
  });
});
