/**
 * The corpus run shared by corpus-export.test.ts (nets of BVLC layer types only) and
 * corpus-export-forks.test.ts (nets with fork or Python layers), which vitest runs on its two
 * workers. Every file of the shared corpus, in both phases, whose layers all export (every type
 * has a converter and every converter has the shapes it needs): its model.py imports, builds
 * without weights (Caffe's fillers) and runs forward on N(0, 1) inputs of INPUT_SHAPES under real
 * PyTorch, giving outputs of the shapes Caffe's shape inference gives the net's output blobs.
 * The list is read from the corpus folder when the tests are collected; the files and phases
 * that do not export yet are counted (in the test names) by why: a layer type without a
 * converter, or only shapes that cannot be inferred. All models of a part run in ONE Python
 * process.
 *
 * Caffe `Python` layers (user code) are exported as stubs and, as a user does, replaced by
 * stand-ins (corpus_stand_ins.py) through the model's replace_stubs; every other layer is converted.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { layerType } from "../../src/caffe/layers/index.js";
import { buildTorchGraph } from "../../src/convert/graph.js";
import type { TorchGraph } from "../../src/convert/torch-graph.js";
import type { Phase } from "../../src/schema/caffe-types.js";
import { readNet } from "../../src/schema/read.js";
import { CORPUS_DIR, corpusFiles } from "../helpers/paths.js";
import { requireTorch, skipWithoutTorch } from "../helpers/python.js";
import { runModels, writeExport, type ModelsReport } from "./support.js";

/** Reasons that mean "a layer type nothing converts" (the rest are about a converter's inputs). */
const TYPE_REASONS: ReadonlySet<string> = new Set(["no-converter", "fork-type", "unknown-type"]);
/** The stand-ins that replace the stubs of the corpus' Python layers. */
const STAND_INS = fileURLToPath(new URL("./corpus_stand_ins.py", import.meta.url));
/** So that a corpus that shrank, or a converter that regressed, cannot pass with fewer nets. */
const MIN_SUPPORTED: Readonly<Record<CorpusPart, number>> = { bvlc: 36, forks: 18 };
/** The corpus files with Caffe Python layers: each runs in both phases, its Python layers replaced by stand-ins. */
const PYTHON_LAYER_FILES = [
  "TimoSaemann-ENet__enet_deploy.prototxt",
  "YuwenXiong-py-R-FCN__ResNet-50_rfcn_end2end_train_agnostic.prototxt",
  "rbgirshick-py-faster-rcnn__VGG16_faster_rcnn_end2end_test.prototxt",
];
/** One Python process per part: AlexNet, ResNet-50, DenseNet-121, SE-ResNet-50… in two phases, about a minute on 2 cores. */
const TIMEOUT_MS = 600_000;

/** The corpus in two halves: files of BVLC layer types only, and files with fork or Python layers. */
export type CorpusPart = "bvlc" | "forks";

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
  // ImageData of batch 32 at 224×224: batch 2 at the trained image size, as for the Data layers below.
  "shicai-MobileNet-Caffe__mobilenet_v2_train.prototxt": [
    { blob: "data", dims: [2, 3, 224, 224] },
    { blob: "label", dims: [2] },
  ],
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
  // Its Data layer's tops are named Data1 (images) and Data2 (labels).
  "liuzhuang13-DenseNetCaffe__train_densenet.prototxt": [
    { blob: "Data1", dims: [2, 3, 32, 32] },
    { blob: "Data2", dims: [2] },
  ],
  // AnnotatedData's label top: [1, 1, boxes, 8] (see INPUT_VALUES); batch 2 so that BatchNorm trains on the 1×1 maps.
  "chuanqi305-MobileNet-SSD__voc_MobileNetSSD_train.prototxt": [
    { blob: "data", dims: [2, 3, 300, 300] },
    { blob: "label", dims: [1, 1, 3, 8] },
  ],
  // The image RoIDataLayer (a Python layer) gives: smaller than py-R-FCN's 600×1000 training scale,
  // which would add a minute to the run; the stand-in gives an image of this size.
  "YuwenXiong-py-R-FCN__ResNet-50_rfcn_end2end_train_agnostic.prototxt": [{ blob: "data", dims: [1, 3, 224, 320] }],
};

/**
 * (file, phase) pairs that export but whose forward is left out of this run, each with where its
 * layers run instead. PSPNet's TRAIN phase is its deploy graph with batch statistics at 473×473 and
 * batch 2 (a 1×1 pyramid map needs two values per channel): 45 s of CPU, a fifth of the whole suite,
 * for layers that test/execute/caffe/fork-torch.test.ts runs in TRAIN at 41×41 ("pspnet-train",
 * against the Caffe executor, every top) and SegNet's TRAIN run here runs at its full size.
 */
const NOT_RUN: Readonly<Record<string, string>> = {
  "hszhao-PSPNet__pspnet50_ADE20K_473.prototxt TRAIN": "run at 41×41 in TRAIN by fork-torch.test.ts (pspnet-train)",
};

/** The part a file belongs to: "forks" when any layer's type is a fork's or Python, by the catalogue. */
function partOf(text: string): CorpusPart {
  const types = [...text.matchAll(/^\s*type:\s*["']([^"']+)["']/gm)].map((m) => m[1]!);
  return types.some((t) => t === "Python" || layerType(t)?.origin === "fork") ? "forks" : "bvlc";
}

/**
 * Input values where noise is no valid input (a top named "label" gets class 0 without this): class
 * labels under another name, and SSD's ground truth, rows (image, class, instance,
 * xmin, ymin, xmax, ymax, difficult) in [0, 1] coordinates with classes other than the background 0.
 */
const INPUT_VALUES: Readonly<Record<string, Record<string, number[]>>> = {
  // Its label top is named Data2 (class indices of CIFAR's 10 classes; noise is no label).
  "liuzhuang13-DenseNetCaffe__train_densenet.prototxt": { Data2: [3, 7] },
  "chuanqi305-MobileNet-SSD__voc_MobileNetSSD_train.prototxt": {
    label: [0, 12, 0, 0.1, 0.2, 0.6, 0.9, 0, 0, 15, 1, 0.5, 0.1, 0.95, 0.5, 1, 1, 7, 0, 0.3, 0.3, 0.7, 0.6, 0],
  },
};

/** Reads and converts every corpus file of `part` in both phases (TypeScript only: quick, at collection). */
function census(part: CorpusPart): Entry[] {
  const entries: Entry[] = [];
  for (const file of corpusFiles()) {
    const text = readFileSync(join(CORPUS_DIR, file), "utf8");
    if (partOf(text) !== part) continue;
    for (const phase of ["TEST", "TRAIN"] as const) {
      const id = `${file} ${phase}`;
      const read = readNet(text, { allowUnknown: true, upgrade: true });
      const readErrors = read.diagnostics.filter((d) => d.severity === "error");
      if (readErrors.length > 0) {
        entries.push({ id, file, phase, graph: null, outputShapes: [], skipped: { why: "unreadable", detail: readErrors[0]!.code } });
        continue;
      }
      let given = INPUT_SHAPES[file];
      // Python layers become stubs (their stand-ins come at run time); nothing else may.
      let outcome = buildTorchGraph(read, { phase, source: file, stubs: true, ...(given ? { inputShapes: given } : {}) });
      // Training on a batch of one is what PyTorch's BatchNorm refuses (a 1×1 map has one value per
      // channel): a deploy net's batch of 1 becomes 2 in TRAIN, as a user would train it.
      const single = outcome.graph.inputs.filter((i) => i.shape?.[0] === 1 && i.shape.every((d) => d !== null));
      if (phase === "TRAIN" && !given && single.length > 0) {
        given = single.map((i) => ({ blob: i.blob, dims: [2, ...(i.shape as number[]).slice(1)] }));
        outcome = buildTorchGraph(read, { phase, source: file, stubs: true, inputShapes: given });
      }
      const { graph } = outcome;
      const unsupported = graph.unsupported.filter((u) => u.reason !== "python-layer");
      const types = [...new Set(unsupported.filter((u) => TYPE_REASONS.has(u.reason)).map((u) => u.type))];
      // An input whose size the prototxt leaves open (a Data layer's images) needs --input-shape.
      const openInputs = graph.inputs.filter((i) => i.shape === null || i.shape.some((d) => d === null)).map((i) => i.blob);
      const skipped =
        types.length > 0
          ? { why: "types" as const, detail: types.join(", ") }
          : unsupported.length > 0
            ? { why: "shapes" as const, detail: [...new Set(unsupported.map((u) => u.reason))].join(", ") }
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

/** The suite of one part: the census, then every supported (file, phase) run under PyTorch. */
export function corpusSuite(part: CorpusPart): void {
  const entries = census(part);
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
    dir = mkdtempSync(join(tmpdir(), `caffe2torch-corpus-${part}-`));
    const models = supported.filter((e) => NOT_RUN[e.id] === undefined).map((e, i) => ({
      id: e.id,
      path: writeExport(e.graph!, join(dir!, String(i))),
      ...(e.graph!.nodes.some((n) => n.stub) ? { stand_ins: STAND_INS } : {}),
      ...(INPUT_VALUES[e.file] ? { values: INPUT_VALUES[e.file] } : {}),
    }));
    pending = runModels(models, dir).then((report) => {
      // Printed so that the test output shows where the time goes.
      const times = Object.entries(report.results).map(([id, r]) => `  ${r.seconds ?? "?"} s (${r.cpu_seconds ?? "?"} s CPU)  ${id}`);
      console.info(`corpus (${part}) under PyTorch, per model (build and forward):\n${times.join("\n")}`);
      return report;
    });
    return pending;
  }

  describe(`the corpus (${part === "bvlc" ? "BVLC layer types only" : "fork and Python layers"}) under real PyTorch: ${summary}`, () => {
    it(`at least ${MIN_SUPPORTED[part]} corpus nets export, in both phases where their TEST phase does; the skipped ones are listed with why`, () => {
      // Printed so that the test output shows what is not covered yet.
      console.info(`${summary}\n${skipped.map((e) => `  skipped ${e.id}: ${e.skipped!.why} (${e.skipped!.detail})`).join("\n")}`);
      expect(supported.length).toBeGreaterThanOrEqual(MIN_SUPPORTED[part]);
      expect(entries.length).toBe(corpusFiles().filter((f) => partOf(readFileSync(join(CORPUS_DIR, f), "utf8")) === part).length * 2);
      for (const e of supported.filter((x) => x.phase === "TEST")) {
        const train = entries.find((x) => x.file === e.file && x.phase === "TRAIN")!;
        // TRAIN adds loss and data layers, which come later; a TEST net that exports must not fail in TRAIN on shapes.
        if (train.skipped) expect(train.skipped.why, train.id).toBe("types");
      }
    });

    if (part === "forks") {
      it("the files with Python layers (ENet, py-faster-rcnn, R-FCN) export in both phases with stubs for those layers only", () => {
        const withStubs = supported.filter((e) => e.graph!.nodes.some((n) => n.stub !== undefined));
        expect(withStubs.map((e) => e.id).sort()).toEqual(PYTHON_LAYER_FILES.flatMap((f) => [`${f} TEST`, `${f} TRAIN`]));
        for (const e of withStubs) expect(new Set(e.graph!.nodes.filter((n) => n.stub).map((n) => n.type)), e.id).toEqual(new Set(["Python"]));
      });
    }

    for (const e of supported.filter((x) => NOT_RUN[x.id] !== undefined)) {
      it(`${e.id}: exports (its forward is left out of this run: ${NOT_RUN[e.id]})`, () => {
        expect(e.graph!.unsupported).toEqual([]);
        expect(e.graph!.outputs.length).toBeGreaterThan(0);
      });
    }

    for (const e of supported.filter((x) => NOT_RUN[x.id] === undefined)) {
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
}
