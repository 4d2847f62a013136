import { paramsOf, type Params } from "../../caffe/layers/params.js";
import type { ParamView } from "../../caffe/param-view.js";
import { loadCaffeSchema } from "../../schema/load.js";
import type { BlobLayout, FillerSpec, ParamBinding } from "../torch-graph.js";
import type { LayerContext } from "./types.js";

/** What a converter says of one blob; lr/decay multipliers and the share name come from `param {}`. */
export interface BlobSpec {
  key: string | null;
  shape: number[] | null;
  caffeShape?: number[] | null;
  layout?: BlobLayout;
  kind?: "parameter" | "buffer";
  filler?: FillerSpec | null;
}

/**
 * The binding of blob `blob` of the layer: `param { lr_mult decay_mult name }` in force (a missing
 * `param` block or field means 1, 1 and no name, as ParamSpec declares).
 */
export function bindBlob(ctx: LayerContext, blob: number, spec: BlobSpec): ParamBinding {
  const info = loadCaffeSchema().message("caffe.ParamSpec");
  const p = paramsOf(ctx.layer.param.param?.[blob], info);
  return {
    blob,
    key: spec.key,
    shape: spec.shape,
    caffeShape: spec.caffeShape === undefined ? spec.shape : spec.caffeShape,
    layout: spec.layout ?? { kind: "same" },
    kind: spec.kind ?? "parameter",
    lrMult: p.num("lr_mult"),
    decayMult: p.num("decay_mult"),
    shareName: p.has("name") ? p.str("name") : null,
    filler: spec.filler ?? null,
  };
}

/** A FillerParameter with Caffe's defaults (constant 0; uniform [0, 1]; gaussian std 1; FAN_IN). */
export function fillerOf(p: Params): FillerSpec {
  return {
    type: p.str("type"),
    value: p.num("value"),
    min: p.num("min"),
    max: p.num("max"),
    mean: p.num("mean"),
    std: p.num("std"),
    sparse: p.num("sparse"),
    varianceNorm: p.enumName("variance_norm") as FillerSpec["varianceNorm"],
  };
}

/**
 * A fork's FillerParameter, written inside a parameter message our schema does not know (e.g.
 * bn_param's slope_filler): the fields written, Caffe's FillerParameter defaults for the rest.
 */
export function fillerOfView(view: ParamView | undefined): FillerSpec {
  const defaults = fillerOf(paramsOf(undefined, loadCaffeSchema().message("caffe.FillerParameter")));
  if (!view) return defaults;
  const num = (name: "value" | "min" | "max" | "mean" | "std" | "sparse"): number => view.number(name) ?? defaults[name];
  const norm = view.ident("variance_norm");
  return {
    type: view.ident("type") ?? defaults.type,
    value: num("value"),
    min: num("min"),
    max: num("max"),
    mean: num("mean"),
    std: num("std"),
    sparse: num("sparse"),
    varianceNorm: norm === "FAN_OUT" || norm === "AVERAGE" || norm === "FAN_IN" ? norm : defaults.varianceNorm,
  };
}

/** The full state-dict key of `name` on the module at `attr`. */
export const keyOf = (attr: string, name: string): string => `${attr}.${name}`;

/**
 * A FillerParameter written inside a fork's message (which our schema does not bind), with
 * FillerParameter's defaults; `fallback` replaces an absent filler (a fork's own default, e.g.
 * Normalize's constant 1).
 */
export function forkFillerOf(written: ParamView | undefined, fallback?: Partial<FillerSpec>): FillerSpec {
  const info = loadCaffeSchema().message("caffe.FillerParameter");
  const plain: Record<string, unknown> = {};
  if (written) {
    for (const [name, field] of info.fields) {
      const v = field.enumInfo || name === "type" ? written.ident(name) : written.number(name);
      if (v !== undefined) plain[name] = v;
    }
  }
  const filler = fillerOf(paramsOf(plain, info));
  return written === undefined && fallback ? { ...filler, ...fallback } : filler;
}
