/**
 * Every file of the shared corpus, in both phases, whose layers all export (every type has a
 * converter and every converter has the shapes it needs): its model.py imports, builds without
 * weights (Caffe's fillers) and runs forward on N(0, 1) inputs of INPUT_SHAPES under real
 * PyTorch, giving outputs of the shapes Caffe's shape inference gives the net's output blobs.
 * The list is read from the corpus folder when the tests are collected; the files and phases
 * that do not export yet are counted (in the test names) by why: a layer type without a
 * converter, or only shapes that cannot be inferred. All models run in ONE Python process.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildTorchGraph } from "../../src/convert/graph.js";
import type { TorchGraph } from "../../src/convert/torch-graph.js";
import type { Phase } from "../../src/schema/caffe-types.js";
import { readNet } from "../../src/schema/read.js";
import { CORPUS_DIR, corpusFiles } from "../helpers/paths.js";
import { requireTorch, skipWithoutTorch } from "../helpers/python.js";
import { runModels, writeExport, type ModelsReport } from "./support.js";

/** Reasons that mean "a layer type nothing converts" (the rest are about a converter's inputs). */
const TYPE_REASONS: ReadonlySet<string> = new Set(["no-converter", "fork-type", "unknown-type", "python-layer"]);
/** So that a corpus that shrank, or a converter that regressed, cannot pass with fewer nets. */
const MIN_SUPPORTED = 14;
/** One Python process: AlexNet, ResNet-50, DenseNet-121, SE-ResNet-50… in two phases, about a minute on 2 cores. */
const TIMEOUT_MS = 600_000;

interface Entry {
  id: string;
  file: string;
  phase: Phase;
  graph: TorchGraph | null;
  /** Caffe's inferred shape of each output blob, in OUTPUTS order. */
  outputShapes: ((number | null)[] | null)[];
  /** Why it does not export: "unreadable", "types" (with the types), or "shapes". */
  skipped: { why: "unreadable" | "types" | "shapes"; detail: string } | null;
}

/**
 * Input shapes for corpus nets whose data layer does not state them (a database's images), as a user
 * gives them with --input-shape: the sizes the nets were trained at.
 */
const INPUT_SHAPES: Readonly<Record<string, { blob: string | null; dims: number[] }[]>> = {
  "senlinuc-caffe_ocr__inception-bn_train_val.prototxt": [{ blob: "data", dims: [2, 3, 32, 280] }],
  // Batches smaller than the files' (4 and 256) keep the run short; the images are the trained size.
  "alexgkendall-SegNet-Tutorial__segnet_train.prototxt": [
    { blob: "data", dims: [1, 3, 360, 480] },
    { blob: "label", dims: [1, 1, 360, 480] },
  ],
  "NVIDIA-caffe__alexnet_bn_train_val.prototxt": [
    { blob: "data", dims: [2, 3, 227, 227] },
    { blob: "label", dims: [2] },
  ],  // Data layers read databases: the image sizes the nets were trained at (crop_size or the
  // dataset's), batch 2.
  "BVLC-caffe-2014__bvlc_reference_caffenet_train_val_V1.prototxt": [
    { blob: "data", dims: [2, 3, 227, 227] },
    { blob: "label", dims: [2] },
  ],
  "BVLC-caffe__cifar10_full_sigmoid_train_test_bn.prototxt": [
    { blob: "data", dims: [2, 3, 32, 32] },
    { blob: "label", dims: [2] },
  ],
  "BVLC-caffe__lenet_train_test.prototxt": [
    { blob: "data", dims: [2, 1, 28, 28] },
    { blob: "label", dims: [2] },
  ],
  "DeepScale-SqueezeNet__SqueezeNet_v1.1_train_val.prototxt": [
    { blob: "data", dims: [2, 3, 227, 227] },
    { blob: "label", dims: [2] },
  ],
  "KaimingHe-drn-pr29__ResNet-50-train_val.prototxt": [
    { blob: "data", dims: [2, 3, 224, 224] },
    { blob: "label", dims: [2] },
  ],
  "antingshen-resnet-protofiles__ResNet_50_train_val.prototxt": [
    { blob: "data", dims: [2, 3, 224, 224] },
    { blob: "label", dims: [2] },
  ],
  "liuzhuang13-DenseNetCaffe__train_densenet.prototxt": [
    { blob: "data", dims: [2, 3, 32, 32] },
    { blob: "label", dims: [2] },
  ],
  "chuanqi305-MobileNet-SSD__voc_MobileNetSSD_train.prototxt": [{ blob: "data", dims: [1, 3, 300, 300] }],
};

/** Reads and converts every corpus file in both phases (TypeScript only: quick, at collection). */
function census(): Entry[] {
  const entries: Entry[] = [];
  for (const file of corpusFiles()) {
    for (const phase of ["TEST", "TRAIN"] as const) {
      const id = `${file} ${phase}`;
      const read = readNet(readFileSync(join(CORPUS_DIR, file), "utf8"), { allowUnknown: true, upgrade: true });
      const readErrors = read.diagnostics.filter((d) => d.severity === "error");
      if (readErrors.length > 0) {
        entries.push({ id, file, phase, graph: null, outputShapes: [], skipped: { why: "unreadable", detail: readErrors[0]!.code } });
        continue;
      }
      let given = INPUT_SHAPES[file];
      let outcome = buildTorchGraph(read, { phase, source: file, ...(given ? { inputShapes: given } : {}) });
      // Training on a batch of one is what PyTorch's BatchNorm refuses (a 1×1 map has one value per
      // channel): a deploy net's batch of 1 becomes 2 in TRAIN, as a user would train it.
      const single = outcome.graph.inputs.filter((i) => i.shape?.[0] === 1 && i.shape.every((d) => d !== null));
      if (phase === "TRAIN" && !given && single.length > 0) {
        given = single.map((i) => ({ blob: i.blob, dims: [2, ...(i.shape as number[]).slice(1)] }));
        outcome = buildTorchGraph(read, { phase, source: file, inputShapes: given });
      }
      const { graph } = outcome;
      const types = [...new Set(graph.unsupported.filter((u) => TYPE_REASONS.has(u.reason)).map((u) => u.type))];
      // An input whose size the prototxt leaves open (a Data layer's images) needs --input-shape.
      const openInputs = graph.inputs.filter((i) => i.shape === null || i.shape.some((d) => d === null)).map((i) => i.blob);
      const skipped =
        types.length > 0
          ? { why: "types" as const, detail: types.join(", ") }
          : graph.unsupported.length > 0
            ? { why: "shapes" as const, detail: [...new Set(graph.unsupported.map((u) => u.reason))].join(", ") }
            : openInputs.length > 0
              ? { why: "shapes" as const, detail: `input shapes not stated: ${openInputs.join(", ")}` }
              : null;
      const { versions } = outcome.convert.analysis.graph;
      const last = new Map<string, number>();
      for (const v of versions) last.set(v.blob, v.id);
      const outputShapes = graph.outputs.map((b) => outcome.convert.analysis.shapes[last.get(b)!] ?? null);
      entries.push({ id, file, phase, graph: skipped ? null : graph, outputShapes, skipped });
    }
  }
  return entries;
}

const entries = census();
const supported = entries.filter((e) => e.skipped === null);
const skipped = entries.filter((e) => e.skipped !== null);
const count = (why: string) => skipped.filter((e) => e.skipped!.why === why).length;
const summary = `${supported.length} of ${entries.length} (file, phase) pairs export; skipped: ${count("types")} for layer types without a converter, ${count("shapes")} for shapes only, ${count("unreadable")} unreadable`;

let dir: string | undefined;

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

let pending: Promise<ModelsReport> | undefined;

/** Every model in one Python run, started once (the tests share it). */
function runAll(): Promise<ModelsReport> {
  if (pending !== undefined) return pending;
  dir = mkdtempSync(join(tmpdir(), "caffe2torch-corpus-export-"));
  const models = supported.map((e, i) => ({ id: e.id, path: writeExport(e.graph!, join(dir!, String(i))) }));
  pending = runModels(models, dir);
  return pending;
}

describe(`the corpus under real PyTorch: ${summary}`, () => {
  it(`at least ${MIN_SUPPORTED} corpus nets export, in both phases where their TEST phase does; the skipped ones are listed with why`, () => {
    // Printed so that the test output shows what is not covered yet.
    console.info(`${summary}\n${skipped.map((e) => `  skipped ${e.id}: ${e.skipped!.why} (${e.skipped!.detail})`).join("\n")}`);
    expect(supported.length).toBeGreaterThanOrEqual(MIN_SUPPORTED);
    expect(entries.length).toBe(corpusFiles().length * 2);
    for (const e of supported.filter((x) => x.phase === "TEST")) {
      const train = entries.find((x) => x.file === e.file && x.phase === "TRAIN")!;
      // TRAIN adds loss and data layers, which come later; a TEST net that exports must not fail in TRAIN on shapes.
      if (train.skipped) expect(train.skipped.why, train.id).toBe("types");
    }
  });

  for (const e of supported) {
    it.skipIf(skipWithoutTorch)(
      `${e.id}: imports, builds with Caffe's fillers and runs forward; the outputs have Caffe's shapes`,
      async () => {
        requireTorch();
        const result = (await runAll()).results[e.id];
        expect(result?.ok ? null : result, `${e.id} failed`).toBeNull();
        if (!result?.ok) return;
        expect(result.training, "build() gives the phase's mode").toBe(e.phase === "TRAIN");
        expect(result.finite).toBe(true);
        expect(result.output_names).toEqual(e.graph!.outputs);
        const expected = e.outputShapes.map((s, i) => (s === null ? result.outputs[i] : s.map((d, j) => (d === null ? result.outputs[i]![j] : d))));
        expect(result.outputs).toEqual(expected);
      },
      TIMEOUT_MS,
    );
  }
});
