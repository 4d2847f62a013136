/**
 * Issue 3, "Tests and checks", third bullet: for every file of the shared corpus, in both phases,
 * plain and `--exact`, the module `convert --format python` writes imports and builds under real
 * PyTorch (/usr/bin/python3 with python3-torch), and every module's attributes equal the
 * `convert --format json` document: class, num_features, eps, momentum, affine,
 * track_running_stats, requires_grad and the training flag after set_training. The flags are
 * checked against the file's own conversions: while training, a module is in train() exactly
 * when the same layer converted in TRAIN normalises with batch statistics, and otherwise exactly
 * when the same layer converted in TEST does. Every block is either a module or listed in
 * SKIPPED with its reason.
 *
 * All modules are checked in ONE Python process (a torch session running check_corpus_modules.py):
 * importing torch costs seconds, so a process per file would make this test minutes long. Each
 * corpus file is one request (its four modules), so a file's test waits only for its own.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Described } from "../emit/described.js";
import { afterAll, describe, expect, it } from "vitest";
import { convertNet } from "../../src/convert/convert.js";
import type { ConvertBlock, ConvertResult, TorchMode } from "../../src/convert/types.js";
import { emitJson } from "../../src/emit/json.js";
import { emitPython } from "../../src/emit/python.js";
import { readNet } from "../../src/schema/read.js";
import { CORPUS_DIR, corpusFiles } from "../helpers/paths.js";
import { requireTorch, skipWithoutTorch } from "../helpers/python.js";
import { useTorchSession } from "../helpers/torch-session.js";

const RUNNER = fileURLToPath(new URL("./check_corpus_modules.py", import.meta.url));
/** The one corpus file that is a template, not a net: `num_output: ${NUM_LABELS}` is no value. */
const DEEPLAB = "TheLegendAli-DeepLab-Context__vgg128_noup_train.prototxt";
/** So that a corpus that silently shrank, or a runner that skipped files, cannot pass. */
const MIN_FILES_WITH_MODULES = 15;
/** One Python process for the whole corpus: seconds, but more than vitest's default per test. */
const TIMEOUT_MS = 240_000;
const python = useTorchSession();

const PHASES = ["TEST", "TRAIN"] as const;
type Phase = (typeof PHASES)[number];

/** One emitted module: a corpus file in one phase, plain or exact, with the JSON it came from. */
interface Variant {
  id: string;
  file: string;
  phase: Phase;
  exact: boolean;
  path: string;
  /** `convert --format json` of the same result, parsed: what the module must equal. */
  json: ConvertResult;
}

type Report =
  | {
      ok: true;
      described: Described;
      classes: Record<string, { nn_class: string | null; nn_bases: string[] }>;
    }
  | { ok: false; error: string };

/** check_modules' answer: a report per variant id. */
type Results = Record<string, Report>;

const files = corpusFiles();
let tempDir: string | undefined;

afterAll(() => {
  if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
});

/** Error diagnostics of reading `file` leniently, as `convert` reads it. */
function readErrors(file: string) {
  const text = readFileSync(join(CORPUS_DIR, file), "utf8");
  const read = readNet(text, { allowUnknown: true, upgrade: true });
  return { text, errors: read.diagnostics.filter((d) => d.severity === "error") };
}

let prepared: Variant[] | undefined;

/** Converts and emits every parseable file, 2 phases × plain/exact, into one temp dir. */
function prepare(): Variant[] {
  if (prepared !== undefined) return prepared;
  tempDir = mkdtempSync(join(tmpdir(), "caffe2torch-corpus-"));
  const variants: Variant[] = [];
  for (const file of files) {
    if (file === DEEPLAB) continue;
    const text = readFileSync(join(CORPUS_DIR, file), "utf8");
    for (const phase of PHASES) {
      for (const exact of [false, true]) {
        // A fresh read per conversion, as each `convert` invocation reads the file.
        const read = readNet(text, { allowUnknown: true, upgrade: true });
        const result = convertNet(read, { phase, source: file, exact });
        const path = join(tempDir, `m${String(variants.length).padStart(3, "0")}.py`);
        writeFileSync(path, emitPython(result, { exact }), "utf8");
        const json = JSON.parse(emitJson(result)) as ConvertResult;
        variants.push({ id: `${file} ${phase}${exact ? " exact" : ""}`, file, phase, exact, path, json });
      }
    }
  }
  prepared = variants;
  return variants;
}

const checked = new Map<string, Promise<Results>>();

/** check_corpus_modules.py over the prepared modules of `file`, once. */
function checkFile(file: string): Promise<Results> {
  let results = checked.get(file);
  if (results === undefined) {
    const entries = prepare()
      .filter((v) => v.file === file)
      .map((v) => ({ id: v.id, path: v.path }));
    results = python.call<Results>(RUNNER, "check_modules", [entries]);
    checked.set(file, results);
  }
  return results;
}

/** The reports of every prepared module, merged from the per-file requests. */
async function checkAll(): Promise<Results> {
  const files = [...new Set(prepare().map((v) => v.file))];
  return Object.assign({}, ...(await Promise.all(files.map(checkFile)))) as Results;
}

function isBuilt(block: ConvertBlock): boolean {
  return block.torch.module !== null && block.torch.num_features !== null;
}

/** The modes in which a converted module normalises with batch statistics (the others: stored ones). */
const BATCH_STATISTICS: ReadonlySet<TorchMode> = new Set<TorchMode>(["train", "batch-stats"]);

/** Matches the block of the same Caffe layer in another conversion of the same file. */
const sameLayer = (a: ConvertBlock) => (b: ConvertBlock) =>
  a.batchnorm === b.batchnorm && a.line === b.line && a.column === b.column;

/** The same layer in the file's conversion in `phase` (plain or exact as `variant`); undefined when not active there. */
function counterpart(variant: Variant, block: ConvertBlock, phase: Phase): ConvertBlock | undefined {
  const other = prepare().find((v) => v.file === variant.file && v.phase === phase && v.exact === variant.exact);
  return other?.json.blocks.find(sameLayer(block));
}

/**
 * [module.training after set_training(m, True), after set_training(m, False)], from the rule the
 * generated module's docstring states (asserted below), applied to the converter's modes rather
 * than taken from the emitter's code: training is Caffe's TRAIN phase, not training its TEST
 * phase, and in each the module is in train() exactly when the same layer, converted in that
 * phase, normalises with batch statistics (mode train or batch-stats). A layer active in one
 * phase only has no conversion in the other; there the block's use_global_stats_by_phase is
 * taken (see {@link ONE_PHASE_LAYERS}).
 */
function expectedFlags(variant: Variant, block: ConvertBlock): [boolean, boolean] {
  const batchStatistics = (phase: Phase) => {
    const other = counterpart(variant, block, phase);
    return other === undefined ? !block.caffe.use_global_stats_by_phase[phase] : BATCH_STATISTICS.has(other.torch.mode);
  };
  return [batchStatistics("TRAIN"), batchStatistics("TEST")];
}

/** The docstring sentences {@link expectedFlags} relies on, whitespace-normalised. */
const DOCUMENTED_RULE = [
  "Training stands for Caffe's TRAIN phase and not training for its TEST phase, whichever phase PHASE is: in each, a module is in train() exactly when its Caffe layer normalises with batch statistics in that phase.",
  "train batch statistics, running statistics updated (TRAIN).",
  "frozen stored statistics, never updated (TRAIN).",
  "eval stored statistics (TEST).",
  "batch-stats batch statistics, nothing stored: track_running_stats=False, so batch statistics are used under either flag.",
];

/** What SKIPPED must say for a block without a module. */
function skipPattern(block: ConvertBlock): string {
  return block.torch.module === null ? "input rank unknown[^;]*" : "number of channels unknown[^;]*";
}

/** The compared attributes of one module, as the JSON says they must be. */
function expectedModule(variant: Variant, block: ConvertBlock) {
  const { phase } = variant;
  const { torch, caffe } = block;
  const module = torch.module ?? "";
  // --exact reproduces BVLC's update rule, so only BVLC BatchNorm blocks get the Caffe* subclass.
  const exact = variant.exact && caffe.type === "BatchNorm" && caffe.fork === undefined;
  const [whenTraining, otherwise] = expectedFlags(variant, block);
  return {
    batchnorm: block.batchnorm,
    mode: torch.mode,
    class: exact ? `Caffe${module}` : module,
    nn_class: exact ? null : module,
    nn_bases: exact ? [module] : [],
    num_features: torch.num_features,
    eps: torch.eps,
    momentum: torch.momentum,
    affine: torch.affine,
    track_running_stats: torch.track_running_stats,
    // The JSON has null when not affine; PyTorch then has no weight and bias.
    weight_requires_grad: torch.weight_requires_grad,
    bias_requires_grad: torch.bias_requires_grad,
    moving_average_fraction: exact ? caffe.moving_average_fraction : null,
    caffe_scale_factor: exact ? [0] : null,
    training_flags: [whenTraining, otherwise],
    training_after_build: phase === "TRAIN" ? whenTraining : otherwise,
    training_when_training: whenTraining,
    training_when_not_training: otherwise,
  };
}

/** The same attributes as PyTorch reports them for the module under `key`. */
function actualModule(report: Extract<Report, { ok: true }>, key: string) {
  const d = report.described;
  const m = d.modules[key];
  const c = report.classes[key];
  if (m === undefined || c === undefined) return { key, missing: true };
  return {
    batchnorm: d.layer_names[key],
    mode: d.modes[key],
    class: m.class,
    nn_class: c.nn_class,
    nn_bases: c.nn_bases,
    num_features: m.num_features,
    eps: m.eps,
    momentum: m.momentum,
    affine: m.affine,
    track_running_stats: m.track_running_stats,
    weight_requires_grad: m.weight_requires_grad,
    bias_requires_grad: m.bias_requires_grad,
    moving_average_fraction: m.moving_average_fraction,
    caffe_scale_factor: m.caffe_scale_factor,
    training_flags: d.training_flags[key],
    training_after_build: m.training_after_build,
    training_when_training: m.training_when_training,
    training_when_not_training: m.training_when_not_training,
  };
}

/** Every check of one emitted module against its JSON. */
function expectVariantMatches(variant: Variant, report: Report | undefined): void {
  const { id, json, phase, exact } = variant;
  expect(report, `${id}: no report from the runner`).toBeDefined();
  if (report === undefined) return;
  expect(report.ok ? null : report.error, `${id}: import, build or describe failed`).toBeNull();
  if (!report.ok) return;
  const d = report.described;

  expect({ source: d.source, net: d.net, phase: d.phase }, id).toStrictEqual({
    source: json.source,
    net: json.net,
    phase: json.phase,
  });
  expect(d.is_module_dict, `${id}: build() returns a ModuleDict`).toBe(true);
  expect(d.container_training, `${id}: the ModuleDict's own flag follows set_training`).toEqual([true, false]);
  const doc = d.doc.replace(/\s+/g, " ");
  for (const sentence of DOCUMENTED_RULE) expect(doc, `${id}: docstring`).toContain(sentence);

  const built = json.blocks.filter(isBuilt);
  const skipped = json.blocks.filter((b) => !isBuilt(b));
  // Every block is a module (in block order) or a SKIPPED entry with its reason.
  expect(built.length + skipped.length).toBe(json.blocks.length);
  expect(d.keys, `${id}: one ModuleDict key per block with a module`).toHaveLength(built.length);
  expect(Object.keys(d.layer_names), `${id}: LAYER_NAMES in key order`).toEqual(d.keys);
  expect(
    d.keys.map((key) => actualModule(report, key)),
    `${id}: modules under PyTorch`,
  ).toStrictEqual(built.map((block) => expectedModule(variant, block)));

  const reasons = new Map<string, string[]>();
  for (const block of skipped) reasons.set(block.batchnorm, [...(reasons.get(block.batchnorm) ?? []), skipPattern(block)]);
  expect(d.skipped, `${id}: SKIPPED`).toStrictEqual(
    Object.fromEntries(
      [...reasons].map(([name, patterns]) => [name, expect.stringMatching(new RegExp(`^${patterns.join("; ")}$`))]),
    ),
  );
}

/**
 * Per file, the modules converted in `phase` (plain and exact) whose flag in the other phase
 * (while training for TEST modules, when not training for TRAIN modules) is not what the same
 * layer does in the file's conversion in that other phase.
 */
function crossPhaseDivergences(phase: Phase, variants: readonly Variant[], results: Results) {
  const other: Phase = phase === "TEST" ? "TRAIN" : "TEST";
  const out = new Map<string, string[]>();
  for (const variant of variants.filter((v) => v.phase === phase)) {
    const report = results[variant.id];
    if (report === undefined || !report.ok) continue;
    variant.json.blocks.filter(isBuilt).forEach((block, i) => {
      const key = report.described.keys[i] ?? "";
      const there = counterpart(variant, block, other);
      if (there === undefined) return; // not active in the other phase
      const module = report.described.modules[key];
      const flag = other === "TRAIN" ? module?.training_when_training : module?.training_when_not_training;
      if (flag !== BATCH_STATISTICS.has(there.torch.mode)) {
        out.set(variant.file, [...(out.get(variant.file) ?? []), `${variant.id}: ${block.batchnorm} (${there.torch.mode} in ${other})`]);
      }
    });
  }
  return Object.fromEntries(out);
}

/**
 * Blocks whose layer is active in one phase only (include/exclude), so that {@link expectedFlags}
 * takes the other phase's flag from caffe.use_global_stats_by_phase: pinned, so that the share of
 * flags checked without a second conversion cannot grow unnoticed.
 */
const ONE_PHASE_LAYERS = 0;

describe("every corpus module under real PyTorch (both phases, plain and --exact)", () => {
  it("reads every corpus file except the DeepLab template, whose ${…} placeholders do not parse", () => {
    const unparseable = files.filter((file) => readErrors(file).errors.length > 0);
    expect(unparseable).toEqual([DEEPLAB]);
    const { text, errors } = readErrors(DEEPLAB);
    const first = errors[0];
    expect(first?.code).toBe("expected-value");
    expect(first?.data).toMatchObject({ field: "num_output", found: "$" });
    expect(text.slice(first?.range?.offset ?? 0)).toMatch(/^\$\{NUM_LABELS\}/);
  });

  for (const file of files) {
    if (file === DEEPLAB) continue;
    it.skipIf(skipWithoutTorch)(
      `${file}: the emitted modules import, build and equal the JSON`,
      async () => {
        requireTorch();
        const results = await checkFile(file);
        const variants = prepare().filter((v) => v.file === file);
        expect(variants).toHaveLength(4);
        for (const variant of variants) expectVariantMatches(variant, results[variant.id]);
      },
      TIMEOUT_MS,
    );
  }

  it.skipIf(skipWithoutTorch)(
    "a TEST module's flag while training is what the same layer does in TRAIN, in every file",
    async () => {
      requireTorch();
      expect(crossPhaseDivergences("TEST", prepare(), await checkAll())).toEqual({});
    },
    TIMEOUT_MS,
  );

  it.skipIf(skipWithoutTorch)(
    "a TRAIN module's flag when not training is what the same layer does in TEST, in every file",
    async () => {
      requireTorch();
      expect(crossPhaseDivergences("TRAIN", prepare(), await checkAll())).toEqual({});
    },
    TIMEOUT_MS,
  );

  it("every block's use_global_stats_by_phase agrees with its mode, and with the same layer's in the other phase", () => {
    const variants = prepare();
    const disagreements: string[] = [];
    let onePhase = 0;
    for (const variant of variants) {
      for (const block of variant.json.blocks) {
        const byPhase = block.caffe.use_global_stats_by_phase;
        if (byPhase[variant.phase] === BATCH_STATISTICS.has(block.torch.mode)) {
          disagreements.push(`${variant.id}: ${block.batchnorm} is ${block.torch.mode} but by_phase ${JSON.stringify(byPhase)}`);
        }
        const other = counterpart(variant, block, variant.phase === "TEST" ? "TRAIN" : "TEST");
        if (other === undefined) onePhase += 1;
        else if (JSON.stringify(other.caffe.use_global_stats_by_phase) !== JSON.stringify(byPhase)) {
          disagreements.push(`${variant.id}: ${block.batchnorm} by_phase differs between phases`);
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(onePhase, "blocks of layers active in one phase only").toBe(ONE_PHASE_LAYERS);
  });

  it.skipIf(skipWithoutTorch)(
    `checks every parseable file, at least ${MIN_FILES_WITH_MODULES} of them with modules`,
    async () => {
      requireTorch();
      const results = await checkAll();
      const variants = prepare();
      expect(variants).toHaveLength((files.length - 1) * 4);
      expect(Object.keys(results).sort()).toEqual(variants.map((v) => v.id).sort());
      const withModules = new Set(
        variants
          .filter((v) => {
            const r = results[v.id];
            return r !== undefined && r.ok && r.described.keys.length > 0;
          })
          .map((v) => v.file),
      );
      expect(withModules.size).toBeGreaterThanOrEqual(MIN_FILES_WITH_MODULES);
      // Both module flavours of a phase build the same number of modules.
      for (const v of variants.filter((x) => x.exact)) {
        const plain = variants.find((x) => x.file === v.file && x.phase === v.phase && !x.exact);
        expect(plain?.json.blocks.filter(isBuilt).length, v.id).toBe(v.json.blocks.filter(isBuilt).length);
      }
    },
    TIMEOUT_MS,
  );
});
