/**
 * bin/caffe2torch.js starts the CLI from the one-file bundle with V8's code cache (src/cli/launch.ts,
 * written by tools/bundle-cli.mjs in `npm run build`). These tests run real processes, since a
 * code cache is only meaningful in a fresh one, against copies of the built files.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { encodeCodeCache } from "../../src/cli/launch.js";
import { ROOT } from "../helpers/paths.js";
import { runCli } from "./run-cli.js";

const BUILT = { bundle: join(ROOT, "dist", "cli-bundle", "caffe2torch.cjs"), cache: join(ROOT, "dist", "cli-bundle", "caffe2torch.v8cache") };
const LAUNCH = pathToFileURL(join(ROOT, "dist", "cli", "launch.js")).href;
const NET = join(ROOT, "fixtures", "lint", "train-val-mistakes.prototxt");
// Beside dist/cli-bundle/, at the same depth: the bundle finds package.json and proto/ relative to itself.
const tmp = mkdtempSync(join(ROOT, "dist", ".launch-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Loads the CLI in a fresh process from `paths`, lints NET as JSON; returns how it loaded and the report. */
function launch(paths: { bundle: string; cache: string }, env: Record<string, string> = {}): { info: { from: string; codeCache: string }; report: string; status: number | null } {
  const script = `
    import { loadCli } from ${JSON.stringify(LAUNCH)};
    const { main, info } = await loadCli(${JSON.stringify(paths)});
    let report = "";
    const { processIo } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "dist", "cli", "io.js")).href)});
    const io = (color) => ({ ...processIo(color), stdout: (s) => { report += s; } });
    const code = await main(["lint", "--format", "json", ${JSON.stringify(NET)}], io);
    process.stdout.write(JSON.stringify({ info, report, code }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", cwd: ROOT, env: childEnv(env) });
  if (r.status !== 0) throw new Error(r.stderr);
  const out = JSON.parse(r.stdout) as { info: { from: string; codeCache: string }; report: string; code: number };
  return { info: out.info, report: out.report, status: out.code };
}

/** This process's environment without CAFFE2TORCH_NO_BUNDLE, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!("CAFFE2TORCH_NO_BUNDLE" in extra)) delete env["CAFFE2TORCH_NO_BUNDLE"];
  return env;
}

/** A copy of the built bundle with `cache` as its code cache file. */
function withCache(name: string, cache: Uint8Array | null): { bundle: string; cache: string } {
  const paths = { bundle: join(tmp, `${name}.cjs`), cache: join(tmp, `${name}.v8cache`) };
  copyFileSync(BUILT.bundle, paths.bundle);
  if (cache) writeFileSync(paths.cache, cache);
  return paths;
}

const reference = launch({ bundle: join(tmp, "no-such-bundle.cjs"), cache: join(tmp, "no-such.v8cache") });

describe("starting the CLI", () => {
  it("runs from the modules when there is no bundle", () => {
    expect(reference.info).toEqual({ from: "modules", codeCache: "none" });
    expect(reference.status).toBe(1);
    expect(JSON.parse(reference.report).files[0].diagnostics.length).toBeGreaterThan(0);
  });

  it("loads the bundle with the code cache the build wrote, and lints exactly as the modules do", () => {
    const r = launch(BUILT);
    expect(r.info).toEqual({ from: "bundle", codeCache: "used" });
    expect(r.report).toBe(reference.report);
    expect(r.status).toBe(reference.status);
  });

  it("is what bin/caffe2torch.js runs: the same report as the modules give", () => {
    const r = runCli(["lint", "--format", "json", NET]);
    expect(r.stdout).toBe(reference.report);
    expect(r.status).toBe(1);
  });

  it("starts without Node's ESM loader, node:crypto, node:child_process or node:tty when the output is no terminal", () => {
    // Each costs every cold start millions of instructions (bin/caffe2torch.js, tools/bundle-cli.mjs,
    // src/cli/io.ts); a lint that writes JSON to a pipe, or text to a file, needs none of them.
    const probe = join(tmp, "modules-loaded.cjs");
    writeFileSync(probe, `process.on("exit", () => require("node:fs").writeSync(2, "\\nLOADED " + JSON.stringify(process.moduleLoadList)));`);
    for (const args of [["lint", "--format", "json", NET], ["lint", NET]]) {
      const r = spawnSync(process.execPath, ["--require", probe, join(ROOT, "bin", "caffe2torch.js"), ...args], { encoding: "utf8", cwd: ROOT, env: childEnv({}) });
      expect(r.status).toBe(1);
      const loaded = JSON.parse(r.stderr.slice(r.stderr.lastIndexOf("LOADED ") + 7)) as string[];
      expect(loaded).toContain("NativeModule vm");
      for (const heavy of ["NativeModule internal/modules/esm/module_job", "NativeModule crypto", "NativeModule child_process", "NativeModule tty"]) {
        expect(loaded).not.toContain(heavy);
      }
    }
  });

  it("runs from the modules when CAFFE2TORCH_NO_BUNDLE=1 (development with tsc --watch)", () => {
    const r = launch(BUILT, { CAFFE2TORCH_NO_BUNDLE: "1" });
    expect(r.info).toEqual({ from: "modules", codeCache: "none" });
    expect(r.report).toBe(reference.report);
  });

  it("runs the bundle without a cache when the cache file is missing", () => {
    const r = launch(withCache("missing", null));
    expect(r.info).toEqual({ from: "bundle", codeCache: "absent" });
    expect(r.report).toBe(reference.report);
  });

  it("ignores a damaged cache (one byte changed) and still lints the same", () => {
    const damaged = Buffer.from(readFileSync(BUILT.cache));
    const at = damaged.length - 1000;
    damaged[at] = damaged[at]! ^ 0xff;
    const r = launch(withCache("damaged", damaged));
    expect(r.info).toEqual({ from: "bundle", codeCache: "invalid" });
    expect(r.report).toBe(reference.report);
  });

  it("ignores a truncated cache", () => {
    const r = launch(withCache("truncated", readFileSync(BUILT.cache).subarray(0, 5000)));
    expect(r.info.codeCache).toBe("invalid");
    expect(r.report).toBe(reference.report);
  });

  it("ignores a stale cache: one made for other bundle bytes of the same length", () => {
    const bundle = readFileSync(BUILT.bundle);
    const other = Buffer.from(bundle);
    other[other.length - 2] = other[other.length - 2] === 0x20 ? 0x0a : 0x20;
    const payload = readFileSync(BUILT.cache).subarray(encodeCodeCache(bundle, new Uint8Array(0)).length);
    const r = launch(withCache("stale", encodeCodeCache(other, payload)));
    expect(r.info.codeCache).toBe("invalid");
    expect(r.report).toBe(reference.report);
  });

  it("survives a cache that passes our checks but that V8 refuses", () => {
    const r = launch(withCache("refused", encodeCodeCache(readFileSync(BUILT.bundle), Buffer.from("not a V8 code cache".repeat(50)))));
    expect(r.info).toEqual({ from: "bundle", codeCache: "rejected" });
    expect(r.report).toBe(reference.report);
  });

  it("ignores a file that is not a cache of ours", () => {
    const r = launch(withCache("foreign", Buffer.from("{}\n")));
    expect(r.info.codeCache).toBe("invalid");
  });

  it("falls back to the modules when the bundle does not compile", () => {
    const paths = { bundle: join(tmp, "broken.cjs"), cache: join(tmp, "broken.v8cache") };
    writeFileSync(paths.bundle, "this is not javascript {");
    const r = launch(paths);
    expect(r.info.from).toBe("modules");
    expect(r.report).toBe(reference.report);
  });
});
