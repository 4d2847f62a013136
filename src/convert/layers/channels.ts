import { readShuffleGroup } from "../../caffe/layers/shuffle-channel.js";
import type { LayerContext, LayerConversion, LayerConverter, LayerRefusal } from "./types.js";

/**
 * ShuffleChannel (farmingyard/ShuffleNet shuffle_channel_layer.cpp:18-29, 54-62): with g = group
 * and C = g·k channels, input channel i·k + j becomes output channel j·g + i, i.e. the channels
 * seen as [g, k] are transposed to [k, g]. group 1 changes nothing.
 */
function shuffleChannel(ctx: LayerContext): LayerConversion | LayerRefusal {
  // ShuffleChannelLayer::Reshape (:33-41) makes the top 4-D from num/channels/height/width, so a
  // blob of another rank would change rank (or fail); only 4-D blobs are taken.
  const rank = ctx.inputs[0]?.length;
  if (rank !== undefined && rank !== 4) return { refused: "rank-not-4", data: { rank } };
  const group = readShuffleGroup(ctx.layer, ctx.sourceMap);
  // shuffle_channel_layer.cpp:12 and :56: group > 0 and dividing the channels.
  const channels = ctx.inputs[0]?.[1] ?? null;
  if (group < 1 || !Number.isInteger(group) || (channels !== null && channels % group !== 0)) return { refused: "shuffle-group", data: { group, channels } };
  if (group === 1) return { module: null, call: { kind: "alias" } };
  return { module: null, call: { kind: "expr", expr: `{0}.reshape({0}.shape[0], ${group}, -1, {0}.shape[2], {0}.shape[3]).transpose(1, 2).reshape({0}.shape)` } };
}

/**
 * Axpy (SENet ports; hujie-frank/SENet src/caffe/layers/axpy_layer.cpp:31-48): top = a·x + y with
 * a (bottom 0) one scale per item and channel, [N, C] or [N, C, 1, 1], x and y (bottoms 1, 2) of
 * one shape; the top starts as y and gains a·x (caffe_axpy).
 */
function axpy(ctx: LayerContext): LayerConversion | LayerRefusal {
  if (ctx.layer.bottoms.length !== 3) return { refused: "axpy-bottoms", data: { bottoms: ctx.layer.bottoms.length } };
  const [a, x] = [ctx.inputs[0], ctx.inputs[1]];
  if (!a || !x) return { refused: "input-shape-unknown" };
  // axpy_layer.cpp:15-20: N and C agree; a 4-D scale has a 1×1 plane.
  if (x.length < 2 || a.length < 2 || (a.length === 4 && (a[2] !== 1 || a[3] !== 1))) return { refused: "axpy-scale-shape", data: { scale: a.join("x"), x: x.join("x") } };
  const broadcasts = a.length === x.length && a.slice(2).every((d) => d === 1);
  const scale = broadcasts ? "{0}" : `{0}.reshape({0}.shape[0], {0}.shape[1]${", 1".repeat(x.length - 2)})`;
  return { module: null, call: { kind: "expr", expr: `${scale} * {1} + {2}` } };
}

/** Fork layers that move or mix channels: ShuffleChannel, Axpy. */
export const channelsConverter: LayerConverter = {
  types: ["ShuffleChannel", "Axpy"],
  convert: (ctx) => (ctx.layer.type === "ShuffleChannel" ? shuffleChannel(ctx) : axpy(ctx)),
};
