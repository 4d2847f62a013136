/**
 * Every corpus file with detection or OCR fork layers (SSD, Faster R-CNN, R-FCN, caffe_ocr) exports
 * and runs one forward on seeded random inputs of its shape under real PyTorch, all models in ONE
 * Python process (run_fork_corpus.py). Input shapes are given as `--input-shape` gives them.
 *
 * Layers this branch does not convert are left out and named here with the reason: `Python`
 * layers (their stubs come from another branch; their tops become inputs of the given shapes) and
 * the R-FCN training losses (SoftmaxWithLoss, SmoothL1Loss, SmoothL1LossOHEM, Accuracy), which
 * nothing downstream of the fork layers reads.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InputShape } from "../../src/caffe/input-shapes.js";
import { buildTorchGraph, type GraphOutcome } from "../../src/convert/graph.js";
import { emitNetModule } from "../../src/emit/python/net-module.js";
import type { NetParameter } from "../../src/schema/caffe-types.js";
import { readNet } from "../../src/schema/read.js";
import { CORPUS_DIR } from "../helpers/paths.js";
import { requireTorch, runPythonJsonAsync, skipWithoutTorch } from "../helpers/python.js";

const RUNNER = fileURLToPath(new URL("./run_fork_corpus.py", import.meta.url));
/** The types this suite is about: each must convert in the unmodified corpus files. */
const FORK_TYPES = new Set(["Permute", "Normalize", "PriorBox", "DetectionOutput", "ROIPooling", "PSROIPooling", "Reverse", "Transpose", "Lstm", "CTCGreedyDecoder", "WarpCTCLoss"]);

const SSD = "chuanqi305-MobileNet-SSD__voc_MobileNetSSD_train.prototxt";
const FASTER = "rbgirshick-py-faster-rcnn__VGG16_faster_rcnn_end2end_test.prototxt";
const RFCN = "YuwenXiong-py-R-FCN__ResNet-50_rfcn_end2end_train_agnostic.prototxt";
const OCR = "senlinuc-caffe_ocr__inception-bn_train_val.prototxt";

/** The detection tail of chuanqi305's voc/MobileNetSSD_test.prototxt (TEST net of the same train file). */
const SSD_TEST_TAIL = `
layer { name: "mbox_conf_reshape" type: "Reshape" bottom: "mbox_conf" top: "mbox_conf_reshape" reshape_param { shape { dim: 0 dim: -1 dim: 21 } } }
layer { name: "mbox_conf_softmax" type: "Softmax" bottom: "mbox_conf_reshape" top: "mbox_conf_softmax" softmax_param { axis: 2 } }
layer { name: "mbox_conf_flatten" type: "Flatten" bottom: "mbox_conf_softmax" top: "mbox_conf_flatten" flatten_param { axis: 1 } }
layer { name: "detection_out" type: "DetectionOutput" bottom: "mbox_loc" bottom: "mbox_conf_flatten" bottom: "mbox_priorbox" top: "detection_out"
  include { phase: TEST }
  detection_output_param { num_classes: 21 share_location: true background_label_id: 0 nms_param { nms_threshold: 0.45 top_k: 400 }
    code_type: CENTER_SIZE keep_top_k: 200 confidence_threshold: 0.01 } }`;

interface Recipe {
  name: string;
  file: string;
  phase: "TEST" | "TRAIN";
  inputShapes: InputShape[];
  /** Layers left out (see the file comment). */
  exclude?: string[];
  append?: string;
  /** How run_fork_corpus.py fills inputs other than normal noise. */
  inputs?: Record<string, { kind: "labels"; classes: number } | { kind: "rois"; image: [number, number] }>;
  /** Output shapes worked out from the architecture (null: known only at run time). */
  outputs: Record<string, (number | null)[]>;
}

const RFCN_LEFT_OUT = ["input-data", "rpn-data", "proposal", "roi-data", "rpn_loss_cls", "rpn_loss_bbox", "loss", "accuarcy", "loss_bbox", "silence"];

const RECIPES: Recipe[] = [
  {
    name: "mobilenet-ssd-test",
    file: SSD,
    phase: "TEST",
    inputShapes: [{ blob: "data", dims: [1, 3, 300, 300] }],
    // 1917 priors: 19²·3 + 10²·6 + 5²·6 + 3²·6 + 2²·6 + 1²·6.
    outputs: { mbox_conf: [1, 1917 * 21], mbox_loc: [1, 1917 * 4], mbox_priorbox: [1, 2, 1917 * 4] },
  },
  {
    name: "mobilenet-ssd-detection",
    file: SSD,
    phase: "TEST",
    inputShapes: [{ blob: "data", dims: [1, 3, 300, 300] }],
    append: SSD_TEST_TAIL,
    outputs: { detection_out: [1, 1, null, 7] },
  },
  {
    name: "caffe-ocr-test",
    file: OCR,
    phase: "TEST",
    inputShapes: [{ blob: "data", dims: [2, 3, 32, 280] }, { blob: "label", dims: [2, 10] }],
    inputs: { label: { kind: "labels", classes: 5990 } },
    outputs: { acc: [1, 2, 1, 1], ctcloss: [] },
  },
  {
    name: "caffe-ocr-train",
    file: OCR,
    phase: "TRAIN",
    inputShapes: [{ blob: "data", dims: [2, 3, 32, 280] }, { blob: "label", dims: [2, 10] }],
    inputs: { label: { kind: "labels", classes: 5990 } },
    outputs: { ctcloss: [] },
  },
  {
    name: "faster-rcnn-vgg16",
    file: FASTER,
    phase: "TEST",
    inputShapes: [{ blob: "data", dims: [1, 3, 224, 320] }, { blob: "rois", dims: [16, 5] }],
    exclude: ["proposal"],
    inputs: { rois: { kind: "rois", image: [224, 320] } },
    outputs: { bbox_pred: [16, 84], cls_prob: [16, 21] },
  },
  {
    name: "r-fcn-resnet50",
    file: RFCN,
    phase: "TEST",
    inputShapes: [{ blob: "data", dims: [1, 3, 224, 320] }, { blob: "rois", dims: [16, 5] }],
    exclude: RFCN_LEFT_OUT,
    inputs: { rois: { kind: "rois", image: [224, 320] } },
    outputs: { cls_score: [16, 21, 1, 1], bbox_pred: [16, 8, 1, 1] },
  },
];

function graphFor(r: Recipe, exclude: readonly string[]): GraphOutcome {
  const text = readFileSync(join(CORPUS_DIR, r.file), "utf8") + (r.append ?? "");
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  const net = read.net as NetParameter;
  net.layer = (net.layer ?? []).filter((l) => !exclude.includes(l.name ?? ""));
  return buildTorchGraph(read, { phase: r.phase, source: r.file, inputShapes: r.inputShapes });
}

interface Run {
  outputs: Record<string, { shape: number[]; finite: boolean }>;
  seconds: number;
}

let dir: string | undefined;
let results: Record<string, Run | { error: string }> | undefined;

beforeAll(async () => {
  if (skipWithoutTorch) return;
  requireTorch();
  dir = mkdtempSync(join(tmpdir(), "caffe2torch-fork-corpus-"));
  const models = RECIPES.map((r) => {
    const { graph } = graphFor(r, r.exclude ?? []);
    if (graph.unsupported.length > 0) throw new Error(`${r.name}: ${JSON.stringify(graph.unsupported)}`);
    const model = join(dir!, `${r.name}.py`);
    writeFileSync(model, emitNetModule(graph));
    return { name: r.name, model, inputs: r.inputs ?? {} };
  });
  const spec = join(dir, "spec.json");
  writeFileSync(spec, JSON.stringify({ models }));
  results = (await runPythonJsonAsync<{ results: typeof results }>(RUNNER, [spec])).results;
}, 300_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("corpus files with detection and OCR fork layers", () => {
  it.each([SSD, FASTER, RFCN, OCR])("%s: every fork layer converts in the file as it is", (file) => {
    for (const phase of ["TEST", "TRAIN"] as const) {
      const recipe = RECIPES.find((r) => r.file === file)!;
      const { graph } = graphFor({ ...recipe, phase }, []);
      expect(graph.unsupported.filter((u) => FORK_TYPES.has(u.type))).toEqual([]);
      // What stays unsupported is only what this suite leaves out (Python layers, other branches' losses).
      expect(graph.unsupported.filter((u) => !(recipe.exclude ?? []).includes(u.layer) && u.type !== "MultiBoxLoss")).toEqual([]);
    }
  });

  it.skipIf(skipWithoutTorch).each(RECIPES.map((r) => [r.name, r] as const))("%s exports and runs a forward with the expected output shapes", (_, r) => {
    const run = results![r.name]!;
    if ("error" in run) throw new Error(run.error);
    expect(Object.keys(run.outputs).sort()).toEqual(expect.arrayContaining(Object.keys(r.outputs).sort()));
    for (const [blob, shape] of Object.entries(r.outputs)) {
      const got = run.outputs[blob]!;
      expect(got.finite, `${r.name}/${blob} finite`).toBe(true);
      expect(got.shape.length, `${r.name}/${blob} rank`).toBe(shape.length);
      shape.forEach((d, i) => d !== null && expect(got.shape[i], `${r.name}/${blob} dim ${i}`).toBe(d));
    }
  });
});
