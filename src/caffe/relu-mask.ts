/**
 * Where Caffe's ReLU back-propagates through the wrong mask. ReLULayer::Backward_cpu
 * (src/caffe/layers/relu_layer.cpp:22-36, BVLC master) reads its mask from its bottom's *data*
 * (`bottom_data[i] > 0`) when the backward runs, not from a copy taken in the forward. Caffe's
 * in-place layers share memory: a ReLU working in place on blob X (or reading X) and a later layer
 * that rewrites X in place leave X holding that later layer's output at backward time — with
 * BatchNorm/Scale after the ReLU, the mask is (Scale output > 0) instead of (ReLU input > 0), and
 * the gradients below the ReLU are not the mathematical ones (training README §6 measures 0.44 and
 * 1.2 relative on the convolution's weight and bias gradients). PyTorch's autograd keeps the right
 * mask, so a converted model does not train as the Caffe net did.
 */
import type { NetParameter } from "../schema/caffe-types.js";
import { buildBlobGraph, type BlobGraph } from "./blobs.js";
import { computesLoss } from "./layers/loss-weights.js";
import { buildNet, type NetModel } from "./net.js";

/**
 * Layer types whose in-place output keeps the ReLU's mask: each maps a value > 0 to a value > 0
 * and a value ≤ 0 to one ≤ 0 (ReLU, PReLU and ELU are the identity on non-negative values), or
 * zeroes values whose gradient it zeroes itself (Dropout in TRAIN).
 */
export const MASK_KEEPING_TYPES: ReadonlySet<string> = new Set(["ReLU", "PReLU", "ELU", "Dropout"]);

/** One ReLU whose mask is overwritten: layer positions in `NetModel.layers`. */
export interface ReluMaskOverwrite {
  relu: number;
  /** The first in-place layer after it that overwrites the data the ReLU's backward reads. */
  writer: number;
  /** The blob both work on. */
  blob: string;
  /** Whether the ReLU itself runs in place (the usual case: conv → ReLU in place → BatchNorm in place). */
  reluInPlace: boolean;
}

/**
 * Every ReLU of `model` whose bottom data is rewritten in place, before the backward, by a layer
 * that does not keep the ReLU's mask. Follows the chain of in-place writes from the version the
 * ReLU reads (the ReLU's own in-place write keeps the mask); the first writer outside
 * {@link MASK_KEEPING_TYPES} is the one reported.
 */
export function overwrittenReluMasks(model: NetModel, graph: BlobGraph): ReluMaskOverwrite[] {
  const found: ReluMaskOverwrite[] = [];
  model.layers.forEach((layer, relu) => {
    if (layer.type !== "ReLU") return;
    const read = graph.bottoms[relu]?.[0];
    if (read === undefined) return;
    const blob = graph.versions[read]!.blob;
    const pending = [read];
    const seen = new Set<number>();
    let writer: number | null = null;
    while (pending.length > 0 && writer === null) {
      const version = pending.shift()!;
      if (seen.has(version)) continue;
      seen.add(version);
      for (const c of graph.versions[version]!.consumers) {
        const written = graph.tops[c.layer]?.[c.bottom];
        // In place: the top at the bottom's index names the same blob (Net::AppendTop).
        if (written === undefined || graph.versions[written]!.blob !== blob) continue;
        if (c.layer !== relu && !MASK_KEEPING_TYPES.has(model.layers[c.layer]!.type)) {
          writer = c.layer;
          break;
        }
        pending.push(written);
      }
    }
    if (writer !== null) found.push({ relu, writer, blob, reluInPlace: layer.tops[0] === layer.bottoms[0] });
  });
  return found;
}

/**
 * The overwritten ReLU masks of `net` as it trains: its TRAIN model, when that model has a loss
 * (a type ending in `Loss` or a `loss_weight`; a deploy net never trains). For callers that have no
 * TRAIN analysis at hand (`explain` of a TEST phase).
 */
export function trainingReluMaskOverwrites(net: NetParameter): { model: NetModel; found: ReluMaskOverwrite[] } {
  const model = buildNet(net, { phase: "TRAIN" });
  const trains = model.layers.some(computesLoss);
  return { model, found: trains ? overwrittenReluMasks(model, buildBlobGraph(model)) : [] };
}
