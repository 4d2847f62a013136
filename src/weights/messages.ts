/**
 * The English text of the weights diagnostics and block notes. The weights code emits codes and
 * data only; formatters (and the `message` of a block note, which the JSON contract carries)
 * take their words from here. Wording follows Caffe's own log lines where Caffe has one.
 */

/** Values a weights diagnostic or note carries. */
export type WeightsData = Record<string, string | number | boolean | null>;

const fmt = (v: string | number | boolean | null | undefined): string => (v === null || v === undefined ? "?" : String(v));
const q = (v: string | number | boolean | null | undefined): string => `"${fmt(v)}"`;

/** `%g`-like: 6 significant digits, no trailing zeros (39.2298, 9.85219, 1000.01). */
export function formatSignificant(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const text = x.toPrecision(digits);
  if (text.includes("e")) {
    const [mantissa, exponent] = text.split("e") as [string, string];
    return `${mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa}e${exponent}`;
  }
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

const BLOB_NAMES: Record<string, string> = {
  "BatchNorm:0": "mean sum",
  "BatchNorm:1": "variance sum",
  "BatchNorm:2": "scale factor",
  "Scale:0": "gamma",
  "Scale:1": "beta",
  "Bias:0": "beta",
  "Convolution:0": "weights",
  "Convolution:1": "bias",
  "Deconvolution:0": "weights",
  "Deconvolution:1": "bias",
  "InnerProduct:0": "weights",
  "InnerProduct:1": "bias",
  "PReLU:0": "slopes",
};

/** What blob `index` of a layer of type `role` holds, in words (`blob N` when we have no word for it). */
export function blobName(role: string | number | boolean | null | undefined, index: string | number | boolean | null | undefined): string {
  const key = `${fmt(role)}:${fmt(index)}`;
  return Object.hasOwn(BLOB_NAMES, key) ? BLOB_NAMES[key]! : `blob ${fmt(index)}`;
}

/** `blob 0 (weights)`, or `blob 3` when blobName has no word for it. */
const blobLabel = (role: string | number | boolean | null | undefined, index: string | number | boolean | null | undefined): string => {
  const word = blobName(role, index);
  return word === `blob ${fmt(index)}` ? word : `blob ${fmt(index)} (${word})`;
};

const DIAGNOSTICS: Record<string, (d: WeightsData) => string> = {
  "weights-layer-missing": (d) =>
    `The caffemodel has no layer named ${q(d.layer)} (the ${fmt(d.role)} layer of this block): its trained values are missing. Caffe would keep the layer's initial values (for a BatchNorm: zero statistics); check that the caffemodel belongs to this net.`,
  "weights-net-layer-missing": (d) =>
    `The caffemodel has no layer named ${q(d.layer)}, so this ${fmt(d.type)} layer's blobs (${fmt(d.expected)}) have no trained values; Caffe would keep their initial values. Check that the caffemodel belongs to this net.`,
  "weights-stub-blobs": (d) =>
    `The caffemodel holds ${fmt(d.count)} blob${d.count === 1 ? "" : "s"} for layer ${q(d.layer)}, which is a stub: ${d.count === 1 ? "it is" : "they are"} not written to the .safetensors file; your replacement module must load ${d.count === 1 ? "it" : "them"} itself.`,
  "weights-blob-count": (d) =>
    `Incompatible number of blobs for layer ${q(d.layer)}: the caffemodel holds ${fmt(d.actual)}, the net's ${fmt(d.role)} layer needs ${fmt(d.expected)} (Caffe: "Incompatible number of blobs for layer").`,
  "weights-shape-mismatch": (d) =>
    `Cannot copy ${blobLabel(d.role, d.blob)} of layer ${q(d.layer)}; shape mismatch. The caffemodel holds ${fmt(d.actual)}; the net needs ${fmt(d.expected)}.`,
  "weights-blob-data-count": (d) =>
    `Blob ${fmt(d.blob)} (${blobName(d.role, d.blob)}) of layer ${q(d.layer)} has shape ${fmt(d.shape)} but ${fmt(d.values)} values (Caffe checks count == data_size).`,
  "weights-fork-unsupported": (d) =>
    `Layer ${q(d.layer)} is a ${fmt(d.family)} BatchNorm; its blob layout is not read yet, so no weights are written for it.`,
  "weights-unused-layers": (d) =>
    d.count === 1
      ? `1 caffemodel layer matches no layer of the net in this phase and is ignored, as Caffe ignores it ("Ignoring source layer"): ${fmt(d.layers)}.`
      : `${fmt(d.count)} caffemodel layers match no layer of the net in this phase and are ignored, as Caffe ignores them ("Ignoring source layer"): ${fmt(d.layers)}.`,
  "weights-mixed-layer-formats": (d) =>
    `The caffemodel has both ${fmt(d.layer)} \`layer\` and ${fmt(d.layers)} legacy \`layers\` entries; Caffe refuses to upgrade it ("the definition includes both 'layer' and 'layers' fields").`,
};

const NOTES: Record<string, (d: WeightsData) => string> = {
  "weights-scale-factor-zero": () =>
    "The caffemodel's scale factor is 0: this BatchNorm was never trained. Caffe's statistics are then 0, so it outputs x/sqrt(eps) (times gamma, plus beta); running_mean and running_var are 0, which gives PyTorch the same outputs.",
  "weights-not-converged": (d) =>
    `The scale factor s = ${fmt(d.scale_factor)} is below 1/(1 − ${fmt(d.fraction)}) = ${fmt(d.limit)} (about ${fmt(d.updates)} training updates): the statistics have not converged. They load exactly (sum/s), but if training continues, Caffe weights each new batch by 1/s while PyTorch's momentum ${fmt(d.momentum)} gives it less, so PyTorch's statistics lag Caffe's.` +
    (d.exact === true ? " --exact keeps s (caffe_scale_factor) and continues exactly as Caffe would." : " Convert with --exact to keep s and continue exactly as Caffe would."),
  "weights-num-features": (d) => `num_features ${fmt(d.num_features)} is taken from the caffemodel's blobs (the prototxt does not determine the channel count).`,
  "weights-legacy-shape": (d) => `The caffemodel stores this block's per-channel blobs as ${fmt(d.shape)}; read as [${fmt(d.channels)}].`,
  "weights-batch-stats": () =>
    "This block normalises with batch statistics in this phase (track_running_stats=False), so the caffemodel's statistics are not used; only gamma and beta are loaded.",
  "weights-negative-variance": (d) => `The stored variance is negative for ${fmt(d.count)} channel(s) (minimum ${fmt(d.min)}): Caffe's outputs are NaN there, and so are PyTorch's.`,
  "weights-non-finite": (d) => `The stored statistics hold ${fmt(d.count)} NaN or infinite value(s); outputs in those channels are not finite.`,
  "weights-scale-factor-invalid": (d) => `The scale factor ${fmt(d.scale_factor)} is negative or not finite; Caffe would divide by it anyway.`,
};

/** The English message of a weights diagnostic; undefined for other codes. */
export function weightsMessage(code: string, data: WeightsData): string | undefined {
  const render = Object.hasOwn(DIAGNOSTICS, code) ? DIAGNOSTICS[code] : undefined;
  return render ? render(data) : undefined;
}

/** The English message of a weights block note (the code itself for an unknown code). */
export function weightsNoteMessage(code: string, data: WeightsData = {}): string {
  const render = Object.hasOwn(NOTES, code) ? NOTES[code] : undefined;
  return render ? render(data) : code;
}

/** Whether `code` is a weights diagnostic code. */
export function isWeightsCode(code: string): boolean {
  return Object.hasOwn(DIAGNOSTICS, code);
}
