/*
 * The OTA URL rules (modules/ota/ota-url.ts): plain http:// with a host name or IPv4 address,
 * refusals that say what to fix, and redirects resolved the way browsers resolve them.
 */

import * as assert from "../support/assert";
import { checkImageTarget, formatUrl, parseHttpUrl, resolveLocation } from "../../modules/ota/ota-url";

describe("ota: image URL", () => {
  it("parses host, port and path", () => {
    assert.deepEqual(parseHttpUrl("http://10.1.1.10:8080/firmware.bin"), { host: "10.1.1.10", port: 8080, path: "/firmware.bin" });
    assert.deepEqual(parseHttpUrl("HTTP://Updates.Example.com/a/b.bin?v=2#frag"), { host: "updates.example.com", port: 80, path: "/a/b.bin?v=2" });
    assert.deepEqual(parseHttpUrl("http://host"), { host: "host", port: 80, path: "/" });
    assert.deepEqual(parseHttpUrl("  http://h:1/x  "), { host: "h", port: 1, path: "/x" });
  });

  it("refuses what the device cannot fetch, saying why", () => {
    const cases: [string, RegExp][] = [
      ["", /no image URL: set ota_url/],
      ["https://example.com/fw.bin", /https is not supported/],
      ["ftp://example.com/fw.bin", /not an http:\/\/ URL/],
      ["http://example.com:0/fw.bin", /not a port number/],
      ["http://example.com:70000/fw.bin", /not a port number/],
      ["http://example.com:abc/fw.bin", /not a port number/],
      ["http://user:pw@example.com/fw.bin", /user name or password/],
      ["http://[::1]:8080/fw.bin", /IPv6/],
      ["http://300.1.1.1/fw.bin", /not a valid host name or IPv4/],
      ["http://exa mple.com/fw.bin", /spaces or characters/],
      ["http://example.com/<b>.bin", /spaces or characters/],
      ["http:///fw.bin", /no host/],
      ["http://bad_host/fw.bin", /not a valid host name/],
    ];
    for (const [url, pattern] of cases) assert.throws(() => parseHttpUrl(url), pattern, url);
  });

  it("formats a URL back, leaving out port 80", () => {
    assert.equal(formatUrl({ host: "h", port: 80, path: "/a" }), "http://h/a");
    assert.equal(formatUrl({ host: "h", port: 8080, path: "/a" }), "http://h:8080/a");
  });

  it("resolves redirect locations: absolute, scheme-relative, absolute-path and relative", () => {
    const base = { host: "h", port: 8080, path: "/dir/old.bin?x=1" };
    assert.deepEqual(resolveLocation(base, "http://other:81/new.bin"), { host: "other", port: 81, path: "/new.bin" });
    assert.deepEqual(resolveLocation(base, "//cdn/fw.bin"), { host: "cdn", port: 80, path: "/fw.bin" });
    assert.deepEqual(resolveLocation(base, "/root.bin"), { host: "h", port: 8080, path: "/root.bin" });
    assert.deepEqual(resolveLocation(base, "new.bin"), { host: "h", port: 8080, path: "/dir/new.bin" });
    assert.deepEqual(resolveLocation(base, "?x=2"), { host: "h", port: 8080, path: "/dir/old.bin?x=2" });
    assert.throws(() => resolveLocation(base, "https://h/fw.bin"), /cannot use https/);
  });
});

describe("ota: the device is no probe of its network", () => {
  it("takes only an image: a .bin file, no query, no credentials", () => {
    assert.deepEqual(checkImageTarget(parseHttpUrl("http://10.0.0.2:8000/fw/Firmware.BIN"), false), { host: "10.0.0.2", port: 8000, path: "/fw/Firmware.BIN" });
    assert.throws(() => checkImageTarget(parseHttpUrl("http://192.168.1.1/admin/delete-all?user=root"), false), /must not have a query/);
    assert.throws(() => checkImageTarget(parseHttpUrl("http://192.168.1.1/admin/delete-all"), false), /must name a \.bin file/);
    assert.throws(() => checkImageTarget(parseHttpUrl("http://192.168.1.1/fw.bin?x=1"), false), /must not have a query/);
    assert.throws(() => parseHttpUrl("http://admin:pw@192.168.1.1/fw.bin"), /must not contain a user name or password/);
  });

  it("follows a redirect only to another image", () => {
    const base = parseHttpUrl("http://10.0.0.2/fw.bin");
    assert.deepEqual(checkImageTarget(resolveLocation(base, "/v2/fw.bin"), true), { host: "10.0.0.2", port: 80, path: "/v2/fw.bin" });
    assert.throws(() => checkImageTarget(resolveLocation(base, "http://192.168.1.1/admin"), true), /redirected to something that is not an image/);
    assert.throws(() => checkImageTarget(resolveLocation(base, "http://192.168.1.1/x.bin?sig=1"), true), /redirected to an address with a query/);
  });
});
