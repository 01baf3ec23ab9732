/*
 * Moddable's client Request (modules/network/http/http.js, SDK 8.2.3) as http-client.ts uses
 * it, where @moddable/typings is loose or wrong: the callback receives (message, value, etc)
 * with `this` the Request; read(ArrayBuffer, count) takes at most count bytes; close() ends the
 * request and deletes the callback (nothing is called after it). Message numbers are in
 * ./http.d.ts (RequestMessages).
 */

export interface RequestInstance {
  callback: (this: RequestInstance, message: number, value?: unknown, etc?: unknown) => void;
  read(type: typeof ArrayBuffer, count?: number): ArrayBuffer | undefined;
  close(): void;
}

export interface RequestOptions {
  host?: string;
  address?: string;
  port: number;
  path: string;
  method?: string;
  /** Flat list: name, value, ... The Request adds Host and Connection: close itself. */
  headers?: string[];
}

export interface RequestClass {
  new (options: RequestOptions): RequestInstance;
}
