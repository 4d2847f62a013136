/** The progress bar: only on a terminal, only after a second, redrawn sparingly, erased at the end. */
import { describe, expect, it } from "vitest";
import { runVerify } from "../../src/cli/commands/verify.js";
import { createProgress, renderProgress } from "../../src/cli/progress.js";
import { CORPUS_DIR } from "../helpers/paths.js";
import { memoryIo } from "./support.js";

/** A clock that advances `step` ms per reading. */
function clock(step: number): () => number {
  let t = 0;
  return () => (t += step);
}

const ERASE = "\r\u001b[2K";

describe("the progress bar", () => {
  it("shows a layer name's control characters as symbols: the bar is drawn on a terminal", () => {
    expect(renderProgress("verify", 0, "bn\u001b[2J\u0007\u202e\u009b", 60)).toMatch(/ bn\u241b\[2J\u2407\ufffd\ufffd$/);
  });

  it("renders label, bar, percentage and the current item within the width", () => {
    expect(renderProgress("verify", 0.5, "bn2a_branch1", 60)).toBe(`verify [${"#".repeat(15)}${"-".repeat(15)}]  50% bn2a_branch1`);
    const long = renderProgress("verify", 1, "x".repeat(200), 80);
    expect(long.length).toBe(79);
    expect(long.endsWith("…")).toBe(true);
  });

  it("stays silent when stderr is not a terminal", () => {
    const { io, err } = memoryIo({}, false);
    const p = createProgress(io, { now: clock(5000) });
    p.update(1, 2, "bn1");
    p.finish();
    expect(err).toEqual([]);
  });

  it("appears only after the delay and is erased at the end", () => {
    const { io, err } = memoryIo({}, true);
    const p = createProgress(io, { now: clock(300), columns: 60 });
    p.update(1, 10, "bn1"); // 300 ms: too early
    p.update(2, 10, "bn2"); // 600 ms
    p.update(3, 10, "bn3"); // 900 ms
    expect(err).toEqual([]);
    p.update(4, 10, "bn4"); // 1200 ms: drawn
    p.finish();
    expect(err).toEqual([`${ERASE}${renderProgress("verify", 0.4, "bn4", 60)}`, ERASE]);
  });

  it("never draws nor erases a run shorter than the delay", () => {
    const { io, err } = memoryIo({}, true);
    const p = createProgress(io, { now: clock(1) });
    for (let i = 0; i < 100; i++) p.update(i, 100, "bn");
    p.finish();
    expect(err).toEqual([]);
  });

  it("a slow verify run on a terminal shows the bar on stderr and leaves stdout clean", () => {
    const { io, out, err } = memoryIo({}, true);
    expect(runVerify(`${CORPUS_DIR}/KaimingHe-drn__ResNet-50-deploy.prototxt`, { batch: "1" }, io, clock(400))).toBe(0);
    expect(err.some((s) => s.includes("verify [") && s.includes("%"))).toBe(true);
    expect(err.at(-1)).toBe(ERASE);
    expect(out.join("")).not.toContain("verify [");
  });
});
