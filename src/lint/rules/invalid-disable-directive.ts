import { parseDirectives } from "../directives.js";
import { ruleMeta, type Rule } from "../rule.js";

/**
 * `invalid-disable-directive`: a `# caffe2torch-disable…` comment naming a rule that does not
 * exist (a typo, or a rule renamed). Such a comment silently suppresses nothing.
 */
export const invalidDisableDirective: Rule = {
  meta: ruleMeta({
    id: "invalid-disable-directive",
    defaultSeverity: "warning",
    description: "A suppression comment names a rule id that does not exist, so it suppresses nothing.",
    fixable: false,
    messages: {
      unknownRule: "'{{rule}}' is not a caffe2torch lint rule, so this comment suppresses nothing.",
      syntax: "The 'syntax' rule cannot be suppressed: a file that does not parse cannot be checked.",
    },
  }),
  scope: "reader",
  check(context) {
    const { text, read, ruleIds } = context;
    for (const directive of parseDirectives(text, read.comments, read.lines)) {
      for (const rule of directive.rules) {
        if (rule.id === "syntax") context.report({ range: rule.range, messageId: "syntax" });
        else if (!ruleIds.has(rule.id)) context.report({ range: rule.range, messageId: "unknownRule", data: { rule: rule.id } });
      }
    }
  },
};
