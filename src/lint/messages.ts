import type { MessageData, RuleMeta } from "./rule.js";

/**
 * Renders a message template: `{{key}}` is replaced by `data[key]`. A key the data lacks renders
 * as `?`, so a wrong template shows up in tests instead of as a blank.
 */
export function renderTemplate(template: string, data: MessageData): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, key: string) => {
    const value = Object.hasOwn(data, key) ? data[key] : undefined;
    return value === undefined || value === null ? "?" : String(value);
  });
}

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
