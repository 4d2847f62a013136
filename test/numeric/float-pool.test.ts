import { describe, expect, it } from "vitest";
import { FloatPool, freshFloats, releaseFloats, retainFloats, runningPool } from "../../src/numeric/float-pool.js";

const N = 10_000; // above the size worth pooling

describe("FloatPool", () => {
  it("without a running pool, gives new zeroed arrays and ignores holders", () => {
    expect(runningPool()).toBeNull();
    const a = freshFloats(N);
    retainFloats(a);
    releaseFloats(a);
    expect(freshFloats(N)).not.toBe(a);
  });

  it("hands a buffer out again, zeroed, once its last holder lets it go", () => {
    const pool = new FloatPool();
    pool.run(() => {
      const a = freshFloats(N);
      a.fill(7);
      retainFloats(a);
      retainFloats(a);
      releaseFloats(a);
      expect(freshFloats(N)).not.toBe(a); // one holder left
      releaseFloats(a);
      const b = freshFloats(N);
      expect(b).toBe(a);
      expect(b.every((v) => v === 0)).toBe(true);
    });
    expect(pool.reused).toBe(1);
  });

  it("counts views of a buffer as holders of that buffer", () => {
    new FloatPool().run(() => {
      const a = freshFloats(N);
      const view = a.subarray(10, 20);
      retainFloats(a);
      retainFloats(view);
      releaseFloats(a);
      expect(freshFloats(N)).not.toBe(a);
      releaseFloats(view);
      expect(freshFloats(N)).toBe(a);
    });
  });

  it("never hands out a buffer nobody held, nor one it did not make", () => {
    const pool = new FloatPool();
    pool.run(() => {
      const temporary = freshFloats(N);
      releaseFloats(temporary); // never retained: left to the garbage collector
      const foreign = new Float32Array(N);
      retainFloats(foreign);
      releaseFloats(foreign);
      const next = freshFloats(N);
      expect(next).not.toBe(temporary);
      expect(next).not.toBe(foreign);
    });
    expect(pool.reused).toBe(0);
  });

  it("keeps small arrays out of the pool and restores the previous pool after run", () => {
    const outer = new FloatPool();
    outer.run(() => {
      new FloatPool().run(() => {
        const small = freshFloats(8);
        retainFloats(small);
        releaseFloats(small);
        expect(freshFloats(8)).not.toBe(small);
      });
      expect(runningPool()).not.toBeNull();
    });
    expect(runningPool()).toBeNull();
  });
});
