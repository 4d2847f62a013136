/** Values substituted into a message template (`{{name}}`). */
export type TemplateData = Readonly<Record<string, string | number | boolean | null>>;

/**
 * Renders a message template: `{{key}}` is replaced by `data[key]`. A key the data lacks renders
 * as `?`, so a wrong template shows up in tests instead of as a blank.
 */
export function renderTemplate(template: string, data: TemplateData): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, key: string) => {
    const value = Object.hasOwn(data, key) ? data[key] : undefined;
    return value === undefined || value === null ? "?" : String(value);
  });
}
