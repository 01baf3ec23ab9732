/*
 * Events (modules/events.ts): listeners run in the order they subscribed; on()'s unsubscribe
 * and off() stop one listener, twice is harmless, and a listener may unsubscribe while its event
 * is being delivered; a listener that throws is reported and the others still run.
 */

import { Events } from "../../modules/events";
import * as assert from "../support/assert";

function recorder(): { events: Events; failures: string[] } {
  const failures: string[] = [];
  return { events: new Events((name, e) => failures.push(`${name}: ${(e as Error).message}`)), failures };
}

describe("Events", () => {
  it("calls listeners in the order they subscribed, with the value", () => {
    const { events } = recorder();
    const seen: string[] = [];
    events.on("data", (key) => seen.push(`a ${key}`));
    events.on("data", (key) => seen.push(`b ${key}`));
    events.emit("data", "k");
    assert.deepEqual(seen, ["a k", "b k"]);
    assert.equal(events.has("data"), true);
    assert.equal(events.has("clock"), false);
  });

  it("on()'s unsubscribe stops that listener only, and twice is harmless", () => {
    const { events } = recorder();
    const seen: string[] = [];
    const offA = events.on("answer", (s) => seen.push(`a ${s}`));
    events.on("answer", (s) => seen.push(`b ${s}`));
    offA();
    offA();
    events.emit("answer", 200);
    assert.deepEqual(seen, ["b 200"]);
  });

  it("off(name, listener) stops it as the unsubscribe does, and leaves other names alone", () => {
    const { events } = recorder();
    const seen: string[] = [];
    const listener = (value: unknown): void => void seen.push(String(value));
    events.on("data", listener);
    events.on("status", listener);
    events.off("data", listener);
    events.off("data", listener);
    events.off("clock", listener);
    events.emit("data", "gone");
    events.emit("status", "ota");
    assert.deepEqual(seen, ["ota"]);
    assert.equal(events.has("data"), false);
  });

  it("a listener subscribed twice is taken off once per call", () => {
    const { events } = recorder();
    let calls = 0;
    const listener = (): void => void calls++;
    events.on("data", listener);
    const second = events.on("data", listener);
    events.off("data", listener);
    events.emit("data", "x");
    assert.equal(calls, 1);
    second();
    events.emit("data", "x");
    assert.equal(calls, 1);
  });

  it("a listener may unsubscribe itself or another while the event is delivered: this delivery still reaches all", () => {
    const { events } = recorder();
    const seen: string[] = [];
    const b = (key: string): void => void seen.push(`b ${key}`);
    const offA = events.on("data", (key) => {
      seen.push(`a ${key}`);
      offA();
      events.off("data", b);
    });
    events.on("data", b);
    events.emit("data", "1");
    events.emit("data", "2");
    assert.deepEqual(seen, ["a 1", "b 1"]);
  });

  it("reports a listener that throws and still calls the rest", () => {
    const { events, failures } = recorder();
    const seen: number[] = [];
    events.on("answer", () => {
      throw new Error("boom");
    });
    events.on("answer", (s) => seen.push(s));
    events.emit("answer", 404);
    assert.deepEqual(seen, [404]);
    assert.deepEqual(failures, ["answer: boom"]);
  });
});
