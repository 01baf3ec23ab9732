/*
 * The heap probe's "github" mode (heap-probe.js): one update check as the OTA feature makes it,
 * on the real engine: the core's GithubCheck over the core's HttpClient over the device host's
 * Tcp (SecureSocket), against run-on-sdk.ts's GitHub stand-in (tests/support/github-stand-in.ts:
 * the releases API's JSON as GitHub sends it, tens of KB, in 16 KiB records; a manifest.json
 * asset behind redirects to a second host). What it proves is that the check's code runs on the
 * SDK's XS with its TLS, and what it costs: the peak of live memory over what was live before
 * (heap-peak.c), printed as
 *   heap-probe: github <report kind> <version> <slot bytes> <chunk bytes> <ms>
 * or "heap-probe: github error <why>"; then, when a release was found, its install as the OTA
 * feature starts it: the core's OtaJob downloads the image over the same client (its
 * browser_download_url, with no token, through the redirects to the asset host) and checks it as it streams, into an Updater that
 * only counts the bytes (the Linux simulator has no partitions), and prints
 *   heap-probe: github download <bytes> <slot bytes> <chunk bytes> <ms>
 * or "heap-probe: github download-error <why>"; then "heap-probe: github done".
 *
 * The mode file reads "github <api URL> <repository>"; the stand-in's root is github-root.der
 * beside it. Its host names (api.github.test, release-assets.github.test) resolve to 127.0.0.1
 * here, as the simulator's --resolve does: the Tcp below connects there and keeps the name for
 * the certificate.
 * Plain JavaScript, test tooling only (as heap-probe.js).
 */

import Preference from "preference";
import config from "mc/config";
import { File } from "file";
import CertificateManager from "ssl/cert";
import { createModdableHost } from "hosts/moddable/host";
import { TcpHttpClient } from "modules/http/http-client";
import { GithubCheck } from "modules/ota/github/github-check";
import { OtaJob } from "modules/ota/ota-job";
import Timer from "timer";
import { read as peak, start as startPeak, stop as stopPeak } from "heap-probe/heap-peak";

function root() {
	const file = new File(`${config.file.root}github-root.der`);
	const der = file.read(ArrayBuffer);
	file.close();
	return der;
}

export default function run([api, repo]) {
	const host = createModdableHost(Preference);
	CertificateManager.register(root());
	const tcp = {
		tls: true,
		listen: (options, onConnection) => host.tcp.listen(options, onConnection),
		connect(options, events) {
			const tls = options.tls ? { serverName: options.tls.serverName ?? options.host } : undefined;
			return host.tcp.connect({ host: "127.0.0.1", port: options.port, tls }, events);
		},
	};
	const text = host.text;
	const client = new TcpHttpClient({ tcp, text, userAgent: "heap-probe", clockValid: () => true });
	const check = new GithubCheck({ client, clock: host.clock, wallNow: () => Date.now(), text, userAgent: "heap-probe" });
	const started = Date.now();
	const base = startPeak();
	check.check({ repo, channel: "stable", asset: "*.bin", token: "", api }, { version: "1.0.0", project: "xs_esp32" }, (report) => {
		const mark = peak();
		stopPeak();
		if (report.kind === "error") {
			trace(`heap-probe: github error ${report.error}\n`);
			trace("heap-probe: github done\n");
			return;
		}
		trace(`heap-probe: github ${report.kind} ${report.release.version} ${mark[0] - base[0]} ${mark[1] - base[1]} ${Date.now() - started}\n`);
		// A turn later, so that the check's own objects are garbage before the next measurement.
		Timer.set(() => install(host, client, report.release));
	});
}

/** The partition stand-in: begin, count, complete; the OtaJob verifies the bytes itself. */
function countingUpdater() {
	let written = 0;
	return {
		partitionSize: 4 * 1024 * 1024,
		get written() {
			return written;
		},
		running: () => ({ project: "xs_esp32", version: "1.0.0", state: "valid" }),
		begin() {
			written = 0;
		},
		write(bytes) {
			written += bytes.length;
		},
		complete() {},
		cancel() {},
		markValid() {},
	};
}

function install(host, client, release) {
	const updater = countingUpdater();
	const started = Date.now();
	let base;
	const job = new OtaJob({
		updater,
		client,
		clock: host.clock,
		sha256: host.sha256,
		onReady: () => {
			Timer.clear(watch);
			const mark = peak();
			stopPeak();
			trace(`heap-probe: github download ${updater.written} ${mark[0] - base[0]} ${mark[1] - base[1]} ${Date.now() - started}\n`);
			trace("heap-probe: github done\n");
		},
	});
	base = startPeak();
	try {
		job.start({ url: release.url, https: true, headers: { Accept: "application/octet-stream" }, maxRedirects: 8, size: release.size, ...(release.sha256 ? { sha256: release.sha256 } : {}) });
	} catch (e) {
		stopPeak();
		trace(`heap-probe: github download-error ${e}\n`);
		trace("heap-probe: github done\n");
		return;
	}
	const watch = Timer.repeat(() => {
		if (job.state !== "failed") return;
		Timer.clear(watch);
		stopPeak();
		trace(`heap-probe: github download-error ${job.status().error}\n`);
		trace("heap-probe: github done\n");
	}, 100);
}
