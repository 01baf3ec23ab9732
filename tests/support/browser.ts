/*
 * Real Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core (which
 * never downloads a browser of its own), headless, with the background networking that this
 * closed network refuses switched off; playwright gives each launch a fresh temporary profile.
 * useBrowser, useSimulator and offlinePage are the rig every browser test builds on.
 */

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../hosts/node/simulator";

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

/**
 * One Chromium for every suite that asks for no switches of its own: a launch costs about a
 * second, and a dozen suites launched one each. Closed by a root hook when mocha is done; each
 * suite closes the pages and contexts it made (useBrowser's after), as closing its own browser did.
 */
let shared: Promise<{ browser: Browser; close: () => Promise<void> }> | undefined;
if (typeof after === "function") {
  after(async () => {
    const launched = shared;
    shared = undefined;
    if (launched) await (await launched).close();
  });
}

/**
 * A browser for the describe block this is called in: ready before its tests, and what they
 * opened in it closed after them (the shared one), or the browser itself closed (one launched
 * with switches of its own). The block is skipped when there is no browser here (an error in
 * CI, see hasChromium). Call it before any other hook of the block, so a skip starts nothing
 * else; extraArgs as a function when they depend on what an earlier hook started.
 */
export function useBrowser(extraArgs: readonly string[] | (() => readonly string[]) = []): { readonly browser: Browser } {
  const rig = {} as { browser: Browser };
  let close: (() => Promise<void>) | undefined;
  before(async function () {
    if (!hasChromium()) return this.skip(); // .ci/run installs Debian's chromium; without it there is no browser to drive.
    const args = typeof extraArgs === "function" ? extraArgs() : extraArgs;
    if (args.length > 0) ({ browser: rig.browser, close } = await launchBrowser(args));
    else {
      rig.browser = (await (shared ??= launchBrowser())).browser;
      close = async () => {
        for (const context of rig.browser.contexts()) await context.close();
      };
    }
  });
  after(async () => {
    await close?.();
  });
  return rig;
}

export interface SimulatorRig {
  readonly sim: Simulator;
  /** The test's own temporary folder (the simulator's state folder unless options say another). */
  readonly dir: string;
}

/**
 * An in-process simulator in a fresh temporary folder, for the describe block this is called
 * in: started before all its tests, or before each (each: true), stopped and its folder removed
 * after. options(dir) adds to the defaults (port 0, state in dir, log lines dropped); it may
 * write files into dir first.
 */
export function useSimulator(setup: {
  prefix: string;
  app?: string;
  each?: boolean;
  options?: (dir: string) => Partial<SimulatorOptions> | Promise<Partial<SimulatorOptions>>;
}): SimulatorRig {
  const rig = {} as { sim: Simulator; dir: string };
  const start = async (): Promise<void> => {
    rig.dir = mkdtempSync(join(tmpdir(), setup.prefix));
    const more = (await setup.options?.(rig.dir)) ?? {};
    rig.sim = await startSimulator({ port: 0, stateDir: rig.dir, logSink: () => undefined, ...(setup.app ? { app: setup.app } : {}), ...more });
  };
  const stop = async (): Promise<void> => {
    await rig.sim?.stop();
    if (rig.dir) rmSync(rig.dir, { recursive: true, force: true });
  };
  if (setup.each) {
    beforeEach(start);
    afterEach(stop);
  } else {
    before(start);
    after(stop);
  }
  return rig;
}

export interface OfflinePageOptions {
  viewport?: { width: number; height: number };
  bypassCSP?: boolean;
  /** "cdn" (the default): only the CDN's Bootstrap is refused; "all": every https request is. */
  refuse?: "cdn" | "all";
  /** Serve these bytes as the CDN's Bootstrap instead of refusing it. */
  bootstrap?: Buffer;
  /** How dialogs are answered: dismissed by default; "confirm" accepts confirm() and dismisses the rest. */
  dialogs?: "dismiss" | "accept" | "confirm";
}

/**
 * A page as a device's user on a closed network sees it: the Internet refused as the browser
 * would find it (or Bootstrap served from the test), every dialog's message recorded and answered.
 * From a Browser (a context of its own, options apply) or from a BrowserContext (its options).
 */
export async function offlinePage(from: Browser | BrowserContext, options: OfflinePageOptions = {}): Promise<{ page: Page; dialogs: string[] }> {
  const page = "newContext" in from ? await from.newPage({ viewport: options.viewport, bypassCSP: options.bypassCSP }) : await from.newPage();
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    const yes = options.dialogs === "accept" || (options.dialogs === "confirm" && d.type() === "confirm");
    void (yes ? d.accept() : d.dismiss());
  });
  const bootstrap = options.bootstrap;
  await page.route(options.refuse === "all" ? "https://**" : "https://cdn.jsdelivr.net/**", (route) =>
    bootstrap && route.request().url().startsWith("https://cdn.jsdelivr.net/")
      ? route.fulfill({ status: 200, contentType: "text/css", body: bootstrap })
      : route.abort("internetdisconnected"),
  );
  return { page, dialogs };
}
