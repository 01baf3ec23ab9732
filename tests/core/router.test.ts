/*
 * Router (modules/http/router.ts): exact paths and ":param" patterns, 404 / 405 / OPTIONS /
 * HEAD, auth policies and names as stored, and parameters percent-decoded. The pattern matcher
 * walks the pattern's text; a property test holds it to the plain definition (split both on
 * "/", same count, literal segments equal, parameter segments non-empty and decodable) for any
 * pattern and path, on every engine.
 */

import fc, { scaledRuns } from "../support/fast-check";
import * as assert from "../support/assert";
import type { HttpRequest, HttpResponse } from "../../modules/http/http-message";
import { Router, type Resolved, type RouteOptions, type RouteTable } from "../../modules/http/router";

function ok(tag: string): (request: HttpRequest) => HttpResponse {
  return (request) => ({ status: 200, headers: {}, body: `${tag} ${JSON.stringify(request.params ?? null)}` });
}

function route(resolved: Resolved): Extract<Resolved, { kind: "route" }> {
  assert.equal(resolved.kind, "route", JSON.stringify(resolved));
  return resolved as Extract<Resolved, { kind: "route" }>;
}

function status(resolved: Resolved): number {
  return resolved.kind === "answer" ? resolved.response.status : 200;
}

function params(resolved: Resolved): Record<string, string> | undefined {
  const r = route(resolved);
  return r.params ? { ...r.params } : undefined;
}

/** The definition: split both on "/", the same number of segments, each fitting. */
function reference(pattern: string, path: string): Record<string, string> | undefined {
  const segments = pattern.split("/");
  const parts = path.split("/");
  if (segments.length !== parts.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    if (segments[i].startsWith(":")) {
      if (parts[i] === "") return undefined;
      try {
        out[segments[i].slice(1)] = decodeURIComponent(parts[i]);
      } catch {
        return undefined;
      }
    } else if (segments[i] !== parts[i]) return undefined;
  }
  return out;
}

describe("Router", () => {
  it("resolves exact paths to their own frozen route, and other paths to 404", () => {
    const router = new Router().add("GET", "/api/status", ok("status"));
    const a = route(router.resolve("GET", "/api/status"));
    assert.equal(a, route(router.resolve("GET", "/api/status")), "the same record each time: nothing made");
    assert.ok(Object.isFrozen(a));
    assert.equal(a.auth, "public");
    assert.equal(a.names, false);
    assert.equal(a.params, undefined);
    assert.equal(status(router.resolve("GET", "/api/status/")), 404);
    assert.equal(status(router.resolve("GET", "/api")), 404);
    assert.equal(router.has("/api/status"), true);
    assert.equal(router.has("/nope"), false);
  });

  it("answers another method 405 with Allow, OPTIONS 204, and HEAD with the GET route", () => {
    const router = new Router().add("GET", "/x", ok("get")).add("POST", "/x", ok("post")).add("GET", "/u/:id", ok("one")).add("PUT", "/u/:id", ok("put"));
    const refused = router.resolve("DELETE", "/x");
    assert.equal(status(refused), 405);
    assert.equal(refused.kind === "answer" && refused.response.headers?.allow, "GET, HEAD, POST");
    const options = router.resolve("OPTIONS", "/x");
    assert.equal(status(options), 204);
    assert.equal(options.kind === "answer" && options.response.headers?.allow, "GET, HEAD, POST");
    assert.equal(router.handle({ method: "HEAD", path: "/x", query: "", headers: {}, body: "" }).body, "get null");
    const patterned = router.resolve("DELETE", "/u/7");
    assert.equal(status(patterned), 405);
    assert.equal(patterned.kind === "answer" && patterned.response.headers?.allow, "GET, HEAD, PUT");
    assert.equal(router.handle({ method: "HEAD", path: "/u/7", query: "", headers: {}, body: "" }).body, 'one {"id":"7"}');
    assert.equal(router.handle({ method: "PUT", path: "/u/7", query: "", headers: {}, body: "" }).body, 'put {"id":"7"}');
  });

  it("keeps each route's auth policy and names", () => {
    const policy = (): HttpResponse | undefined => undefined;
    const router = new Router()
      .add("GET", "/r", ok("r"))
      .add("POST", "/r", ok("w"))
      .add("GET", "/events", ok("e"), { names: true })
      .add("POST", "/api", ok("p"), { auth: "public" })
      .add("GET", "/api/:user", ok("u"), { auth: policy })
      .add("PUT", "/api/:user", ok("u"), { auth: "admin", names: true });
    assert.equal(route(router.resolve("GET", "/r")).auth, "public");
    assert.equal(route(router.resolve("POST", "/r")).auth, "admin");
    assert.equal(route(router.resolve("GET", "/events")).names, true);
    assert.equal(route(router.resolve("POST", "/api")).auth, "public");
    const user = route(router.resolve("GET", "/api/abc"));
    assert.equal(user.auth, policy);
    assert.equal(user.names, false);
    const put = route(router.resolve("PUT", "/api/abc"));
    assert.equal(put.auth, "admin");
    assert.equal(put.names, true);
  });

  it("matches patterns segment by segment, decoding parameters", () => {
    const router = new Router()
      .add("GET", "/api/:user", ok("user"))
      .add("GET", "/api/:user/lights", ok("lights"))
      .add("GET", "/api/:user/lights/:id", ok("light"))
      .add("PUT", "/api/:user/lights/:id/state", ok("state"));
    assert.deepEqual(params(router.resolve("GET", "/api/u1")), { user: "u1" });
    assert.deepEqual(params(router.resolve("GET", "/api/u1/lights")), { user: "u1" });
    assert.deepEqual(params(router.resolve("GET", "/api/u%20%C3%A9/lights/7")), { user: "u é", id: "7" });
    assert.deepEqual(params(router.resolve("PUT", "/api/u/lights/a%2Fb/state")), { user: "u", id: "a/b" });
    for (const path of ["/api", "/api/", "/api//lights", "/api/u/light", "/api/u/lights/", "/api/u/lights/7/state/x", "/api/%E0%A4%A/lights", "/apix/u", "/API/u", "api/u"])
      assert.equal(status(router.resolve("GET", path)), 404, path);
    assert.equal(router.has("/api/u/lights/1/state"), true);
    assert.equal(router.hasExact("GET", "/api/u"), false, "a pattern is not an exact path");
    // The pattern's own text as a path is just a path: ":user" is the parameter's value.
    assert.deepEqual(params(router.resolve("GET", "/api/:user")), { user: ":user" });
  });

  it("prefers exact paths over patterns, and tries patterns in the order they were added", () => {
    const router = new Router().add("GET", "/api/:user", ok("user")).add("GET", "/api/status", ok("status")).add("GET", "/:a/:b", ok("ab"));
    assert.equal(router.handle({ method: "GET", path: "/api/status", query: "", headers: {}, body: "" }).body, "status null");
    assert.equal(router.handle({ method: "GET", path: "/api/x", query: "", headers: {}, body: "" }).body, 'user {"user":"x"}');
    assert.equal(router.handle({ method: "GET", path: "/b/x", query: "", headers: {}, body: "" }).body, 'ab {"a":"b","b":"x"}');
  });

  it("refuses a route defined twice, exact or pattern", () => {
    const router = new Router().add("GET", "/a", ok("a")).add("GET", "/a/:id", ok("b"));
    assert.throws(() => router.add("GET", "/a", ok("again")), /already defined/);
    assert.throws(() => router.add("GET", "/a/:id", ok("again")), /already defined/);
    router.add("POST", "/a/:id", ok("post"));
    assert.throws(() => router.add("POST", "/a/:id", ok("again")), /already defined/);
  });

  it("matches a pattern exactly when the split definition does, with the same parameters", () => {
    const segment = fc.constantFrom("", "api", "a", "lights", ":user", ":id", ":", "x%20y", "%E0%A4%A", "%2F", "é", ":a b");
    const text = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join("/")}`);
    fc.assert(
      fc.property(text, text, (pattern, path) => {
        if (!pattern.includes("/:")) return true;
        const router = new Router().add("GET", pattern, ok("p"));
        const resolved = router.resolve("GET", path);
        const expected = reference(pattern, path);
        if (expected === undefined) return status(resolved) === 404;
        return JSON.stringify(params(resolved)) === JSON.stringify(expected);
      }),
      { numRuns: scaledRuns(1000) },
    );
  });

  it("serves a frozen table's routes with one handler, resolving to shared frozen records", () => {
    const handler = ok("web");
    const table: RouteTable = Object.freeze(["GET", "/", "GET", "/data", "POST", "/data"]);
    const router = new Router().addTable(table, handler).add("GET", "/api/:user", ok("user"));
    const get = route(router.resolve("GET", "/"));
    assert.ok(Object.isFrozen(get));
    assert.equal(get, route(router.resolve("GET", "/data")), "one record for the table's reads");
    assert.equal(get.handler, handler);
    assert.equal(get.auth, "public");
    assert.equal(route(router.resolve("POST", "/data")).auth, "admin");
    assert.equal(route(router.resolve("HEAD", "/data")), get);
    assert.equal(router.has("/data"), true);
    assert.equal(router.hasExact("POST", "/data"), true);
    assert.equal(router.hasExact("POST", "/"), false);
    assert.equal(status(router.resolve("GET", "/nope")), 404);
    assert.throws(() => router.addTable(Object.freeze(["GET", "/data"]), handler), /already routed/);
    assert.throws(() => router.add("GET", "/data", ok("again")), /already defined/);
    // Refused before the table's rows for /data moved into the map: the next add() on the path
    // still finds them in the table's order (GET, then POST) and the refused one is not there.
    router.add("PUT", "/data", ok("put"));
    const refused = router.resolve("DELETE", "/data");
    assert.equal(refused.kind === "answer" && refused.response.headers?.allow, "GET, HEAD, POST, PUT");
    assert.throws(() => new Router().addTable(["GET", "/"], handler), /frozen/);
    assert.throws(() => new Router().addTable(Object.freeze(["GET", "/u/:id", "GET", "/u"]), handler), /exact paths come before patterns/);
    assert.throws(() => new Router().addTable(Object.freeze(["GET", "/u/:id"]), handler).add("GET", "/v", ok("v")).addTable(Object.freeze(["PUT", "/u/:id"]), handler), /already routed/);
    assert.throws(() => new Router().add("GET", "/u/:id", ok("u")).addTable(Object.freeze(["PUT", "/u/:id"]), handler), /already routed/);
    const two = Object.freeze(["GET", "/", "POST", "/"]);
    assert.throws(() => new Router().addTable(two, handler, [{}], [0, 0]), /frozen/);
    assert.throws(() => new Router().addTable(two, handler, [{}], Object.freeze([0])), /one index a row/);
    assert.throws(() => new Router().addTable(two, handler, [{}], Object.freeze([0, 1])), /not one of the options/);
    assert.throws(() => (new Router().addTable as (...a: unknown[]) => Router)(two, handler, [{}]), /indexes/);
    assert.throws(() => new Router().addTable(Object.freeze(["GET", "/", "POST"]), handler), /pairs/);
    assert.throws(() => new Router().addTable(Object.freeze(["GET", "x"]), handler), /start with/);
    assert.throws(() => new Router().addTable(Object.freeze(["/a", "/b"]), handler), /not a method/);
    assert.throws(() => new Router().addTable(Object.freeze(["GET", "/a", "GET", "/a"]), handler), /already defined/);
  });

  it("serves a table's patterns and each row's options, as add() would", () => {
    const handler = ok("t");
    const policy = (): HttpResponse | undefined => undefined;
    const rows: RouteTable = Object.freeze(["POST", "/api", "GET", "/api", "POST", "/api/alexa", "GET", "/api/:user", "GET", "/api/:user/lights/:id", "PUT", "/api/:user/lights/:id"]);
    const router = new Router().add("GET", "/:a/:b/:c/first", ok("before")).addTable(rows, handler, [{}, { auth: "public" }, { auth: policy, names: true }], Object.freeze([1, 0, 0, 2, 2, 2])).add("GET", "/api/status", ok("status"));
    assert.equal(route(router.resolve("POST", "/api")).auth, "public");
    assert.equal(route(router.resolve("GET", "/api")).auth, "public");
    assert.equal(route(router.resolve("POST", "/api/alexa")).auth, "admin");
    const user = route(router.resolve("GET", "/api/u%20v"));
    assert.equal(user.handler, handler);
    assert.equal(user.auth, policy);
    assert.equal(user.names, true);
    assert.deepEqual(params(router.resolve("GET", "/api/u%20v")), { user: "u v" });
    assert.deepEqual(params(router.resolve("HEAD", "/api/u/lights/7")), { user: "u", id: "7" });
    assert.deepEqual(params(router.resolve("PUT", "/api/u/lights/7")), { user: "u", id: "7" });
    const refused = router.resolve("DELETE", "/api/u/lights/7");
    assert.equal(refused.kind === "answer" && refused.response.headers?.allow, "GET, HEAD, PUT");
    // Exact paths win, added before or after; a pattern added before the table is tried first.
    assert.equal(router.handle({ method: "GET", path: "/api/status", query: "", headers: {}, body: "" }).body, "status null");
    assert.equal(status(router.resolve("GET", "/api/alexa")), 405, "the table's exact path, not /api/:user");
    assert.equal(router.handle({ method: "GET", path: "/api/u/lights/first", query: "", headers: {}, body: "" }).body, 'before {"a":"api","b":"u","c":"lights"}');
    assert.equal(status(router.resolve("PUT", "/api/u/lights/first")), 405);
    // A pattern's own text as a path is a path: not the row's route but the pattern's, with its parameter.
    assert.deepEqual(params(router.resolve("GET", "/api/:user")), { user: ":user" });
    assert.equal(router.hasExact("GET", "/api/:user"), false);
    assert.equal(router.hasExact("GET", "/api"), true);
    assert.equal(router.has("/api/x"), true);
    // A route added later for a table's pattern joins its routes, which keep their turn.
    router.add("DELETE", "/api/:user/lights/:id", ok("delete")).add("GET", "/api/:user/lights/:id/:x", ok("late"));
    const allow = router.resolve("POST", "/api/u/lights/7");
    assert.equal(allow.kind === "answer" && allow.response.headers?.allow, "GET, HEAD, PUT, DELETE");
    assert.equal(router.handle({ method: "DELETE", path: "/api/u/lights/7", query: "", headers: {}, body: "" }).body, 'delete {"user":"u","id":"7"}');
    assert.equal(route(router.resolve("PUT", "/api/u/lights/7")).auth, policy);
    assert.throws(() => router.add("GET", "/api/:user", ok("again")), /already defined/);
  });

  it("answers a table's routes as if each had been added, patterns, options per row and routes added before and after included", () => {
    const policy = (): HttpResponse | undefined => undefined;
    const choices: readonly RouteOptions[] = [{}, { auth: "public" }, { auth: "admin", names: true }, { auth: policy }, { names: true }];
    const method = fc.constantFrom("GET", "POST", "PUT", "HEAD", "OPTIONS");
    const tablePath = fc.constantFrom("/", "/a", "/b", "/api/x", "/api/:id", "/:a/:b", "/a/:id", "/api/:user/x");
    const rows = fc.uniqueArray(fc.tuple(method, tablePath, fc.nat(choices.length - 1)), { maxLength: 8, selector: ([m, p]) => `${m} ${p}` });
    const before = fc.uniqueArray(fc.tuple(method, fc.constantFrom("/c", "/:z/x", "/api/:w")), { maxLength: 3, selector: ([m, p]) => `${m} ${p}` });
    const later = fc.uniqueArray(fc.tuple(method, fc.constantFrom("/", "/a", "/c", "/api/:id", "/:a/:b", "/:z/x", "/x/:y")), { maxLength: 4, selector: ([m, p]) => `${m} ${p}` });
    // One set of options for the whole table (its index), or each row's own (null).
    const uniform = fc.option(fc.nat(choices.length - 1));
    const probes = ["/", "/a", "/b", "/c", "/api/x", "/api/y", "/a/x", "/b/x", "/c/x", "/x/y", "/api/u/x", "/api/:id", "/:a/:b", "/api/%E0%A4%A", "/a/%20", "/a/", "/nope"];
    const attempt = (f: () => unknown): string => {
      try {
        f();
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    };
    fc.assert(
      fc.property(rows, before, later, uniform, (rows, before, later, uniform) => {
        const handler = ok("t");
        const early = ok("early");
        const late = ok("late");
        // The router wants exact paths first; each path's rows keep their order (so its methods' do).
        const sorted = [...rows.filter(([, p]) => !p.includes("/:")), ...rows.filter(([, p]) => p.includes("/:"))];
        const flat: RouteTable = Object.freeze(sorted.flatMap(([m, p]) => [m, p]));
        const optionsOf = (k: number): RouteOptions => choices[uniform ?? k];
        const tabled = new Router();
        const added = new Router();
        for (const [m, p] of before) {
          tabled.add(m, p, early);
          added.add(m, p, early);
        }
        if (uniform === null) tabled.addTable(flat, handler, choices, Object.freeze(sorted.map(([, , k]) => k)));
        else tabled.addTable(flat, handler, choices[uniform]);
        // add() in the rows' own order: exact paths win over patterns whatever their order, so a
        // table that lists its exact paths first (as Alexa's moved its three) answers the same.
        for (const [m, p, k] of rows) added.add(m, p, handler, optionsOf(k));
        for (const [m, p] of later) assert.equal(attempt(() => tabled.add(m, p, late)), attempt(() => added.add(m, p, late)), `add ${m} ${p}`);
        for (const p of probes)
          for (const m of ["GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE"]) {
            const t = tabled.resolve(m, p);
            const a = added.resolve(m, p);
            assert.equal(t.kind, a.kind, `${m} ${p}`);
            if (t.kind === "answer" && a.kind === "answer") assert.deepEqual(t.response, a.response, `${m} ${p}`);
            if (t.kind === "route" && a.kind === "route") {
              assert.equal(t.handler, a.handler, `${m} ${p}`);
              assert.equal(t.auth, a.auth, `${m} ${p}`);
              assert.equal(t.names, a.names, `${m} ${p}`);
              assert.deepEqual(t.params ? { ...t.params } : undefined, a.params ? { ...a.params } : undefined, `${m} ${p}`);
            }
            assert.equal(tabled.hasExact(m, p), added.hasExact(m, p), `hasExact ${m} ${p}`);
            assert.equal(tabled.has(p), added.has(p), `has ${p}`);
          }
        return true;
      }),
      { numRuns: scaledRuns(500) },
    );
  });
});
