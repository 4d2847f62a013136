import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Range } from "../diagnostics/range.js";
import type { BoundMessage } from "./bind.js";
import type { SourceMap } from "./locations.js";
import { copyFieldRanges, fieldRanges, linkChild, messageRange, noteMovedField, successorLocation } from "./upgrade-location.js";
import { V0_FIELD_RULES, V0_LAYER_TYPES, type V0Target } from "./upgrade-v0-fields.js";

/** Diagnostics sink and location table shared by the V0 upgrade steps. */
export interface V0UpgradeContext {
  sourceMap: SourceMap;
  diagnostics: Diagnostic[];
}

/** A V0 layer that survives padding folding: its connection, bottoms after rewiring, and any folded pad. */
interface KeptLayer {
  connection: BoundMessage;
  v0: BoundMessage | undefined;
  bottom: string[];
  pad?: { value: unknown; ranges: Range[] | undefined; sourceName: string };
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);
const v0Of = (connection: BoundMessage): BoundMessage | undefined => connection["layer"] as BoundMessage | undefined;
const typeOf = (v0: BoundMessage | undefined): string => (typeof v0?.["type"] === "string" ? (v0["type"] as string) : "");
const nameOf = (message: BoundMessage | undefined): string | null => (typeof message?.["name"] === "string" ? (message["name"] as string) : null);

/**
 * Upgrades the `layers` of a V0 net to V1 layers, as Caffe's UpgradeV0Net does: padding layers
 * are folded into the convolution or pooling they feed (UpgradeV0PaddingLayers), then each
 * remaining layer's flat options go to the parameter messages of its type
 * (UpgradeV0LayerParameter). Where Caffe aborts (LOG(FATAL), CHECK) we report an error and go
 * on; where it logs an error and continues, we warn.
 */
export function upgradeV0Layers(layers: readonly BoundMessage[], inputs: readonly string[], ctx: V0UpgradeContext): BoundMessage[] {
  return foldPaddingLayers(layers, inputs, ctx).map((kept) => upgradeV0Layer(kept, ctx));
}

/**
 * Drops "padding" layers and moves their `pad` into the conv/pool layer that reads their output,
 * rewiring that layer to read the padding layer's input, as UpgradeV0PaddingLayers does.
 */
function foldPaddingLayers(layers: readonly BoundMessage[], inputs: readonly string[], ctx: V0UpgradeContext): KeptLayer[] {
  const kept: KeptLayer[] = [];
  // Which layer last wrote each blob; net inputs are -1. A bottom nobody wrote makes Caffe abort
  // here ("Unknown blob input"); we leave it as written for the net model's unknown-bottom check.
  const lastWriter = new Map<string, number>(inputs.map((name) => [name, -1]));
  layers.forEach((connection, i) => {
    const v0 = v0Of(connection);
    const bottoms = strings(connection["bottom"]);
    const self: KeptLayer | undefined = typeOf(v0) === "padding" ? undefined : { connection, v0, bottom: bottoms.slice() };
    if (self) kept.push(self);
    bottoms.forEach((blob, j) => {
      const writer = lastWriter.get(blob);
      if (writer === undefined || writer === -1) return;
      const source = layers[writer]!;
      if (typeOf(v0Of(source)) !== "padding") return;
      const problem = paddingProblem(v0, bottoms, source);
      if (problem || !self) {
        ctx.diagnostics.push(
          diagnostic("v0-padding-misuse", "error", fieldRanges(ctx.sourceMap, connection, "bottom")?.[j] ?? messageRange(ctx.sourceMap, connection), {
            layer: nameOf(v0),
            padding: nameOf(v0Of(source)),
            reason: problem ?? "consumer-type",
          }),
        );
        return;
      }
      const padding = v0Of(source)!;
      const padRanges = fieldRanges(ctx.sourceMap, padding, "pad");
      // An unset pad reads as its default 0 and is then set explicitly, as in Caffe.
      self.pad = padRanges
        ? { value: padding["pad"] ?? 0, ranges: padRanges, sourceName: "pad" }
        : { value: 0, ranges: rangeList(messageRange(ctx.sourceMap, padding)), sourceName: "layer" };
      self.bottom[j] = strings(source["bottom"])[0]!;
    });
    for (const top of strings(connection["top"])) lastWriter.set(top, i);
  });
  return kept;
}

/** Why Caffe's CHECKs refuse a padding layer feeding this layer, or undefined when they pass. */
function paddingProblem(consumer: BoundMessage | undefined, bottoms: string[], padding: BoundMessage): string | undefined {
  const type = typeOf(consumer);
  if (type !== "conv" && type !== "pool") return "consumer-type";
  if (bottoms.length !== 1) return "consumer-bottoms";
  if (strings(padding["bottom"]).length !== 1) return "padding-bottoms";
  if (strings(padding["top"]).length !== 1) return "padding-tops";
  return undefined;
}

const rangeList = (range: Range | undefined): Range[] | undefined => (range ? [range] : undefined);

/** One V0 layer to a V1 layer, as UpgradeV0LayerParameter does. */
function upgradeV0Layer(kept: KeptLayer, ctx: V0UpgradeContext): BoundMessage {
  const { sourceMap } = ctx;
  const { connection, v0 } = kept;
  const v1: BoundMessage = {};
  const outerLoc = sourceMap.get(connection);
  if (outerLoc) {
    const loc = successorLocation(outerLoc);
    copyFieldRanges(outerLoc, loc, ["bottom", "top"]);
    sourceMap.set(v1, loc);
  }
  if (kept.bottom.length > 0) v1["bottom"] = kept.bottom;
  const top = strings(connection["top"]);
  if (top.length > 0) v1["top"] = top;
  if (!v0) {
    // Caffe keeps only bottom and top of a layer without a V0 `layer` in a V0 net.
    const dropped = Object.keys(connection).filter((k) => k !== "bottom" && k !== "top");
    if (dropped.length > 0) {
      ctx.diagnostics.push(
        diagnostic("v0-upgrade-drops-fields", "warning", messageRange(sourceMap, connection), { layer: nameOf(connection), fields: dropped.join(", ") }),
      );
    }
    return v1;
  }
  const v0Loc = sourceMap.get(v0);
  const v1Loc = sourceMap.get(v1);
  if (v0Loc && v1Loc) copyFieldRanges(v0Loc, v1Loc, ["name", "type", "blobs", "blobs_lr", "weight_decay"]);
  if (v0["name"] !== undefined) v1["name"] = v0["name"];
  const type = typeOf(v0);
  if (v0["type"] !== undefined) {
    if (Object.hasOwn(V0_LAYER_TYPES, type)) v1["type"] = V0_LAYER_TYPES[type];
    else {
      // Caffe's UpgradeV0LayerType aborts ("Unknown layer name"); the layer stays without a type.
      ctx.diagnostics.push(
        diagnostic("unknown-v0-layer-type", "error", fieldRanges(sourceMap, v0, "type")?.[0] ?? messageRange(sourceMap, v0), { layer: nameOf(v0), type }),
      );
      v1Loc?.fields.delete("type");
    }
  }
  for (const list of ["blobs", "blobs_lr", "weight_decay"]) {
    if (Array.isArray(v0[list])) v1[list] = (v0[list] as unknown[]).slice();
  }
  const created = new Set<string>();
  for (const rule of V0_FIELD_RULES) {
    const folded = rule.v0 === "pad" ? kept.pad : undefined;
    const value = folded ? folded.value : v0[rule.v0];
    if (value === undefined) continue;
    const ranges = folded ? folded.ranges : fieldRanges(sourceMap, v0, rule.v0);
    const target = rule.always ?? (rule.byType && Object.hasOwn(rule.byType, type) ? rule.byType[type] : undefined);
    if (!target) {
      ctx.diagnostics.push(
        diagnostic("v0-field-ignored", "warning", ranges?.[0] ?? messageRange(sourceMap, v0), { layer: nameOf(v0), field: rule.v0, type }),
      );
      continue;
    }
    applyTarget(v1, target, value, ranges, folded?.sourceName ?? rule.v0, sourceMap);
    created.add(target.param);
  }
  for (const param of created) linkChild(sourceMap, v1, param, v1[param] as BoundMessage);
  return v1;
}

/** Stores one V0 value at its V1 destination and records where it was written. */
function applyTarget(v1: BoundMessage, target: V0Target, value: unknown, ranges: Range[] | undefined, sourceName: string, sourceMap: SourceMap): void {
  if (target.field === undefined) {
    // A whole message (hdf5_output_param) moves as is, keeping its own location.
    v1[target.param] = value;
    const loc = sourceMap.get(v1);
    if (loc && ranges) loc.fields.set(target.param, ranges.slice());
    return;
  }
  const param = (v1[target.param] ??= {}) as BoundMessage;
  if (target.add) ((param[target.field] ??= []) as unknown[]).push(value);
  else param[target.field] = value;
  noteMovedField(sourceMap, param, target.field, ranges, sourceName, target.add);
}
