/**
 * Every file the CLI writes goes through a temporary file and a rename, and no output may land on
 * a file the run read: not by the same path, another spelling of it, a symlink or a hard link.
 * Each case runs the real CLI in a fresh directory and checks exit code, message, the input's
 * bytes and that no temporary file is left behind.
 */
import { spawn } from "node:child_process";
import {
  chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, GOLDEN_DIR, ROOT } from "../helpers/paths.js";
import { runCli } from "./run-cli.js";

const NET = join(ROOT, "fixtures", "convert", "scale-bias.prototxt");
const TRAIN_SMALL = join(ROOT, "test", "verify", "fixtures", "train-small.prototxt");
const DEPLOY_SMALL = join(GOLDEN_DIR, "trained_small", "deploy.prototxt");
const CAFFEMODEL = join(GOLDEN_DIR, "trained_small", "trained_small.caffemodel");

/** A fresh directory holding copies of `files` (name → source path). */
function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "caffe2torch-out-"));
  for (const [name, source] of Object.entries(files)) copyFileSync(source, join(dir, name));
  return dir;
}

/** Files whose name marks them as our temporaries (`.NAME.RANDOM.tmp`). */
function temporaries(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".tmp"));
}

/** A command that reads `input` (a file in the work directory) and writes `output`. */
interface Writer {
  name: string;
  files: Record<string, string>;
  input: string;
  args: (output: string) => string[];
}

const WRITERS: Writer[] = [
  { name: "convert -o (json)", files: { "net.prototxt": NET }, input: "net.prototxt", args: (o) => ["convert", "net.prototxt", "-o", o] },
  { name: "convert --format python -o", files: { "net.prototxt": NET }, input: "net.prototxt", args: (o) => ["convert", "net.prototxt", "--format", "python", "-o", o] },
  { name: "convert --format markdown -o", files: { "net.prototxt": NET }, input: "net.prototxt", args: (o) => ["convert", "net.prototxt", "--format", "markdown", "-o", o] },
  {
    name: "convert --weights (the .safetensors beside -o)",
    files: { "deploy.prototxt": DEPLOY_SMALL, "model.caffemodel": CAFFEMODEL },
    input: "model.caffemodel",
    // -o x.py writes x.safetensors: point that at the caffemodel via a link named x.safetensors.
    args: (o) => ["convert", "deploy.prototxt", "--weights", "model.caffemodel", "--format", "python", "-o", o.replace(/\.[^./]*$/, "") + ".py"],
  },
  { name: "encode -o", files: { "net.prototxt": NET }, input: "net.prototxt", args: (o) => ["encode", "net.prototxt", "-o", o] },
  { name: "decode -o", files: { "model.caffemodel": CAFFEMODEL }, input: "model.caffemodel", args: (o) => ["decode", "model.caffemodel", "-o", o] },
  {
    name: "verify --plot",
    files: { "train.prototxt": TRAIN_SMALL },
    input: "train.prototxt",
    args: (o) => ["verify", "train.prototxt", "--phase", "train", "--steps", "3", "--plot", o],
  },
];

/** Ways of naming the input again: the path itself, another spelling, a symlink, a hard link. */
const ALIASES: { name: string; make: (dir: string, input: string) => string }[] = [
  { name: "the same path", make: (_dir, input) => input },
  { name: "another spelling of the path", make: (_dir, input) => `./sub/../${input}` },
  {
    name: "a symlink to the input",
    make: (dir, input) => {
      const link = `link-${input}`;
      symlinkSync(input, join(dir, link));
      return link;
    },
  },
  {
    name: "a hard link to the input",
    make: (dir, input) => {
      const link = `hard-${input}`;
      linkSync(join(dir, input), join(dir, link));
      return link;
    },
  },
];

/** For convert --weights the alias must end in .safetensors (the file written beside -o). */
function aliasFor(writer: Writer, dir: string, alias: (typeof ALIASES)[number]): string {
  if (!writer.name.startsWith("convert --weights")) return alias.make(dir, writer.input);
  const named = alias.make(dir, writer.input);
  if (named === writer.input || named.startsWith("./")) {
    // A path spelling cannot rename the caffemodel; use a symlink named *.safetensors instead.
    symlinkSync(writer.input, join(dir, "w.safetensors"));
    return "w.safetensors";
  }
  const renamed = named.replace(/\.caffemodel$/, ".safetensors");
  if (alias.name.startsWith("a hard")) linkSync(join(dir, writer.input), join(dir, renamed));
  else symlinkSync(writer.input, join(dir, renamed));
  return renamed;
}

describe("no output overwrites an input", () => {
  for (const writer of WRITERS) {
    for (const alias of ALIASES) {
      it(`${writer.name} refuses an output that is ${alias.name} (exit 2, input unchanged, no temporary file)`, () => {
        const dir = workdir(writer.files);
        mkdirSync(join(dir, "sub"));
        const before = readFileSync(join(dir, writer.input));
        const output = aliasFor(writer, dir, alias);
        const run = runCli(writer.args(output), { cwd: dir });
        expect(run.stderr).toMatch(/refusing to overwrite an input file/);
        expect(run.status).toBe(2);
        expect(run.stderr).not.toMatch(/\n\s+at /);
        expect(readFileSync(join(dir, writer.input))).toEqual(before);
        expect(temporaries(dir)).toEqual([]);
      });
    }
    it(`${writer.name} writes a new output whole and leaves no temporary file`, () => {
      const dir = workdir(writer.files);
      const run = runCli(writer.args("out.bin"), { cwd: dir });
      expect(run.stderr).not.toMatch(/refusing/);
      expect(run.status).toBe(0);
      expect(temporaries(dir)).toEqual([]);
      const written = readdirSync(dir).filter((f) => !(f in writer.files));
      expect(written.length).toBeGreaterThan(0);
      for (const f of written) expect(statSync(join(dir, f)).size).toBeGreaterThan(0);
    });
  }

  it("convert --weights refuses -o NAME.safetensors, where module and weights would be one file", () => {
    const dir = workdir({ "deploy.prototxt": DEPLOY_SMALL, "model.caffemodel": CAFFEMODEL });
    const run = runCli(["convert", "deploy.prototxt", "--weights", "model.caffemodel", "--format", "python", "-o", "m.safetensors"], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/the module and its weights would be the same file/);
    expect(readdirSync(dir).sort()).toEqual(["deploy.prototxt", "model.caffemodel"]);
  });

  it("lint --config refuses nothing but lint never writes the config: --fix only rewrites the prototxt", () => {
    const dir = workdir({ "net.prototxt": NET });
    writeFileSync(join(dir, "cfg.json"), "{}\n");
    const run = runCli(["lint", "--fix", "--config", "cfg.json", "net.prototxt"], { cwd: dir });
    expect([0, 1]).toContain(run.status);
    expect(readFileSync(join(dir, "cfg.json"), "utf8")).toBe("{}\n");
    expect(temporaries(dir)).toEqual([]);
  });
});

describe("lint --fix rewrites its input in place, atomically", () => {
  // bn-stats-lr-mult fixes lr_mult: 1 to 0; the comment must survive.
  const BROKEN = `input: "data"\ninput_shape { dim: 1 dim: 3 }\nlayer {\n  name: "bn"\n  type: "BatchNorm"\n  bottom: "data"\n  top: "data"\n  param { lr_mult: 1 } # keep me\n}\n`;

  it("replaces the file a symlink points to, keeping the link, and leaves no temporary file", () => {
    const dir = mkdtempSync(join(tmpdir(), "caffe2torch-fix-"));
    mkdirSync(join(dir, "real"));
    writeFileSync(join(dir, "real", "net.prototxt"), BROKEN);
    symlinkSync(join("real", "net.prototxt"), join(dir, "net.prototxt"));
    const run = runCli(["lint", "--fix", "net.prototxt"], { cwd: dir });
    expect([0, 1]).toContain(run.status);
    const fixed = readFileSync(join(dir, "real", "net.prototxt"), "utf8");
    expect(fixed).not.toBe(BROKEN);
    expect(fixed).toMatch(/# keep me/);
    expect(readFileSync(join(dir, "net.prototxt"), "utf8")).toBe(fixed);
    expect(temporaries(dir)).toEqual([]);
    expect(temporaries(join(dir, "real"))).toEqual([]);
  });

  it("keeps the file's permission bits", () => {
    const dir = mkdtempSync(join(tmpdir(), "caffe2torch-fix-"));
    writeFileSync(join(dir, "net.prototxt"), BROKEN);
    chmodSync(join(dir, "net.prototxt"), 0o640);
    runCli(["lint", "--fix", "net.prototxt"], { cwd: dir });
    expect(readFileSync(join(dir, "net.prototxt"), "utf8")).not.toBe(BROKEN);
    expect(statSync(join(dir, "net.prototxt")).mode & 0o777).toBe(0o640);
  });
});

describe("devices are written, never replaced", () => {
  it("-o /dev/null succeeds and /dev/null stays a character device", () => {
    const dir = workdir({ "net.prototxt": NET });
    const run = runCli(["encode", "net.prototxt", "-o", "/dev/null"], { cwd: dir });
    expect(run.stderr).toMatch(/^caffe2torch: wrote \/dev\/null \(\d+ bytes of caffe\.NetParameter\)\n$/);
    expect(run.status).toBe(0);
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
    expect(readdirSync("/dev").filter((f) => f.startsWith(".null."))).toEqual([]);
  });
});

describe("a failed write leaves neither a partial file nor a temporary one", () => {
  it("an output in a missing directory exits 2 with one line and writes nothing", () => {
    const dir = workdir({ "net.prototxt": NET });
    const run = runCli(["convert", "net.prototxt", "-o", "missing/out.json"], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("caffe2torch: missing/out.json: cannot write: the folder missing does not exist\n");
    expect(readdirSync(dir)).toEqual(["net.prototxt"]);
  });

  it("an output that is a directory exits 2 and leaves the directory alone", () => {
    const dir = workdir({ "net.prototxt": NET });
    mkdirSync(join(dir, "out"));
    const run = runCli(["encode", "net.prototxt", "-o", "out"], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("caffe2torch: out: cannot write: is a directory\n");
    expect(readdirSync(join(dir, "out"))).toEqual([]);
    expect(temporaries(dir)).toEqual([]);
  });

  it("an input that does not parse writes nothing, and an existing output keeps its old content", () => {
    const dir = workdir({});
    writeFileSync(join(dir, "bad.prototxt"), "layer { name: \n");
    writeFileSync(join(dir, "out.pb"), "old");
    const run = runCli(["encode", "bad.prototxt", "-o", "out.pb"], { cwd: dir });
    expect(run.status).toBe(2);
    expect(readFileSync(join(dir, "out.pb"), "utf8")).toBe("old");
    expect(temporaries(dir)).toEqual([]);
  });

  it("an unwritable directory exits 2 (EACCES) and leaves the old output", () => {
    if (process.getuid?.() === 0) {
      // root ignores directory permissions; a read-only bind is not available in a test, so the
      // same path is taken through an output whose directory is a file (ENOTDIR) instead.
      const dir = workdir({ "net.prototxt": NET });
      const run = runCli(["encode", "net.prototxt", "-o", "net.prototxt/x.pb"], { cwd: dir });
      expect(run.status).toBe(2);
      expect(run.stderr).toBe("caffe2torch: net.prototxt/x.pb: cannot write: net.prototxt is a file, not a folder\n");
      expect(readdirSync(dir)).toEqual(["net.prototxt"]);
      return;
    }
    const dir = workdir({ "net.prototxt": NET });
    mkdirSync(join(dir, "ro"));
    writeFileSync(join(dir, "ro", "out.pb"), "old");
    chmodSync(join(dir, "ro"), 0o555);
    const run = runCli(["encode", "net.prototxt", "-o", "ro/out.pb"], { cwd: dir });
    chmodSync(join(dir, "ro"), 0o755);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("caffe2torch: ro/out.pb: cannot write: permission denied (no new files may be made in the folder ro)\n");
    expect(readFileSync(join(dir, "ro", "out.pb"), "utf8")).toBe("old");
    expect(temporaries(join(dir, "ro"))).toEqual([]);
  });
});

describe("a failed write says what failed, in words, with the path typed (issue 12)", () => {
  it("a missing folder is named, for -o of convert, encode and decode alike", () => {
    const dir = workdir({ "net.prototxt": NET, "m.caffemodel": CAFFEMODEL });
    for (const args of [["convert", "net.prototxt", "-o", "nodir/sub/x.json"], ["encode", "net.prototxt", "-o", "nodir/sub/x.pb"], ["decode", "m.caffemodel", "-o", "nodir/sub/x.txt"]]) {
      const run = runCli(args, { cwd: dir });
      expect(run.status, args[0]).toBe(2);
      expect(run.stderr, args[0]).toBe(`caffe2torch: ${args[3]}: cannot write: the folder nodir does not exist\n`);
    }
    expect(readdirSync(dir).sort()).toEqual(["m.caffemodel", "net.prototxt"]);
  });

  it("with --weights, a missing folder is reported for the model.py typed, not the safetensors beside it", () => {
    const dir = workdir({ "deploy.prototxt": DEPLOY_SMALL, "m.caffemodel": CAFFEMODEL });
    const run = runCli(["convert", "deploy.prototxt", "--weights", "m.caffemodel", "--format", "python", "-o", "nodir/model.py"], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("caffe2torch: nodir/model.py: cannot write: the folder nodir does not exist\n");
  });

  it("with --weights, a weights file that cannot be written is named after the model.py typed, then itself", () => {
    const dir = workdir({ "deploy.prototxt": DEPLOY_SMALL, "m.caffemodel": CAFFEMODEL });
    mkdirSync(join(dir, "model.safetensors"));
    const run = runCli(["convert", "deploy.prototxt", "--weights", "m.caffemodel", "--format", "python", "-o", "model.py"], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("caffe2torch: model.py (its weights model.safetensors): cannot write: is a directory\n");
    expect(existsSync(join(dir, "model.py"))).toBe(false);
  });

  it.skipIf(!existsSync("/proc/version"))("a folder that takes no new files (/proc) is said to, not reported as a missing file", () => {
    const dir = workdir({ "net.prototxt": NET });
    const run = runCli(["convert", "net.prototxt", "-o", "/proc/version"], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      "caffe2torch: /proc/version: cannot write: the folder /proc does not accept new files (the output is written to a temporary file there first, then renamed)\n",
    );
  });
});

describe("an interrupted write leaves no temporary file", () => {
  it("SIGINT while decode --full streams a large output: the process dies of the signal after removing its temporary file, or finished the file whole", async () => {
    // A caffemodel of one 2M-float blob: its --full text is ~20 MB, written in chunks.
    const dir = workdir({});
    writeFileSync(join(dir, "big.caffemodel"), bigCaffemodel(1 << 21));
    const child = spawn(process.execPath, [BIN, "decode", "--full", "big.caffemodel", "-o", "big.txt"], { cwd: dir, stdio: "ignore" });
    let sawTemporary = false;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && child.exitCode === null && !sawTemporary) {
      sawTemporary = temporaries(dir).length > 0;
      if (!sawTemporary) await new Promise((r) => setTimeout(r, 2));
    }
    if (sawTemporary) child.kill("SIGINT");
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on("exit", (c, s) => r([c, s])));
    expect(temporaries(dir)).toEqual([]);
    if (sawTemporary) {
      expect(signal).toBe("SIGINT");
      // Either the signal came before the rename (nothing written) or after it (the whole file).
      if (existsSync(join(dir, "big.txt"))) expect(readFileSync(join(dir, "big.txt"), "utf8")).toMatch(/\n}\n$/);
    } else {
      expect(code).toBe(0);
    }
    expect(sawTemporary).toBe(true);
  }, 60_000);
});

/** Protobuf wire pieces, enough for one hand-built caffemodel (no dependency on our encoder). */
function varint(n: number): number[] {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return out;
}
function field(number: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(varint(number * 8 + 2)), Buffer.from(varint(bytes.length)), bytes]);
}

/**
 * A NetParameter with one layer (field 100) whose blob (LayerParameter.blobs = 7) holds `count`
 * floats: BlobProto.shape = 7 (BlobShape.dim = 1, packed), BlobProto.data = 5 (packed floats).
 */
function bigCaffemodel(count: number): Buffer {
  const floats = new Float32Array(count).fill(0.5);
  const shape = field(7, field(1, Buffer.from(varint(count))));
  const blob = Buffer.concat([shape, field(5, new Uint8Array(floats.buffer))]);
  const layer = Buffer.concat([field(1, Buffer.from("c")), field(2, Buffer.from("Convolution")), field(7, blob)]);
  return field(100, layer);
}
