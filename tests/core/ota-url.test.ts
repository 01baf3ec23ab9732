/*
 * The OTA URL rules (modules/ota/ota-url.ts): plain http:// with a host name or IPv4 address,
 * refusals that say what to fix, and redirects resolved the way browsers resolve them.
 */

import * as assert from "../support/assert";
import { formatUrl, parseHttpUrl, resolveLocation } from "../../modules/ota/ota-url";

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
