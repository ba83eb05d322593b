/**
 * Headless Chromium for the HTML report's tests: Debian's /usr/bin/chromium driven by playwright-core (which brings
 * no browser of its own). Without it the browser tests are skipped, with the reason in their name, unless
 * QUANTEVAL_REQUIRE_BROWSER=1 (CI sets it), where a missing browser fails them loudly instead.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";
const required = process.env.QUANTEVAL_REQUIRE_BROWSER === "1";
const missing = !existsSync(CHROMIUM_PATH);

/** For describe.skipIf: skip only when the browser is missing and not required. */
export const skipBrowserTests = missing && !required;
/** False only where the tests run without a browser because QUANTEVAL_REQUIRE_BROWSER=1 made them: they must fail. */
export const browserInstalled = !missing;
export const browserSkipReason = `${CHROMIUM_PATH} not found (apt-get install chromium; QUANTEVAL_REQUIRE_BROWSER=1 makes this a failure)`;

/**
 * A fresh browser: launch() gives each one a new temporary profile (user-data-dir) that it deletes on close, so no
 * cache, cookie or earlier page can leak into a test. The flags keep Chromium from calling home.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
