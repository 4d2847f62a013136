/** What a loss layer reads from its `loss_param` (LossParameter), for the converter and the executor alike. */

/** The reads a LossParameter needs: BVLC's fields through layerParams, a fork's through forkParams. */
interface LossParamReader {
  has(name: string): boolean;
  bool(name: string): boolean;
  enumName(name: string): string;
}

/**
 * The normalisation mode in force, as the loss layers' LayerSetUp reads it (softmax_loss_layer.cpp,
 * multibox_loss_layer.cpp, R-FCN's smooth_L1_loss_ohem_layer.cpp): `normalization` when written,
 * else the deprecated `normalize` when written (true VALID, false BATCH_SIZE), else `unset` — or the
 * field's default when `unset` is null (SigmoidCrossEntropyLoss treats "neither written" as BATCH_SIZE).
 */
export function lossNormalization(loss: LossParamReader, unset: string | null = null): string {
  if (!loss.has("normalization") && loss.has("normalize")) return loss.bool("normalize") ? "VALID" : "BATCH_SIZE";
  if (!loss.has("normalization") && unset !== null) return unset;
  return loss.enumName("normalization");
}

/** `ignore_label` when written (Caffe compares labels with it only then), else null. */
export const ignoreLabelOf = (p: { has(name: string): boolean; num(name: string): number }): number | null => (p.has("ignore_label") ? p.num("ignore_label") : null);
