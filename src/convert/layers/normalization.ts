import { layerParams } from "../../caffe/layers/params.js";
import { pyFloat } from "../python-literals.js";
import type { PyValue } from "../torch-graph.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/** A float keyword argument spelled as Python spells floats (`2.0`, not `2`). */
const float = (x: number): PyValue => ({ raw: pyFloat(x) });

/** Refuses an input of known rank other than 4: LRNLayer::Reshape and MVNLayer::Reshape work on (N, C, H, W). */
function rank4(ctx: LayerContext): LayerRefusal | null {
  const rank = ctx.inputs[0]?.length;
  return rank !== undefined && rank !== 4 ? { refused: "rank-not-4", data: { rank } } : null;
}

/**
 * LRN. ACROSS_CHANNELS is `x·(k + α/n·Σ x²)^−β` over n neighbouring channels. Caffe divides α by
 * n itself (`alpha_over_size = alpha_ / size_` in CrossChannelForward_cpu, BVLC/caffe
 * src/caffe/layers/lrn_layer.cpp), and so does PyTorch (nn.LocalResponseNorm's documented formula
 * has α/n; F.local_response_norm averages the squares): α passes undivided. WITHIN_CHANNEL is
 * the `LRNWithinChannel` helper; Caffe ignores k there (its Power layer shifts by 1).
 */
function lrn(ctx: LayerContext): LayerConversion | LayerRefusal {
  const p = layerParams(ctx.layer, "lrn_param");
  const size = p.num("local_size");
  // LRNLayer::LayerSetUp: "LRN only supports odd values for local_size".
  if (size % 2 !== 1) return { refused: "lrn-even-size", data: { local_size: size } };
  const rank = rank4(ctx);
  if (rank) return rank;
  const [alpha, beta] = [p.num("alpha"), p.num("beta")];
  if (p.enumName("norm_region") === "WITHIN_CHANNEL") {
    return {
      module: { cls: "LRNWithinChannel", args: [size], kwargs: { alpha: float(alpha), beta: float(beta) } },
      call: { kind: "module" },
      helpers: ["LRNWithinChannel"],
    };
  }
  return {
    module: { cls: "nn.LocalResponseNorm", args: [size], kwargs: { alpha: float(alpha), beta: float(beta), k: float(p.num("k")) } },
    call: { kind: "module" },
  };
}

/** MVN: the `MVN` helper (MVNLayer::Forward_cpu adds eps to the standard deviation). */
function mvn(ctx: LayerContext): LayerConversion | LayerRefusal {
  const rank = rank4(ctx);
  if (rank) return rank;
  const p = layerParams(ctx.layer, "mvn_param");
  const kwargs: Record<string, PyValue> = {};
  if (!p.bool("normalize_variance")) kwargs["normalize_variance"] = false;
  if (p.bool("across_channels")) kwargs["across_channels"] = true;
  // eps (Caffe's default from the schema when not written) only matters when dividing.
  if (p.bool("normalize_variance")) kwargs["eps"] = float(p.num("eps"));
  return { module: { cls: "MVN", args: [], kwargs }, call: { kind: "module" }, helpers: ["MVN"] };
}

/** LRN and MVN. */
export const normalizationConverter: LayerConverter = {
  types: ["LRN", "MVN"],
  convert: (ctx) => (ctx.layer.type === "LRN" ? lrn(ctx) : mvn(ctx)),
};
