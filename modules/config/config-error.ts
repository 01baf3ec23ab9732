/*
 * ConfigError: a config change that was refused. It names the key, so the page and the API can
 * say which field is wrong; nothing was saved when it is thrown.
 */

export class ConfigError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(message);
    this.key = key;
  }
}
// On the prototype, as built-in errors have it: `this.name = ...` throws where preloading froze Error.prototype.
Object.defineProperty(ConfigError.prototype, "name", { value: "ConfigError", writable: true, configurable: true });
