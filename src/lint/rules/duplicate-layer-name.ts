import { ruleMeta, type Rule } from "../rule.js";

/**
 * `duplicate-layer-name`: two active layers with one name. Caffe matches trained weights to
 * layers by name (Net::CopyTrainedLayersFrom copies into the FIRST layer of that name), so the
 * second layer never receives its weights; shared `param { name }` and PyTorch module names need
 * unique names too. Layers in different phases may share a name (data layers usually do).
 */
export const duplicateLayerName: Rule = {
  meta: ruleMeta({
    id: "duplicate-layer-name",
    defaultSeverity: "error",
    description: "Two layers active in the same phase share one name.",
    fixable: false,
    messages: {
      duplicate: "Layer name '{{name}}' is already used by an active layer on line {{firstLine}}; trained weights are matched by layer name.",
    },
  }),
  scope: "phase",
  check(context) {
    const { read } = context;
    const first = new Map<string, object>();
    for (const layer of context.analysis.model.layers) {
      if (layer.synthetic || layer.name === "") continue;
      const earlier = first.get(layer.name);
      if (!earlier) {
        first.set(layer.name, layer.param);
        continue;
      }
      const at = read.sourceMap.rangeOf(earlier);
      context.report({
        range: read.sourceMap.rangeOf(layer.param, "name") ?? read.sourceMap.rangeOf(layer.param),
        messageId: "duplicate",
        data: { name: layer.name, firstLine: at ? read.lines.position(at.offset).line : null },
      });
    }
  },
};
