/*
 * persistentVariablesFeature: puts persistent variables on the device's settings page and
 * behind a small API, with the same coercion as `variable.value = ...` (one rule, one place).
 *
 *   iot.addFeature(persistentVariablesFeature([threshold, ledColour, enabled]));
 *
 * - Page: a "Variables" card with one input per variable that fits its type: a checkbox (with
 *   a hidden "false" before it, so an unticked box still says false), a number input with the
 *   type's min/max/step, a colour picker, a text input (hex has a pattern), or a textarea of
 *   JSON text (json, set, list). Every value and label goes through escapeHtml.
 * - GET /api/variables: {"<folder>/<name>": value, ...}. POST /api/variables takes the same
 *   shape (application/json, any subset of the variables) and answers the new values.
 * - POST /variables: the page's form (urlencoded, from this device's own page only), answered
 *   in place for the page's script (JSON: the message, or the refusal naming the variable) or
 *   by a 303 back to the card's view with the answer (http/form-answer.ts). Form fields are
 *   text: numbers and booleans are parsed by the same coercion;
 *   json, set and list fields are parsed as JSON first; a string's CRLF line breaks (what a
 *   browser sends from a textarea) become LF.
 * - Every change in a request is validated before any is written: a refused value (400, naming
 *   the variable) or an unknown variable writes nothing. Each write is atomic on its own; a
 *   power cut in the middle of a request can leave some variables written and others not.
 *   A value that does not change writes nothing.
 * Authentication is the manager's business (it guards POST routes the same way for every
 * feature), not this feature's.
 * - Idle it holds the app's list, its title, one handler for its three routes and the manager's
 *   form answer (not the whole context): its code is its class's, preloaded into flash.
 */

import type { Feature, FeatureContext } from "../feature";
import type { HttpRequest, HttpResponse } from "../http/http-message";
import { readForm, readJsonObject } from "../http/request-body";
import { json } from "../http/response";
import { errorText } from "../log/logger";
import { escapeHtml } from "../text/escape-html";
import { answerForm, type FormAnswer } from "../http/form-answer";
import { decimalText } from "./decimal-text";
import type { PersistentInput, PersistentType } from "./persistent-codec";
import { PersistentValueError } from "./persistent-value-error";

/** What the feature needs of a variable; every Persistent* class is one. */
export interface EditableVariable {
  readonly id: string;
  readonly label: string;
  readonly type: PersistentType;
  readonly input: PersistentInput;
  readonly value: unknown;
  coerce(input: unknown): unknown;
  write(input: unknown): boolean;
}

export interface PersistentVariablesOptions {
  /** Heading of the page's card (default "Variables"). */
  title?: string;
}

interface Refusal {
  status: number;
  error: string;
  variable?: string;
}

export const VARIABLES_API_PATH = "/api/variables";
export const VARIABLES_FORM_PATH = "/variables";

function inputText(variable: EditableVariable): string {
  const value = variable.value;
  if (variable.input.kind === "json") return JSON.stringify(value);
  return typeof value === "number" ? decimalText(value) : String(value);
}

function attribute(name: string, value: number | string | undefined): string {
  return value === undefined ? "" : ` ${name}="${escapeHtml(typeof value === "number" ? decimalText(value) : value)}"`;
}

function* field(variable: EditableVariable, index: number): Generator<string> {
  const id = `pv-${index}`;
  const name = escapeHtml(variable.id);
  const label = escapeHtml(variable.label);
  const input = variable.input;
  if (input.kind === "checkbox") {
    yield `<div class="form-check mb-2"><input type="hidden" name="${name}" value="false">`;
    yield `<input class="form-check-input" type="checkbox" id="${id}" name="${name}" value="true"${variable.value ? " checked" : ""}>`;
    yield ` <label class="form-check-label" for="${id}">${label}</label></div>`;
    return;
  }
  yield `<div class="mb-2"><label class="form-label" for="${id}">${label}</label>`;
  const text = escapeHtml(inputText(variable));
  if (input.kind === "json" || /[\r\n]/.test(text)) {
    // A text input would drop line breaks, and saving the form would then change the value.
    // The newline after the tag is eaten by the HTML parser, so a leading one in text survives.
    yield `<textarea class="form-control font-monospace" rows="2" id="${id}" name="${name}">\n${text}</textarea></div>`;
    return;
  }
  const cls = input.kind === "color" ? "form-control form-control-color" : "form-control";
  yield `<input class="${cls}" type="${input.kind}" id="${id}" name="${name}" value="${text}"`;
  yield `${attribute("min", input.min)}${attribute("max", input.max)}${attribute("step", input.step)}${attribute("pattern", input.pattern)}></div>`;
}
// A generator function is no constructor, so preloading does not freeze its prototype: this does (it stays in flash).
Object.freeze(field.prototype);

function* variablesSection(variables: readonly EditableVariable[], title: string): Generator<string> {
  yield `<section class="card mb-3" id="variables" aria-labelledby="variables-title"><div class="card-body"><h2 class="h5" id="variables-title">${escapeHtml(title)}</h2>`;
  yield `<form id="variables-form" method="post" action="${VARIABLES_FORM_PATH}" accept-charset="utf-8" data-answer="auto" data-sending="Saving\u2026">`;
  for (let i = 0; i < variables.length; i++) yield* field(variables[i], i);
  yield `<div class="iot-actions"><button class="btn btn-primary" type="submit">Save variables</button></div><div class="iot-answer" id="variables-answer" role="status" hidden></div></form></div></section>`;
}
Object.freeze(variablesSection.prototype);

/** Two values as JSON sees them: what "changed" means for a save. */
function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** A form field's text as the value to coerce (see the header). */
function fromFormText(variable: EditableVariable, text: string): unknown {
  if (variable.input.kind === "json") {
    try {
      return JSON.parse(text);
    } catch {
      throw new PersistentValueError(variable.id, text, variable.type, "not valid JSON text");
    }
  }
  return variable.type === "string" ? text.replace(/\r\n/g, "\n") : text;
}

/**
 * The feature. What it holds at rest is the app's list, the title, and one handler shared by its
 * three routes (it tells them apart by method and path) and the manager's form answer: the
 * feature's own code is the class's, made once (in flash on the device), not a closure per route.
 */
class PersistentVariablesFeature implements Feature {
  readonly name = "variables";
  readonly title: string;
  readonly #variables: readonly EditableVariable[];
  /**
   * The context, for its answerForm: a method of the manager's context class, so it is called on
   * the context, never taken off it (a detached call has no `this`).
   */
  #context: FeatureContext | undefined;

  constructor(variables: readonly EditableVariable[], title: string) {
    for (let i = 0; i < variables.length; i++)
      for (let j = 0; j < i; j++) if (variables[j].id === variables[i].id) throw new Error(`persistent variable ${variables[i].id} is listed twice`);
    this.#variables = variables;
    this.title = title;
  }

  // The manager erases every listed folder after this: reading each variable lists its folder
  // again if a damaged settings domain lost the list, so the erase reaches the page's variables.
  factoryReset(): void {
    for (const variable of this.#variables) void variable.value;
  }

  attach(context: FeatureContext): void {
    this.#context = context;
    const handle = (request: HttpRequest): HttpResponse => this.handle(request);
    context.router.add("GET", VARIABLES_API_PATH, handle);
    context.router.add("POST", VARIABLES_API_PATH, handle);
    context.router.add("POST", VARIABLES_FORM_PATH, handle);
  }

  detach(): void {
    this.#context = undefined;
  }

  pageSection(): Iterable<string> {
    return variablesSection(this.#variables, this.title);
  }

  private handle(request: HttpRequest): HttpResponse {
    if (request.path === VARIABLES_FORM_PATH) return this.form(request);
    if (request.method !== "POST") return json(200, this.values());
    const body = readJsonObject(request);
    if (!body.ok) return body.response;
    const refused = this.apply(body.value, false);
    if (refused) return json(refused.status, refused.variable === undefined ? { error: refused.error } : { error: refused.error, variable: refused.variable });
    return json(200, this.values());
  }

  private form(request: HttpRequest): HttpResponse {
    const form = readForm(request);
    if (!form.ok) return form.response;
    const before = this.values();
    const refused = this.apply(form.value, true);
    if (refused) return this.answerForm(request, { ok: false, message: `Not saved: ${refused.error}`, key: refused.variable, view: this.name, status: refused.status });
    const changed = this.#variables.filter((v) => !sameValue(before[v.id], v.value)).map((v) => v.label);
    return this.answerForm(request, { ok: true, message: changed.length ? `Saved: ${changed.join(", ")}.` : "Nothing changed.", view: this.name });
  }

  private answerForm(request: HttpRequest, answer: FormAnswer): HttpResponse {
    const context = this.#context;
    return context?.answerForm ? context.answerForm(request, answer) : answerForm(undefined, request, answer);
  }

  private values(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const variable of this.#variables) out[variable.id] = variable.value;
    return out;
  }

  private find(id: string): EditableVariable | undefined {
    for (const variable of this.#variables) if (variable.id === id) return variable;
    return undefined;
  }

  /** Validates every change, then writes them; what was refused (the variable named), or undefined. */
  private apply(changes: Record<string, unknown>, fromForm: boolean): Refusal | undefined {
    const ready: [EditableVariable, unknown][] = [];
    try {
      for (const id of Object.keys(changes)) {
        const variable = this.find(id);
        if (!variable) return { status: 400, error: `unknown variable "${id}"`, variable: id };
        const input = fromForm ? fromFormText(variable, changes[id] as string) : changes[id];
        ready.push([variable, variable.coerce(input)]);
      }
    } catch (e) {
      if (e instanceof PersistentValueError) return { status: 400, error: e.message, variable: e.variable };
      throw e;
    }
    try {
      for (const [variable, value] of ready) variable.write(value);
    } catch (e) {
      return { status: 500, error: `could not save the variables: ${errorText(e)}` };
    }
    return undefined;
  }
}

export function persistentVariablesFeature(variables: readonly EditableVariable[], options: PersistentVariablesOptions = {}): Feature {
  return new PersistentVariablesFeature(variables, options.title ?? "Variables");
}
