import { overwrittenReluMasks } from "../../caffe/relu-mask.js";
import { ruleMeta, type Rule } from "../rule.js";

/**
 * `relu-mask-overwritten`: in TRAIN, a ReLU whose bottom data a later layer rewrites in place
 * (typically conv → ReLU in place → BatchNorm/Scale in place on the same blob). Caffe's ReLU
 * backward reads its mask from that data when the backward runs (relu_layer.cpp Backward_cpu:
 * `bottom_data[i] > 0`), so it masks with the later layer's output and Caffe's gradients below the
 * ReLU are not the mathematical ones; PyTorch's autograd computes the mathematical ones, so the
 * converted model does not train as the Caffe net did (see src/caffe/relu-mask.ts). Only nets that
 * can train (a loss in TRAIN) are checked.
 */
export const reluMaskOverwritten: Rule = {
  meta: ruleMeta({
    id: "relu-mask-overwritten",
    defaultSeverity: "warning",
    description: "In TRAIN, a ReLU whose blob a later layer overwrites in place: Caffe's ReLU backward uses the overwritten data as its mask.",
    fixable: false,
    messages: {
      inPlace:
        "ReLU '{{relu}}' runs in place on '{{blob}}' and {{type}} '{{writer}}' later overwrites '{{blob}}' in place: in TRAIN, Caffe's ReLU backward takes its mask from the overwritten data (the last in-place output > 0, not the ReLU's input > 0), so Caffe's gradients below '{{relu}}' are not the mathematical ones PyTorch computes, and training will not match. Give the ReLU its own top.",
      sharedBottom:
        "ReLU '{{relu}}' reads '{{blob}}', which {{type}} '{{writer}}' later overwrites in place: in TRAIN, Caffe's ReLU backward takes its mask from the overwritten data, so Caffe's gradients below '{{relu}}' are not the mathematical ones PyTorch computes, and training will not match. Give '{{writer}}' its own top.",
    },
  }),
  scope: "phase",
  check(context) {
    if (context.phase !== "train" || !context.analysis.trainable) return;
    const { model, graph } = context.analysis;
    for (const found of overwrittenReluMasks(model, graph)) {
      const relu = model.layers[found.relu]!;
      const writer = model.layers[found.writer]!;
      context.report({
        range: context.read.sourceMap.rangeOf(relu.param),
        messageId: found.reluInPlace ? "inPlace" : "sharedBottom",
        data: { relu: relu.name, writer: writer.name, type: writer.type, blob: found.blob },
        phase: "train",
      });
    }
  },
};
