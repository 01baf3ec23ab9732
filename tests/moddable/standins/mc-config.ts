/*
 * Stand-in of "mc/config": the manifest's config section as mcconfig freezes it (plus any
 * key=value from its command line, which arrive as strings). The device tests' build has the
 * project manifest's own config ({http_port: 80}); `configOverrides` lets a test bundle say
 * otherwise before the host is made. It is read by the host at construction, so set it first.
 */

export const configOverrides: Record<string, unknown> = {};

const config: Record<string, unknown> = new Proxy(Object.freeze({ http_port: 80 }), {
  get: (target, key) => (typeof key === "string" && key in configOverrides ? configOverrides[key] : Reflect.get(target, key)),
  has: (target, key) => (typeof key === "string" && key in configOverrides) || Reflect.has(target, key),
});

export default config;
