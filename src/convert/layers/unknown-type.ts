import { BN_TYPES } from "../../caffe/bn-variant.js";
import { forkOfType, isBvlcType, LAYERS } from "../../caffe/layers/index.js";
import { layerParams } from "../../caffe/layers/params.js";
import type { NetLayer } from "../../caffe/net.js";
import { didYouMean } from "../../schema/suggest.js";
import type { LayerRefusal } from "./types.js";

/** A Python layer's python_param: the module and class Caffe imports, and the string it hands them. */
export function pythonParam(layer: NetLayer): { module: string; layer: string; param_str: string } {
  const p = layerParams(layer, "python_param");
  return { module: p.str("module"), layer: p.str("layer"), param_str: p.str("param_str") };
}

/**
 * Why a layer of a type no converter claims cannot be exported, as a code and its data:
 * `python-layer` for Caffe's Python layer (user code: its module and class), `no-converter` for
 * another type BVLC Caffe has, `fork-type` for a known fork's type, and `unknown-type` (with the
 * closest known type as `suggestion`, or null) for anything else. `known` are the types export
 * converts; every Caffe and fork type we know is a candidate too.
 */
export function unknownTypeRefusal(layer: NetLayer, known: Iterable<string>): LayerRefusal {
  const type = layer.type;
  if (type === "Python") {
    const { module, layer: cls } = pythonParam(layer);
    return { refused: "python-layer", data: { module, layer: cls } };
  }
  if (isBvlcType(type)) return { refused: "no-converter", data: { type } };
  if (BN_TYPES.has(type)) return { refused: "fork-type", data: { type, fork: "the SegNet/ENet and PSPNet Caffe forks (their BatchNorm)" } };
  const fork = forkOfType(type);
  if (fork !== undefined) return { refused: "fork-type", data: { type, fork } };
  const candidates = new Set([...known, ...LAYERS.map((l) => l.type), ...BN_TYPES]);
  const suggestion = type === "" ? undefined : didYouMean(type, candidates);
  return { refused: "unknown-type", data: { type, suggestion: suggestion ?? null } };
}
