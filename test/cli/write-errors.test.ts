/**
 * Why a write failed, in words: the errno codes a test cannot provoke as root (a read-only file
 * system, a full disk, permissions) are described as the user would say them, never as the code.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkWritable, describeWriteError } from "../../src/cli/write-errors.js";
import { CliError } from "../../src/cli/io-types.js";

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: failed`), { code });

describe("describeWriteError", () => {
  it.each([
    ["EROFS", "read-only file system"],
    ["ENOSPC", "no space left on the device"],
    ["EDQUOT", "disk quota exceeded"],
    ["EISDIR", "is a directory"],
    ["ENAMETOOLONG", "the file name is too long"],
    ["EIO", "input/output error (the device or file system failed)"],
  ])("%s: %s", (code, words) => {
    expect(describeWriteError("/tmp/out.json", errno(code), true)).toBe(words);
  });

  it("permission denied names the folder a temporary file could not be made in; a device's own refusal is plain", () => {
    expect(describeWriteError("/data/ro/out.json", errno("EACCES"), true)).toBe("permission denied (no new files may be made in the folder /data/ro)");
    expect(describeWriteError("/dev/thing", errno("EPERM"), false)).toBe("permission denied");
  });

  it("a missing file names the missing folder, or the part of the path that is a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "c2t-write-"));
    writeFileSync(join(dir, "file"), "");
    expect(describeWriteError(join(dir, "a", "b", "out.json"), errno("ENOENT"), true)).toBe(`the folder ${join(dir, "a")} does not exist`);
    expect(describeWriteError(join(dir, "file", "out.json"), errno("ENOTDIR"), true)).toBe(`${join(dir, "file")} is a file, not a folder`);
  });

  it("an unknown code keeps the system's message rather than nothing", () => {
    expect(describeWriteError("/x", errno("EXDEV"), true)).toBe("EXDEV: failed");
  });
});

describe("checkWritable", () => {
  it("refuses before a long run what the write would refuse: a missing folder, or a folder as the output", () => {
    const dir = mkdtempSync(join(tmpdir(), "c2t-write-"));
    const refusal = (path: string, label?: string): string => {
      try {
        checkWritable(path, label);
      } catch (e) {
        if (e instanceof CliError) return e.message;
        throw e;
      }
      return "ok";
    };
    expect(refusal(join(dir, "out.json"))).toBe("ok");
    expect(refusal(join(dir, "none", "out.json"), "none/out.json")).toBe(`none/out.json: cannot write: the folder ${join(dir, "none")} does not exist`);
    expect(refusal(dir, "here")).toBe("here: cannot write: is a directory");
  });
});
