/*
 * What the manager reports as the network (network(): the page's status card, /api/status,
 * every name check): the first feature that reports one, else the host's network, else
 * offline. The manager keeps the features that have network() once asked; these hold it to
 * asking the same features it would ask without that: a feature added after the first
 * question, one that reports nothing, one that failed to start and was left out.
 */

import type { Feature } from "../../modules/feature";
import type { NetworkStatus } from "../../modules/host/network";
import { IotManager } from "../../modules/manager";
import * as assert from "../support/assert";
import { createTestHost } from "../support/test-host";

const HOST_NETWORK: NetworkStatus = { mode: "station", ssid: "Host", ip: "10.0.0.2" };

function reporting(name: string, network: () => NetworkStatus | undefined, attach?: () => void): Feature {
  return { name, network, attach: attach ?? (() => undefined) } as Feature;
}

function hostWithNetwork() {
  return Object.assign(createTestHost(), { network: { status: () => HOST_NETWORK } });
}

describe("manager: network()", () => {
  it("is the host's when no feature reports one, and offline when the host has none either", () => {
    assert.deepEqual(new IotManager({ features: [] }, hostWithNetwork()).network(), HOST_NETWORK);
    const bare = new IotManager({ features: [] }, Object.assign(createTestHost(), { network: undefined }));
    assert.equal(bare.network().mode, "offline");
  });

  it("asks a feature added after the first question, and falls through one that reports nothing", () => {
    let wifi: NetworkStatus | undefined;
    const iot = new IotManager({ features: [reporting("quiet", () => undefined)] }, hostWithNetwork());
    assert.deepEqual(iot.network(), HOST_NETWORK, "asked once before the feature that reports is there");
    iot.addFeature(reporting("radio", () => wifi));
    assert.deepEqual(iot.network(), HOST_NETWORK, "it reports nothing yet");
    wifi = { mode: "ap", ssid: "Setup", ip: "192.168.4.1" };
    assert.deepEqual(iot.network(), wifi);
  });

  it("stops asking a feature that failed to start and was left out", async () => {
    const host = hostWithNetwork();
    let asked = 0;
    const broken = reporting(
      "broken",
      () => {
        asked++;
        return { mode: "ap", ssid: "never", ip: "1.2.3.4" };
      },
      () => {
        throw new Error("no hardware");
      },
    );
    const iot = new IotManager({ features: [broken] }, host);
    assert.equal(iot.network().ssid, "never", "before run() it is one of the features");
    void iot.run();
    await iot.listening;
    asked = 0;
    assert.deepEqual(iot.network(), HOST_NETWORK);
    assert.equal(asked, 0, "the left-out feature was asked");
    iot.stop();
  });
});
