import type { BoundMessage } from "./bind.js";
import type { SourceMap } from "./locations.js";
import { linkChild, noteMovedField } from "./upgrade-location.js";

/**
 * The data-layer types whose own parameter message once carried the preprocessing options,
 * and that message's field name, as in Caffe's NetNeedsDataUpgrade / UpgradeNetDataTransformation.
 * Only the message matching the layer's type is looked at, as there.
 */
const DATA_PARAM_OF_TYPE: Readonly<Record<string, string>> = {
  DATA: "data_param",
  IMAGE_DATA: "image_data_param",
  WINDOW_DATA: "window_data_param",
};

/** The legacy preprocessing fields, with the same names in TransformationParameter. */
const TRANSFORM_FIELDS = ["scale", "mean_file", "crop_size", "mirror"] as const;

/**
 * Moves `scale`, `mean_file`, `crop_size` and `mirror` from a V1 data layer's own parameter
 * message into its `transform_param` (creating it, or overwriting the same fields of an
 * existing one), as Caffe's UpgradeNetDataTransformation does before the V1 upgrade.
 * Returns how many fields moved.
 */
export function upgradeDataTransformation(v1: BoundMessage, sourceMap: SourceMap): number {
  const v1Type = v1["type"];
  if (typeof v1Type !== "string" || !Object.hasOwn(DATA_PARAM_OF_TYPE, v1Type)) return 0;
  const paramName = DATA_PARAM_OF_TYPE[v1Type]!;
  const param = v1[paramName] as BoundMessage | undefined;
  if (!param || !TRANSFORM_FIELDS.some((f) => param[f] !== undefined)) return 0;
  const transform = (v1["transform_param"] as BoundMessage | undefined) ?? {};
  v1["transform_param"] = transform;
  const paramLoc = sourceMap.get(param);
  let moved = 0;
  for (const field of TRANSFORM_FIELDS) {
    if (param[field] === undefined) continue;
    transform[field] = param[field];
    delete param[field];
    noteMovedField(sourceMap, transform, field, paramLoc?.fields.get(field), field);
    paramLoc?.fields.delete(field);
    moved++;
  }
  linkChild(sourceMap, v1, "transform_param", transform);
  return moved;
}
