/**
 * LRN, as BVLC Caffe's LRNLayer (lrn_layer.cpp): ACROSS_CHANNELS by its running scale sum,
 * WITHIN_CHANNEL by its chain of internal Power, Pooling, Power and Eltwise layers.
 *
 * In place, ACROSS_CHANNELS writes `scale^−β` over its bottom before multiplying by it
 * (CrossChannelForward_cpu: powx into top, then mul(top, bottom)), so Caffe's result is
 * `(scale^−β)²`; WITHIN_CHANNEL reads x before writing and is unaffected.
 */
import { layerParams } from "../../caffe/layers/params.js";
import { lrnAcrossChannels, lrnWithinChannel } from "../../numeric/kernels/lrn.js";
import { blobOf, float, inPlace, needBottoms } from "../blob.js";
import { fail, type LayerExecutor } from "../types.js";

export const lrn: LayerExecutor = {
  types: ["LRN"],
  forward(ctx) {
    needBottoms(ctx, 1);
    const x = ctx.bottoms[0]!;
    if (x.shape.length !== 4) fail("lrn-not-4d", { layer: ctx.layer.name, shape: [...x.shape] });
    const p = layerParams(ctx.layer, "lrn_param");
    const spec = { localSize: p.num("local_size"), alpha: float(p, "alpha"), beta: float(p, "beta"), k: float(p, "k") };
    if (spec.localSize % 2 !== 1) fail("lrn-even-size", { layer: ctx.layer.name, localSize: spec.localSize });
    const top = blobOf(x.shape);
    if (p.enumName("norm_region") === "WITHIN_CHANNEL") lrnWithinChannel(x.data, x.shape, spec, top.data);
    else lrnAcrossChannels(x.data, x.shape, spec, top.data, inPlace(ctx));
    return [top];
  },
};
