/*
 * The device's entry point: the manifest names this module "main", so XS runs it first. It
 * builds the Moddable host over the SDK's Preference (imported here, in the one module that is
 * not preloaded: host.ts says why), binds it (modules/host/host.ts), and only then imports the app
 * (main.ts, named "app" in the manifest), whose IotManager takes the bound host.
 *
 * The app is imported with import(), not a static import: static imports are evaluated before
 * this module's body, which would run the app before the host is bound. A failure to start the
 * app is traced (xsbug shows it in a debug build) instead of disappearing in a rejected promise.
 *
 * Imports here are by module name, not relative: this module is named "main", at the top of the
 * module namespace, while the file sits in hosts/moddable/, so a relative specifier would
 * resolve differently for XS and for TypeScript. The names are the manifest's (and the paths
 * of hosts/moddable/tsconfig.json).
 */

import Preference from "preference";
import { createModdableHost } from "hosts/moddable/host";
import { bindHost } from "modules/host/host";

bindHost(createModdableHost(Preference));

import("app").then(undefined, (error: unknown) => {
  trace(`the app failed to start: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
});
