import type { TorchGraph, TorchInput, TransformSpec } from "../../convert/torch-graph.js";
import { pyDict, pyFloat, pyString } from "../python-literals.js";
import { nodeLines, pyValue } from "./forward.js";

/** Whether the net has a training objective: some top with a nonzero loss weight. */
export function hasLoss(graph: TorchGraph): boolean {
  return graph.nodes.some((n) => n.lossWeights?.some((w) => w !== 0) === true);
}

/** Inputs whose data layer transforms its images (what `preprocess` makes). */
export function transformedInputs(graph: TorchGraph): (TorchInput & { transform: TransformSpec })[] {
  return graph.inputs.filter((i): i is TorchInput & { transform: TransformSpec } => i.transform !== undefined);
}

/** `LOSS_WEIGHTS`: Caffe layer name → the loss weight of each of its tops, for layers with one. */
export function lossWeightsConstant(graph: TorchGraph): string {
  const entries = graph.nodes
    .filter((n) => n.lossWeights?.some((w) => w !== 0))
    .map((n): [string, string] => [pyString(n.layer), `[${n.lossWeights!.map(pyValue).join(", ")}]`]);
  return `# Caffe layer name -> loss weight of each top (Net.loss sums weight * sum(top)).\nLOSS_WEIGHTS = ${pyDict(entries)}`;
}

/**
 * `Net.loss(*inputs)`: forward's statements, and after each layer with loss weights the term
 * `weight · sum(top)` of each weighted top, taken right after the layer ran and summed in layer
 * order, as Caffe's Net::ForwardFromTo adds each layer's Forward() loss.
 */
export function lossMethod(graph: TorchGraph, signature: string, fused: ReadonlyMap<number, string>): string {
  const lines = [
    `    def loss(${signature}):`,
    '        """Caffe\'s training objective for one batch: sum of loss_weight * sum(top) (LOSS_WEIGHTS).',
    "",
    "        Each top is taken right after its layer ran, as Caffe's Net::Forward adds them. One",
    "        forward: in train() the BatchNorm statistics update once.",
    '        """',
  ];
  let first = true;
  for (const node of graph.nodes) {
    for (const line of nodeLines(node, graph, false, fused)) lines.push(`        ${line}`);
    (node.lossWeights ?? []).forEach((w, i) => {
      if (w === 0) return;
      const variable = graph.variables[node.tops[i]!]!;
      const term = w === 1 ? `${variable}.sum()` : `${pyValue(w)} * ${variable}.sum()`;
      lines.push(`        objective = ${first ? term : `objective + ${term}`}`);
      first = false;
    });
  }
  lines.push("        return objective");
  return lines.join("\n");
}

function transformLiteral(t: TransformSpec): string {
  const fields: [string, string][] = [
    ["layer", pyString(t.layer)],
    ["crop_size", String(t.cropSize)],
    ["mirror", t.mirror ? "True" : "False"],
    ["scale", pyFloat(t.scale)],
    ["mean_values", `[${t.meanValues.map(pyFloat).join(", ")}]`],
    ["mean_file", t.meanFile === null ? "None" : pyString(t.meanFile)],
  ];
  return `{${fields.map(([k, v]) => `${pyString(k)}: ${v}`).join(", ")}}`;
}

/**
 * `TRANSFORMS` (input blob → its data layer's transform_param) and `preprocess`, which applies
 * one with `caffe_transform`. Empty when no data layer transforms its images.
 */
export function preprocessSource(graph: TorchGraph): string {
  const inputs = transformedInputs(graph);
  if (inputs.length === 0) return "";
  const constant = `# Input blob -> its data layer's transform_param, as Caffe's DataTransformer applies it.\nTRANSFORMS = ${pyDict(
    inputs.map((i): [string, string] => [pyString(i.blob), transformLiteral(i.transform)]),
  )}`;
  const fn = `def preprocess(image, mean=None, blob=${pyString(inputs[0]!.blob)}, phase=PHASE, generator=None):
    """The input blob made from raw images as Caffe's data layer makes it (TRANSFORMS[blob]).

    image: (C, H, W) or (N, C, H, W) values as the data layer reads them (e.g. 0-255, BGR for
    images OpenCV decodes). mean: the mean image (C, H, W) of TRANSFORMS[blob]["mean_file"],
    required when that is set (the export does not read it). caffe_transform gives the order
    and what is random in each phase.
    """
    t = TRANSFORMS[blob]
    if t["mean_file"] is not None and mean is None:
        raise ValueError("transform_param.mean_file {!r}: pass its mean image as mean=".format(t["mean_file"]))
    return caffe_transform(image, t["crop_size"], t["mirror"], t["scale"], t["mean_values"], mean, phase, generator)`;
  return `${constant}\n\n\n${fn}`;
}
