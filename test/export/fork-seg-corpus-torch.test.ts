/**
 * Every corpus file with a fork layer type of SegNet, ENet, PSPNet, ShuffleNet, the MobileNet /
 * MobileFaceNet forks and NVIDIA Caffe (plus SENet and MobileNet-v2, which need the same grouped
 * convolutions and per-channel scales) exports in TEST, and in TRAIN where the file is a training
 * net, and runs under real PyTorch on a random input of its shape: every top has the shape the
 * shape inference gives it, and is finite. One Python process for all nets.
 *
 * Test-only edits, until `export` has --input-shape and the other branches' layers: data layers
 * whose shape needs their database become Input layers of the size their transform_param gives;
 * SoftmaxWithLoss and Accuracy (BVLC types export does not convert yet) are dropped; ENet's
 * `Python` SpatialDropout layers (stubs are another branch's) become Dropout, the identity in TEST.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildTorchGraph } from "../../src/convert/graph.js";
import { emitNetModule } from "../../src/emit/python/net-module.js";
import type { Phase } from "../../src/schema/caffe-types.js";
import { readNet } from "../../src/schema/read.js";
import { CORPUS_DIR } from "../helpers/paths.js";
import { requireTorch, runPythonJsonAsync, skipWithoutTorch } from "../helpers/python.js";

const RUNNER = fileURLToPath(new URL("./check_fork_corpus.py", import.meta.url));
/** PSPNet-50 at 473×473 and SegNet at 360×480 are minutes of CPU on a busy machine. */
const TIMEOUT_MS = 1_200_000;

/** How a corpus file is run. */
interface CorpusCase {
  file: string;
  phases: Phase[];
  /** Data layers (by type) to become Input layers of this shape (their first top only). */
  inputs?: Record<string, number[]>;
  /** Layer types to drop. */
  drop?: string[];
  /** Python layers to become Dropout (ENet's SpatialDropout, identity in TEST). */
  pythonAsDropout?: boolean;
}

const LOSSES = ["SoftmaxWithLoss", "Accuracy"];

const CASES: CorpusCase[] = [
  { file: "hszhao-PSPNet__pspnet50_ADE20K_473.prototxt", phases: ["TEST"] },
  // CamVid as SegNet-Tutorial trains it: 360×480 (pool4's 23×30 is what upsample_h/_w expect).
  { file: "alexgkendall-SegNet-Tutorial__segnet_train.prototxt", phases: ["TEST", "TRAIN"], inputs: { DenseImageData: [1, 3, 360, 480] }, drop: LOSSES },
  { file: "TimoSaemann-ENet__enet_deploy.prototxt", phases: ["TEST"], pythonAsDropout: true },
  { file: "farmingyard-ShuffleNet__shufflenet_v2_1x_deploy.prototxt", phases: ["TEST"] },
  { file: "KaleidoZhouYN-mobilefacenet-caffe__proto_revise_deploy.prototxt", phases: ["TEST"] },
  { file: "zheshipinyinMc-arcface-mxnet2caffe__mobilefacenet-res2-6-10-2-dim512_model.prototxt", phases: ["TEST"] },
  // crop_size 227 (the batch sizes of its Data layers are the database's business).
  { file: "NVIDIA-caffe__alexnet_bn_train_val.prototxt", phases: ["TEST", "TRAIN"], inputs: { Data: [1, 3, 227, 227] }, drop: LOSSES },
  { file: "shicai-SENet-Caffe__se_resnet_50_v1_deploy.prototxt", phases: ["TEST"] },
  { file: "shicai-MobileNet-Caffe__mobilenet_v2_train.prototxt", phases: ["TEST", "TRAIN"], inputs: { ImageData: [1, 3, 224, 224] }, drop: LOSSES },
];

const quote = (s: string): string => JSON.stringify(s);

/** The prototxt with the case's edits applied to whole `layer { … }` fields. */
function edited(c: CorpusCase): string {
  const text = readFileSync(join(CORPUS_DIR, c.file), "utf8");
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  const layers = (read.net["layer"] ?? []) as { name?: string; type?: string; bottom?: string[]; top?: string[]; include?: { phase?: string }[] }[];
  const edits: { offset: number; length: number; text: string }[] = [];
  for (const layer of layers) {
    const range = read.sourceMap.get(layer)?.range;
    if (!range || layer.type === undefined) continue;
    const include = layer.include?.[0]?.phase ? ` include { phase: ${layer.include[0].phase} }` : "";
    const shape = c.inputs?.[layer.type];
    let replacement: string | null = null;
    if (shape) {
      const dims = shape.map((d) => `dim: ${d}`).join(" ");
      replacement = `layer { name: ${quote(layer.name ?? "")} type: "Input" top: ${quote(layer.top![0]!)} input_param { shape { ${dims} } }${include} }`;
    } else if (c.drop?.includes(layer.type)) replacement = "";
    else if (c.pythonAsDropout && layer.type === "Python") {
      replacement = `layer { name: ${quote(layer.name ?? "")} type: "Dropout" bottom: ${quote(layer.bottom![0]!)} top: ${quote(layer.top![0]!)}${include} }`;
    }
    if (replacement !== null) edits.push({ offset: range.offset, length: range.length, text: replacement });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.text + out.slice(e.offset + e.length);
  return out;
}

/** One export: the tops' expected shapes by layer (from the shape inference). */
interface Exported {
  id: string;
  dir: string;
  shapes: Record<string, ((number | null)[] | null)[]>;
  outputs: ((number | null)[] | null)[];
  /** Layers forward_layers records (all but Silence). */
  recorded: number;
  unsupported: string[];
}

function exportCase(c: CorpusCase, phase: Phase, root: string): Exported {
  const id = `${c.file} ${phase}`;
  const read = readNet(edited(c), { allowUnknown: true, upgrade: true });
  const { graph, convert } = buildTorchGraph(read, { phase, source: c.file });
  const { model, graph: blobs, shapes: inferred } = convert.analysis;
  const shapes: Exported["shapes"] = {};
  model.layers.forEach((layer, position) => (shapes[layer.name] = blobs.tops[position]!.map((v) => inferred[v] ?? null)));
  const lastShape = (blob: string) => {
    const versions = blobs.versions.filter((v) => v.blob === blob);
    return inferred[versions[versions.length - 1]!.id] ?? null;
  };
  const dir = join(root, `${c.file.replace(/\W+/g, "_")}-${phase}`);
  mkdirSync(dir, { recursive: true });
  const unsupported = graph.unsupported.map((u) => `${u.layer} (${u.type}): ${u.reason}`);
  if (unsupported.length === 0) writeFileSync(join(dir, "model.py"), emitNetModule(graph));
  const recorded = graph.nodes.filter((n) => n.call.kind !== "none").length;
  return { id, dir, shapes, outputs: graph.outputs.map(lastShape), recorded, unsupported };
}

type Result = { ok: true; tops: Record<string, [number[], boolean][]>; outputs: [number[], boolean][] } | { ok: false; error: string };

const exported: Exported[] = [];
let results: Record<string, Result> = {};

beforeAll(async () => {
  if (skipWithoutTorch) return;
  requireTorch();
  const root = mkdtempSync(join(tmpdir(), "caffe2torch-fork-corpus-"));
  for (const c of CASES) for (const phase of c.phases) exported.push(exportCase(c, phase, root));
  const runnable = exported.filter((e) => e.unsupported.length === 0).map((e) => ({ id: e.id, export: e.dir }));
  const list = join(root, "cases.json");
  writeFileSync(list, JSON.stringify(runnable));
  results = (await runPythonJsonAsync<{ results: Record<string, Result> }>(RUNNER, [list], TIMEOUT_MS)).results;
}, TIMEOUT_MS);

describe.skipIf(skipWithoutTorch)("corpus files with fork layers under PyTorch", () => {
  for (const c of CASES) {
    for (const phase of c.phases) {
      it(`${c.file} exports in ${phase} and runs: every top shaped as inferred, finite`, () => {
        const e = exported.find((x) => x.id === `${c.file} ${phase}`)!;
        expect(e.unsupported).toEqual([]);
        const r = results[e.id];
        expect(r, "no result").toBeDefined();
        if (!r!.ok) throw new Error(r!.error);
        expect(Object.keys(r!.tops)).toHaveLength(e.recorded);
        for (const [layer, tops] of Object.entries(r!.tops)) {
          tops.forEach(([shape, finite], i) => {
            const inferred = e.shapes[layer]?.[i];
            // Every fork layer's shape is known to the inference: nothing downstream is unknown.
            expect(inferred, `${layer} top ${i}: inferred shape`).toEqual(shape);
            expect(finite, `${layer} top ${i} finite`).toBe(true);
          });
        }
        expect(r!.outputs.map(([shape]) => shape)).toEqual(e.outputs);
        expect(r!.outputs.every(([, finite]) => finite)).toBe(true);
      });
    }
  }
});
