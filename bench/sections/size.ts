/*
 * Size, a proxy for flash: the demo app (main.ts) with everything it imports, bundled and
 * minified by esbuild, in bytes; and per module and per folder from esbuild's metafile (bytes of
 * each source file in the minified output). Also every file under modules/ together: the whole
 * core, including features an app adds only when it wants them (OTA, persistent variables).
 *
 * mcconfig does not ship minified JavaScript: it compiles each module to XS bytecode, which is of
 * the same order of size but not equal. The figure is for comparing commits, not for the
 * partition table.
 */

import { build, type Metafile } from "esbuild";
import { readdirSync } from "node:fs";
import { join, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT } from "../../tests/xs/bundle.ts";
import { bytes, num, type SectionResult } from "../report.ts";

interface Bundle {
  bytes: number;
  gzipBytes: number;
  files: Record<string, number>;
}

async function bundle(entry: { path: string } | { contents: string }): Promise<Bundle> {
  const result = await build({
    ...("path" in entry ? { entryPoints: [entry.path] } : { stdin: { contents: entry.contents, resolveDir: ROOT, sourcefile: "all-modules.ts", loader: "ts" as const } }),
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "neutral",
    write: false,
    metafile: true,
    logLevel: "silent",
    outfile: join(ROOT, ".build", "bench", "size.js"),
  });
  const output = result.outputFiles[0];
  const meta: Metafile = result.metafile;
  const out = Object.values(meta.outputs)[0];
  const files: Record<string, number> = {};
  for (const [file, info] of Object.entries(out.inputs)) if (info.bytesInOutput > 0) files[file] = info.bytesInOutput;
  return { bytes: output.contents.byteLength, gzipBytes: gzipSync(output.contents).byteLength, files };
}

/** modules/web/page.ts -> modules/web; main.ts -> main.ts */
function folderOf(file: string): string {
  const parts = file.split("/");
  return parts.length > 2 ? parts.slice(0, 2).join("/") : file;
}

function byFolder(files: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [file, n] of Object.entries(files)) out[folderOf(file)] = (out[folderOf(file)] ?? 0) + n;
  return out;
}

export async function measureSize(): Promise<SectionResult> {
  const app = await bundle({ path: join(ROOT, "main.ts") });
  const moduleFiles = readdirSync(join(ROOT, "modules"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => `modules/${f.split(sep).join("/")}`)
    .sort();
  // Namespace imports keep every export of every file, without name clashes between files.
  const all = await bundle({
    contents: moduleFiles.map((f, i) => `import * as m${i} from ${JSON.stringify(`./${f}`)};`).join("\n") + `\nexport { ${moduleFiles.map((_, i) => `m${i}`).join(", ")} };\n`,
  });
  const appFolders = byFolder(app.files);
  const allFolders = byFolder(all.files);
  const folders = [...new Set([...Object.keys(allFolders), ...Object.keys(appFolders)])].sort((a, b) => (allFolders[b] ?? 0) - (allFolders[a] ?? 0));
  return {
    key: "size",
    title: "Size (esbuild, minified; a proxy for flash)",
    status: "ok",
    table: {
      columns: ["what", "demo app (main.ts)", "all of modules/"],
      rows: [
        ["total, minified", bytes(app.bytes), bytes(all.bytes)],
        ["total, minified + gzip", bytes(app.gzipBytes), bytes(all.gzipBytes)],
        ...folders.map((f) => [`  ${f}`, appFolders[f] ? num(appFolders[f]) : "-", allFolders[f] ? num(allFolders[f]) : "-"]),
      ],
    },
    notes: [
      "per folder: bytes of its files in the minified output (esbuild metafile); per file in the JSON",
      "the device runs XS bytecode compiled by mcconfig, of the same order of size: compare commits, not partitions",
    ],
    figures: { app, all },
  };
}
