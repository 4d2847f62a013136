import { paramView, unknownMessage, type ParamView } from "../../caffe/param-view.js";
import type { ConstantState, FillerSpec, ParamBinding } from "../torch-graph.js";
import { batchNormModule } from "./batch-norm-module.js";
import { bindBlob, fillerOfView, keyOf } from "./bindings.js";
import type { LayerContext, LayerConversion, LayerRefusal } from "./types.js";

/** A constant filler (what the forks use for statistics they initialise themselves). */
const constant = (value: number): FillerSpec => ({ ...fillerOfView(undefined), value });

/** One blob of a fork BatchNorm: the state key it fills (null: none), its shapes and filler. */
interface ForkBlob {
  name: string | null;
  kind: "parameter" | "buffer";
  caffeShape: number[];
  filler: FillerSpec;
  /** lr_mult/decay_mult the fork forces, whatever `param {}` says. */
  forced?: number;
}

/** Binds the fork's blobs in order; a [1, C, 1, 1] blob fills a [C] tensor. */
function bindAll(ctx: LayerContext, c: number, blobs: readonly ForkBlob[]): ParamBinding[] {
  return blobs.map((b, i) => {
    const shape = b.name === null ? b.caffeShape : [c];
    const layout = b.caffeShape.length === shape.length ? undefined : ({ kind: "reshape", shape } as const);
    const binding = bindBlob(ctx, i, { key: b.name === null ? null : keyOf(ctx.attr, b.name), shape, caffeShape: b.caffeShape, layout, kind: b.kind, filler: b.filler });
    return b.forced === undefined ? binding : { ...binding, lrMult: b.forced, decayMult: b.forced };
  });
}

const counter = (attr: string): ConstantState => ({ key: keyOf(attr, "num_batches_tracked"), shape: [], value: 0, dtype: "I64" });

/**
 * A fork BatchNorm with its own gamma/beta: the module exactly as `convert` configures the block
 * (src/convert/converters/fork-bn.ts, nvcaffe-batch-norm.ts), the blobs by the fork's layout.
 *
 * - PSPNet `BN` (hszhao/PSPNet src/caffe/layers/bn_layer.cpp:20-43): [slope, bias, mean, variance],
 *   each [1, C, 1, 1]; the statistics are used as stored (no scale factor); lr_mult of the
 *   statistics forced to 0 (:51-55), of slope and bias too when `frozen` (:58-66).
 * - SegNet / ENet `BN` (alexgkendall/caffe-segnet src/caffe/layers/bn_layer.cpp:65-77):
 *   [scale, shift], each [1, C, 1, 1]; no statistics. INFERENCE (:202) is scale·x + shift: eval()
 *   with mean 0, variance 1 and eps 0, kept as constants.
 * - NVIDIA Caffe `BatchNorm` with scale_bias (NVIDIA/caffe caffe-0.17
 *   src/caffe/layers/batch_norm_layer.cpp:43-56): [mean, variance, variance correction, scale,
 *   bias], shapes [C], [C], [1], [C], [C]; TEST uses mean and variance as stored (:177-191), the
 *   correction blob is never read; lr_mult forced to 0 for the first three, 1 for the others (:90-109).
 */
export function convertForkBatchNorm(ctx: LayerContext): LayerConversion | LayerRefusal {
  const block = ctx.block;
  if (!block || block.caffe.fork === undefined) return { refused: "no-block" };
  const family = block.caffe.fork.family;
  if (family === "unrecognised") return { refused: "fork-batch-norm-unrecognised", data: { reason: String(block.caffe.fork.settings["reason"] ?? "") } };
  // caffe-segnet BNLayer::Reshape (bn_layer.cpp:15-22) can add batch mean/variance tops.
  if (ctx.layer.tops.length !== 1) return { refused: "bn-extra-tops", data: { tops: ctx.layer.tops.length } };
  const module = batchNormModule(block, false);
  if (!module) return { refused: block.torch.module === null ? "input-shape-unknown" : "channels-unknown" };
  const c = block.torch.num_features!;
  const [params, constants] = blobsOf(ctx, family, c);
  const frozen: string[] = [];
  if (block.torch.weight_requires_grad === false) frozen.push(keyOf(ctx.attr, "weight"));
  if (block.torch.bias_requires_grad === false) frozen.push(keyOf(ctx.attr, "bias"));
  return {
    module,
    call: { kind: "module" },
    params,
    constants,
    frozen,
    bnMode: block.torch.mode,
    evalWhileTraining: block.caffe.use_global_stats_by_phase.TRAIN,
  };
}

/** The bindings and constants of one fork's blob layout. */
function blobsOf(ctx: LayerContext, family: "pspnet" | "segnet" | "nvcaffe", c: number): [ParamBinding[], ConstantState[]] {
  const wide = [1, c, 1, 1];
  if (family === "pspnet") {
    const bn = bnParam(ctx);
    const frozen = bn?.bool("frozen") === true;
    const slopeLr = frozen ? 0 : undefined;
    return [
      bindAll(ctx, c, [
        { name: "weight", kind: "parameter", caffeShape: wide, filler: fillerOfView(bn?.message("slope_filler")), forced: slopeLr },
        { name: "bias", kind: "parameter", caffeShape: wide, filler: fillerOfView(bn?.message("bias_filler")), forced: slopeLr },
        { name: "running_mean", kind: "buffer", caffeShape: wide, filler: constant(0), forced: 0 },
        // bn_layer.cpp:42: the variance starts at 1 when frozen, else 0.
        { name: "running_var", kind: "buffer", caffeShape: wide, filler: constant(frozen ? 1 : 0), forced: 0 },
      ]),
      [counter(ctx.attr)],
    ];
  }
  if (family === "segnet") {
    const bn = bnParam(ctx);
    const params = bindAll(ctx, c, [
      { name: "weight", kind: "parameter", caffeShape: wide, filler: fillerOfView(bn?.message("scale_filler")) },
      { name: "bias", kind: "parameter", caffeShape: wide, filler: fillerOfView(bn?.message("shift_filler")) },
    ]);
    if (!ctx.block!.torch.track_running_stats) return [params, []];
    const stat = (name: string, value: number): ConstantState => ({ key: keyOf(ctx.attr, name), shape: [c], value });
    return [params, [stat("running_mean", 0), stat("running_var", 1), counter(ctx.attr)]];
  }
  // NVCaffe: the fillers live in batch_norm_param (fork fields); scale 1 and bias 0 without them.
  const bnp = ctx.layer.param.batch_norm_param;
  const view = bnp ? paramView(bnp, ctx.sourceMap) : undefined;
  const scaleFiller = view?.has("scale_filler") ? fillerOfView(view.message("scale_filler")) : constant(1);
  const biasFiller = view?.has("bias_filler") ? fillerOfView(view.message("bias_filler")) : constant(0);
  return [
    bindAll(ctx, c, [
      { name: "running_mean", kind: "buffer", caffeShape: [c], filler: constant(0), forced: 0 },
      { name: "running_var", kind: "buffer", caffeShape: [c], filler: constant(0), forced: 0 },
      { name: null, kind: "buffer", caffeShape: [1], filler: constant(1), forced: 0 },
      { name: "weight", kind: "parameter", caffeShape: [c], filler: scaleFiller, forced: 1 },
      { name: "bias", kind: "parameter", caffeShape: [c], filler: biasFiller, forced: 1 },
    ]),
    [counter(ctx.attr)],
  ];
}

/** The fork `bn_param` of a `BN` layer (raw syntax: our schema has no such field). */
function bnParam(ctx: LayerContext): ParamView | undefined {
  return unknownMessage(ctx.layer.param, "bn_param", ctx.sourceMap);
}
