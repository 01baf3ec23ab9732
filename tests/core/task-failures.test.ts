/*
 * A task that throws is kept with its name, what it threw and when: GET /api/status lists it
 * under tasks.failed (the page highlights it), the manager emits "task" and "status", and its
 * log line stays in the log ring. Runs on Node and on XS.
 */

import { IotManager } from "../../modules/manager";
import { MAX_FAILURES, type TaskFailure } from "../../modules/tasks/task-runner";
import * as assert from "../support/assert";
import { bodyJson, request } from "../support/http-request";
import { settle } from "../support/memory-tcp";
import { createTestHost } from "../support/test-host";

interface Tasks {
  running: string[];
  failed: TaskFailure[];
}

function tasks(iot: IotManager): Tasks {
  return (bodyJson(iot.handle(request("GET", "/api/status"))) as { tasks: Tasks }).tasks;
}

describe("task failures in GET /api/status", () => {
  it("lists a task that threw, with its name, what it threw and the uptime it failed at", async () => {
    const host = createTestHost();
    const iot = new IotManager({}, host);
    const heard: TaskFailure[] = [];
    const changed: string[] = [];
    iot.events.on("task", (f) => heard.push(f));
    iot.events.on("status", (part) => changed.push(part));
    iot.addTask(async () => {
      for (;;) await iot.sleep(1000);
    }, "alive");
    iot.addTask(async () => {
      await iot.sleep(2500);
      throw new RangeError("sensor out of range");
    }, "sensor");
    iot.addTask(() => {
      throw new Error("at once");
    }, "eager");
    void iot.run();
    await iot.listening;
    await settle();
    assert.deepEqual(tasks(iot).failed, [{ name: "eager", error: "Error: at once", at: 0 }]);
    await host.clock.advance(3000);
    const now = tasks(iot);
    assert.deepEqual(now.running, ["alive"]);
    assert.deepEqual(now.failed, [
      { name: "eager", error: "Error: at once", at: 0 },
      { name: "sensor", error: "RangeError: sensor out of range", at: 2 },
    ]);
    assert.deepEqual(heard.map((f) => f.name), ["eager", "sensor"]);
    assert.deepEqual(changed, ["tasks", "tasks"]);
    const lines: string[] = [];
    for (let seq = iot.logs.first; seq < iot.logs.next; seq++) lines.push(iot.logs.line(seq)!.line);
    assert.ok(lines.includes("ERROR [task] task sensor failed: RangeError: sensor out of range"), lines.join("\n"));
    iot.stop();
  });

  it("keeps the last failures only, and none from tasks a stopped manager cancelled", async () => {
    const host = createTestHost();
    const iot = new IotManager({}, host);
    for (let i = 0; i < MAX_FAILURES + 3; i++)
      iot.addTask(() => {
        throw new Error(`failure ${i}`);
      }, `t${i}`);
    let late: (() => void) | undefined;
    iot.addTask(() => new Promise<void>((_, reject) => (late = () => reject(new Error("after stop")))), "late");
    void iot.run();
    await iot.listening;
    await settle();
    const failed = tasks(iot).failed;
    assert.equal(failed.length, MAX_FAILURES);
    assert.equal(failed[0].name, "t3");
    assert.equal(failed.at(-1)!.name, `t${MAX_FAILURES + 2}`);
    iot.stop();
    late?.();
    await settle();
    assert.ok(!tasks(iot).failed.some((f) => f.name === "late"));
  });
});
