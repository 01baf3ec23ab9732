/*
 * A FeatureContext for a feature's tests without a manager: the host's storage under a fresh
 * Config, a Router, Events, a notice board for the forms' answers, and the manager's views
 * (network, serving, status) as the test sets them. Engine-neutral.
 */

import { Config } from "../../modules/config/config";
import { DataStore } from "../../modules/data/data-store";
import { Events } from "../../modules/events";
import type { FeatureContext } from "../../modules/feature";
import type { Host } from "../../modules/host/host";
import { Router } from "../../modules/http/router";
import { Logger } from "../../modules/log/logger";
import { DeviceClock, OffsetWallClock } from "../../modules/clock/device-clock";
import { NoticeBoard } from "../../modules/http/form-answer";

export function featureContext(host: Host, parts: Partial<FeatureContext> = {}): FeatureContext {
  const notices = new NoticeBoard();
  return {
    host,
    config: parts.config ?? new Config(host.storage),
    data: parts.data ?? new DataStore(),
    router: parts.router ?? new Router(),
    events:
      parts.events ??
      new Events((name, e) => {
        throw new Error(`a ${name} listener failed: ${e instanceof Error ? e.message : String(e)}`);
      }),
    log: parts.log ?? new Logger(host.log, false),
    clock: parts.clock ?? new DeviceClock(host.wallClock ?? new OffsetWallClock()),
    app: parts.app ?? { title: "Test device", version: "1.0.0" },
    network: parts.network ?? (() => host.network?.status() ?? { mode: "station", ssid: "Home", ip: "10.0.0.1" }),
    serving: parts.serving ?? (() => true),
    webPort: parts.webPort ?? (() => host.ports?.http ?? 80),
    status: parts.status ?? (() => ({})),
    networkChanged: parts.networkChanged ?? (() => undefined),
    restartSoon: parts.restartSoon ?? (() => undefined),
    answerForm: parts.answerForm ?? ((request, answer) => notices.answer(request, answer)),
  };
}
