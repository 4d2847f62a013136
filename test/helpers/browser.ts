/**
 * Headless Chromium for the report page tests: Debian's `chromium` (CI installs it with apt)
 * driven by playwright-core, which downloads no browser. Without it the tests are skipped
 * locally, with a message, but in CI (`CI=true`) they run and fail in {@link launchChromium}, so a
 * broken CI image cannot turn the browser tests into silent skips.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT } from "./paths.js";

/** The browser binary: $CHROMIUM, else Debian's. */
export const CHROMIUM = process.env["CHROMIUM"] ?? "/usr/bin/chromium";

const missing = !existsSync(CHROMIUM);
if (missing && process.env["CI"] !== "true") {
  process.stderr.write(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM=/path/to/chrome)\n`);
}

/** `describe.skipIf(skipWithoutChromium)`: true only locally, when there is no browser. */
export const skipWithoutChromium: boolean = missing && process.env["CI"] !== "true";

/** Screenshots go here (gitignored): look at them before trusting a change to the page. */
export const SCREENSHOT_DIR = join(ROOT, "test-output", "report");

/** Starts the browser (one per test file); throws when there is none (CI). */
export async function launchChromium(): Promise<Browser> {
  if (missing) throw new Error(`Chromium is required here (CI=true): no ${CHROMIUM}`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"] });
}

/** What a page tried to load from anywhere but its own file (should stay empty). */
export interface PageWatch {
  requests: string[];
  errors: string[];
}

/**
 * Opens `file` in a fresh page, aborting and recording every request other than the page's own
 * file, and recording script errors; resolves when the page says it is ready.
 */
export async function openReport(browser: Browser, file: string, options: { colorScheme?: "light" | "dark"; width?: number; height?: number } = {}): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 1400, height: options.height ?? 900 }, colorScheme: options.colorScheme ?? "light" });
  const url = `file://${file}`;
  const watch: PageWatch = { requests: [], errors: [] };
  await page.route("**/*", (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    watch.requests.push(u);
    return route.abort();
  });
  page.on("pageerror", (e) => watch.errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") watch.errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  return { page, watch };
}
