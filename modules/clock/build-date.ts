/*
 * The earliest time this firmware can believe: the day this release was made. An SNTP reply
 * that says it is earlier cannot come from a real server (RFC 4330's sanity check, as ESPHome
 * and Tasmota also refuse years before their build), and a clock that reads earlier at boot is
 * not set. Raise it with each release; never set it in the future.
 */

/** 2026-11-01T00:00:00Z. */
export const NOT_BEFORE_MS = 1_793_491_200_000;
