#!/usr/bin/env bash
# The Debian packages the tests drive for real, checked (and installed, when this machine lets
# us: root and apt-get) by both `npm test` and .ci/run, so a fresh machine either gets them or
# is told in one line what to run.
#   chromium            the browser tests (playwright-core drives Debian's build, never its own)
#   prometheus          promtool, which checks GET /metrics
#   mosquitto           the MQTT broker the MQTT tests connect to
#   mosquitto-clients   mosquitto_sub/mosquitto_pub: the MQTT tests' peers and the benchmark's floor
#   chrony              the NTP server the SNTP tests ask for the time
#   build-essential     make and a C compiler: @agoric/xsnap builds XS from source at npm ci
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }
have chromium || need+=(chromium)
have promtool || need+=(prometheus)
have mosquitto || need+=(mosquitto)
have mosquitto_sub || need+=(mosquitto-clients)
have chronyd || need+=(chrony)
{ have make && have cc && have g++; } || need+=(build-essential)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing the Debian packages the tests need: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Installed as tools only: the tests start their own broker and NTP server on free ports.
  for service in mosquitto chrony; do
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now "$service" >/dev/null 2>&1 || true; fi
  done
  exit 0
fi
echo "the tests need these Debian packages; run: sudo apt-get install -y ${need[*]}" >&2
exit 1
