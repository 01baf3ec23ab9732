/*
 * The heap probe's "host" mode (heap-probe.js): the device host as boot.ts builds and binds it
 * (over the SDK's Preference, as boot.ts hands it in),
 * and what the demo opens through it at idle, without the manager or any feature: the HTTP
 * listener on http_port (each connection closed at once), one UDP socket on ssdp_port (the Alexa
 * feature's; lin binds none, see hosts/moddable/udp.ts), one repeating timer, and the MAC read
 * (the lin simulator makes one up and keeps it in Preference). What the probe prints in this mode,
 * less its "preference" mode, is what our device host holds; the app's figure less this is the
 * framework's and the app's own objects.
 * Plain JavaScript, test tooling only (as heap-probe.js).
 */

import Preference from "preference";
import { createModdableHost } from "hosts/moddable/host";
import { bindHost } from "modules/host/host";

const host = createModdableHost(Preference);
bindHost(host);
host.system.info();
host.tcp.listen({ port: host.ports.http }, (connection) => connection.close());
host.udp.open({ port: host.ports.ssdp }, () => undefined);
host.clock.set(() => host.clock.now(), 1000, 1000);
trace(`heap-probe: host up, listening on ${host.ports.http}\n`);
