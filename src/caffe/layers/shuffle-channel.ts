/**
 * `ShuffleChannel` of the ShuffleNet Caffe forks (farmingyard/ShuffleNet shuffle_channel_layer.cpp,
 * after camel007/Caffe-ShuffleNet). Its `shuffle_channel_param` is a fork field.
 */
import type { SourceMap } from "../../schema/locations.js";
import type { NetLayer } from "../net.js";
import { unknownMessage } from "../param-view.js";

/** `shuffle_channel_param { group }`, default 1 (farmingyard/ShuffleNet README.md:19). */
export function readShuffleGroup(layer: NetLayer, sourceMap: SourceMap | undefined): number {
  return unknownMessage(layer.param, "shuffle_channel_param", sourceMap)?.number("group") ?? 1;
}
