import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { BoundMessage } from "./bind.js";
import type { SourceMap } from "./locations.js";
import { upgradeDataTransformation } from "./upgrade-data.js";
import { messageRange } from "./upgrade-location.js";
import { upgradeV0Layers } from "./upgrade-v0.js";
import { upgradeV1Layer } from "./upgrade-v1.js";

/**
 * Upgrades a net written in a legacy layer format to the current one, in place, as Caffe's
 * UpgradeNetAsNeeded does when it reads a net: V0 layers (`layers { layer { type: "conv" } }`)
 * to V1 (UpgradeV0Net), old preprocessing fields of data layers into `transform_param`
 * (UpgradeNetDataTransformation), then V1 layers (`layers { type: CONVOLUTION }`) to `layer`
 * (UpgradeV1Net).
 *
 * Unlike Caffe, it leaves `input`/`input_dim`/`input_shape` alone (no Input layer is made: the
 * net model reads them) and does not touch BatchNorm `param` blocks (they are reported as the
 * user wrote them). A net in the current format, or with no layers, is left untouched.
 *
 * Every upgraded layer, and every message the upgrade builds, is mapped in `sourceMap` to the
 * text it came from, so later diagnostics point at the user's lines.
 *
 * Emits `upgraded-format` (info, `{from, layers}`: the legacy format and how many `layers`
 * entries the file had) at the first legacy layer, and the problems Caffe would log or die of.
 * A net mixing `layer` and `layers` gets one `mixed-layer-formats` error and is not changed.
 *
 * @returns the diagnostics, in reading order.
 */
export function upgradeNet(net: BoundMessage, sourceMap: SourceMap): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const legacy = messages(net["layers"]);
  if (legacy.length === 0) return diagnostics;
  const current = messages(net["layer"]);
  if (current.length > 0) {
    diagnostics.push(mixedFormats(current, legacy, sourceMap));
    return diagnostics;
  }
  // Caffe takes the whole net for V0 as soon as one entry holds a V0 `layer` (NetNeedsV0ToV1Upgrade).
  const from = legacy.some((l) => l["layer"] !== undefined) ? "V0" : "V1";
  diagnostics.push(diagnostic("upgraded-format", "info", messageRange(sourceMap, legacy[0]), { from, layers: legacy.length }));
  const inputs = Array.isArray(net["input"]) ? (net["input"] as unknown[]).filter((v): v is string => typeof v === "string") : [];
  const v1Layers = from === "V0" ? upgradeV0Layers(legacy, inputs, { sourceMap, diagnostics }) : legacy;
  for (const layer of v1Layers) upgradeDataTransformation(layer, sourceMap);
  // Layers that came from V0 have had their problems reported by the V0 step already.
  const upgraded = v1Layers.map((l) => upgradeV1Layer(l, { sourceMap, diagnostics, warnMissingType: from === "V1" }));
  delete net["layers"];
  if (upgraded.length > 0) net["layer"] = upgraded;
  const rootLoc = sourceMap.get(net);
  if (rootLoc) {
    rootLoc.fields.delete("layers");
    const ranges = upgraded.map((l) => sourceMap.get(l)?.range).filter((r) => r !== undefined);
    if (ranges.length > 0) rootLoc.fields.set("layer", ranges);
  }
  return diagnostics.sort((a, b) => (a.range?.offset ?? 0) - (b.range?.offset ?? 0));
}

function messages(value: unknown): BoundMessage[] {
  return Array.isArray(value) ? (value as BoundMessage[]) : [];
}

/**
 * Caffe's UpgradeV1Net, given both lists, logs that the `layer` entries "will be ignored for the
 * upgrade" and drops them; silently losing half a net is never what the author meant, so we
 * report the mix as an error and change nothing. The range is the first entry of whichever list
 * starts later in the file: where the file begins to mix the formats.
 */
function mixedFormats(current: BoundMessage[], legacy: BoundMessage[], sourceMap: SourceMap): Diagnostic {
  const first = sourceMap.get(current[0]!)?.range.offset ?? 0;
  const firstLegacy = sourceMap.get(legacy[0]!)?.range.offset ?? 0;
  const at = firstLegacy > first ? legacy[0] : current[0];
  return diagnostic("mixed-layer-formats", "error", messageRange(sourceMap, at), { layer: current.length, layers: legacy.length });
}
