import { renderTemplate } from "../diagnostics/template.js";
import type { MessageData, RuleMeta } from "./rule.js";

export { renderTemplate };

/** The English text of a finding, from its rule's message templates. */
export function messageText(
  finding: { ruleId: string; messageId: string; data: MessageData },
  rules: ReadonlyMap<string, RuleMeta>,
): string {
  const template = rules.get(finding.ruleId)?.messages[finding.messageId];
  return template === undefined ? `${finding.ruleId}/${finding.messageId}` : renderTemplate(template, finding.data);
}

/**
 * What the fix of a finding does, from its rule's fix templates (`fixMessages`); a finding whose
 * message id has none gets a sentence naming the rule.
 */
export function fixDescription(
  finding: { ruleId: string; messageId: string; data: MessageData },
  rules: ReadonlyMap<string, RuleMeta>,
): string {
  const template = rules.get(finding.ruleId)?.fixMessages?.[finding.messageId];
  return template === undefined ? `Apply the fix of ${finding.ruleId}.` : renderTemplate(template, finding.data);
}
