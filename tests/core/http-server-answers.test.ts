/*
 * HttpServer's onAnswer: every answer's status, to a function or to an object's
 * emit("answer", status) (the manager hands it its Events, holding no bound function for it).
 * Runs on Node and on XS.
 */

import { HttpServer, type AnswerSink } from "../../modules/http/http-server";
import type { HttpRequest, HttpResponse } from "../../modules/http/http-message";
import { MemoryTcp, settle } from "../support/memory-tcp";
import { VirtualClock } from "../support/virtual-clock";
import * as assert from "../support/assert";

function answer(request: HttpRequest): HttpResponse {
  return request.path === "/" ? { status: 200, headers: {}, body: "ok" } : { status: 404, headers: {}, body: "no" };
}

async function statuses(onAnswer: ((status: number) => void) | AnswerSink): Promise<string[]> {
  const tcp = new MemoryTcp();
  const service = new HttpServer({ tcp, clock: new VirtualClock(), onAnswer }).serve({ port: 80 }, answer);
  const port = (await service.ready).port;
  const texts: string[] = [];
  for (const path of ["/", "/nope"]) {
    const peer = tcp.dial(port, { remote: "10.0.0.9" });
    await settle();
    peer.send(`GET ${path} HTTP/1.1\r\nHost: 10.0.0.1\r\n\r\n`);
    await settle();
    texts.push(peer.text().slice(0, 12));
  }
  service.close();
  return texts;
}

describe("HttpServer onAnswer", () => {
  it("hands every answer's status to a function", async () => {
    const seen: number[] = [];
    assert.deepEqual(await statuses((status) => seen.push(status)), ["HTTP/1.1 200", "HTTP/1.1 404"]);
    assert.deepEqual(seen, [200, 404]);
  });

  it("or to an object's emit(\"answer\", status), called on the object", async () => {
    const seen: string[] = [];
    const sink = {
      prefix: "answer",
      emit(this: { prefix: string }, name: "answer", status: number): void {
        seen.push(`${this.prefix}:${name}:${status}`);
      },
    };
    assert.deepEqual(await statuses(sink), ["HTTP/1.1 200", "HTTP/1.1 404"]);
    assert.deepEqual(seen, ["answer:answer:200", "answer:answer:404"]);
  });
});
