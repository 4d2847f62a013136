/**
 * Running the real protoc from tests. Without protoc, tests that need it are skipped locally;
 * in CI (CI=true) they run and fail, so a missing package can never pass as a green run.
 */
import { spawnSync } from "node:child_process";
import { PROTO_DIR } from "./paths.js";

let available: boolean | undefined;

/** Whether `protoc` runs here. */
export function protocAvailable(): boolean {
  available ??= spawnSync("protoc", ["--version"], { encoding: "utf8" }).status === 0;
  return available;
}

/** Skip tests needing protoc only outside CI. */
export const skipWithoutProtoc = !protocAvailable() && process.env["CI"] !== "true";

/** The result of `protoc --encode` / `--decode` on some input. */
export interface ProtocRun {
  ok: boolean;
  stdout: Buffer;
  stderr: string;
  /** 1-based line of protoc's first `input:LINE:COL:` error, if any. */
  errorLine: number | null;
}

/** `protoc --encode=caffe.<type>` (or `--decode` with mode "decode") with our proto/caffe.proto. */
export function runProtoc(input: string | Uint8Array, mode: "encode" | "decode" = "encode", type = "caffe.NetParameter"): ProtocRun {
  const r = spawnSync("protoc", [`--proto_path=${PROTO_DIR}`, `--${mode}=${type}`, "caffe.proto"], {
    input,
    maxBuffer: 1 << 30,
  });
  if (r.error) throw new Error(`protoc could not run: ${r.error.message}`);
  const stderr = r.stderr.toString("utf8");
  const m = /^input:(\d+):(\d+):/m.exec(stderr);
  return { ok: r.status === 0, stdout: r.stdout, stderr, errorLine: m ? Number(m[1]) : null };
}
