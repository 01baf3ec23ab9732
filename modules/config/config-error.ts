/*
 * ConfigError: a config change that was refused. It names the key, so the page and the API can
 * say which field is wrong; nothing was saved when it is thrown.
 */

export class ConfigError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(message);
    this.name = "ConfigError";
    this.key = key;
  }
}
