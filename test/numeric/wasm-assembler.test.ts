import { describe, expect, it } from "vitest";
import { assembleModule, op } from "../../src/numeric/wasm-assembler.js";

interface Exports {
  memory: { buffer: ArrayBuffer };
  [name: string]: unknown;
}

function instantiate(bytes: Uint8Array): Exports {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Exports;
}

describe("op", () => {
  it("encodes i32 constants as signed LEB128", () => {
    expect(op.i32Const(2)).toEqual([0x41, 0x02]);
    expect(op.i32Const(-4)).toEqual([0x41, 0x7c]);
    expect(op.i32Const(64)).toEqual([0x41, 0xc0, 0x00]);
    expect(op.i32Const(-129)).toEqual([0x41, 0xff, 0x7e]);
  });

  it("writes SIMD opcodes above 127 in two LEB128 bytes after the 0xFD prefix", () => {
    expect(op.f32x4Add()).toEqual([0xfd, 0xe4, 0x01]);
    expect(op.f32x4Splat()).toEqual([0xfd, 0x13]);
  });
});

describe("assembleModule", () => {
  it("builds a module that validates, exports its memory and runs scalar and SIMD code", () => {
    const bytes = assembleModule(
      [
        {
          name: "axpy", // f32 a·x + y, then stored at address 0 and returned
          params: ["f32", "f32", "f32"],
          results: ["f32"],
          locals: ["f32"],
          body: [
            ...op.i32Const(0), ...op.get(0), ...op.get(1), ...op.f32Mul(), ...op.get(2), ...op.f32Add(), ...op.tee(3), ...op.f32Store(0),
            ...op.get(3),
          ],
        },
        {
          name: "lanes", // (v[0..4) − s) / s + v[4..8) at address 16 (128 < 16 + 16·8: offsets in LEB128)
          params: ["f32"],
          results: [],
          locals: ["v128"],
          body: [
            ...op.get(0), ...op.f32x4Splat(), ...op.set(1),
            ...op.i32Const(16), ...op.i32Const(0), ...op.v128Load(16), ...op.get(1), ...op.f32x4Sub(), ...op.get(1), ...op.f32x4Div(),
            ...op.i32Const(0), ...op.v128Load(144), ...op.f32x4Add(), ...op.v128Store(0),
          ],
        },
      ],
      1,
    );
    expect(WebAssembly.validate(bytes)).toBe(true);
    const ex = instantiate(bytes);
    expect((ex.axpy as (a: number, x: number, y: number) => number)(2, 3, 0.5)).toBe(6.5);
    const memory = new Float32Array(ex.memory.buffer);
    expect(memory[0]).toBe(6.5);
    expect(memory.length).toBe(65536 / 4);
    memory.set([3, 5, 7, 9], 4);
    memory.set([1, 1, 1, 1], 36);
    (ex.lanes as (s: number) => void)(2);
    expect(Array.from(memory.subarray(4, 8))).toEqual([1.5, 2.5, 3.5, 4.5]);
  });
});
