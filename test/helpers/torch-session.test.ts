/**
 * The long-lived Python the real-PyTorch tests share (torch-session.ts): replies stay in order of
 * request, a failing call reports its traceback and leaves the session usable, output cannot be
 * mistaken for a reply, and a hung call is killed and reported.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { requireTorch, skipWithoutTorch } from "./python.js";
import { TorchSession, useTorchSession } from "./torch-session.js";

const FIXTURE = fileURLToPath(new URL("./session_fixture.py", import.meta.url));
const session = useTorchSession();

describe.skipIf(skipWithoutTorch)("a torch session", () => {
  it("calls a script's function with JSON arguments and gives its JSON result", async () => {
    requireTorch();
    expect(await session.call(FIXTURE, "echo", [1, "é\u0000🙂", null, [true, { a: 0.1 }]])).toEqual([1, "é\u0000🙂", null, [true, { a: 0.1 }]]);
  });

  it("imports each script once per process and answers concurrent calls each with its own result", async () => {
    requireTorch();
    const results = await Promise.all([1, 2, 3].map((n) => session.call<number[]>(FIXTURE, "echo", [n])));
    expect(results).toEqual([[1], [2], [3]]);
    expect(await session.call(FIXTURE, "import_count")).toBe(1);
  });

  it("rejects with the Python traceback when the function raises, and stays usable", async () => {
    requireTorch();
    await expect(session.call(FIXTURE, "raises", ["no such layer"])).rejects.toThrow(/session_fixture\.py: raises\(\) raised:\n[^]*ValueError: no such layer/);
    await expect(session.call(FIXTURE, "exits")).rejects.toThrow(/SystemExit: 3/);
    await expect(session.call(FIXTURE, "missing")).rejects.toThrow(/AttributeError/);
    await expect(session.call(FIXTURE, "not_json")).rejects.toThrow(/not JSON-able/);
    await expect(session.call(FIXTURE, "nan")).rejects.toThrow(/not JSON-able/);
    expect(await session.call(FIXTURE, "echo", ["still here"])).toEqual(["still here"]);
  });

  it("keeps what the function prints, even a raw write to fd 1, out of the replies", async () => {
    requireTorch();
    const call = await session.callWithOutput(FIXTURE, "noisy", ["x"]);
    expect(call).toEqual({ result: "x", stdout: "print to stdout: x\n", stderr: "to stderr\n" });
    const exit = await session.close();
    expect(exit?.stdout).toBe("raw write to fd 1\n");
    expect(exit?.status).toBe(0);
    expect(await session.call(FIXTURE, "import_count")).toBe(1); // a fresh process after close
  });

  it("kills a call that outlives its timeout, reports it, and starts afresh on the next call", async () => {
    requireTorch();
    const own = new TorchSession();
    try {
      await expect(own.call(FIXTURE, "sleeps", [30], 500)).rejects.toThrow(/sleeps\(\): timed out after 500 ms; Python killed/);
      expect(await own.call(FIXTURE, "sleeps", [0])).toBe(0);
    } finally {
      await own.close();
    }
  });

  it("runs in the given directory with the given environment", async () => {
    requireTorch();
    const dir = mkdtempSync(join(tmpdir(), "caffe2torch-session-"));
    const own = new TorchSession({ cwd: dir, env: { CAFFE2TORCH_SESSION_TEST: "yes" } });
    try {
      expect(await own.call(FIXTURE, "cwd")).toBe(dir);
      expect(await own.call(FIXTURE, "env", ["CAFFE2TORCH_SESSION_TEST"])).toBe("yes");
    } finally {
      await own.close();
    }
  });
});
