/*
 * Real Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core (which
 * never downloads a browser of its own), headless, with the background networking that this
 * closed network refuses switched off; playwright gives each launch a fresh temporary profile.
 */

import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * True when the browser is there. In CI (CI set) a missing browser is an error, not a skip:
 * .ci/run installs it, so its absence means the install step broke.
 */
export function hasChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`no browser at ${CHROMIUM}: .ci/run should have installed Debian's chromium`);
  return false;
}

/** extraArgs: more command-line switches (a test's --host-resolver-rules, say). */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
