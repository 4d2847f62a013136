import type { Diagnostic } from "../diagnostics/diagnostic.js";

type Data = Diagnostic["data"];
const q = (v: unknown): string => `"${String(v)}"`;

const PADDING_REASONS: Record<string, string> = {
  "consumer-type": "only a convolution or pooling layer may read a padding layer's output",
  "consumer-bottoms": "the layer reading the padding layer must have exactly one bottom",
  "padding-bottoms": "the padding layer must have exactly one bottom",
  "padding-tops": "the padding layer must have exactly one top",
};

/**
 * English renderings of the codes the legacy-format upgrade emits (beyond `upgraded-format` and
 * `mixed-layer-formats`, which src/diagnostics/messages.ts words). Nothing registers them by
 * side effect: the messages module, or a formatter, includes this table explicitly.
 */
export const UPGRADE_MESSAGES: Readonly<Record<string, (d: Data) => string>> = {
  "upgraded-layer-without-type": (d) =>
    `Layer ${q(d["layer"] ?? "(unnamed)")} has ` +
    (d["value"] === "NONE" ? "type NONE" : d["value"] ? `the type ${q(d["value"])}, which Caffe's V1 schema does not know` : "no type") +
    ": after the upgrade it has no layer type, and Caffe cannot create it.",
  "unknown-v0-layer-type": (d) => `Unknown V0 layer type ${q(d["type"])} (layer ${q(d["layer"])}); Caffe stops here ("Unknown layer name").`,
  "v0-field-ignored": (d) =>
    `A V0 layer of type ${q(d["type"])} has no option ${q(d["field"])}; the upgrade drops it, as Caffe does ("Unknown parameter").`,
  "v0-padding-misuse": (d) =>
    `Padding layer ${q(d["padding"])} cannot be folded into layer ${q(d["layer"])}: ${PADDING_REASONS[String(d["reason"])] ?? String(d["reason"])}. Caffe stops here.`,
  "v0-upgrade-drops-fields": (d) =>
    `This entry has no V0 \`layer\` in a V0 net: the upgrade keeps only its bottom and top and drops ${d["fields"]}, as Caffe does.`,
};
