/*
 * The shape every benchmark section reports in, and the plain-text table `npm run bench` prints.
 * A section that cannot measure (the OTA code is not there yet, the XS engine did not start)
 * still reports, with its reason, so the JSON always has every section and one missing figure
 * never hides the others.
 */

export type SectionStatus = "ok" | "not available" | "error";

export interface Table {
  columns: string[];
  rows: (string | number)[][];
}

export interface SectionResult {
  /** Key in the JSON file. */
  key: string;
  title: string;
  status: SectionStatus;
  /** Why the section has no figures (status other than "ok"). */
  reason?: string;
  table?: Table;
  /** One-line explanations printed under the table. */
  notes?: string[];
  /** Every figure, machine-readable; the table shows a selection. */
  figures?: Record<string, unknown>;
  ms?: number;
}

export function notAvailable(key: string, title: string, reason: string, status: SectionStatus = "not available"): SectionResult {
  return { key, title, status, reason };
}

/** Runs a section; an exception becomes an "error" section instead of ending the run. */
export async function guarded(key: string, title: string, run: () => Promise<SectionResult>): Promise<SectionResult> {
  const started = performance.now();
  let result: SectionResult;
  try {
    result = await run();
  } catch (e) {
    result = notAvailable(key, title, e instanceof Error ? e.message : String(e), "error");
  }
  return { ...result, ms: Math.round(performance.now() - started) };
}

/** 12345 -> "12,345"; fractions keep `digits` decimals. */
export function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio as "3.40×". */
export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a";
}

export function bytes(value: number): string {
  if (Math.abs(value) >= 1024 * 1024) return `${(value / (1024 * 1024)).toFixed(2)} MiB`;
  if (Math.abs(value) >= 10 * 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${num(value)} B`;
}

/** Right-aligns cells that look like numbers, left-aligns the rest. */
export function formatTable(table: Table): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map(String))];
  const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  const numeric = /^(-|n\/a|[-+]?[\d,.]+\s*(×|%|B|KiB|MiB|ms|µs|\/s)?)$/;
  const line = (row: string[]): string =>
    `| ${row.map((cell, i) => (i > 0 && numeric.test(cell) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(" | ")} |`;
  return [line(cells[0]), `|${widths.map((w, i) => (i > 0 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}

export function formatSection(section: SectionResult): string {
  const head = `## ${section.title}${section.ms !== undefined ? `  (${(section.ms / 1000).toFixed(1)} s)` : ""}`;
  if (section.status !== "ok") return `${head}\n\n${section.status}: ${section.reason ?? "no reason given"}\n`;
  const parts = [head, ""];
  if (section.table) parts.push(formatTable(section.table));
  if (section.notes?.length) parts.push("", ...section.notes.map((n) => `- ${n}`));
  return `${parts.join("\n")}\n`;
}
