import { messageText } from "../messages.js";
import type { Formatter } from "./types.js";

const COMMAND = { error: "error", warning: "warning", info: "notice" } as const;

/**
 * GitHub Actions workflow commands, one per finding:
 * `::error file=F,line=L,col=C,title=RULE::message` (`warning`, `notice` for the others). Values
 * are escaped as the Actions toolkit does (`%`, CR, LF everywhere; `:` and `,` in properties).
 */
export const formatGithub: Formatter = (results, context) => {
  let out = "";
  for (const file of results.files) {
    for (const f of file.findings) {
      const message = messageText(f, context.rules) + (f.phase ? ` [${f.phase}]` : "");
      const props = `file=${escapeProperty(file.file)},line=${f.line},col=${f.column},title=${escapeProperty(f.ruleId)}`;
      out += `::${COMMAND[f.severity]} ${props}::${escapeData(message)}\n`;
    }
  }
  return out;
};

/** Escapes a command's message, as @actions/core's escapeData. */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a command property value, as @actions/core's escapeProperty. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
