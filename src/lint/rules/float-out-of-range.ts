import { ruleMeta, type Rule } from "../rule.js";

/** `float-out-of-range`: a float field written beyond float32's range, which protoc stores as ±infinity. */
export const floatOutOfRange: Rule = {
  meta: ruleMeta({
    id: "float-out-of-range",
    defaultSeverity: "warning",
    description: "A float field is written with a value beyond float32's range; Caffe reads it as infinity.",
    fixable: false,
    messages: {
      value: "{{value}} does not fit in a float32; protoc and Caffe read it as infinity.",
    },
  }),
  scope: "reader",
  check(context) {
    for (const d of context.read.diagnostics) {
      if (d.code === "float-out-of-range") context.report({ range: d.range, messageId: "value", data: d.data });
    }
  },
};
