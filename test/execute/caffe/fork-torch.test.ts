/**
 * The fork layers' executors against the emitted PyTorch model, layer by layer: every net of
 * fork-nets.ts is exported as `export` writes it (in-process), run by forward_layers in ONE real
 * PyTorch process (run_forward_layers.py) on the inputs and weights the executor gets, and every
 * top the executor records is compared with PyTorch's. A disagreement is a finding about one side:
 * the fork's source decides (src/execute/README.md, "Fork layers").
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relu6, shuffleChannel } from "../../../src/execute/caffe/fork-channels.js";
import { blobOf } from "../../../src/execute/blob.js";
import type { LayerExecutor } from "../../../src/execute/types.js";
import { readNet } from "../../../src/schema/read.js";
import { requireTorch, skipWithoutTorch } from "../../helpers/python.js";
import { CASE_NETS, CORPUS_NETS, EDGE_NET, FIXTURE_NETS } from "./fork-nets.js";
import { compareAlone, compareTops, executePrepared, prepareAll, runTorch, type Prepared, type TopDiff, type TorchTops } from "./fork-support.js";

/** Both float32, different summation orders and libm: |Δ| ≤ this times max(1, max |PyTorch top|). */
const BOUND = 1e-5;
/**
 * The whole chain of SegNet: 26 BN layers normalise with the batch's statistics, down to 3×4 planes
 * of one image, where a channel of nearly equal values divides the rounding of the layers before by
 * its tiny deviation. Each layer alone stays within BOUND; the chain within this.
 */
const CHAIN_BOUND: Record<string, number> = { segnet: 1e-4 };

const NETS = [...FIXTURE_NETS, EDGE_NET, ...CASE_NETS, ...CORPUS_NETS];

/** The fork types each net must run (so a net that stops early cannot pass by comparing nothing). */
const FORK_TYPES: Record<string, string[]> = {
  "fixture-test": ["Axpy", "BN", "BatchNorm", "ConvolutionDepthwise", "DepthwiseConvolution", "Interp", "ReLU6", "ShuffleChannel", "Upsample"],
  "fixture-edges": ["BN", "ConvolutionDepthwise", "DetectionOutput", "Interp", "Normalize", "PSROIPooling", "PriorBox", "ROIPooling", "Reverse", "Transpose", "Upsample"],
  "case-ssd-permute-normalize": ["Normalize", "Permute"],
  "case-ssd-prior-box": ["PriorBox"],
  "case-ssd-detection-output": ["DetectionOutput"],
  "case-ssd-detection-output-random": ["DetectionOutput", "PriorBox"],
  "case-roi-pooling": ["ROIPooling"],
  "case-psroi-pooling": ["PSROIPooling"],
  "case-ocr-sequence-layers": ["Lstm", "Reverse", "Transpose"],
  "case-ocr-ctc": ["CTCGreedyDecoder", "WarpCTCLoss"],
  "shufflenet-v2": ["ConvolutionDepthwise", "ShuffleChannel"],
  mobilefacenet: ["DepthwiseConvolution"],
  segnet: ["BN", "Upsample"],
  pspnet: ["BN", "Interp"],
  "pspnet-train": ["BN", "Interp"],
  "mobilenet-ssd": ["DetectionOutput", "Permute", "PriorBox"],
  "caffe-ocr": ["CTCGreedyDecoder", "Lstm", "Reverse", "Transpose", "WarpCTCLoss"],
};
FORK_TYPES["fixture-train"] = FORK_TYPES["fixture-test"]!;

let dir: string | undefined;
let prepared: Map<string, Prepared>;
let torch: Map<string, TorchTops>;

beforeAll(async () => {
  if (skipWithoutTorch) return;
  requireTorch();
  dir = mkdtempSync(join(tmpdir(), "caffe2torch-fork-exec-"));
  prepared = new Map(NETS.map((n) => [n.id, prepareAll(n)]));
  torch = await runTorch([...prepared.values()], dir);
}, 600_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Every top of net `id` compared, and where the executor stopped (if it did). */
function compare(id: string, executors?: ReadonlyMap<string, LayerExecutor>): { tops: TopDiff[]; stopped: string | null } {
  const result = executePrepared(prepared.get(id)!, executors ? { executors } : {});
  return { tops: compareTops(result, torch.get(id)!), stopped: result.error ? `${result.error.type} ${result.error.code}` : null };
}

const failing = (tops: TopDiff[], bound = BOUND): string[] => tops.filter((t) => !(t.scaled <= bound)).map((t) => `${t.layer}/${t.top}`);

describe.skipIf(skipWithoutTorch)("fork layers: the Caffe executor against the exported PyTorch model", () => {
  it.each(NETS.map((n) => n.id))("%s: every top agrees, every fork layer ran, each fork layer alone on PyTorch's bottoms too", (id) => {
    const { tops, stopped } = compare(id);
    expect(stopped).toBeNull();
    expect(failing(tops, CHAIN_BOUND[id] ?? BOUND)).toEqual([]);
    expect([...new Set(tops.map((t) => t.type))]).toEqual(expect.arrayContaining(FORK_TYPES[id]!));
    const forks = new Set(FORK_TYPES[id]!);
    const alone = compareAlone(prepared.get(id)!, torch.get(id)!, forks);
    expect(failing(alone)).toEqual([]);
    expect(alone.length).toBe(tops.filter((t) => forks.has(t.type)).length);
  });

  it("names the layers of a wrong executor: a fork parameter not read, a mask read from the wrong plane", () => {
    // ReLU6 and ShuffleChannel that ignore their fork parameter (read from another net's source map: the defaults).
    const blank = readNet("", { allowUnknown: true }).sourceMap;
    const noParams = (e: LayerExecutor): LayerExecutor => ({ types: e.types, forward: (ctx) => e.forward({ ...ctx, sourceMap: blank }) });
    // Upsample that applies the first plane's mask to every plane.
    const firstMask: LayerExecutor = {
      types: ["Upsample"],
      forward(ctx) {
        const [x, mask] = ctx.bottoms as [(typeof ctx.bottoms)[0], (typeof ctx.bottoms)[0]];
        const [n, c, h, w] = x!.shape as [number, number, number, number];
        const outSize = ctx.layer.name === "up_a" ? 35 : 5 * 7;
        const out = new Float32Array(n * c * outSize);
        for (let p = 0; p < n * c; p++) for (let i = 0; i < h * w; i++) out[p * outSize + mask!.data[i]!] = x!.data[p * h * w + i]!;
        return [blobOf([n, c, 5, 7], out)];
      },
    };
    const wrong = new Map([["ReLU6", noParams(relu6)], ["ShuffleChannel", noParams(shuffleChannel)], ["Upsample", firstMask]]);
    expect(failing(compare("fixture-test", wrong).tops)).toEqual(["up_a/0", "up_b/0", "shuffle3/0", "shuffle2/0", "relu6_leaky/0"]);
  });
});
