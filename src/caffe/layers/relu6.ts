/**
 * `ReLU6` of the MobileNet-v2 Caffe forks (rog93/Caffe-MobileNetV2-ReLU6 relu6_layer.cpp):
 * min(max(x, 0) + negative_slope · min(x, 0), 6). Its `relu6_param` is a fork field; forks
 * whose ReLU6 has no parameter compute the same with slope 0.
 */
import type { SourceMap } from "../../schema/locations.js";
import type { NetLayer } from "../net.js";
import { unknownMessage } from "../param-view.js";

/** `relu6_param { negative_slope }`, default 0 (rog93/Caffe-MobileNetV2-ReLU6 README.md:13). */
export function readRelu6Slope(layer: NetLayer, sourceMap: SourceMap | undefined): number {
  return unknownMessage(layer.param, "relu6_param", sourceMap)?.number("negative_slope") ?? 0;
}
