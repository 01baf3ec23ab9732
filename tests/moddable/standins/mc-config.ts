/*
 * Stand-in of "mc/config": the manifest's config section as mcconfig freezes it (plus any
 * key=value from its command line, which arrive as strings). The device tests' build has the
 * project manifest's own config ({http_port: 80}); `configOverrides` lets a test say otherwise
 * (a command-line http_port=8080 arrives as the string "8080"). The host reads it when it is
 * made, so set it first. Read-only, like the frozen original: writes throw.
 */

export const configOverrides: Record<string, unknown> = {};

const MANIFEST: Readonly<Record<string, unknown>> = Object.freeze({ http_port: 80 });

function value(key: string | symbol): unknown {
  if (typeof key !== "string") return undefined;
  return key in configOverrides ? configOverrides[key] : MANIFEST[key];
}

const config: Record<string, unknown> = new Proxy({} as Record<string, unknown>, {
  get: (_target, key) => value(key),
  has: (_target, key) => typeof key === "string" && (key in configOverrides || key in MANIFEST),
  ownKeys: () => Array.from(new Set([...Object.keys(MANIFEST), ...Object.keys(configOverrides)])),
  getOwnPropertyDescriptor: (_target, key) =>
    typeof key === "string" && (key in configOverrides || key in MANIFEST) ? { value: value(key), enumerable: true, configurable: true, writable: false } : undefined,
  set: () => {
    throw new TypeError("mc/config is frozen");
  },
  defineProperty: () => {
    throw new TypeError("mc/config is frozen");
  },
  deleteProperty: () => {
    throw new TypeError("mc/config is frozen");
  },
});

export default config;
