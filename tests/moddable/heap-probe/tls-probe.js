/*
 * The heap probe's "tls" mode (heap-probe.js): what one HTTPS exchange costs the device's heap on
 * top of what is live before it, the figure issue #18's memory budget asks of a TLS handshake.
 *
 * The mode file reads "tls <name>:<port> ...": for each server in turn (run-on-sdk.ts starts them
 * on loopback, TLS 1.2, each with a chain made by a CA of the run's own, whose root it writes to
 * tls-<name>-root.der beside the file), the root is registered with the SDK's certificate manager
 * (ssl/cert), and one connection is opened through the device host's Tcp (hosts/moddable/tcp.ts:
 * the SDK's SecureSocket and the framework's own check of the chain, as the GitHub updater uses
 * it), named tls-probe.test. It writes one GET, reads the answer until the server closes, and prints
 *   heap-probe: tls <name> handshake <slot bytes> <chunk bytes> <ms>   (start to connected())
 *   heap-probe: tls <name> request <slot bytes> <chunk bytes> <ms> <bytes read>   (start to closed())
 * each the peak less what was live at the start (heap-peak.c: with every allocation
 * collecting first, so live memory, not garbage), or "heap-probe: tls <name> failed <why>", and
 * "heap-probe: tls done" after the last.
 * Plain JavaScript, test tooling only (as heap-probe.js).
 */

import config from "mc/config";
import { File } from "file";
import CertificateManager from "ssl/cert";
import { ModdableTcp } from "hosts/moddable/tcp";
import { read as peak, start as startPeak, stop as stopPeak } from "heap-probe/heap-peak";

const SERVER_NAME = "tls-probe.test";

function root(name) {
	const file = new File(`${config.file.root}tls-${name}-root.der`);
	const der = file.read(ArrayBuffer);
	file.close();
	return der;
}

function over(base, mark) {
	return `${mark[0] - base[0]} ${mark[1] - base[1]}`;
}

function exchange(tcp, name, port, next) {
	CertificateManager.register(root(name));
	let read = 0;
	const started = Date.now();
	const base = startPeak();
	const connection = tcp.connect({ host: "127.0.0.1", port, tls: { serverName: SERVER_NAME } }, {
		connected() {
			trace(`heap-probe: tls ${name} handshake ${over(base, peak())} ${Date.now() - started}\n`);
			connection.write(new Uint8Array(ArrayBuffer.fromString(`GET / HTTP/1.1\r\nHost: ${SERVER_NAME}\r\nConnection: close\r\n\r\n`)));
		},
		data(bytes) {
			read += bytes.byteLength;
		},
		writable() {},
		closed(error) {
			const mark = peak();
			stopPeak();
			if (error !== undefined || read === 0) trace(`heap-probe: tls ${name} failed ${error ?? "the server sent nothing"}\n`);
			else trace(`heap-probe: tls ${name} request ${over(base, mark)} ${Date.now() - started} ${read}\n`);
			next();
		},
	});
}

export default function run(servers) {
	const tcp = new ModdableTcp();
	const step = () => {
		const server = servers.shift();
		if (server === undefined) {
			trace("heap-probe: tls done\n");
			return;
		}
		const [name, port] = server.split(":");
		try {
			exchange(tcp, name, Number(port), step);
		} catch (e) {
			stopPeak();
			trace(`heap-probe: tls ${name} failed ${e}\n`);
			step();
		}
	};
	step();
}
