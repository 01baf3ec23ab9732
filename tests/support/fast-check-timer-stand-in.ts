/*
 * Installs throwing setTimeout/clearTimeout globals where the engine has none (XS), just for
 * fast-check to read while it loads; fast-check.ts removes them right after. See fast-check.ts.
 */

const g = globalThis as Record<string, unknown>;

export const installedTimerStandIn = typeof g.setTimeout !== "function";

if (installedTimerStandIn) {
  g.setTimeout = () => {
    throw new Error("setTimeout is not available on this engine (fast-check timeouts cannot be used)");
  };
  g.clearTimeout = () => undefined;
}
