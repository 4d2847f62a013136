import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceMap } from "../schema/locations.js";
import type { BlobShape, LayerParameter, NetParameter } from "../schema/caffe-types.js";
import { filterLayer, resolveState, type NetStateOptions, type ResolvedNetState } from "./phase.js";

/** One layer of the net model, active in the resolved state. */
export interface NetLayer {
  /** Position in the file's `layer` list; -1 for the layer made from the net's `input` fields. */
  index: number;
  name: string;
  type: string;
  bottoms: string[];
  tops: string[];
  /** The bound layer message (also the key into the source map). */
  param: LayerParameter;
  /** True for the Input layer built from top-level `input`/`input_shape`/`input_dim`. */
  synthetic: boolean;
  /** For the synthetic Input layer: the shape of each input, null where the file does not give it. */
  inputShapes?: (number[] | null)[];
}

/** A net as Caffe instantiates it in one phase. */
export interface NetModel {
  name: string | null;
  state: ResolvedNetState;
  /** Active layers in execution (file) order. */
  layers: NetLayer[];
  /** Layers dropped by their include/exclude rules. */
  filtered: NetLayer[];
  diagnostics: Diagnostic[];
  /** The bound NetParameter the model was built from. */
  source: NetParameter;
}

/**
 * Builds the net model for one state: Caffe's UpgradeNetInput (top-level inputs become an Input
 * layer named "input" placed first) followed by Net::FilterNet (include/exclude rules).
 */
export function buildNet(net: NetParameter, options: NetStateOptions = {}, sourceMap?: SourceMap): NetModel {
  const diagnostics: Diagnostic[] = [];
  const state = resolveState(net, options);
  const layers: NetLayer[] = [];
  const filtered: NetLayer[] = [];

  const input = inputLayer(net, sourceMap, diagnostics);
  if (input) layers.push(input);

  if ((net.layers?.length ?? 0) > 0 && (net.layer?.length ?? 0) === 0) {
    diagnostics.push(diagnostic("legacy-layers-not-upgraded", "warning", sourceMap?.rangeOf(net, "layers"), {}));
  }

  (net.layer ?? []).forEach((param, index) => {
    const layer = netLayerOf(param, index);
    const verdict = filterLayer(param, state);
    if (verdict.conflict) {
      diagnostics.push(
        diagnostic("include-and-exclude", "error", sourceMap?.rangeOf(param, "exclude") ?? sourceMap?.rangeOf(param), {
          layer: layer.name,
        }),
      );
    }
    (verdict.included ? layers : filtered).push(layer);
  });

  return { name: net.name === undefined ? null : textOf(net.name), state, layers, filtered, diagnostics, source: net };
}

const UTF8 = new TextDecoder("utf-8");

/** The net-model view of the file's layer at `index` (names and blobs as text). */
export function netLayerOf(param: LayerParameter, index: number): NetLayer {
  return {
    index,
    name: textOf(param.name),
    type: textOf(param.type),
    bottoms: (param.bottom ?? []).map(textOf),
    tops: (param.top ?? []).map(textOf),
    param,
    synthetic: false,
  };
}

/**
 * A string field as text. The binder keeps a string whose bytes are not UTF-8 (written with \x or
 * octal escapes, or read from a caffemodel) as a Uint8Array, so that encode writes those exact
 * bytes; the net model names layers and blobs with text, so such bytes read as U+FFFD here.
 */
export function textOf(value: string | Uint8Array | undefined): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : UTF8.decode(value);
}

/**
 * The Input layer Caffe's UpgradeNetInput makes from `input` + `input_shape`/`input_dim`. Without
 * any shape or dim the inputs are simply dropped, as Caffe does for legacy caffemodels; `input_dim`
 * holds four numbers (N, C, H, W) per input.
 */
function inputLayer(net: NetParameter, sourceMap: SourceMap | undefined, diagnostics: Diagnostic[]): NetLayer | null {
  const names = (net.input ?? []).map(textOf);
  const hasShape = (net.input_shape?.length ?? 0) > 0;
  const hasDim = (net.input_dim?.length ?? 0) > 0;
  if (names.length === 0) return null;
  const range = sourceMap?.rangeOf(net, "input");
  if (!hasShape && !hasDim) {
    diagnostics.push(diagnostic("input-without-shape", "info", range, { count: names.length }));
    return null;
  }
  const shapes: (number[] | null)[] = [];
  const dims = net.input_dim ?? [];
  if (hasShape && net.input_shape!.length !== names.length) {
    diagnostics.push(diagnostic("input-shape-count", "warning", range, { inputs: names.length, shapes: net.input_shape!.length }));
  }
  if (!hasShape && dims.length !== 4 * names.length) {
    diagnostics.push(diagnostic("input-dim-count", "warning", range, { inputs: names.length, dims: dims.length }));
  }
  names.forEach((_, i) => {
    if (hasShape) {
      const shape: BlobShape | undefined = net.input_shape![i];
      shapes.push(shape ? [...(shape.dim ?? [])] : null);
    } else {
      const group = dims.slice(4 * i, 4 * i + 4);
      // An incomplete group leaves the shape unknown rather than guessing.
      shapes.push(group.length === 4 ? group : null);
    }
  });
  const param: LayerParameter = {
    name: "input",
    type: "Input",
    top: [...names],
    input_param: { shape: shapes.map((dim) => ({ dim: dim ?? [] })) },
  };
  return { index: -1, name: "input", type: "Input", bottoms: [], tops: [...names], param, synthetic: true, inputShapes: shapes };
}
