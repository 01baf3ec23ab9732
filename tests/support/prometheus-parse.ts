/*
 * Reads Prometheus's text format 0.0.4 back, strictly, on any engine: every line must end in
 * "\n", a family's HELP and TYPE come once and before its samples, names follow the grammar,
 * label values unescape \\, \" and \n, and every value is a number. Throws with the line on the
 * first thing a scraper would choke on; returns the families and samples otherwise.
 */

export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromFamily {
  help?: string;
  type?: string;
  samples: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parsePrometheus(text: string): { families: Map<string, PromFamily>; samples: PromSample[] } {
  if (text !== "" && !text.endsWith("\n")) throw new Error("the exposition does not end with a line feed");
  const families = new Map<string, PromFamily>();
  const samples: PromSample[] = [];
  const lines = text.split("\n");
  lines.pop();
  lines.forEach((line, n) => {
    const where = `line ${n + 1}: ${JSON.stringify(line.slice(0, 120))}`;
    if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
      const rest = line.slice(7);
      const space = rest.indexOf(" ");
      const name = space < 0 ? rest : rest.slice(0, space);
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
      const family = families.get(name) ?? { samples: 0 };
      if (family.samples > 0) throw new Error(`${where}: comes after the family's samples`);
      if (line.startsWith("# HELP ")) {
        if (family.help !== undefined) throw new Error(`${where}: HELP twice`);
        family.help = space < 0 ? "" : rest.slice(space + 1);
      } else {
        if (family.type !== undefined) throw new Error(`${where}: TYPE twice`);
        family.type = rest.slice(space + 1);
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(family.type)) throw new Error(`${where}: bad type`);
      }
      families.set(name, family);
      return;
    }
    if (line.startsWith("#")) return;
    let i = 0;
    while (i < line.length && line[i] !== "{" && line[i] !== " ") i++;
    const name = line.slice(0, i);
    if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
    const labels: Record<string, string> = {};
    if (line[i] === "{") {
      i++;
      while (line[i] !== "}") {
        const eq = line.indexOf("=", i);
        if (eq < 0) throw new Error(`${where}: a label has no value`);
        const label = line.slice(i, eq);
        if (!LABEL_NAME.test(label)) throw new Error(`${where}: bad label name ${label}`);
        if (line[eq + 1] !== '"') throw new Error(`${where}: a label value is not quoted`);
        let value = "";
        let j = eq + 2;
        for (;;) {
          const ch = line[j];
          if (ch === undefined) throw new Error(`${where}: a label value is not closed`);
          if (ch === '"') break;
          if (ch === "\\") {
            const next = line[j + 1];
            if (next === "\\") value += "\\";
            else if (next === '"') value += '"';
            else if (next === "n") value += "\n";
            else throw new Error(`${where}: bad escape \\${next}`);
            j += 2;
          } else {
            value += ch;
            j++;
          }
        }
        if (label in labels) throw new Error(`${where}: label ${label} twice`);
        labels[label] = value;
        i = j + 1;
        if (line[i] === ",") i++;
        else if (line[i] !== "}") throw new Error(`${where}: labels not separated by commas`);
      }
      i++;
    }
    if (line[i] !== " ") throw new Error(`${where}: no space before the value`);
    const parts = line.slice(i + 1).split(" ");
    if (parts.length > 2) throw new Error(`${where}: too many fields`);
    const v = parts[0];
    const value = v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : v === "NaN" ? NaN : Number(v);
    if (v === "" || (Number.isNaN(value) && v !== "NaN")) throw new Error(`${where}: the value is not a number`);
    const family = families.get(name);
    if (!family?.type || family.help === undefined) throw new Error(`${where}: a sample before its family's HELP and TYPE`);
    family.samples++;
    samples.push({ name, labels, value });
  });
  return { families, samples };
}
