/*
 * Prometheus text exposition format 0.0.4, as fragments: one family's "# HELP" and "# TYPE"
 * once, before its samples; every line ends in "\n"; label values escape backslash, double
 * quote and line feed, so no data key or value can break a scrape. Metric and label names are
 * the caller's constants ([a-zA-Z_:][a-zA-Z0-9_:]*).
 */

export type MetricType = "gauge" | "counter";

/** What a label value must escape (not global: a preloaded regex cannot keep a lastIndex). */
const NEEDS_ESCAPE = /[\\"\n]/;

function escapeOne(ch: string): string {
  return ch === "\n" ? "\\n" : `\\${ch}`;
}

/** A label value inside its double quotes. */
export function labelValue(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\"\n]/g, escapeOne) : text;
}

/** `name{a="x",b="y"}` (or just name), for a sample line. */
export function series(name: string, labels?: Readonly<Record<string, string>>): string {
  if (!labels) return name;
  const keys = Object.keys(labels);
  if (keys.length === 0) return name;
  let out = `${name}{`;
  for (let i = 0; i < keys.length; i++) out += `${i ? "," : ""}${keys[i]}="${labelValue(labels[keys[i]])}"`;
  return `${out}}`;
}

/** A sample's value: integers as they are, other numbers as JavaScript prints them (Go reads both). */
export function sampleValue(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";
}

export function familyHead(name: string, type: MetricType, help: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n# TYPE ${name} ${type}\n`;
}
