/*
 * How a form on the page is answered, the same for the framework's forms and the features':
 * - asked by the page's script (Accept: application/json): JSON, {message, ...} with a 2xx on
 *   success, {error, key?, ...} with a 4xx or 5xx on refusal (key: the field that is wrong), so
 *   the answer is shown beside the form and the field marked;
 * - sent by a browser without script: 303 to the form's view, whose page shows the answer once
 *   (NoticeBoard: the redirect carries a number, never the text, so no link can make the page
 *   say something the device did not).
 * The manager hands a feature this through FeatureContext.answerForm; answerForm() below falls
 * back to the same JSON and a plain redirect where a context has none (a feature's own tests).
 */

import type { HttpRequest, HttpResponse } from "../http/http-message";
import { json, redirect } from "../http/response";

export interface FormAnswer {
  readonly ok: boolean;
  /** What happened, in plain words: shown beside the form. */
  readonly message: string;
  /** The field that is wrong, by its name in the form. */
  readonly key?: string;
  /** The view the browser goes back to without script ("" or absent: the overview). */
  readonly view?: string;
  /** The JSON answer's status (default 200 for ok, else 400). */
  readonly status?: number;
  /** More members for the JSON answer (rebooting, failed, ...). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface PageNotice {
  kind: "success" | "danger" | "warning";
  text: string;
  /** The form it answers, when the page should show it there ("settings", "restart", ...). */
  form?: string;
  /** The field that was wrong. */
  key?: string;
}

/** True when the page's script sent the form and wants the answer as JSON. */
export function wantsJson(request: HttpRequest): boolean {
  const accept = request.headers.accept;
  return accept !== undefined && accept.includes("application/json");
}

/** The value of name in a query string ("" when absent); plain text only (no percent-decoding). */
export function queryValue(query: string, name: string): string {
  // Native searches, no split and no iterator: the page asks for two names on every request.
  if (query === "") return "";
  const key = name + "=";
  let at = query.startsWith(key) ? 0 : query.indexOf("&" + key);
  if (at < 0) return "";
  if (at > 0) at++;
  const start = at + key.length;
  const end = query.indexOf("&", start);
  return end < 0 ? query.slice(start) : query.slice(start, end);
}

/** Where a view is: "/" for the overview, "/?view=<id>" for the others. */
export function viewHref(view: string | undefined, notice?: string): string {
  const base = view ? `/?view=${encodeURIComponent(view)}` : "/";
  return notice ? `${base}${view ? "&" : "?"}n=${notice}` : base;
}

/** The JSON half of an answer. */
export function answerJson(answer: FormAnswer): HttpResponse {
  // The answer's own members last: an extra (a feature's status) never hides them.
  const body = answer.ok ? { ...answer.extra, message: answer.message } : { ...answer.extra, error: answer.message, ...(answer.key ? { key: answer.key } : {}) };
  return json(answer.status ?? (answer.ok ? 200 : 400), body);
}

/** The outcome of the last form sent without script, shown once on the page it goes back to. */
export class NoticeBoard {
  #id = 0;
  #notice: PageNotice | undefined;

  post(notice: PageNotice): string {
    this.#notice = notice;
    return String(++this.#id);
  }

  /** The notice the query names (n=<id>) when it is the latest, once: a reload shows it no more. */
  take(query: string): PageNotice | undefined {
    const n = queryValue(query, "n");
    if (n === "" || n !== String(this.#id)) return undefined;
    const notice = this.#notice;
    this.#notice = undefined;
    return notice;
  }

  answer(request: HttpRequest, answer: FormAnswer, form?: string): HttpResponse {
    if (wantsJson(request)) return answerJson(answer);
    const id = this.post({ kind: answer.ok ? "success" : "danger", text: answer.message, form, key: answer.ok ? undefined : answer.key });
    return redirect(viewHref(answer.view, id));
  }
}

/**
 * A feature's form answer: the manager's board where the context has one; else a success goes
 * back to the view and a refusal is JSON (it is never lost for want of a board).
 */
export function answerForm(context: { answerForm?(request: HttpRequest, answer: FormAnswer): HttpResponse } | undefined, request: HttpRequest, answer: FormAnswer): HttpResponse {
  if (context?.answerForm) return context.answerForm(request, answer);
  return wantsJson(request) || !answer.ok ? answerJson(answer) : redirect(viewHref(answer.view));
}
