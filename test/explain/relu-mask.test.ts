/** `explain` says where Caffe's training back-propagates through an overwritten ReLU mask. */
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.js";

const FIXTURE = "fixtures/lint/relu-in-place-before-bn.prototxt";

/** The lines of the block headed by `name`, up to the next block. */
function blockOf(text: string, name: string): string {
  const start = text.indexOf(`\n${name} + `);
  const end = text.indexOf("\n\n", start + 1);
  return text.slice(start, end === -1 ? undefined : end);
}

describe("explain on a net with an in-place ReLU before an in-place BatchNorm/Scale", () => {
  it.each(["train", "test"])("adds a Training line to the block that overwrites the ReLU's data (--phase %s), not to the others", (phase) => {
    const r = runCli(["explain", FIXTURE, "--phase", phase]);
    expect(r.status).toBe(0);
    expect(blockOf(r.stdout, "bn1")).toContain("Training: an in-place ReLU before this block works on the same blob");
    expect(blockOf(r.stdout, "bn1")).toContain("relu-mask-overwritten");
    expect(blockOf(r.stdout, "bn2")).not.toContain("Training:");
  });
});
